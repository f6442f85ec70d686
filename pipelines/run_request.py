"""What ``submit`` and ``schedule`` hand to a backend: one study's package, for one target."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.targets import Target


@dataclass(frozen=True)
class RunRequest:
    """One study's compiled package for one target, with what a run of it is given: its
    parameters, its name and its experiment (``None``: the target's, else the default).
    ``submit`` makes one run of it, ``schedule`` a recurring run."""

    study: str
    target: Target
    arguments: dict
    package: str
    name: str
    experiment: str | None = None
