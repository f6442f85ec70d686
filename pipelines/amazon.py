"""The amazon pipeline: see docs/studies/amazon.md.

Its parameters are the study's `Params` (components/studies/amazon) plus the
run parameters, each with the seed's default.
"""

from pipelines.wiring import study_pipeline

build = study_pipeline("amazon")
