"""The mirai pipeline (seed 001): dense networks on Kitsune Mirai botnet traffic.

Its parameters are ``MiraiParams`` (components/studies/mirai) plus the run
parameters; see docs/studies/mirai.md.
"""

from pipelines.wiring import study_pipeline

build = study_pipeline("mirai")
