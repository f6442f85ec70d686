"""The imdb pipeline (seed 004): multi-hot dense network on movie reviews.

Its parameters are ``ImdbParams`` (components/studies/imdb) plus the run
parameters; see docs/studies/imdb.md.
"""

from pipelines.wiring import study_pipeline

build = study_pipeline("imdb")
