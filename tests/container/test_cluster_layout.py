"""The kind target's storage layout, run here: a study's package compiled for
``kind`` (pipelines/targets.toml), every step in the component image under
podman, reading and writing S3 as it does on the cluster.

The same as on kind (docs/kind.md):

- the package is the one ``kfp-studies compile --target kind`` writes, with
  only its ``image`` set to this checkout's tag (as ``make kind-e2e`` does);
- every task runs as a container of that image, as the image's non-root user;
- the source, ``work_uri`` and ``registry_uri`` are the target's ``s3://``
  locations, on moto in server mode on loopback (bucket ``mlpipeline``),
  reached from inside the containers over the host network;
- each task's environment is what KFP's driver gives its pod
  (``kfp_pod_env``): the target's ``env`` from the package, with the
  in-cluster endpoint resolved to moto's address, and the credentials of the
  secret that KFP's manifests create (``mlpipeline-minio-artifact``, keys
  ``accesskey``/``secretkey``), mapped to variables by the package's
  Kubernetes platform spec, as ``secret_env`` compiles it.

Not the same: ``kfp.local`` orchestrates instead of KFP's driver, launcher and
Argo. Its ``pipeline_root`` must be a local folder (kfp.local cannot use a
``minio://`` or ``s3://`` root), so the artifacts passed between tasks, which
live under the target's ``minio://mlpipeline/v2/artifacts`` root on kind, are
in a bind-mounted folder here; the launcher's uploads there are not exercised.
Scheduling fields of the platform spec (GPU, node selector, tolerations) do
not apply on one machine.
"""

from __future__ import annotations

import builtins
import json
import os
import posixpath
import re
import time
import urllib.parse
from dataclasses import dataclass

import pytest
import yaml
from kfp_pod_env import PodWouldNotStart, secret_env, with_cluster_env
from podman import REPO, Launch, containers_kept_until_exited, podman

STUDY = "imdb"
TARGETS_FILE = REPO / "pipelines" / "targets.toml"
# The secret KFP 2.17.0's manifests create for its object store (the audit,
# "Pipeline roots"), with test values: moto accepts any credentials, and
# boto3 cannot sign a request without them.
SECRETS = {"mlpipeline-minio-artifact": {"accesskey": "kind-layout-test-key", "secretkey": "kind-layout-test-secret"}}
# Tiny: one variant, two folds (each task is a container start with a TensorFlow import).
FAST = {"epochs": 4, "batch_size": 32, "validation_rows": 100, "cv_folds": 2, "variants": "final", "threshold": 0.6}


@dataclass
class KindRun:
    target: object  # pipelines.targets.Target
    pipeline_spec: dict  # as compiled, before the pod env was filled in
    source: str
    launches: list[Launch]
    outputs: dict | None
    error: BaseException | None
    log: str


def kind_package(image: str, out_dir) -> tuple[object, dict, dict]:
    """The kind target with ``image``, and its compiled package: (target, pipeline spec, platform spec)."""
    from pipelines.compile import compile_study
    from pipelines.targets import get_target

    target = get_target("kind", path=str(TARGETS_FILE), overrides={"image": image})
    with open(compile_study(STUDY, target, str(out_dir))) as f:
        pipeline_spec, platform_spec = yaml.safe_load_all(f)
    return target, pipeline_spec, platform_spec


def s3_client(endpoint: str):
    import boto3

    keys = SECRETS["mlpipeline-minio-artifact"]
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=keys["accesskey"],
        aws_secret_access_key=keys["secretkey"],
    )


def split_s3(uri: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(uri)
    assert parts.scheme == "s3", f"{uri}: the kind target keeps this on S3"
    return parts.netloc, parts.path.strip("/")


def image_user(image: str) -> str:
    return podman("image", "inspect", "--format", "{{.Config.User}}", image).stdout.strip()


def run_kind_layout(image: str, moto_url: str, tmp_path, sample: str, capsys, monkeypatch) -> KindRun:
    """Compile the study for kind with ``image`` and run it with kfp.local's
    DockerRunner, the storage of the target on moto at ``moto_url``."""
    from kfp import components, local

    target, pipeline_spec, platform_spec = kind_package(image, tmp_path / "package")
    bucket, _ = split_s3(target.registry_uri)
    assert split_s3(target.work_uri)[0] == bucket
    s3 = s3_client(moto_url)
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    key = f"kfp-studies/inputs/{os.path.basename(sample)}"
    s3.upload_file(sample, bucket, key)
    source = f"s3://{bucket}/{key}"

    # In-cluster addresses in the target's env (the S3 endpoint) resolve to moto here.
    moto_netloc = urllib.parse.urlsplit(moto_url).netloc
    services = {urllib.parse.urlsplit(v).netloc: moto_netloc for v in target.env.values() if "://" in v}
    assert services, f"the kind target names no endpoint in env: {target.env}"
    package = with_cluster_env(pipeline_spec, platform_spec, SECRETS, services)

    root = tmp_path / "root"  # kfp.local's pipeline root: a local folder, bind-mounted into each step
    root.mkdir()
    root.chmod(0o777)  # writable by the image's user
    user = image_user(image)
    runner = local.DockerRunner(network_mode="host", user=user)
    local.init(runner=runner, pipeline_root=str(root), raise_on_error=True)
    pipeline = components.load_component_from_text(yaml.safe_dump(package))
    # kfp.local swaps builtins.print per task (threads in ParallelFor can leave it swapped).
    monkeypatch.setattr(builtins, "print", builtins.print)

    outputs, error = None, None
    with containers_kept_until_exited() as launched:
        try:
            outputs = pipeline(source=source, **FAST).outputs
        except RuntimeError as exc:  # kfp.local: a task failed
            error = exc
    out, err = capsys.readouterr()
    print(out, end="")  # keep the steps' logs in the test's report
    return KindRun(target, pipeline_spec, source, launched.launches, outputs, error, out + err)


def failure(run: KindRun) -> str:
    """kfp.local's error (which names the failed task) and the exception lines
    of the steps' logs, whitespace normalised (kfp.local indents streamed logs
    chunk by chunk)."""
    lines = [
        re.sub(r"\s*:\s*", ": ", " ".join(line.split()), count=1)
        for line in run.log.splitlines()
        if re.match(r"\s*[\w.]*(Error|Exception)\s*:", line)
    ]
    return "\n".join([re.sub(r"\x1b\[[0-9;]*m", "", str(run.error)), *lines])


def function_of(launch: Launch) -> str:
    """The component function a launch ran (``--function_to_execute NAME``)."""
    command = launch.command
    return command[command.index("--function_to_execute") + 1]


def package_functions(pipeline_spec: dict) -> set[str]:
    return {
        e["container"]["args"][e["container"]["args"].index("--function_to_execute") + 1]
        for e in pipeline_spec["deploymentSpec"]["executors"].values()
    }


@pytest.mark.container
def test_imdb_for_kind_runs_every_step_in_the_image_on_s3(
    image, docker_host, s3_server, tmp_path, imdb_sample, capsys, monkeypatch
):
    start = time.perf_counter()
    run = run_kind_layout(image, s3_server.url, tmp_path, imdb_sample, capsys, monkeypatch)
    elapsed = time.perf_counter() - start
    print(f"\nimdb for kind, every step in {image} with S3 on moto: {elapsed:.1f} s wall")
    assert run.error is None, f"the pipeline failed: {failure(run)}"
    assert image_user(image) == "1000:1000"

    # Every task of the package ran in a container of the image, and succeeded.
    ran = [function_of(launch) for launch in run.launches]
    functions = package_functions(run.pipeline_spec)
    assert set(ran) == functions, ran
    assert ran.count("cross_validate") == FAST["cv_folds"]
    assert len(ran) == len(functions) + FAST["cv_folds"] - 1
    for launch in run.launches:
        assert launch.image == image and launch.exit_code == 0, (function_of(launch), launch.exit_code)

    # The champion pointer and its version's card are in the bucket.
    s3 = s3_client(s3_server.url)
    bucket, registry = split_s3(run.target.registry_uri)

    def read(key: str) -> dict:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    champion = read(posixpath.join(registry, STUDY, "champion.json"))
    card = read(posixpath.join(registry, STUDY, champion["version"], "model.json"))
    assert card["image"] == image
    assert card["dataset"]["source"] == run.source
    assert card["metrics"]["accuracy"] == pytest.approx(run.outputs["metrics"].metadata["accuracy"])
    assert card["metrics"]["accuracy"] > 0.8, card["metrics"]
    # The run's scratch space (CV scores, checkpoints) is on S3 too.
    work_bucket, work = split_s3(run.target.work_uri)
    assert s3.list_objects_v2(Bucket=work_bucket, Prefix=work + "/").get("KeyCount", 0) > 0


@pytest.fixture(scope="module")
def image_without_boto3(image, tmp_path_factory):
    """The image with boto3 and botocore uninstalled: what the image was before
    the lock had the s3 extra."""
    tag = re.sub(r"^(.*/)?[^/:]+:", r"\1kfp-studies-test-noboto3:", image, count=1)
    context = tmp_path_factory.mktemp("noboto3")
    (context / "Containerfile").write_text(
        f"FROM {image}\nUSER root\nRUN /opt/venv/bin/pip uninstall --yes boto3 botocore s3transfer\nUSER 1000:1000\n"
    )
    podman("build", "--network=none", "--tag", tag, str(context))
    yield tag
    podman("rmi", "--force", tag, check=False)


@pytest.mark.container
def test_without_boto3_the_first_step_fails_naming_it(
    image_without_boto3, docker_host, s3_server, tmp_path, imdb_sample, capsys, monkeypatch
):
    """The control of the test above: with no boto3 in the image, the first
    task (the source probe, reading s3://) fails, and the run ends there."""
    run = run_kind_layout(image_without_boto3, s3_server.url, tmp_path, imdb_sample, capsys, monkeypatch)
    assert run.error is not None
    assert [(function_of(launch), launch.exit_code != 0) for launch in run.launches] == [("probe_source", True)]
    message = failure(run)
    assert "Inner task failed: 'probe-source'" in message
    assert "ModuleNotFoundError: No module named 'boto3'" in message.splitlines(), message


# ---- the stand-in for KFP's driver, against the compiled kind package (no podman) ----


def test_every_task_of_the_kind_package_gets_the_object_store_credentials(tmp_path):
    _, pipeline_spec, platform_spec = kind_package("localhost/kfp-studies:0.1.0-test", tmp_path)
    keys = SECRETS["mlpipeline-minio-artifact"]
    for executor in pipeline_spec["deploymentSpec"]["executors"]:
        assert secret_env(platform_spec, executor, SECRETS) == {
            "AWS_ACCESS_KEY_ID": keys["accesskey"],
            "AWS_SECRET_ACCESS_KEY": keys["secretkey"],
        }, executor


def test_the_pod_env_resolves_the_endpoint_and_refuses_a_missing_secret(tmp_path):
    _, pipeline_spec, platform_spec = kind_package("localhost/kfp-studies:0.1.0-test", tmp_path)
    package = with_cluster_env(pipeline_spec, platform_spec, SECRETS, {"seaweedfs.kubeflow:9000": "127.0.0.1:5999"})
    for executor, body in package["deploymentSpec"]["executors"].items():
        env = {e["name"]: e["value"] for e in body["container"]["env"]}
        assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999", executor
        assert env["AWS_ACCESS_KEY_ID"] == SECRETS["mlpipeline-minio-artifact"]["accesskey"], executor
    with pytest.raises(PodWouldNotStart, match="secret 'mlpipeline-minio-artifact' not found"):
        with_cluster_env(pipeline_spec, platform_spec, {}, {})
    with pytest.raises(PodWouldNotStart, match="has no key 'secretkey'"):
        with_cluster_env(pipeline_spec, platform_spec, {"mlpipeline-minio-artifact": {"accesskey": "k"}}, {})
