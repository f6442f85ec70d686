"""Compile study pipelines to KFP IR YAML for a target.

The target's image, per-task resources and (for kfp and vertex targets) its
pipeline root are baked into the IR; ``parameters`` replace the defaults of
pipeline parameters in the package.
"""

from __future__ import annotations

import os

from kfp import compiler

from pipelines import BUILDERS
from pipelines.targets import Target


def build_pipeline(study: str, target: Target):
    from components.studies import get_study

    get_study(study)  # a clear error for an unknown name
    pipeline = BUILDERS[study](target)
    if target.backend != "local" and target.pipeline_root:
        # What @dsl.pipeline(pipeline_root=...) would set: the run's default root.
        # (kfp.local takes its root from local.init instead.)
        pipeline.pipeline_spec.default_pipeline_root = target.pipeline_root
    return pipeline


def compile_study(
    study: str, target: Target, out_dir: str, parameters: dict | None = None, package_path: str | None = None
) -> str:
    """Write ``<out_dir>/<study>.yaml`` (or ``package_path``) and return its path."""
    path = package_path or os.path.join(out_dir, f"{study}.yaml")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    compiler.Compiler().compile(
        build_pipeline(study, target), package_path=path, pipeline_parameters=parameters or None
    )
    return path
