"""Everything that runs inside the component image.

The six KFP components are re-exported here, bound to the default image, so
that ``components.train.python_func(...)`` works in tests and notebooks.
Importing this package does not import TensorFlow.
"""
from components.adapters import DEFAULT_IMAGE, build_components

ingest, preprocess, cross_validate, train, evaluate, register = build_components(DEFAULT_IMAGE)

__all__ = ["DEFAULT_IMAGE", "build_components", "ingest", "preprocess", "cross_validate", "train", "evaluate",
           "register"]
