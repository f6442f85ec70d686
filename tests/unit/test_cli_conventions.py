"""`kfp-studies` follows the usual CLI conventions: help with no arguments, --version, "did you mean",
one flag for pipeline parameters, one line for the project's own errors and a traceback for the rest."""

import argparse
import os
import subprocess
import sys

import pytest

from components.studies import UnknownStudy
from components.version import code_version
from pipelines.cli import EXPECTED_ERRORS, main, parser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_no_arguments_prints_the_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kfp-studies") and "COMMAND" in out and "registry" in out


def test_the_description_is_whole_and_plain():
    description = parser().description
    assert description.endswith("submit and schedule them on Kubeflow Pipelines or Vertex AI.")
    assert "``" not in description


def test_version(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out.strip() == f"kfp-studies {code_version()}"


@pytest.mark.parametrize(
    "argv",
    [["run", "imbd", "--source", "x"], ["registry", "list", "imbd"], ["compile", "imbd"], ["sample", "imbd", "d"]],
)
def test_a_mistyped_study_gets_a_suggestion(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert "unknown study 'imbd' (did you mean 'imdb'?)" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--set", "--param"])
@pytest.mark.parametrize("command", [["compile", "imdb", "-o", "out"], ["submit", "imdb", "--target", "kind"]])
def test_set_and_param_are_one_option_with_suggestions_for_parameter_names(command, flag, capsys, tmp_path):
    assert main([*command, flag, "epohcs=1", "--set", f"registry_uri={tmp_path}"]) == 2
    assert "unknown parameter(s) epohcs (did you mean 'epochs'?) for imdb" in capsys.readouterr().err
    assert main([*command, flag, "epochs=1", "--set", "epochs=2"]) == 2
    assert "epochs is given twice (--set and --param are one option)" in capsys.readouterr().err


def test_run_needs_no_local_flag_on_a_local_target(capsys, tmp_path):
    missing = tmp_path / "missing.tar.gz"
    assert main(["run", "imdb", "--source", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"kfp-studies run: error: source not found: {missing}"
    assert main(["run", "imdb", "--target", "kind", "--source", str(missing)]) == 2
    assert "target 'kind' is a kfp target; 'run' runs on this machine" in capsys.readouterr().err


def test_a_wrong_sample_format_lists_the_formats(capsys, tmp_path):
    assert main(["sample", "imdb", str(tmp_path), "--format", "tar.zg"]) == 2
    assert "--format 'tar.zg' (did you mean 'tar.gz'?): imdb samples come in tar.gz, npz" in capsys.readouterr().err


def test_only_the_projects_own_errors_are_one_line():
    for bug in (ValueError, KeyError, LookupError, OSError, RuntimeError, TypeError, AttributeError):
        assert not issubclass(bug, EXPECTED_ERRORS), f"{bug.__name__} would hide a bug's traceback"


def test_debug_forces_the_traceback(monkeypatch):
    with pytest.raises(UnknownStudy):
        main(["--debug", "registry", "list", "imbd"])
    monkeypatch.setenv("KFP_STUDIES_DEBUG", "1")
    with pytest.raises(UnknownStudy):
        main(["registry", "list", "imbd"])


def test_an_unexpected_error_prints_its_traceback(tmp_path):
    """A targets file that is not text is not a case the project handles, so its error keeps its traceback."""
    targets = tmp_path / "targets.toml"
    targets.write_bytes(b"\xff\xfe\x00")
    env = {**os.environ, "PYTHONPATH": ROOT}
    cmd = [sys.executable, "-m", "pipelines.cli", "targets", "--targets", str(targets)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "UnicodeDecodeError" in result.stderr


def test_every_option_has_help():
    def undocumented(p, path):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from undocumented(sub, [*path, name])
            elif not action.help:
                yield " ".join([*path, *(action.option_strings or [action.dest])])

    assert list(undocumented(parser(), ["kfp-studies"])) == []


def test_a_reader_that_goes_away_is_not_an_error(monkeypatch, capsys):
    """``kfp-studies list | head``: once the reader has closed the pipe, the rest of the output is
    dropped quietly, with exit status 0, not reported as a connection error."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    closed_pipe = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    assert main(["list"]) == 0
    closed_pipe.close()
    assert capsys.readouterr().err == ""
