"""Everything that runs inside the component image.

The KFP components (``Components`` names them all) are available here,
bound to the default image, so that ``components.train.python_func(...)``
works in tests and notebooks. They are built on first access: inside a
running component KFP's runtime ``kfp.dsl`` cannot build components, and
step code imports this package. Importing it never imports TensorFlow or kfp.
"""

from functools import lru_cache
from typing import NamedTuple


class Components(NamedTuple):
    """Every KFP component, by the name of its function in ``components.adapters``:
    the single list of them (``build_components`` fills it in)."""

    ingest: object
    preprocess: object
    plan_folds: object
    cross_validate: object
    compare_variants: object
    train: object
    evaluate: object
    register: object
    probe_source: object  # runs before ingest when caching is on (pipelines/steps.py)


@lru_cache(maxsize=1)
def _default_components() -> Components:
    from components.adapters import DEFAULT_IMAGE, build_components

    return build_components(DEFAULT_IMAGE)


def __getattr__(name: str):
    if name in Components._fields:
        return getattr(_default_components(), name)
    raise AttributeError(f"module 'components' has no attribute {name!r}")


__all__ = ["Components", *Components._fields]
