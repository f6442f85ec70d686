"""Kubeflow Pipelines through ``kfp.Client``: the client of a target, run URLs, waiting for a run."""

from __future__ import annotations

import os
import time
import warnings

from pipelines.targets import Target, TargetError, require

DEFAULT_EXPERIMENT = "kfp-studies"
# Final run states of the v2beta1 API (kfp's own wait_for_run_completion misses CANCELED).
FINAL_STATES = ("SUCCEEDED", "FAILED", "SKIPPED", "CANCELED")


class WaitTimeout(TimeoutError):
    def __init__(self, run_id: str, state: str, seconds: float):
        super().__init__(f"run {run_id} is still {state or 'PENDING'} after {seconds:g} s")
        self.run_id, self.state = run_id, state


def client_for(target: Target, action: str = "talk to Kubeflow Pipelines"):
    """A ``kfp.Client`` for the target's host (and namespace, and bearer token from ``token_env``)."""
    import kfp

    require(target, action, "host")
    token = None
    if target.token_env:
        token = os.environ.get(target.token_env)
        if not token:
            raise TargetError(
                f"target {target.name!r}: token_env: the environment variable {target.token_env} "
                "is not set (it holds the bearer token for the KFP API)"
            )
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="This client only works with Kubeflow Pipeline", category=FutureWarning
        )
        return kfp.Client(host=target.host, namespace=target.namespace or "kubeflow", existing_token=token)


def run_url(target: Target, run_id: str) -> str:
    return f"{target.host.rstrip('/')}/#/runs/details/{run_id}"


def recurring_run_url(target: Target, recurring_run_id: str) -> str:
    return f"{target.host.rstrip('/')}/#/recurringrun/details/{recurring_run_id}"


def state_of(run) -> str:
    return str(run.state or "").upper()


def wait_for_run(client, run_id: str, timeout: float | None = None, poll_seconds: float = 10.0):
    """Poll ``get_run`` until the run is in a final state; :class:`WaitTimeout` after ``timeout`` seconds."""
    start = time.monotonic()
    while True:
        run = client.get_run(run_id)
        if state_of(run) in FINAL_STATES:
            return run
        if timeout is not None and time.monotonic() - start >= timeout:
            raise WaitTimeout(run_id, state_of(run), timeout)
        time.sleep(pause_before_next_poll(start, timeout, poll_seconds))


def pause_before_next_poll(start: float, timeout: float | None, poll_seconds: float) -> float:
    """``poll_seconds``, or less so that the last poll falls on the timeout (``start + timeout``)."""
    if timeout is None:
        return poll_seconds
    return max(0.0, min(poll_seconds, start + timeout - time.monotonic()))


def experiment_id(client, name: str, namespace: str = "") -> str:
    """The id of experiment ``name``, created when absent."""
    return client.create_experiment(name=name, namespace=namespace or None).experiment_id
