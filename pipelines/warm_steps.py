"""Local steps forked from one interpreter that has already imported TensorFlow.

Under ``kfp.local.SubprocessRunner`` every step is a fresh ``python -m
kfp.dsl.executor_main``, and each step that trains or predicts imports
TensorFlow and Keras first: 5.6 to 8 s on these 2 cores, four times along
``make demo``'s pipeline, more than half of its wall time (docs/speed.md).
During a local run, :class:`WarmSteps` starts one server process that
imports them (and kfp's executor, pandas, scikit-learn and the step modules)
once; the first step waits for those imports, and its console line says so.
kfp.local still orchestrates and launches
every task; only the launch is replaced: a step whose command is the
lightweight-component command kfp compiles is run by a process forked from
the server, which does what that command's shell script does (writes the
component's source to a temporary folder, sets ``_KFP_RUNTIME``) and calls
kfp's executor with the same arguments, environment and working directory.
Its output goes through a pipe and is printed exactly as kfp.local prints a
subprocess's, and its exit status is returned the same way.

A step runs as its own process, as without the server, when:
- the command is not that shell script (kfp changed it, or it installs packages);
- the task's environment differs from the one the server imported in, in a
  variable read when TensorFlow, numpy or Python start
  (``IMPORT_TIME_VARIABLES``): the server declines the step;
- the server could not start or died before the step was forked.

Nothing is forked until the imports are done, and the server never runs a
TensorFlow operation, so no runtime thread pool exists when it forks. Linux
only (``fork`` after these imports is not safe on macOS).
``KFP_STUDIES_WARM_STEPS=0`` turns it off. The server watches its parent once
a second and ends, stopping its steps, when the run is gone, even a run that
was killed and could not close it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from typing import Any

from components import progress

SWITCH = "KFP_STUDIES_WARM_STEPS"
# The lightweight-component command kfp 2.17 compiles (kfp/dsl/component_factory.py,
# _get_command_and_args_for_lightweight_component), with "python3" as kfp.local replaces it.
_SHELL_SCRIPT = (
    'program_path=$(mktemp -d)\n\nprintf "%s" "$0" > "$program_path/ephemeral_component.py"\n'
    "_KFP_RUNTIME=true python3 -m kfp.dsl.executor_main"
    '                         --component_module_path                         "$program_path/ephemeral_component.py"'
    '                         "$@"\n'
)
IMPORT_TIME_VARIABLES = (
    "TF_",
    "TENSORFLOW",
    "KERAS",
    "CUDA",
    "NVIDIA",
    "XLA_",
    "OMP_",
    "KMP_",
    "MKL",
    "OPENBLAS",
    "LD_",
    "PYTHON",
)
# Imported by the server before it forks anything: the slow imports of the steps that train and predict.
PRELOADED = (
    "components.steps.ingest",
    "components.steps.preprocess",
    "components.steps.cross_validate",
    "components.steps.train",
    "components.steps.evaluate",
    "components.steps.register",
    "components.training",
    "components.studies",
    "kfp.dsl.executor_main",
    "pandas",
    "sklearn.linear_model",
)
_HEADER = struct.Struct("!I")


def enabled() -> bool:
    return sys.platform == "linux" and os.environ.get(SWITCH, "1") != "0"


def step_script(full_command: list[str], python: str) -> tuple[str, list[str]] | None:
    """The component source and executor arguments of kfp's lightweight-component command, or
    None for any other command."""
    if len(full_command) < 4 or full_command[:2] != ["sh", "-ec"]:
        return None
    if full_command[2].replace(python, "python3") != _SHELL_SCRIPT:
        return None
    return full_command[3], full_command[4:]


def _import_time_environment(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(IMPORT_TIME_VARIABLES)}


class WarmSteps:
    """The server for one local run, and the launcher kfp.local calls instead of its own."""

    def __init__(self, fallback):
        self.fallback = fallback  # kfp.local's run_local_subprocess: a step in its own process
        self.folder = tempfile.mkdtemp(prefix="kfp-studies-warm-")
        self.address = os.path.join(self.folder, "server")
        self.server = subprocess.Popen(
            [sys.executable, "-m", __name__, self.address, str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        self._listening = threading.Lock()
        self.forked = 0  # steps the server ran, for tests and the bench

    def _wait_until_listening(self) -> None:
        """The server's first line says it listens; requests made before its imports are done then
        wait in its queue, not in a fresh process."""
        with self._listening:
            if self.server.stdout is not None:
                self.server.stdout.readline()
                self.server.stdout.close()
                self.server.stdout = None

    def close(self) -> None:
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, full_command: list[str], env_vars: dict[str, str] | None = None) -> int:
        """kfp.local's ``run_local_subprocess``: run the step, print its output, return its exit status."""
        env = {**os.environ, **(env_vars or {})}
        step = step_script(full_command, sys.executable)
        if step is None:
            return self.fallback(full_command, env_vars)
        self._wait_until_listening()
        status = self._forked(step, env)
        return self.fallback(full_command, env_vars) if status is None else status

    def _forked(self, step: tuple[str, list[str]], env: dict[str, str]) -> int | None:
        """The step's exit status, or None if the server did not fork it (the caller runs it then)."""
        source, arguments = step
        request = json.dumps({"source": source, "arguments": arguments, "env": env, "cwd": os.getcwd()}).encode()
        read_end, write_end = os.pipe()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                connection.connect(self.address)
                socket.send_fds(connection, [_HEADER.pack(len(request))], [write_end])
                connection.sendall(request)
                os.close(write_end)
                write_end = -1
                if not select.select([connection], [], [], 1.0)[0]:
                    progress.detail("waiting for the warm-steps server to import TensorFlow")
                replies = connection.makefile("r", encoding="utf-8")
                started = replies.readline() == "started\n"
            except OSError:  # no server to connect to, or it died before forking the step
                started = False  # or it declined: the step's environment is not the one it imported in
            if not started:
                return None
            self.forked += 1
            with open(read_end, encoding="utf-8", errors="replace", closefd=False) as output:
                for line in iter(output.readline, ""):
                    print(line, end="")  # as kfp.local prints a subprocess's lines (the task's print)
            print("\n")
            with contextlib.suppress(OSError):
                status = replies.readline().split()
                # A server killed while the step ran sends no status: the step failed.
                return int(status[1]) if len(status) == 2 and status[0] == "exit" else 1
            return 1
        finally:
            connection.close()
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)


@contextlib.contextmanager
def installed() -> Iterator[WarmSteps | None]:
    """kfp.local's subprocess launches go through a :class:`WarmSteps` while the block runs."""
    from kfp.local import subprocess_task_handler

    if not enabled():
        yield None
        return
    original = subprocess_task_handler.run_local_subprocess
    warm = WarmSteps(original)
    subprocess_task_handler.run_local_subprocess = warm.run
    try:
        yield warm
    finally:
        subprocess_task_handler.run_local_subprocess = original
        warm.close()


# The server: ``python -m pipelines.warm_steps ADDRESS RUN_PID``.


def _environment_at_start() -> dict[str, str]:
    """The environment this process was started with, whatever Python code has set since."""
    with open("/proc/self/environ", "rb") as f:
        pairs = (entry.split(b"=", 1) for entry in f.read().split(b"\0") if b"=" in entry)
        return {os.fsdecode(k): os.fsdecode(v) for k, v in pairs}


def _preload() -> None:
    """Import what the steps import."""
    import gc
    import importlib

    from components.steps import configure_task_logging

    configure_task_logging(tensorflow=True)  # TensorFlow and Keras without their start-up lines
    for module in PRELOADED:
        importlib.import_module(module)
    import logging

    logging.root.handlers.clear()  # as a fresh interpreter has them: kfp's executor sets its own
    logging.root.setLevel(logging.WARNING)
    gc.collect()
    gc.freeze()  # forked steps then leave the server's objects' pages shared


def _receive(connection: socket.socket) -> tuple[dict[str, Any], int]:
    header, fds, _, _ = socket.recv_fds(connection, _HEADER.size, 1)
    if len(header) != _HEADER.size or len(fds) != 1:
        raise OSError("incomplete request")
    (size,) = _HEADER.unpack(header)
    payload = b""
    while len(payload) < size:
        chunk = connection.recv(size - len(payload))
        if not chunk:
            raise OSError("incomplete request")
        payload += chunk
    return json.loads(payload), fds[0]


def _run_step(request: dict[str, Any], output: int, imports_set: dict[str, str]) -> int:
    """In the forked child: what the lightweight component's shell script does, then kfp's executor."""
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update({**imports_set, **request["env"], "_KFP_RUNTIME": "true"})
    folder = tempfile.mkdtemp()
    module = os.path.join(folder, "ephemeral_component.py")
    with open(module, "w", encoding="utf-8") as f:
        f.write(request["source"])
    sys.argv = [sys.executable, "--component_module_path", module, *request["arguments"]]
    from kfp.dsl import executor_main

    try:
        executor_main.executor_main()
        code = 0
    except SystemExit as stop:  # as the interpreter ends on it
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return code


def _fork(request: dict[str, Any], output: int, imports_set: dict[str, str], keep_closed: list[int]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for fd in keep_closed:
            os.close(fd)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = _run_step(request, output, imports_set)
        import atexit

        atexit._run_exitfuncs()  # a process's exit, less the module teardown nothing here needs
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class _Server:
    """Accepts a step at a time and forks it; reports each forked step's exit status on its connection."""

    def __init__(self, listener: socket.socket, started_with: dict[str, str], run: int):
        self.listener = listener
        self.run = run  # the run's pid: the server ends with it, even when it is killed and cannot close it
        self.imported_in = _import_time_environment(started_with)
        # What the imports set in os.environ (TensorFlow sets several): a fresh process's imports would set them too.
        self.imports_set = {k: v for k, v in os.environ.items() if started_with.get(k) != v}
        self.running: dict[int, socket.socket] = {}  # pid -> the connection of the step it runs
        self.wake_read, self.wake_write = os.pipe()  # SIGCHLD wakes select through it
        for fd in (self.wake_read, self.wake_write):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self.stop)

    def stop(self, *_) -> None:
        for pid in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        os._exit(0)

    def serve(self) -> None:
        while True:
            ready, _, _ = select.select([self.listener.fileno(), self.wake_read], [], [], 1.0)
            if os.getppid() != self.run:  # reparented: the run is gone
                self.stop()
            if self.listener.fileno() in ready:
                self.accept()
            if self.wake_read in ready:
                self.reap()

    def accept(self) -> None:
        connection, _ = self.listener.accept()
        try:
            request, output = _receive(connection)
        except (OSError, ValueError):
            connection.close()
            return
        if _import_time_environment(request["env"]) != self.imported_in:
            os.close(output)
            connection.sendall(b"declined\n")
            connection.close()
            return
        sys.stdout.flush()
        sys.stderr.flush()
        inherited = [self.wake_read, self.wake_write, *(s.fileno() for s in (self.listener, connection))]
        pid = _fork(request, output, self.imports_set, [*inherited, *(c.fileno() for c in self.running.values())])
        os.close(output)
        connection.sendall(b"started\n")
        self.running[pid] = connection

    def reap(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self.wake_read, 4096)
        while self.running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                return
            connection = self.running.pop(pid)
            with contextlib.suppress(OSError):
                connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            connection.close()


def serve(address: str, run: int) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(64)  # steps launched while the imports run wait here
    print("listening", flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the run stops reading after that line
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the steps; the run then closes the server
    _preload()
    _Server(listener, _environment_at_start(), run).serve()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
