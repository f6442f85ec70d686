"""Everything that runs inside the component image.

The six KFP components are available here, bound to the default image, so
that ``components.train.python_func(...)`` works in tests and notebooks.
They are built on first access: inside a running component KFP's runtime
``kfp.dsl`` cannot build components, and step code imports this package.
Importing it never imports TensorFlow.
"""

from functools import lru_cache

COMPONENT_NAMES = (
    "ingest",
    "preprocess",
    "plan_folds",
    "cross_validate",
    "compare_variants",
    "train",
    "evaluate",
    "register",
)


@lru_cache(maxsize=1)
def _default_components():
    from components.adapters import DEFAULT_IMAGE, build_components

    return build_components(DEFAULT_IMAGE)


def __getattr__(name: str):
    if name in COMPONENT_NAMES:
        return getattr(_default_components(), name)
    raise AttributeError(f"module 'components' has no attribute {name!r}")


__all__ = list(COMPONENT_NAMES)
