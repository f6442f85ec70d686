"""Submit one run of a study's pipeline to a target's Kubeflow Pipelines or Vertex AI.

KFP: ``kfp.Client(host=...).create_run_from_pipeline_package(...)`` with the
target's pipeline root and service account, then (with ``wait``) polling the
run until it ends. Vertex AI: ``aiplatform.PipelineJob(...).submit(...)``.
The package is the study compiled for the target, unless one is given.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass

import yaml

from pipelines import kfp_api, vertex
from pipelines.run_request import RunRequest
from pipelines.targets import Target, TargetError

SUCCEEDED = "SUCCEEDED"


@dataclass(frozen=True)
class Submission:
    study: str
    target: str
    run_id: str
    url: str
    state: str = ""  # the final state when waited for, else ""

    @property
    def succeeded(self) -> bool:
        return self.state == SUCCEEDED


def run_name(study: str, target: Target) -> str:
    return f"{study}-{target.name}-{datetime.datetime.now().strftime('%Y%m%d-%H%M%S')}"


def missing_parameters(package: str, arguments: dict) -> list[str]:
    """Pipeline parameters without a default in ``package`` that ``arguments`` do not give."""
    with open(package, encoding="utf-8") as f:
        spec = next(yaml.load_all(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    inputs = spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {})
    return sorted(
        name
        for name, p in inputs.items()
        if "defaultValue" not in p and not p.get("isOptional") and name not in arguments
    )


def checked_package(study: str, target: Target, arguments: dict, package: str | None, folder: str, hint: str) -> str:
    """``package``, or the study compiled for ``target`` into ``folder``; every
    parameter without a default must be in ``arguments`` (``hint`` says how)."""
    if package is None:
        from pipelines.compile import compile_study

        package = compile_study(study, target, folder)
    missing = missing_parameters(package, arguments)
    if missing:
        raise TargetError(
            f"{study}: pipeline parameter(s) {', '.join(missing)} have no default: give them with "
            f"--param NAME=VALUE (e.g. {hint})"
        )
    return package


@dataclass(frozen=True)
class Waiting:
    """Whether ``submit`` waits for the run to end, for how long (``None``: no limit), polling how often."""

    wait: bool = False
    timeout: float | None = None
    poll_seconds: float = 10.0


def submit(
    study: str,
    target: Target,
    arguments: dict,
    *,
    experiment: str | None = None,
    name: str | None = None,
    wait: bool = False,
    timeout: float | None = None,
    package: str | None = None,
    poll_seconds: float = 10.0,
    client=None,
) -> Submission:
    """Create one run; with ``wait``, return once it has ended (``kfp_api.WaitTimeout`` after ``timeout`` s)."""
    if target.backend == "local":
        raise TargetError(f"target {target.name!r} is local: run it with 'kfp-studies run {study} --local'")
    waiting = Waiting(wait, timeout, poll_seconds)
    with tempfile.TemporaryDirectory(prefix="kfp-studies-") as tmp:
        package = checked_package(study, target, arguments, package, tmp, "--param source=URI")
        request = RunRequest(study, target, arguments, package, name or run_name(study, target), experiment)
        if target.backend == "kfp":
            return _submit_kfp(request, waiting, client)
        return _submit_vertex(request, waiting)


def _submit_kfp(request: RunRequest, waiting: Waiting, client) -> Submission:
    target = request.target
    client = client or kfp_api.client_for(target, f"submit {request.study}")
    result = client.create_run_from_pipeline_package(
        request.package,
        arguments=dict(request.arguments),
        run_name=request.name,
        experiment_name=request.experiment or target.experiment or kfp_api.DEFAULT_EXPERIMENT,
        namespace=target.namespace or None,
        pipeline_root=target.pipeline_root or None,
        # None keeps the per-task caching compiled into the package; a run-wide
        # value would also cache the source probe and so miss new data.
        enable_caching=None,
        service_account=target.service_account or None,
    )
    state = ""
    if waiting.wait:
        run = kfp_api.wait_for_run(client, result.run_id, waiting.timeout, waiting.poll_seconds)
        state = kfp_api.state_of(run)
    return Submission(request.study, target.name, result.run_id, kfp_api.run_url(target, result.run_id), state)


def _submit_vertex(request: RunRequest, waiting: Waiting) -> Submission:
    target = request.target
    aiplatform = vertex.aiplatform()
    job = aiplatform.PipelineJob(**vertex.job_args(request))
    job.submit(**vertex.submit_args(target, request.experiment or target.experiment or None))
    state = vertex.wait(job, waiting.timeout, waiting.poll_seconds) if waiting.wait else ""
    return Submission(request.study, target.name, job.job_id, vertex.run_url(target, job.job_id), state)
