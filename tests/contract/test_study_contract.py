"""What every study must have, checked for every study found in components/studies/.

A study is discovered from its folder, so nothing else lists it; this test is
what makes a new study complete rather than merely runnable: a recipe that
keeps the contract of components/studies/recipe.py, its docs page
(documenting every parameter) and README row, malformed-input cases, a local pipeline test,
parameters whose defaults validate, a pipeline that compiles for every target
in pipelines/targets.toml, a sample generator, and its entries in the
benchmark plan. CONTRIBUTING.md ("Adding a study") walks through them.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import pytest
from recipe_contract import contract_violations

from bench import plan, seed_baselines
from components.studies import STUDIES
from pipelines.compile import build_pipeline
from pipelines.targets import get_target, target_names

ROOT = Path(__file__).resolve().parents[2]
TARGETS_FILE = str(ROOT / "pipelines" / "targets.toml")


def _malformed_cases() -> list:
    """The robustness table (tests/robustness/test_malformed_inputs.py), imported as pytest does:
    its folder on the path, so that its ``import malformed`` resolves."""
    folder = str(ROOT / "tests" / "robustness")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("test_malformed_inputs").CASES


@pytest.fixture(params=sorted(STUDIES))
def study(request):
    return STUDIES[request.param]


def test_the_studys_recipe_keeps_the_contract(study):
    assert contract_violations(study.recipe()) == [], f"{study.name}: {study.recipe_module}"


def test_the_study_has_a_docs_page_documenting_every_parameter(study):
    page = ROOT / "docs" / "studies" / f"{study.name}.md"
    assert page.is_file(), f"{study.name} has no docs page at docs/studies/{study.name}.md"
    text = page.read_text(encoding="utf-8")
    missing = [f.name for f in study.params.fields() if f"`{f.name}`" not in text]
    assert not missing, f"docs/studies/{study.name}.md does not mention {', '.join(missing)}"


def test_the_study_is_in_the_readme_table(study):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `{study.name}` |" in readme, f"README.md's study table has no row for {study.name}"


def test_the_study_has_malformed_input_cases(study):
    cases = [c.id for c in _malformed_cases() if c.study == study.name]
    assert cases, f"tests/robustness/test_malformed_inputs.py has no CASES for {study.name}"


def test_the_study_has_a_local_pipeline_test(study):
    path = ROOT / "tests" / "local" / f"test_{study.name}_pipeline.py"
    assert path.is_file(), f"no local pipeline test at {path.relative_to(ROOT)}"
    assert re.search(rf"run_local\(\s*\"{study.name}\"", path.read_text(encoding="utf-8")), (
        f"{path.relative_to(ROOT)} does not run the {study.name} pipeline"
    )


def test_the_study_defaults_validate(study):
    defaults = study.params()
    assert study.params.from_mapping({}) == defaults
    assert study.params.from_mapping(defaults.as_dict()) == defaults, "defaults survive a round trip as given"


@pytest.mark.parametrize("target", target_names(TARGETS_FILE))
def test_the_study_pipeline_builds_for_every_target(study, target):
    pipeline = build_pipeline(study.name, get_target(target, TARGETS_FILE))
    assert pipeline.pipeline_spec.pipeline_info.name == study.name
    tasks = pipeline.pipeline_spec.root.dag.tasks
    assert {"ingest", "preprocess", "train", "evaluate"} <= set(tasks)


def test_the_study_has_a_sample_generator(study):
    sampler = study.sampler()
    assert callable(getattr(sampler, "write_sample", None)), f"{study.sample_module} has no write_sample"
    parameters = inspect.signature(sampler.write_sample).parameters
    assert "seed" in parameters, "the CLI's `kfp-studies sample` passes seed="


def test_the_study_has_benchmark_entries(study):
    for each in (plan.FULL, plan.QUICK):
        assert study.name in {s.study for s in each.studies}, f"bench/plan.py {each.name} has no {study.name}"
    assert study.name in seed_baselines.FEEDS, f"bench/seed_baselines.py FEEDS has no {study.name}"
