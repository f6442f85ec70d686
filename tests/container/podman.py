"""Test-side helpers for running the component image with podman.

Not part of the package: nothing here ships in the image.

* ``image_tag()`` / ``require_image()``: the tag ``make image`` builds, or a
  skip that says how to enable the container tests.
* ``podman_service()``: podman's Docker-compatible API on a private socket,
  with ``DOCKER_HOST`` set for the duration.
* ``containers_kept_until_exited()``: the shim that lets
  ``kfp.local.DockerRunner`` work over podman 4.3 (see its docstring).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENABLE = "run `make podman-setup image` (as root) to enable the container tests"


def podman(*args: str, check: bool = True, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], check=check, timeout=timeout, text=True, capture_output=True, **kwargs)


def image_tag() -> str:
    """The tag of the cpu image for this checkout: ``$KFP_STUDIES_IMAGE`` (the
    top Makefile exports it) or what ``make image-tag`` prints."""
    tag = os.environ.get("KFP_STUDIES_IMAGE")
    if tag:
        return tag
    out = subprocess.run(
        ["make", "--no-print-directory", "-s", "image-tag"],
        cwd=REPO,
        check=True,
        text=True,
        capture_output=True,
        timeout=60,
    )
    return out.stdout.strip().splitlines()[-1]


def require_podman() -> None:
    if shutil.which("podman") is None:
        pytest.skip(f"podman is not installed: {ENABLE}")
    info = podman("info", "--format", "{{.Host.OCIRuntime.Name}}", check=False, timeout=60)
    if info.returncode != 0:
        pytest.skip(f"podman does not work here ({info.stderr.strip()[:200]}): {ENABLE}")


def require_image() -> str:
    """Skip unless podman works and this checkout's image is built; return its tag."""
    require_podman()
    tag = image_tag()
    if podman("image", "exists", tag, check=False, timeout=60).returncode != 0:
        pytest.skip(f"image {tag} is not built: {ENABLE}")
    return tag


@contextlib.contextmanager
def podman_service():
    """Serve podman's Docker-compatible API on a fresh unix socket and point
    ``DOCKER_HOST`` at it; stop the service and restore the environment after."""
    import docker

    sock = Path(tempfile.gettempdir()) / f"kfp-studies-podman-{os.getpid()}-{uuid.uuid4().hex[:8]}.sock"
    url = f"unix://{sock}"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        ["podman", "system", "service", "--time=0", url], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    previous = os.environ.get("DOCKER_HOST")
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"podman system service exited: {log.read().decode()[-2000:]}")
            if sock.exists():
                try:
                    client = docker.DockerClient(base_url=url, timeout=10)
                    client.ping()
                    client.close()
                    break
                except Exception:  # noqa: BLE001 -- not listening yet
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"podman system service did not answer on {url} within 30 s")
            time.sleep(0.2)
        os.environ["DOCKER_HOST"] = url
        yield url
    finally:
        if previous is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = previous
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()
        sock.unlink(missing_ok=True)


@dataclass
class Launch:
    image: str
    command: list
    exit_code: int | None = None
    container: object = field(default=None, repr=False)


@dataclass
class LaunchLog:
    launches: list[Launch] = field(default_factory=list)


@contextlib.contextmanager
def containers_kept_until_exited():
    """Make ``kfp.local.DockerRunner`` work over podman 4.3's compat API.

    The runner starts each step with ``containers.run(detach=True,
    auto_remove=True)``, streams the logs, then calls ``wait()``. Docker
    answers 404 for a container that has already exited and been removed;
    podman 4.3 answers HTTP 500 "no such container", which the docker SDK
    raises as ``APIError``, so the runner fails on a step that succeeded.

    Mapping that 500 to ``docker.errors.NotFound`` is not enough: kfp 2.17
    then assumes exit code 0 for a container it cannot wait for, so a failed
    step would pass. Instead this turns ``auto_remove`` off for such runs,
    lets ``wait()`` read the real exit code, and removes the container right
    after. Yields a log of every launch (image, command, exit code).
    """
    from docker.models.containers import ContainerCollection

    original_run = ContainerCollection.run
    log = LaunchLog()

    def run(self, image, command=None, *args, **kwargs):
        if not (kwargs.get("detach") and kwargs.get("auto_remove")):
            return original_run(self, image, command, *args, **kwargs)
        kwargs["auto_remove"] = False
        container = original_run(self, image, command, *args, **kwargs)
        launch = Launch(image=image, command=list(command or []), container=container)
        log.launches.append(launch)
        original_wait = container.wait

        def wait(*wait_args, **wait_kwargs):
            result = original_wait(*wait_args, **wait_kwargs)
            launch.exit_code = result.get("StatusCode")
            _remove(launch)
            return result

        container.wait = wait
        return container

    ContainerCollection.run = run
    try:
        yield log
    finally:
        ContainerCollection.run = original_run
        for launch in log.launches:  # any the runner never waited for
            _remove(launch)


def _remove(launch: Launch) -> None:
    if launch.container is not None:
        with contextlib.suppress(Exception):
            launch.container.remove(force=True)
        launch.container = None
