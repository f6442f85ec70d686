"""README.md's quick start, run as written: every command of its fenced block, in a fresh folder.

The commands are read from the README itself, so the test follows the README
rather than a copy of it. The ``run it with:`` hint that ``sample`` prints is
checked too: the README's run command must be that hint plus settings that
only make it faster, and the hint's own parameters must pass the pipeline's
checks against the sample's data (the checks ``plan_folds`` makes before any
fold trains), so one pipeline run covers both.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from components.split_checks import check_against_data, load_split_columns
from components.studies import RunParams, get_study
from pipelines.parameters import parse_assignments

ROOT = Path(__file__).resolve().parents[2]
# Setting up the environment, which the test runs in already; any other command must be kfp-studies'.
SETUP = [["make", "install"], [".", ".venv/bin/activate"]]
# Settings the README's run adds to the sample's hint only to be quicker on a small machine.
SPEED_ONLY = {"epochs", "cv_folds"}


def quick_start_commands(readme: str) -> list[list[str]]:
    """The commands of the first fenced block under the ``Quick start`` heading, continuations joined."""
    section = readme.split("\n## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README.md's quick start has a ```bash block"
    text = block.group(1).replace("\\\n", " ")
    return [words for line in text.splitlines() if (words := shlex.split(line, comments=True))]


def _kfp_studies(words: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("TF_CPP_MIN_LOG_LEVEL")  # as a user's shell has it: tests/conftest.py sets it
    cmd = [sys.executable, "-m", "pipelines.cli", *words[1:]]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _assignments(words: list[str]) -> dict[str, str]:
    return parse_assignments([words[i + 1] for i, w in enumerate(words) if w == "--set"])


def test_every_quick_start_command_works_as_written(tmp_path):
    commands = quick_start_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert [c for c in commands if c[0] != "kfp-studies"] == SETUP
    ran = []
    hint: list[str] = []
    for words in (c for c in commands if c[0] == "kfp-studies"):
        start = time.perf_counter()
        result = _kfp_studies(words, tmp_path)
        ran.append((words[1], round(time.perf_counter() - start, 1)))
        assert result.returncode == 0, f"{shlex.join(words)} failed:\n{result.stdout[-3000:]}\n{result.stderr}"
        if words[1] == "sample":
            [line] = [x for x in result.stdout.splitlines() if x.startswith("run it with: ")]
            hint = shlex.split(line.removeprefix("run it with: "))
        if words[1] == "run":
            assert "pipeline finished" in result.stdout
            [record] = [json.loads(p.read_text()) for p in tmp_path.glob("**/run.json")]
            assert record["steps_forked"] == len(record["steps"])  # every step forked from the warm-steps server
            _assert_the_run_is_the_hint_made_faster(words, hint, tmp_path)
    assert [name for name, _ in ran] == ["list", "sample", "ingest", "run"], ran
    print("quick start timings (s):", ran)


def _assert_the_run_is_the_hint_made_faster(run: list[str], hint: list[str], cwd: Path) -> None:
    assert hint, "sample printed a 'run it with:' hint before the run"
    without_sets = [w for i, w in enumerate(run) if w != "--set" and (i == 0 or run[i - 1] != "--set")]
    assert without_sets == [w for i, w in enumerate(hint) if w != "--set" and (i == 0 or hint[i - 1] != "--set")]
    hinted, readme = _assignments(hint), _assignments(run)
    assert hinted.items() <= readme.items() and set(readme) - set(hinted) <= SPEED_ONLY, (hinted, readme)
    # The hint alone (default epochs and folds) passes every check made before training, on the same data.
    study = get_study(run[2])
    ingested = _kfp_studies(
        ["kfp-studies", "ingest", study.name, "--source", run[run.index("--source") + 1], "-o", "hint-check"], cwd
    )
    assert ingested.returncode == 0, ingested.stderr
    params = study.params.from_mapping(hinted)
    check_against_data(params, *load_split_columns(str(cwd / "hint-check" / "raw.npz")), RunParams().seed)
