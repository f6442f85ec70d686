"""The six components bound to one target, with the target's per-task settings applied."""
from __future__ import annotations

from components.adapters import build_components
from pipelines.targets import Target

# Steps that train models: these get the target's GPU request.
TRAINING_STEPS = ("train", "cross_validate")


class Steps:
    def __init__(self, target: Target):
        self.target = target
        self._components = build_components(target.image)

    def __getattr__(self, step: str):
        component = getattr(self._components, step)

        def task(**inputs):
            t = component(**inputs)
            t.set_caching_options(self.target.caching)
            if step in TRAINING_STEPS and self.target.gpu_count:
                t.set_accelerator_type(self.target.gpu_type)
                t.set_accelerator_limit(self.target.gpu_count)
            return t

        return task
