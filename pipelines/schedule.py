"""Scheduled retraining: recurring runs of a study's pipeline on KFP or Vertex AI.

Every scheduled run reads the study's source URI afresh, records the data's
sha256 and size, trains and evaluates, and registers only a model that beats
the champion. With caching on, a run on unchanged data is served from KFP's
cache (see pipelines/steps.py and docs/targets.md).

KFP: ``kfp.Client.create_recurring_run`` with the cron translated to the
6-field robfig form; list, pause (disable), resume (enable) and delete by the
recurring run's id. Vertex AI: ``PipelineJob.create_schedule`` with the
5-field cron as it is; ``PipelineJobSchedule`` to list, pause, resume, delete.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass

from pipelines import cron, kfp_api, vertex
from pipelines.run_request import RunRequest
from pipelines.submit import checked_package, run_name
from pipelines.targets import Target, TargetError

ACTIONS = ("pause", "resume", "delete")
# Runs a schedule may start at once, per backend: (least, most; None for no upper limit here).
# KFP 2.17.0 refuses a recurring run outside 1..10 (backend/src/apiserver/server/api_converter.go).
MAX_CONCURRENCY = {"kfp": (1, 10), "vertex": (1, None)}
# Nobody watches a scheduled run start: data that breaks the champion's schema stops it before
# training, while drift (which new data may legitimately show) is reported. --param overrides.
SCHEDULED_DEFAULTS = {"on_anomaly": "stop", "on_drift": "warn"}


@dataclass(frozen=True)
class Schedule:
    id: str
    name: str
    cron: str  # as the backend holds it
    state: str  # ENABLED / PAUSED (Vertex: ACTIVE / PAUSED / COMPLETED)
    max_concurrency: int
    catchup: bool | None
    url: str = ""


@dataclass(frozen=True)
class Recurrence:
    """When a schedule starts runs: a standard 5-field cron in ``timezone`` (``None``: the
    target's), at most ``max_concurrency`` at once, backfilling missed runs with ``catchup``."""

    expression: str
    timezone: str | None = None
    max_concurrency: int = 1
    catchup: bool = True


def create(
    study: str,
    target: Target,
    expression: str,
    arguments: dict,
    *,
    timezone: str | None = None,
    max_concurrency: int = 1,
    catchup: bool = True,
    name: str | None = None,
    experiment: str | None = None,
    package: str | None = None,
    client=None,
) -> tuple[Schedule, list[str]]:
    """Create a schedule; returns it and notes for the user (e.g. what a backend cannot do)."""
    if target.backend == "local":
        raise TargetError(f"target {target.name!r} is local and has no scheduler; schedule on a kfp or vertex target")
    recurrence = Recurrence(expression, timezone, max_concurrency, catchup)
    arguments = {**SCHEDULED_DEFAULTS, **arguments}
    check(target, recurrence)  # a clear error before anything is compiled or sent
    with tempfile.TemporaryDirectory(prefix="kfp-studies-") as tmp:
        package = checked_package(
            study, target, arguments, package, tmp, "--param source=URI, read afresh by every run"
        )
        request = RunRequest(study, target, arguments, package, name or f"{study}-{target.name}-retrain", experiment)
        if target.backend == "kfp":
            return _create_kfp(request, recurrence, client), []
        return _create_vertex(request, recurrence)


def check(target: Target, recurrence: Recurrence) -> None:
    """What the backend would refuse, refused here with the option that sets it."""
    cron.parse(recurrence.expression)
    low, high = MAX_CONCURRENCY.get(target.backend, (1, None))
    n = recurrence.max_concurrency
    if n < low or (high is not None and n > high):
        limit = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise TargetError(
            f"--max-concurrency {n}: a {target.backend} schedule runs {limit} runs at once"
            + (" (the KFP API refuses other values)" if target.backend == "kfp" else "")
        )
    if target.backend == "kfp" and recurrence.timezone and recurrence.timezone != target.schedule_timezone:
        raise TargetError(
            f"KFP recurring runs fire in the time zone of the cluster's scheduler, which target {target.name!r} "
            f"says is {target.schedule_timezone} (schedule_timezone; the cluster sets it in the "
            f"pipeline-install-config ConfigMap, key cronScheduleTimezone). --timezone {recurrence.timezone} "
            f"differs: write the cron in {target.schedule_timezone}, or change the cluster's zone and the "
            "target's schedule_timezone"
        )


def _create_kfp(request: RunRequest, recurrence: Recurrence, client) -> Schedule:
    target = request.target
    client = client or kfp_api.client_for(target, f"schedule {request.study}")
    recurring = client.create_recurring_run(
        experiment_id=kfp_api.experiment_id(
            client, request.experiment or target.experiment or kfp_api.DEFAULT_EXPERIMENT, target.namespace
        ),
        job_name=request.name,
        description=(f"scheduled retraining of {request.study} ({recurrence.expression}, {target.schedule_timezone})"),
        cron_expression=cron.to_kfp(recurrence.expression),
        max_concurrency=recurrence.max_concurrency,
        no_catchup=not recurrence.catchup,
        params=dict(request.arguments),
        pipeline_package_path=request.package,
        enabled=True,
        pipeline_root=target.pipeline_root or None,
        enable_caching=None,  # keep the compiled per-task caching (the source probe is never cached)
        service_account=target.service_account or None,
    )
    return _kfp_schedule(target, recurring)


def _create_vertex(request: RunRequest, recurrence: Recurrence) -> tuple[Schedule, list[str]]:
    target = request.target
    aiplatform = vertex.aiplatform()
    # The job is the template of the schedule's runs: named like a one-off run of the study.
    job_request = dataclasses.replace(request, name=run_name(request.study, target))
    job = aiplatform.PipelineJob(**vertex.job_args(job_request))
    schedule = job.create_schedule(
        **vertex.schedule_args(
            target, request.name, recurrence.expression, recurrence.timezone, recurrence.max_concurrency
        )
    )
    notes = (
        []
        if not recurrence.catchup
        else ["Vertex AI schedules do not backfill runs missed while paused or behind (as with --no-catchup)"]
    )
    return _vertex_schedule(target, schedule), notes


def list_schedules(target: Target, study: str | None = None, client=None) -> list[Schedule]:
    if target.backend == "kfp":
        client = client or kfp_api.client_for(target, "list schedules")
        found, token = [], ""
        while True:
            page = client.list_recurring_runs(page_token=token, page_size=100, namespace=target.namespace or None)
            found += [r for r in page.recurring_runs or [] if _is_study(r, study)]
            token = page.next_page_token or ""
            if not token:
                return [_kfp_schedule(target, r) for r in found]
    if target.backend == "vertex":
        aiplatform = vertex.aiplatform()
        schedules = aiplatform.PipelineJobSchedule.list(project=target.project, location=target.region)
        return [
            _vertex_schedule(target, s) for s in schedules if study is None or s.display_name.startswith(f"{study}-")
        ]
    raise TargetError(f"target {target.name!r} is local and has no schedules")


def change(target: Target, action: str, schedule_id: str, client=None) -> None:
    """``pause``, ``resume`` or ``delete`` one schedule by its id."""
    if action not in ACTIONS:
        raise ValueError(f"unknown schedule action {action!r}; one of {', '.join(ACTIONS)}")
    if target.backend == "kfp":
        client = client or kfp_api.client_for(target, f"{action} a schedule")
        {
            "pause": client.disable_recurring_run,
            "resume": client.enable_recurring_run,
            "delete": client.delete_recurring_run,
        }[action](recurring_run_id=schedule_id)
        return
    if target.backend == "vertex":
        aiplatform = vertex.aiplatform()
        schedule = aiplatform.PipelineJobSchedule.get(schedule_id, project=target.project, location=target.region)
        getattr(schedule, action)()
        return
    raise TargetError(f"target {target.name!r} is local and has no schedules")


def _is_study(recurring, study: str | None) -> bool:
    if study is None:
        return True
    spec = recurring.pipeline_spec or {}
    spec = spec.get("pipeline_spec", spec)  # with a platform spec, KFP nests the pipeline spec
    return (recurring.display_name or "").startswith(f"{study}-") or spec.get("pipelineInfo", {}).get("name") == study


def _kfp_schedule(target: Target, r) -> Schedule:
    trigger = r.trigger.cron_schedule.cron if r.trigger and r.trigger.cron_schedule else ""
    mode = str(r.mode or "")
    state = {"ENABLE": "ENABLED", "DISABLE": "PAUSED"}.get(mode, mode)
    return Schedule(
        r.recurring_run_id,
        r.display_name or "",
        trigger,
        state,
        int(r.max_concurrency or 0),
        # The KFP API omits false fields (EmitUnpopulated: false), so a missing no_catchup is catch-up on.
        not r.no_catchup,
        kfp_api.recurring_run_url(target, r.recurring_run_id),
    )


def _vertex_schedule(target: Target, s) -> Schedule:
    resource = s.resource_name
    return Schedule(
        resource.rsplit("/", 1)[-1],
        s.display_name,
        s.cron,
        vertex.state_name(s.state).removeprefix("STATE_") if s.state is not None else "",
        int(s.max_concurrent_run_count or 0),
        None,
        f"https://console.cloud.google.com/vertex-ai/locations/{target.region}/pipelines/schedules/"
        f"{resource.rsplit('/', 1)[-1]}?project={target.project}",
    )
