"""Compiling for each shipped target: the target's settings, asserted from the IR YAML."""

import pytest
import yaml

from components.studies import STUDIES, RunParams
from pipelines.cli import main
from pipelines.compile import compile_study
from pipelines.steps import TRAINING_STEPS
from pipelines.targets import get_target

TARGETS = ("local", "kind", "kind-gpu", "kfp", "vertex")
TRAINING_EXECUTORS = {"exec-" + step.replace("_", "-") for step in TRAINING_STEPS}


@pytest.fixture(autouse=True)
def _packaged_targets(monkeypatch):
    monkeypatch.delenv("KFP_STUDIES_TARGETS", raising=False)


def compiled(tmp_path, study, target):
    with open(compile_study(study, target, str(tmp_path))) as f:
        docs = list(yaml.safe_load_all(f))
    spec = docs[0]
    platform = docs[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"] if len(docs) > 1 else {}
    return spec, platform


def tasks_of(spec):
    """Every container task of the IR, in the root DAG and in nested (condition, loop) DAGs: name -> task."""
    found = {}
    for component in [spec["root"], *spec["components"].values()]:
        found.update(
            {
                name: task
                for name, task in component.get("dag", {}).get("tasks", {}).items()
                if "executorLabel" in spec["components"][task["componentRef"]["name"]]
            }
        )
    return found


@pytest.mark.parametrize("name", TARGETS)
def test_imdb_for_each_target(tmp_path, name):
    target = get_target(name)
    spec, platform = compiled(tmp_path, "imdb", target)
    executors = spec["deploymentSpec"]["executors"]

    # The image, everywhere.
    assert {e["container"]["image"] for e in executors.values()} == {target.image}
    # The pipeline root is the run's default on clusters; kfp.local gets it from local.init.
    assert spec.get("defaultPipelineRoot") == (None if target.backend == "local" else target.pipeline_root)

    # Resources: the accelerator request and limits on the training steps only.
    for executor_name, executor in executors.items():
        resources = executor["container"].get("resources", {})
        if executor_name in TRAINING_EXECUTORS and target.gpu_count:
            assert resources["accelerator"]["resourceType"] == target.gpu_type
            assert resources["accelerator"]["resourceCount"] == str(target.gpu_count)
        else:
            assert "accelerator" not in resources, executor_name
        if executor_name in TRAINING_EXECUTORS and target.cpu_limit:
            assert resources["resourceCpuLimit"] == target.cpu_limit
            assert resources["resourceMemoryLimit"] == target.memory_limit
        elif executor_name not in TRAINING_EXECUTORS:
            assert "resourceCpuLimit" not in resources, executor_name
        # Plain environment, on every step.
        env = {e["name"]: e["value"] for e in executor["container"].get("env", [])}
        assert env == target.env, executor_name

    # Kubernetes placement and secrets: the platform spec (a second YAML document), kfp targets only.
    if target.backend != "kfp":
        assert platform == {}
    for executor_name in executors:
        k8s = platform.get(executor_name, {})
        training = executor_name in TRAINING_EXECUTORS
        assert k8s.get("nodeSelector", {}).get("labels", {}) == (target.node_selector if training else {})
        assert k8s.get("tolerations", []) == (list(target.tolerations) if training else [])
        secrets = {
            s["secretName"]: {m["secretKey"]: m["envVar"] for m in s["keyToEnv"]} for s in k8s.get("secretAsEnv", [])
        }
        assert secrets == target.secret_env, executor_name

    # Caching: every task as the target says, but those that look at the world each run.
    tasks = tasks_of(spec)
    assert ("probe-source" in tasks) == target.caching
    for task_name, task in tasks.items():
        cached = task.get("cachingOptions", {}).get("enableCache", False)
        assert cached == (target.caching and task_name not in ("probe-source", "evaluate", "register")), task_name

    # Retries with backoff on the training steps of cluster targets (preemptible nodes).
    for task_name, task in tasks.items():
        retry = task.get("retryPolicy")
        if task_name.replace("-", "_") in TRAINING_STEPS and target.backend != "local" and target.retries:
            assert retry["maxRetryCount"] == target.retries and retry["backoffFactor"] == 2.0, task_name
            assert retry["backoffDuration"] == "60s" and retry["backoffMaxDuration"] == MAX_DURATION[target.backend]
        else:
            assert retry is None, task_name

    # Parameter defaults: the seed's, and the target's storage.
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    for params in (STUDIES["imdb"].params, RunParams):
        for field in params.fields():
            assert inputs[field.name]["defaultValue"] == field.default, field.name
    assert inputs["registry_uri"]["defaultValue"] == target.registry_uri
    assert inputs["work_uri"]["defaultValue"] == target.work_uri
    assert "defaultValue" not in inputs["source"], "every run names its source"


# Argo (KFP) counts backoff.maxDuration from the first attempt's start and starts no retry after it
# (argo-workflows v4.0.5 workflow/controller/operator.go:1025-1041): 48 h covers every attempt of a
# long training task. Vertex reads the field as the cap on the wait between retries: 1 h.
MAX_DURATION = {"kfp": "172800s", "vertex": "3600s"}


@pytest.mark.parametrize("name", ["kind", "kfp", "vertex"])
def test_the_retry_window_is_the_backends_meaning_of_backoff_max_duration(tmp_path, name):
    target = get_target(name)
    spec, _ = compiled(tmp_path, "digits", target)
    tasks = tasks_of(spec)
    for step in ("train", "cross-validate"):
        retry = tasks[step]["retryPolicy"]
        assert retry["backoffMaxDuration"] == MAX_DURATION[target.backend], (name, step)
        assert retry["maxRetryCount"] == 3 and retry["backoffDuration"] == "60s" and retry["backoffFactor"] == 2.0
    if target.backend == "kfp":
        # the last retry of a training task whose attempts each fail after 15 h still starts before the
        # deadline: it starts after every earlier attempt and every backoff (60 s, 120 s, 240 s)
        hours, backoffs = 15, sum(60 * 2**i for i in range(target.retries))
        assert target.retries * hours * 3600 + backoffs <= int(retry["backoffMaxDuration"].rstrip("s"))


@pytest.mark.parametrize("study", sorted(STUDIES))
@pytest.mark.parametrize("name", ["kind-gpu", "vertex"])
def test_every_study_gets_the_gpu_request_on_its_training_steps(tmp_path, study, name):
    target = get_target(name)
    spec, platform = compiled(tmp_path, study, target)
    executors = spec["deploymentSpec"]["executors"]
    gpu = {n for n, e in executors.items() if "accelerator" in e["container"].get("resources", {})}
    assert gpu == TRAINING_EXECUTORS
    assert {n for n, e in platform.items() if "tolerations" in e} == (
        TRAINING_EXECUTORS if target.tolerations else set()
    )


def test_vertex_packages_are_one_document_with_machine_limits(tmp_path):
    target = get_target("vertex")
    with open(compile_study("imdb", target, str(tmp_path))) as f:
        docs = list(yaml.safe_load_all(f))
    assert len(docs) == 1, "Vertex reads one YAML document: no Kubernetes platform spec"
    train = docs[0]["deploymentSpec"]["executors"]["exec-train"]["container"]["resources"]
    assert train["accelerator"]["resourceType"] == "NVIDIA_TESLA_T4"
    assert train["resourceCpuLimit"] == "8" and train["resourceMemoryLimit"] == "30G"


def test_compile_command_bakes_target_overrides_and_parameter_defaults(tmp_path, capsys):
    package = tmp_path / "imdb-nightly.yaml"
    assert (
        main(
            [
                "compile",
                "imdb",
                "--target",
                "kind",
                "--package",
                str(package),
                "--set",
                "epochs=2",
                "--set",
                "source=s3://mlpipeline/data/aclImdb_v1.tar.gz",
                "--set",
                "target.caching=false",
                "--set",
                "target.image=localhost/kfp-studies:9.9.9",
            ]
        )
        == 0
    )
    spec = yaml.safe_load_all(package.read_text()).__next__()
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    assert inputs["epochs"]["defaultValue"] == 2
    assert inputs["source"]["defaultValue"] == "s3://mlpipeline/data/aclImdb_v1.tar.gz"
    assert {e["container"]["image"] for e in spec["deploymentSpec"]["executors"].values()} == {
        "localhost/kfp-studies:9.9.9"
    }
    assert "probe-source" not in spec["root"]["dag"]["tasks"]
    assert "compiled imdb for kind" in capsys.readouterr().out

    assert main(["compile", "imdb", "--target", "kind", "-o", str(tmp_path), "--set", "epochs=many"]) == 2
    assert "epochs" in capsys.readouterr().err
    assert main(["compile", "--all", "--package", str(package)]) == 2


def test_credentials_in_the_environment_never_reach_the_package(tmp_path, monkeypatch):
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "GOOGLE_APPLICATION_CREDENTIALS", "KFP_TOKEN"):
        monkeypatch.setenv(name, f"sentinel-{name}")
    for name in TARGETS:
        text = open(compile_study("imdb", get_target(name), str(tmp_path / name))).read()
        assert "sentinel" not in text, name
