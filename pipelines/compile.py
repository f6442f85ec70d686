"""Compile study pipelines to KFP IR YAML for a target."""
from __future__ import annotations

import os

from kfp import compiler

from pipelines import BUILDERS
from pipelines.targets import Target


def build_pipeline(study: str, target: Target):
    from components.studies import get_study

    get_study(study)  # a clear error for an unknown name
    return BUILDERS[study](target)


def compile_study(study: str, target: Target, out_dir: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{study}.yaml")
    compiler.Compiler().compile(build_pipeline(study, target), package_path=path)
    return path
