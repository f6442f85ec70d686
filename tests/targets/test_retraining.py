"""Scheduled-retraining semantics, asserted from the compiled pipeline and the source probe.

A scheduled run ingests the current data behind the study's source URI, records
its sha256 and size, trains and evaluates, and registers only a model the
blessing lets through. With caching on, the source's content version keys the
cache: unchanged data is served from the cache up to training; new data behind
the same URI is trained on. (docs/targets.md, "Scheduled retraining".)
"""

import os

import pytest
import yaml
from kfp.dsl.python_component import PythonComponent

from components.adapters import build_components
from components.steps.probe import source_version
from pipelines.compile import compile_study
from pipelines.targets import LOCAL, get_target


@pytest.fixture(scope="module")
def ir(tmp_path_factory):
    os.environ.pop("KFP_STUDIES_TARGETS", None)
    path = compile_study("imdb", get_target("kind"), str(tmp_path_factory.mktemp("retrain")))
    return next(yaml.safe_load_all(open(path)))


def _tasks(ir):
    found = {}
    for component in [ir["root"], *ir["components"].values()]:
        found.update(component.get("dag", {}).get("tasks", {}))
    return found


def test_every_run_ingests_the_source_it_is_given(ir):
    ingest = _tasks(ir)["ingest"]["inputs"]["parameters"]
    assert ingest["source"] == {"componentInputParameter": "source"}, "the run's source URI, not a snapshot"
    assert ingest["source_version"]["taskOutputParameter"] == {
        "outputParameterKey": "Output",
        "producerTask": "probe-source",
    }
    probe = _tasks(ir)["probe-source"]["inputs"]["parameters"]
    assert probe["source"] == {"componentInputParameter": "source"}


def test_the_cache_is_keyed_to_the_data_and_the_blessing_to_the_current_champion(ir):
    tasks = _tasks(ir)
    cached = {name for name, t in tasks.items() if t.get("cachingOptions", {}).get("enableCache")}
    assert {"ingest", "preprocess", "plan-folds", "cross-validate", "compare-variants", "train"} <= cached
    assert not {"probe-source", "evaluate", "register"} & cached


def test_only_a_blessed_or_forced_model_is_registered_with_the_datas_provenance(ir):
    tasks = _tasks(ir)
    [condition] = [t for name, t in ir["root"]["dag"]["tasks"].items() if name.startswith("condition")]
    assert "evaluate-Output" in condition["triggerPolicy"]["condition"]
    register = tasks["register"]["inputs"]
    # (inside the condition's sub-DAG, ingest's dataset arrives as a channel named after it)
    assert register["artifacts"]["dataset"] == {"componentInputArtifact": "pipelinechannel--ingest-dataset"}, (
        "the card gets the dataset's sha256, size and records from ingest's metadata"
    )


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        # KFP 2.17.0 resolves {{$.pipeline_job_name}} to the run's display name, which recurring runs
        # do not have (backend/src/v2/driver/resolve.go:436-437, template/v2_template.go:108): "" for
        # every scheduled run. The job UUID is the run id of the API and UI, and the scheduled-workflow
        # controller substitutes it for every run it starts (util/scheduled_workflow.go:182-183).
        ("kind", "{{$.pipeline_job_uuid}}"),
        ("kfp", "{{$.pipeline_job_uuid}}"),
        ("vertex", "{{$.pipeline_job_uuid}}"),
        # kfp.local: the job name is the run's folder under the pipeline root; its UUID is a random number.
        ("local", "{{$.pipeline_job_name}}"),
    ],
)
def test_the_model_card_records_an_id_that_scheduled_runs_have(tmp_path, name, placeholder):
    path = compile_study("digits", get_target(name), str(tmp_path))
    register = _tasks(next(yaml.safe_load_all(open(path))))["register"]
    assert register["inputs"]["parameters"]["run_id"] == {"runtimeValue": {"constant": placeholder}}


def test_no_cached_task_takes_a_per_run_value(ir):
    per_run = (
        "{{$.pipeline_job_uuid}}",
        "{{$.pipeline_job_name}}",
        "{{$.pipeline_job_resource_name}}",
        "{{$.pipeline_task_uuid}}",
        "{{$.pipeline_job_create_time_utc}}",
    )
    offenders = sorted(
        name
        for name, task in _tasks(ir).items()
        if task.get("cachingOptions", {}).get("enableCache")
        and any(
            v.get("runtimeValue", {}).get("constant") in per_run
            for v in task.get("inputs", {}).get("parameters", {}).values()
        )
    )
    assert offenders == []


def test_the_probe_changes_with_the_content_and_only_with_it(tmp_path):
    source = tmp_path / "reviews.tar.gz"
    source.write_bytes(b"first version")
    first = source_version(str(source))
    assert first == source_version(f"file://{source}") == source_version(str(source))
    os.utime(source, (0, 0))
    assert source_version(str(source)) == first, "touching the file is not new data"
    source.write_bytes(b"second version")
    assert source_version(str(source)) != first
    assert source_version(str(source)).endswith(":14")

    folder = tmp_path / "pendigits"
    folder.mkdir()
    (folder / "train").write_text("1 2 3")
    before = source_version(str(folder))
    (folder / "test").write_text("4 5 6")
    assert source_version(str(folder)) != before
    with pytest.raises(FileNotFoundError, match="absent"):
        source_version(str(tmp_path / "absent"))


def test_the_probe_component_returns_the_version(tmp_path):
    source = tmp_path / "data.bin"
    source.write_bytes(b"x" * 10)
    probe: PythonComponent = build_components().probe_source
    assert probe.python_func(source=str(source)) == source_version(str(source))


def test_locally_there_is_no_cache_and_no_probe(tmp_path):
    path = compile_study("imdb", LOCAL, str(tmp_path))
    tasks = _tasks(next(yaml.safe_load_all(open(path))))
    assert "probe-source" not in tasks
    assert not any(t.get("cachingOptions", {}).get("enableCache") for t in tasks.values())
