"""Where the backends read the same IR differently, and what the compiler writes for each.

Two fields of the pipeline spec mean different things on Kubeflow Pipelines
(Argo underneath), on Vertex AI and under kfp.local, so the value compiled
into a package depends on the target's backend. Both are decided here and
nowhere else; docs/targets.md ("What was verified, and how") cites the
upstream source each rule comes from.
"""

from __future__ import annotations

from kfp import dsl

# Retries of a training task: the first retry waits 60 s, each next one twice as long.
RETRY_BACKOFF = "60s"
RETRY_BACKOFF_FACTOR = 2.0

# ``backoff_max_duration``:
# - KFP copies it into Argo's retryStrategy.backoff.maxDuration (KFP 2.17.0
#   backend/src/v2/compiler/argocompiler/container.go), and Argo v4.0.5 reads that as a
#   deadline counted from the start of the *first* attempt: once it has passed, no retry
#   starts (workflow/controller/operator.go, "Max duration limit exceeded"). It must cover
#   every attempt of a training task, so 48 h: the third retry of a task whose attempts each
#   fail after 15 h still starts.
# - Vertex AI reads the same field as the cap on the wait between two retries
#   (cloud.google.com/vertex-ai/docs/pipelines/configure-retries): 1 h.
RETRY_MAX_DURATION = {"kfp": "172800s", "vertex": "3600s"}

# The run id written into the model card: an id that exists for one-off *and* scheduled runs.
# - KFP 2.17.0: the job UUID ({{$.pipeline_job_uuid}}) is the run id of the API, the UI's URL
#   and the artifact paths; for a scheduled run the scheduled-workflow controller substitutes
#   it (crd/controller/scheduledworkflow/util/scheduled_workflow.go, ReplaceUID). The job
#   *name* is the run's display name, which recurring runs do not have: the driver resolves it
#   to "" for every scheduled run (backend/src/v2/driver/resolve.go, template/v2_template.go).
# - Vertex AI: the pipeline job's UUID.
# - kfp.local resolves the job name to the run's folder under the pipeline root
#   (``imdb-<time>``) and the UUID to a random number seen nowhere: the name identifies the run.
RUN_ID = {
    "kfp": dsl.PIPELINE_JOB_ID_PLACEHOLDER,
    "vertex": dsl.PIPELINE_JOB_ID_PLACEHOLDER,
    "local": dsl.PIPELINE_JOB_NAME_PLACEHOLDER,
}


def retry_policy(backend: str, retries: int) -> dict:
    """Keyword arguments of ``PipelineTask.set_retry`` for a training task on ``backend``."""
    return {
        "num_retries": retries,
        "backoff_duration": RETRY_BACKOFF,
        "backoff_factor": RETRY_BACKOFF_FACTOR,
        "backoff_max_duration": RETRY_MAX_DURATION[backend],
    }
