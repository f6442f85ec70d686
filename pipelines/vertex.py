"""Vertex AI Pipelines through google-cloud-aiplatform (the optional ``vertex`` extra).

The arguments of ``aiplatform.PipelineJob``, ``PipelineJob.submit`` and
``PipelineJob.create_schedule`` are built from a target by plain functions,
so they can be checked without a network or a Google Cloud project.
Credentials are the caller's Application Default Credentials at submit time;
nothing of them reaches the compiled pipeline.
"""

from __future__ import annotations

import re
import time

from pipelines import cron
from pipelines.kfp_api import WaitTimeout, pause_before_next_poll
from pipelines.run_request import RunRequest
from pipelines.targets import Target, TargetError, require

FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED", "CANCELED")


# The newest prebuilt TensorFlow prediction container google-cloud-aiplatform 2.7.0 lists
# (aiplatform/constants/prediction.py); its registry host is the region's continent.
PREBUILT_TF_SERVING = "{continent}-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest"


def model_registry_settings(target: Target) -> dict[str, str]:
    """What the register task needs to upload versions to the Vertex AI Model Registry
    (``components.vertex_models.VertexModelSettings``); empty, no upload, off Vertex. A
    package compiled without a project cannot be submitted (``job_args`` requires one)."""
    if target.backend != "vertex":
        return {}
    return {"project": target.project, "region": target.region, "serving_image": serving_image(target)}


def serving_image(target: Target) -> str:
    """The target's ``serving_image``, else the prebuilt TensorFlow container nearest its region."""
    if target.serving_image:
        return target.serving_image
    area = target.region.split("-")[0]
    continent = "europe" if area == "europe" else "asia" if area in ("asia", "australia", "me") else "us"
    return PREBUILT_TF_SERVING.format(continent=continent)


def aiplatform():
    try:
        from google.cloud import aiplatform as module
    except ImportError:
        raise TargetError("Vertex AI targets need google-cloud-aiplatform: pip install 'kfp-studies[vertex]'") from None
    return module


def job_id(run_name: str) -> str:
    """A valid PipelineJob id from a run name: lower case, digits and dashes, starting with a letter."""
    text = re.sub(r"[^a-z0-9-]+", "-", run_name.lower()).strip("-")
    return text[:128]


def job_args(request: RunRequest) -> dict:
    """Keyword arguments of ``aiplatform.PipelineJob`` for one run of the request's package.

    The run name is the display name and, made valid, the job id: it already names the
    study (``imdb-vertex-<time>``, or the user's ``--name``). ``enable_caching`` stays None:
    the per-task caching compiled into the package applies (a run-wide value would also
    cache the source probe)."""
    target = request.target
    require(target, "run on Vertex AI", "project", "region")
    return {
        "display_name": request.name[:128],
        "template_path": request.package,
        "job_id": job_id(request.name),
        "pipeline_root": target.pipeline_root,
        "parameter_values": dict(request.arguments),
        "enable_caching": None,
        "labels": {"study": request.study, "target": re.sub(r"[^a-z0-9_-]", "-", target.name.lower())},
        "project": target.project,
        "location": target.region,
    }


def submit_args(target: Target, experiment: str | None = None) -> dict:
    """Keyword arguments of ``PipelineJob.submit``."""
    args = {"service_account": target.service_account or None}
    if experiment:
        args["experiment"] = experiment
    return args


def schedule_args(target: Target, name: str, expression: str, timezone: str | None, max_concurrency: int) -> dict:
    """Keyword arguments of ``PipelineJob.create_schedule``: the standard cron as it is, its zone as ``TZ=``."""
    return {
        "cron": cron.to_vertex(expression, timezone),
        "display_name": name,
        "max_concurrent_run_count": max_concurrency,
        "service_account": target.service_account or None,
    }


def run_url(target: Target, run_job_id: str) -> str:
    return (
        f"https://console.cloud.google.com/vertex-ai/locations/{target.region}/pipelines/runs/{run_job_id}"
        f"?project={target.project}"
    )


def state_name(state) -> str:
    """``PipelineState.PIPELINE_STATE_SUCCEEDED`` -> ``SUCCEEDED``."""
    return getattr(state, "name", str(state)).removeprefix("PIPELINE_STATE_")


def wait(job, timeout: float | None, poll_seconds: float = 30.0) -> str:
    start = time.monotonic()
    while True:
        state = state_name(job.state)
        if state in FINAL_STATES:
            return state
        if timeout is not None and time.monotonic() - start >= timeout:
            raise WaitTimeout(job.job_id, state, timeout)
        time.sleep(pause_before_next_poll(start, timeout, poll_seconds))
