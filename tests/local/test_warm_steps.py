"""Steps forked from the warm-steps server (``pipelines/warm_steps.py``) under kfp.local's
SubprocessRunner: they get the task's environment and working directory, print and fail as
kfp.local's own step processes do, and run as a process of their own where the server cannot
stand in. The launcher replaced is ``run_local_subprocess`` in kfp 2.17's
``kfp/local/subprocess_task_handler.py``."""

import builtins
import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from kfp import dsl, local

from pipelines import warm_steps


def _component(func):
    return dsl.component(func, base_image="python:3.11", install_kfp_package=False)


@_component
def describe(out: dsl.Output[dsl.Artifact]):
    """What the step's process looks like from inside."""
    import json
    import os
    import sys

    print("hello from the step")
    with open(out.path, "w") as f:
        json.dump(
            {
                "pid": os.getpid(),
                "parent": os.getppid(),
                "tensorflow_loaded": "tensorflow" in sys.modules,
                "mark": os.environ.get("WARM_STEPS_TEST_MARK"),
                "runtime": os.environ.get("_KFP_RUNTIME"),
                "cwd": os.getcwd(),
            },
            f,
        )


@_component
def fail():
    raise ValueError("the step's own error")


@pytest.fixture
def kfp_local(tmp_path, monkeypatch):
    # kfp.local swaps builtins.print per task to indent a step's lines, and two ParallelFor tasks
    # ending out of order can leave it swapped; run_local puts it back, these direct runs must too.
    monkeypatch.setattr(builtins, "print", builtins.print)
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(tmp_path), raise_on_error=True)


@pytest.fixture(scope="module")
def warm():
    """The server, started as ``kfp-studies run`` starts it: from a process that has not imported
    the step modules, whose import sets TF_CPP_MIN_LOG_LEVEL (TensorFlow's sets more) in the server."""
    if not warm_steps.enabled():
        pytest.skip("warm steps run on Linux only")
    with contextlib.ExitStack() as running:
        with pytest.MonkeyPatch.context() as environment:
            environment.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
            server = running.enter_context(warm_steps.installed())
        yield server


@pytest.fixture(autouse=True)
def _launched_as_the_cli_launches(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # tests/conftest.py sets it for every test


def _described(artifact) -> dict:
    with open(artifact.path) as f:
        return json.load(f)


def test_a_step_is_forked_from_the_server_with_the_tasks_environment(warm, kfp_local, monkeypatch, capsys):
    monkeypatch.setenv("WARM_STEPS_TEST_MARK", "set in the run's process")
    forked = warm.forked
    seen = _described(describe().outputs["out"])
    assert seen["parent"] == warm.server.pid and seen["pid"] != os.getpid()
    assert seen["tensorflow_loaded"]  # imported by the server, not by this step
    assert seen["mark"] == "set in the run's process"
    assert seen["runtime"] == "true" and seen["cwd"] == os.getcwd()
    assert warm.forked == forked + 1
    assert "hello from the step" in capsys.readouterr().out  # printed as kfp.local prints a step's output


def test_two_steps_at_once_are_two_processes(warm, kfp_local):
    @dsl.pipeline
    def two():
        with dsl.ParallelFor([1, 2]):
            describe()

    forked = warm.forked
    two()
    assert warm.forked == forked + 2


def test_a_failing_step_fails_the_task_with_its_traceback(warm, kfp_local, capsys):
    forked = warm.forked
    with pytest.raises(RuntimeError):
        fail()
    assert warm.forked == forked + 1
    assert "ValueError: the step's own error" in capsys.readouterr().out


def test_a_task_setting_a_variable_read_at_import_runs_in_its_own_process(warm, kfp_local):
    @dsl.pipeline
    def with_variable() -> dsl.Artifact:
        return describe().set_env_variable("TF_NUM_INTRAOP_THREADS", "1").outputs["out"]

    forked = warm.forked
    seen = _described(with_variable().output)
    assert seen["parent"] != warm.server.pid and not seen["tensorflow_loaded"]  # under kfp.local's sh
    assert warm.forked == forked


def test_steps_run_in_their_own_process_once_the_server_is_gone(warm, kfp_local, monkeypatch):
    from kfp.local import subprocess_task_handler

    monkeypatch.setattr(subprocess_task_handler, "run_local_subprocess", warm.fallback)  # kfp.local's own
    with warm_steps.installed() as server:
        server.server.kill()
        server.server.wait()
        seen = _described(describe().outputs["out"])
        assert not seen["tensorflow_loaded"] and server.forked == 0


def test_the_server_ends_when_its_run_is_killed():
    """A run killed with SIGKILL cannot close its server; the server must not outlive it."""
    if not warm_steps.enabled():
        pytest.skip("warm steps run on Linux only")
    run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pipelines import warm_steps\n"
            "with warm_steps.installed() as warm:\n"
            "    warm._wait_until_listening()\n"  # past its one line: a dead reader cannot end it
            "    print(warm.server.pid, flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    server = int(run.stdout.readline())
    run.kill()
    run.wait()
    deadline = time.monotonic() + 60  # its imports, then a second's check of its parent
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{server}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":  # ended, not yet reaped by its new parent
                    return
        except FileNotFoundError:
            return
        time.sleep(0.2)
    os.kill(server, signal.SIGKILL)
    pytest.fail("the warm-steps server outlived its killed run")


def test_the_command_kfp_compiles_for_every_component_is_recognised():
    """kfp.local's command for each of the project's components, python3 replaced as it does."""
    import sys

    from kfp.local.subprocess_task_handler import replace_python_executable

    from components.adapters import build_components

    components = build_components()
    for name in components._fields:
        container = getattr(components, name).component_spec.implementation.container
        command = replace_python_executable([*container.command, *container.args], sys.executable)
        assert warm_steps.step_script(command, sys.executable) == (command[3], command[4:]), name
        changed = [*command[:2], command[2].replace("mktemp -d", "mktemp -d -p /tmp"), *command[3:]]
        assert warm_steps.step_script(changed, sys.executable) is None
