"""``kfp-studies clean``: the work folder's scratch goes, the registry and the run folders stay."""

import pytest

from components.studies import ParameterError
from pipelines.cli import main


def _layout(tmp_path):
    out = tmp_path / "out"
    for path, size in (
        ("work/cv/imdb/abc/000.json", 10),
        ("work/cv/imdb/abc/000.checkpoint/model.keras", 3000),
        ("work/checkpoints/imdb/def/model.keras", 2000),
        ("registry/imdb/v1/saved_model/saved_model.pb", 500),
        ("pipeline-root/imdb-2026/run.json", 20),
    ):
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(b"x" * size)
    return out


def _clean(out, *extra):
    return main(
        [
            "clean",
            "--set",
            f"target.work_uri={out / 'work'}",
            "--set",
            f"target.registry_uri={out / 'registry'}",
            "--set",
            f"target.pipeline_root={out / 'pipeline-root'}",
            *extra,
        ]
    )


def test_a_dry_run_lists_each_entry_with_its_size_and_removes_nothing(tmp_path, capsys):
    out = _layout(tmp_path)
    assert _clean(out, "--dry-run") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        f"would remove {out / 'work' / 'checkpoints'} (0.0 MB)",
        f"would remove {out / 'work' / 'cv'} (0.0 MB)",
    ]
    assert lines[2].startswith("would free 0.0 MB; kept the registry")
    assert (out / "work" / "cv" / "imdb" / "abc" / "000.json").exists()


def test_clean_removes_scratch_and_keeps_the_registry_and_the_runs(tmp_path, capsys):
    out = _layout(tmp_path)
    assert _clean(out) == 0
    assert list((out / "work").iterdir()) == []
    assert (out / "registry" / "imdb" / "v1" / "saved_model" / "saved_model.pb").is_file()
    assert (out / "pipeline-root" / "imdb-2026" / "run.json").is_file()
    assert _clean(out) == 0 and "nothing to remove" in capsys.readouterr().out


def test_a_registry_inside_the_work_folder_is_refused(tmp_path):
    from pipelines.runs_commands import scratch

    with pytest.raises(ParameterError, match="clean would remove it"):
        scratch(str(tmp_path / "work"), str(tmp_path / "work" / "registry"))
    with pytest.raises(ParameterError, match="not a local folder"):
        scratch("gs://bucket/work", str(tmp_path / "registry"))
