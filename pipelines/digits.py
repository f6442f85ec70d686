"""The digits pipeline: see docs/studies/digits.md.

Its parameters are the study's `Params` (components/studies/digits) plus the
run parameters, each with the seed's default.
"""

from pipelines.wiring import study_pipeline

build = study_pipeline("digits")
