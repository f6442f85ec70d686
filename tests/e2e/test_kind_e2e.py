"""End to end on a live Kubeflow Pipelines: every study, with a tiny configuration, on the cluster's object store.

Run it with ``make kind-up kind-load kind-e2e`` (docs/kind.md), which port-forwards
the KFP API and the object store and sets the variables below. Elsewhere it skips.

    KFP_HOST                  the KFP API (e.g. http://localhost:8080)
    KFP_STUDIES_IMAGE         the component image the cluster has (make image-tag)
    KFP_STUDIES_E2E_S3        the object store's S3 endpoint as seen from here (http://localhost:9000)
    KFP_STUDIES_E2E_TARGET    the target to use (default: kind)
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   the object store's credentials (from the cluster's secret)

It asserts: every task succeeded; every output artifact exists and is non-empty
in the object store; the registry holds a champion.
"""

import datetime
import os
import re

import pytest

pytestmark = pytest.mark.e2e

HOW = (
    "needs a live Kubeflow Pipelines: set KFP_HOST. On this machine: make kind-up && make kind-load && "
    "make kind-e2e (docs/kind.md); for another cluster also set KFP_STUDIES_IMAGE, KFP_STUDIES_E2E_S3 and "
    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
)
if not os.environ.get("KFP_HOST"):
    pytest.skip(HOW, allow_module_level=True)

from components import storage  # noqa: E402
from components.registry import Registry  # noqa: E402
from components.studies import STUDIES, get_study  # noqa: E402
from pipelines import kfp_api  # noqa: E402
from pipelines.compile import build_pipeline  # noqa: E402
from pipelines.parameters import resolve  # noqa: E402
from pipelines.submit import submit  # noqa: E402
from pipelines.targets import get_target  # noqa: E402

# Per study: a one-file sample format, rows per class, and parameters small enough for a laptop's cluster.
# threshold 0: the first model of a fresh registry is blessed, so a champion must result.
TINY = {
    "imdb": ("tar.gz", 40, {"epochs": 1, "batch_size": 32, "validation_rows": 20, "cv_folds": 2, "variants": "32-1"}),
    "cifar10": ("python", 6, {"epochs": 1, "batch_size": 32, "validation_rows": 10, "cv_folds": 2, "variants": "adam"}),
    "digits": ("dmd.tar.gz", 3, {"epochs": 1, "batch_size": 32, "cv_folds": 2, "variants": "gru64"}),
    "amazon": ("ft.txt.bz2", 40, {"epochs": 1, "batch_size": 16, "cv_folds": 2, "variants": "gru"}),
    "mirai": ("tar", 40, {"epochs": 1, "batch_size": 32, "cv_folds": 2, "variants": "2x20-sigmoid+bn", "mc_passes": 2}),
}
# KFP keeps metrics in its metadata store, not as files.
METADATA_ONLY = {"system.Metrics", "system.ClassificationMetrics"}
# v2beta1 RuntimeState (backend/api/v2beta1/run.proto at 2.17.0): a task served from the cache, or not
# run because its condition was false, is SKIPPED; there is no CACHED state.
OK_TASK_STATES = {"SUCCEEDED", "SKIPPED"}
TIMEOUT = float(os.environ.get("KFP_STUDIES_E2E_TIMEOUT", 3600))


@pytest.fixture(scope="module")
def cluster():
    overrides = {"host": os.environ["KFP_HOST"]}
    if os.environ.get("KFP_STUDIES_IMAGE"):
        overrides["image"] = os.environ["KFP_STUDIES_IMAGE"]
    target = get_target(os.environ.get("KFP_STUDIES_E2E_TARGET", "kind"), overrides=overrides)
    endpoint = os.environ.get("KFP_STUDIES_E2E_S3", "http://localhost:9000")
    session = datetime.datetime.now().strftime("e2e-%Y%m%d-%H%M%S")
    with storage.configured(s3_endpoint_url=endpoint, minio_endpoint_url=endpoint):
        yield target, endpoint, session


@pytest.fixture(scope="module")
def runs(cluster, tmp_path_factory):
    """Every study submitted at once (the cluster runs them side by side), each with a fresh registry."""
    target, _, session = cluster
    prefix = target.registry_uri.rsplit("/", 1)[0] + f"/{session}"
    client = kfp_api.client_for(target)
    submitted = {}
    for study in sorted(STUDIES):
        sample_format, per_class, params = TINY[study]
        path = (
            get_study(study)
            .sampler()
            .write_sample(str(tmp_path_factory.mktemp(study)), format=sample_format, per_class=per_class, seed=0)
        )
        assert os.path.isfile(path), f"{study}: the e2e needs a one-file source, got {path}"
        source = f"{prefix}/data/{study}/{os.path.basename(path)}"
        storage.upload_file(path, source)
        arguments = resolve(
            study,
            build_pipeline(study, target),
            {
                **{k: str(v) for k, v in params.items()},
                "threshold": "0.0",
                "source": source,
                "registry_uri": f"{prefix}/registry",
                "work_uri": f"{prefix}/work",
            },
        )
        run = submit(study, target, arguments, experiment=f"kfp-studies-{session}", client=client)
        print(f"{study}: {run.url}")
        submitted[study] = (run, arguments)
    return client, submitted


def _expected_outputs(study, target) -> set[tuple[str, str]]:
    """(task, artifact) pairs of the pipeline that write files: every container task outside conditions."""
    spec = build_pipeline(study, target).pipeline_spec
    expected = set()
    for task_name, task in spec.root.dag.tasks.items():
        component = spec.components[task.component_ref.name]
        if not component.executor_label:
            continue
        for name, artifact in component.output_definitions.artifacts.items():
            if artifact.artifact_type.schema_title not in METADATA_ONLY:
                expected.add((task_name, name))
    return expected


def _attempts(task_details) -> dict[tuple[str, str], set[str]]:
    """The states of every attempt of each task, by (parent task, name): the iterations of a loop
    share a name but not a parent, and a task's retries share both."""
    found: dict[tuple[str, str], set[str]] = {}
    for t in task_details:
        found.setdefault((t.parent_task_id or "", t.display_name or ""), set()).add(str(t.state))
    return found


@pytest.mark.parametrize("study", sorted(TINY))
def test_every_study_runs_on_the_cluster(study, cluster, runs):
    import boto3

    target, endpoint, _ = cluster
    client, submitted = runs
    run, arguments = submitted[study]

    final = kfp_api.wait_for_run(client, run.run_id, TIMEOUT, poll_seconds=15)
    assert kfp_api.state_of(final) == "SUCCEEDED", f"{study}: {run.url} ended {kfp_api.state_of(final)}"

    # Every task succeeded (or was skipped by a condition, or served from the cache). A retried task
    # may also list its failed attempts: a task is fine when one of its attempts is.
    details = client.get_run(run.run_id).run_details
    failed = {
        task: states for task, states in _attempts(details.task_details or []).items() if not states & OK_TASK_STATES
    }
    assert not failed, f"{study}: tasks not succeeded: {failed}"

    # Every output artifact is in the object store, under <root>/<pipeline>/<run id>/<task>/<salt>/<output>.
    root = target.pipeline_root
    bucket, _, key_prefix = re.sub(r"^[a-z0-9]+://", "", root).partition("/")
    s3 = boto3.client("s3", endpoint_url=endpoint)
    sizes = {}
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=f"{key_prefix.rstrip('/')}/{study}/{run.run_id}/"
    ):
        sizes.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
    for task, output in sorted(_expected_outputs(study, target)):
        pattern = re.compile(rf"/{re.escape(task)}/[^/]+/{re.escape(output)}(/|$)")
        found = {k: n for k, n in sizes.items() if pattern.search(k)}
        assert found, f"{study}: no {task}/{output} under {root}/{study}/{run.run_id}/"
        assert sum(found.values()) > 0, f"{study}: {task}/{output} is empty: {found}"

    # The registry holds a champion.
    champion = Registry(arguments["registry_uri"]).champion(study)
    assert champion is not None, f"{study}: no champion in {arguments['registry_uri']}"
    assert champion["metrics"]["accuracy"] >= 0
