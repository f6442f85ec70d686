"""A full disk or a folder we may not write to: a clear error, nothing left behind.

Both are real: a small tmpfs that fills up (ENOSPC), and ``kfp-studies
ingest`` run in a child process that has dropped to the unprivileged user
``nobody`` (EACCES). Both need root, as the tests and CI run; elsewhere they
skip and say why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

from components import storage
from components.registry import Registry
from components.studies.amazon.sample import write_sample
from pipelines.cli import main

NOBODY = 65534


@pytest.fixture(scope="module")
def amazon_source(tmp_path_factory) -> str:
    """A valid source whose raw table (about 140 KB) is larger than the small tmpfs."""
    return write_sample(str(tmp_path_factory.mktemp("amazon")), per_class=500, seed=3, pair=False)


@pytest.fixture
def full_disk(tmp_path) -> Path:
    """A 64 KiB tmpfs, unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_disk_full_is_a_clear_error_and_leaves_nothing(full_disk, amazon_source, capsys):
    out = full_disk / "out"
    status = main(["ingest", "amazon", "--source", amazon_source, "--output", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2
    assert stderr == f"kfp-studies ingest: error: [Errno 28] cannot write {out}/raw.npz: No space left on device\n"
    assert os.listdir(out) == [], "no temporary or partial table is left"


def test_a_full_disk_during_registration_registers_nothing(full_disk, tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.keras").write_bytes(os.urandom(200_000))  # more than the disk holds
    registry = Registry(full_disk / "registry")
    with pytest.raises(
        storage.StorageError,
        match=rf"upload {re.escape(str(full_disk))}/registry/imdb/v[0-9a-f-]+/"
        r"model.keras failed: OSError: \[Errno 28\] No space left on device",
    ):
        registry.register("imdb", model, {"metrics": {"accuracy": 0.9}}, promote=True)
    assert registry.versions("imdb") == []
    assert registry.champion("imdb") is None
    assert not storage.exists(storage.join(registry.uri, "imdb", "champion.json"))


def _ingest_as_nobody(argv: list[str]) -> tuple[int, str]:
    """Exit status and stderr of ``main(argv)`` in a forked child running as nobody.

    A fork, not a new interpreter: here the interpreter lives under /root,
    which nobody may not enter. The child has every module already imported
    and gives up root before it touches the output folder."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 70
        try:
            os.close(read_end)
            sys.stdout = sys.stderr = open(write_end, "w")
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            status = main(argv)
        except BaseException:  # noqa: BLE001 - shown to the parent, which fails the test
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(status)
    os.close(write_end)
    with open(read_end) as child_output:
        output = child_output.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), output


def test_an_output_folder_without_write_permission_is_a_clear_error(amazon_source, tmp_path, capsys):
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to the user nobody")
    assert main(["ingest", "amazon", "--source", amazon_source, "--output", str(tmp_path / "ok")]) == 0
    assert re.fullmatch(
        r"amazon: 1000 records \(labels 0: 500, 1: 500\) -> .*/ok/raw.npz sha256 [0-9a-f]{64}\n",
        capsys.readouterr().out,
    )
    # pytest's tmp_path is private to root, so nobody gets a world-readable folder of its own.
    base = Path(tempfile.mkdtemp(prefix="kfp-studies-permission-"))
    try:
        base.chmod(0o755)
        source = base / "train.ft.txt"
        shutil.copyfile(amazon_source, source)
        source.chmod(0o644)
        out = base / "out"
        out.mkdir(mode=0o755)  # owned by root: nobody may read it, not write it
        status, stderr = _ingest_as_nobody(["ingest", "amazon", "--source", str(source), "--output", str(out)])
        assert status == 2, stderr
        assert stderr == f"kfp-studies ingest: error: [Errno 13] cannot write {out}/raw.npz: Permission denied\n"
        assert os.listdir(out) == []
    finally:
        shutil.rmtree(base)
