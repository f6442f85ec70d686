"""Where a pipeline runs: its image, storage and per-task settings.

A target is explicit configuration handed to the compiler; nothing here
reads the environment. ``LOCAL`` is the built-in target for ``kfp.local``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from components.adapters import DEFAULT_IMAGE


@dataclass(frozen=True)
class Target:
    name: str
    image: str = DEFAULT_IMAGE
    pipeline_root: str = ""
    registry_uri: str = ""
    # Run scratch space on object storage: cross-validation scores, training checkpoints.
    work_uri: str = ""
    # How many cross-validation folds train at once (0: as many as the cluster allows).
    cv_parallelism: int = 0
    caching: bool = True
    # KFP resource name (e.g. "nvidia.com/gpu") or a Vertex accelerator enum (e.g. "NVIDIA_TESLA_T4").
    gpu_type: str = ""
    gpu_count: int = 0
    node_selector: dict = field(default_factory=dict)
    tolerations: tuple = ()
    service_account: str = ""


LOCAL = Target(name="local", pipeline_root="./out/pipeline-root", registry_uri="./out/registry",
               work_uri="./out/work", caching=False)
