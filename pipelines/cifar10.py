"""The cifar10 pipeline: see docs/studies/cifar10.md.

Its parameters are the study's `Params` (components/studies/cifar10) plus the
run parameters, each with the seed's default.
"""

from pipelines.wiring import study_pipeline

build = study_pipeline("cifar10")
