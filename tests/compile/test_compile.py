"""Every study compiles to valid IR, with the target's settings, without TensorFlow."""

import json
import logging
import subprocess
import sys

import pytest
import yaml

from components.studies import STUDIES, RunParams
from pipelines.compile import compile_study
from pipelines.steps import TaskFactory
from pipelines.targets import LOCAL, Target


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_compiles_with_seed_defaults_and_target_settings(tmp_path, study):
    target = Target(
        name="t",
        image="registry.example/kfp-studies:1.2.3-abc",
        caching=True,
        gpu_type="nvidia.com/gpu",
        gpu_count=1,
        registry_uri="gs://bucket/registry",
    )
    ir = _load(compile_study(study, target, str(tmp_path)))
    executors = ir["deploymentSpec"]["executors"]
    assert {e["container"]["image"] for e in executors.values()} == {target.image}
    for executor in executors.values():
        assert "pip install" not in json.dumps(executor), "nothing is installed at run time"
    inputs = ir["root"]["inputDefinitions"]["parameters"]
    for params in (STUDIES[study].params, RunParams):
        for field in params.fields():
            assert inputs[field.name]["defaultValue"] == field.default, field.name
    assert inputs["registry_uri"]["defaultValue"] == "gs://bucket/registry"
    gpu_tasks = {name for name, e in executors.items() if "accelerator" in json.dumps(e)}
    assert gpu_tasks == {"exec-train", "exec-cross-validate"}
    assert executors["exec-train"]["container"]["resources"]["accelerator"]["resourceCount"] == "1"
    # Every task is cached but those that look at the world on each run: the source probe (the data's
    # current version), evaluate (the current champion) and register (pipelines/steps.py).
    options = _caching_options(ir)
    assert len(options) == len(executors) and sum(not o.get("enableCache") for o in options) == 3
    assert not ir["root"]["dag"]["tasks"]["probe-source"]["cachingOptions"].get("enableCache")
    ingest = ir["root"]["dag"]["tasks"]["ingest"]["inputs"]["parameters"]
    assert ingest["source_version"]["taskOutputParameter"]["producerTask"] == "probe-source"
    [condition] = [
        t["triggerPolicy"]["condition"]
        for name, t in ir["root"]["dag"]["tasks"].items()
        if name.startswith("condition")
    ]
    assert "evaluate-Output" in condition, "register runs only when evaluate says blessed or forced"


def _caching_options(node) -> list[dict]:
    """Every task's caching options, in the root DAG and in nested (condition) DAGs."""
    if isinstance(node, dict):
        found = [node["cachingOptions"]] if "cachingOptions" in node else []
        return found + [o for v in node.values() for o in _caching_options(v)]
    if isinstance(node, list):
        return [o for v in node for o in _caching_options(v)]
    return []


def test_local_target_turns_caching_off(tmp_path):
    ir = _load(compile_study("imdb", LOCAL, str(tmp_path)))
    options = _caching_options(ir)  # one per task, and each task runs one executor
    assert len(options) == len(ir["deploymentSpec"]["executors"]) and not any(o.get("enableCache") for o in options)
    assert "probe-source" not in ir["root"]["dag"]["tasks"], "without caching there is nothing to key on"


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# The task that runs each step's code, by the step a parameter names (components/studies/base.py STEPS).
STEP_TASK = {"preprocess": "preprocess", "train": "train", "cross_validate": "cross-validate", "evaluate": "evaluate"}


def _tasks(ir: dict) -> dict[str, dict]:
    """Every task by name, in the root DAG and in the nested ones (the for-loop, the condition)."""
    dags = [ir["root"]["dag"], *(c["dag"] for c in ir["components"].values() if "dag" in c)]
    return {name: task for dag in dags for name, task in dag["tasks"].items()}


def _study_params_reaching(task: dict) -> set[str]:
    """The names in the task's ``params`` input whose value is the pipeline parameter of that name,
    passed down (possibly through a nested DAG's ``pipelinechannel--`` input)."""
    inputs = task["inputs"]["parameters"]
    given = inputs.get("params", {}).get("runtimeValue", {}).get("constant", {})
    return {
        name
        for name, value in given.items()
        if value == f"{{{{$.inputs.parameters['pipelinechannel--{name}']}}}}"
        and inputs[f"pipelinechannel--{name}"]["componentInputParameter"] in (name, f"pipelinechannel--{name}")
    }


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_every_study_parameter_reaches_the_task_of_its_step(tmp_path, study):
    # A parameter declared for a step that the wiring never passes to it would be listed, compiled and
    # accepted by --set, then silently ignored (register receives them all, so it does not count here).
    tasks = _tasks(_load(compile_study(study, LOCAL, str(tmp_path))))
    for field in STUDIES[study].params.fields():
        task = STEP_TASK[field.metadata["step"]]
        assert field.name in _study_params_reaching(tasks[task]), f"{field.name} never reaches {task}"
        if field.metadata["step"] == "evaluate":
            assert field.name not in _study_params_reaching(tasks["train"]), "it would key train's cache for nothing"
    others = [t for name, t in tasks.items() if name != "register"]
    for field in RunParams.fields():
        assert any(
            t["inputs"]["parameters"].get(field.name, {}).get("componentInputParameter") == field.name for t in others
        ), f"{field.name} reaches no step but register"


def test_compiling_does_not_import_tensorflow(tmp_path):
    code = (
        "import sys; from pipelines.cli import main; "
        f"assert main(['compile', '--all', '-o', {str(tmp_path)!r}]) == 0; "
        "heavy = sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('tensorflow', 'keras', 'sklearn', 'matplotlib')); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s}.yaml" for s in STUDIES)


def test_a_task_of_an_unknown_component_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="no component 'trian'; expected one of ingest, preprocess, .*train"):
        TaskFactory(LOCAL).task("trian", study="imdb")


def test_the_old_name_validation_size_still_sets_the_study_s_hold_out_from_the_command_line(tmp_path, caplog):
    from pipelines.cli import main

    with pytest.deprecated_call(), caplog.at_level(logging.WARNING):
        assert main(["compile", "mirai", "--set", "validation_size=0.25", "-o", str(tmp_path)]) == 0
    inputs = _load(str(tmp_path / "mirai.yaml"))["root"]["inputDefinitions"]["parameters"]
    assert inputs["validation_fraction"]["defaultValue"] == 0.25 and "validation_size" not in inputs
    assert "'validation_size' is deprecated; for this study it is 'validation_fraction'" in caplog.text
