"""Every study compiles to valid IR, with the target's settings, without TensorFlow."""

import json
import subprocess
import sys

import pytest
import yaml

from components.studies import STUDIES, RunParams
from pipelines.compile import compile_study
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
    ir = yaml.safe_load(open(compile_study(study, target, str(tmp_path))))
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
    assert len(options) == 9 and sum(not o.get("enableCache") for o in options) == 3
    assert not ir["root"]["dag"]["tasks"]["probe-source"]["cachingOptions"].get("enableCache")
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
    ir = yaml.safe_load(open(compile_study("imdb", LOCAL, str(tmp_path))))
    assert len(_caching_options(ir)) == 8 and not any(o.get("enableCache") for o in _caching_options(ir))


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
