"""Pipeline definitions, targets, compilation, local runs and the CLI.

Every study in ``components.studies`` gets a pipeline, made by
``pipelines.wiring.study_pipeline``; nothing here is written per study.
Nothing in this package imports TensorFlow: compiling and submitting stay light.
"""

from components.studies import STUDIES
from pipelines.wiring import study_pipeline

# Each study's pipeline builder: ``build(target) -> KFP pipeline``.
BUILDERS = {name: study_pipeline(name) for name in STUDIES}
