"""Tasks of the components bound to one target, with the target's per-task settings applied.

This module only configures tasks; which tasks a pipeline has, and how they
connect, is all in ``pipelines/wiring.py``.

Every task gets the target's caching flag and plain environment. Training
tasks (``TRAINING_STEPS``) get the accelerator request and CPU/memory limits;
on a kfp target they also get the node selector and tolerations, written
into the pipeline's Kubernetes platform spec by kfp-kubernetes. On a kfp
target every task gets ``secret_env``: references to Kubernetes secrets
(never their values) exposed as environment variables. The source probe,
evaluate and register are never cached (``NEVER_CACHED``).
"""

from __future__ import annotations

from typing import Any

from kfp.dsl import PipelineTask

from components.adapters import Components, build_components
from pipelines.backends import retry_policy
from pipelines.targets import Target, TargetError

# Steps that train models: these get the target's GPU request, limits and node placement.
TRAINING_STEPS = ("train", "cross_validate")
# Steps that must run every time: they look at the world, not only at their inputs. The
# probe reads the source's current version; evaluate blesses against the registry's
# *current* champion (a cached blessing could be stale); register writes the registry.
NEVER_CACHED = ("probe_source", "evaluate", "register")


class TaskFactory:
    """The components bound to ``target``'s image; :meth:`task` adds one configured task to the
    pipeline being built. (Named for what it makes: ``components.steps`` is the step code itself.)"""

    def __init__(self, target: Target):
        self.target = target
        self._components = build_components(target.image)

    def task(self, step: str, **inputs: Any) -> PipelineTask:
        """A task of the component ``step`` (a field of ``Components``) on ``inputs``, configured for the target."""
        if step not in Components._fields:
            raise ValueError(f"no component {step!r}; expected one of {', '.join(Components._fields)}")
        component = getattr(self._components, step)
        return self._configure(step, component(**inputs))

    def _configure(self, step: str, t):
        target = self.target
        t.set_caching_options(target.caching and step not in NEVER_CACHED)
        for name, value in sorted(target.env.items()):
            t.set_env_variable(name, value)
        if step in TRAINING_STEPS:
            if target.retries and target.backend != "local":
                t.set_retry(**retry_policy(target.backend, target.retries))
            if target.gpu_count:
                t.set_accelerator_type(target.gpu_type)
                t.set_accelerator_limit(target.gpu_count)
            if target.cpu_limit:
                t.set_cpu_limit(target.cpu_limit)
            if target.memory_limit:
                t.set_memory_limit(target.memory_limit)
        if target.backend == "kfp":
            _kubernetes_settings(t, target, training=step in TRAINING_STEPS)
        return t


def _kubernetes_settings(t, target: Target, training: bool) -> None:
    if not (target.secret_env or (training and (target.node_selector or target.tolerations))):
        return
    try:
        from kfp import kubernetes
    except ImportError:
        raise TargetError(
            f"target {target.name!r}: node_selector, tolerations and secret_env need kfp-kubernetes: "
            "pip install 'kfp-studies[kubernetes]'"
        ) from None
    for secret, keys in sorted(target.secret_env.items()):
        kubernetes.use_secret_as_env(t, secret_name=secret, secret_key_to_env=dict(keys))
    if training:
        for label, value in sorted(target.node_selector.items()):
            kubernetes.add_node_selector(t, label_key=label, label_value=value)
        for toleration in target.tolerations:
            kubernetes.add_toleration(t, **toleration)
