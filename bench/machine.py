"""What the numbers were measured on: CPU, cores, memory, load, versions, commit.

Read from /proc and package metadata, so the orchestrating process still
never imports TensorFlow."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

from bench.child import REPO


def _cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown")


def _memory_gib() -> float:
    with open("/proc/meminfo", encoding="utf-8") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
    return kib / 2**20


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe() -> dict:
    return {
        "cpu": _cpu_model(),
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": round(_memory_gib(), 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow-cpu")
        if _version("tensorflow") == "not installed"
        else _version("tensorflow"),
        "keras": _version("keras"),
        "kfp": _version("kfp"),
        "numpy": _version("numpy"),
        "pandas": _version("pandas"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }
