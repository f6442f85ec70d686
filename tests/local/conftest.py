"""What every local pipeline test sets up: the local target, kept under the test's own folder."""

import dataclasses
from pathlib import Path

import pytest

from pipelines.targets import LOCAL, Target


@pytest.fixture(scope="session")
def local_target():
    """A factory: the local target with its pipeline root, registry and work folder under ``folder``."""

    def under(folder: Path) -> Target:
        return dataclasses.replace(
            LOCAL, pipeline_root=str(folder / "root"), registry_uri=str(folder / "reg"), work_uri=str(folder / "work")
        )

    return under
