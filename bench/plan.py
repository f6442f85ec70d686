"""What ``make bench`` measures, at which size: the full plan and ``--quick``.

The training sizes keep the full run's training part near 11 minutes on a
2-core machine (the whole run, with amazon at the public pair's size, takes
about 25): imdb and mirai (the studies whose seed data path is the point) run
at their real size, three paired repeats each, since their goals are tight;
the recurrent and convolutional studies, which are compute-bound on a CPU,
train on a few thousand rows for a few epochs, enough for a steady
samples-per-second rate, in two paired repeats: their goal is parity, well
under their paired ratios (1.28x to 2.90x in the run of ``9e4b8e3``). The
first epoch of every fit is warm-up (graph tracing, allocator growth) and is
not timed.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

DATASETS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared", "datasets"
)
MIRAI_FULL_ROWS = 764137


@dataclass(frozen=True)
class StudyPlan:
    """How one study's training input is made and trained."""

    study: str
    variant: str
    epochs: int  # including the untimed first epoch
    sample_size: int  # the sample generator's per_class; mirai: rows in all, also for ingest at scale
    real_data: str = ""  # a file under ../shared/datasets used instead of a sample when present
    preprocess: dict = field(default_factory=dict)
    repeats: int = 0  # paired training runs of ours and the seed's; 0: the plan's repeats


@dataclass(frozen=True)
class Plan:
    name: str
    repeats: int
    studies: tuple[StudyPlan, ...]
    pipeline_sample: int  # imdb reviews per class and split for the local pipeline run
    pipeline_overrides: dict
    matmul_size: int
    amazon_per_class: int  # amazon at scale: training reviews per class (the test file has a ninth)
    scale_batches: int  # amazon at scale: batches trained and predicted to measure those steps' memory
    scale_repeats: int  # amazon at scale: paired runs of ingest and bzip2 -dc (2.3 min each at full size)
    demo_repeats: int  # runs of `make demo`'s pipeline, timed whole
    demo_paired: bool  # paired with runs whose steps start processes of their own (no warm-steps server)
    # Runs of each reference that no goal is checked against (pandas reading mirai's file, the demo with a
    # process per step), paired with ours' first runs: context for a reader, not worth a repeat's minutes.
    reference_repeats: int

    def study(self, name: str) -> StudyPlan:
        return next(s for s in self.studies if s.study == name)

    def training_repeats(self, study: StudyPlan) -> int:
        return study.repeats or self.repeats

    def with_repeats(self, repeats: int) -> Plan:
        """This plan with every measurement repeated ``repeats`` times (``--repeats``)."""
        return dataclasses.replace(
            self,
            repeats=repeats,
            scale_repeats=repeats,
            reference_repeats=repeats,
            studies=tuple(dataclasses.replace(s, repeats=0) for s in self.studies),
        )


_PIPELINE_OVERRIDES = {"validation_rows": 200, "cv_folds": 2, "variants": "final", "epochs": 2}
# `make demo`: the sample generator's default size and the Makefile's --set options (a test keeps them equal).
DEMO_SAMPLE = 500
DEMO_OVERRIDES = {"validation_rows": 200, "cv_folds": 2, "variants": "final,16-16-1+dropout0.5"}

# Every study in components/studies needs an entry in FULL and QUICK (sizes are per study, so they
# cannot be derived); tests/contract/test_study_contract.py fails for a study without one.
FULL = Plan(
    name="full",
    repeats=3,
    studies=(
        StudyPlan(
            "imdb",
            "final",
            epochs=3,
            sample_size=12500,
            real_data="aclImdb_v1.tar.gz",
            preprocess={"validation_rows": 0},
        ),
        StudyPlan("mirai", "best", epochs=3, sample_size=MIRAI_FULL_ROWS),
        StudyPlan("cifar10", "sgd", epochs=3, sample_size=300, preprocess={"validation_rows": 0}, repeats=2),
        StudyPlan("digits", "deep_gru", epochs=3, sample_size=5, preprocess={"validation_rows": 0}, repeats=2),
        StudyPlan(
            "amazon",
            "bi-gru",
            epochs=3,
            sample_size=2500,
            real_data="amazon_polarity_sample.ft.txt",
            preprocess={"validation_fraction": 0},
            repeats=2,
        ),
    ),
    pipeline_sample=300,
    pipeline_overrides=_PIPELINE_OVERRIDES,
    matmul_size=2048,
    amazon_per_class=1_800_000,  # the public pair: 3,600,000 + 400,000 reviews
    scale_batches=20,
    # One pair: in the three of the run of 593b7d6, ingest / bzip2 -dc was 1.21x, 1.24x and 1.31x against a
    # goal of 1.5x, and two more pairs cost 4.7 of the run's 45 minutes.
    scale_repeats=1,
    demo_repeats=3,
    demo_paired=True,
    reference_repeats=1,
)

QUICK = Plan(
    name="quick",
    repeats=1,  # a smoke run of every measurement, under 5 minutes on 2 cores: min and median are its one value
    studies=(
        StudyPlan("imdb", "final", epochs=2, sample_size=300, preprocess={"validation_rows": 0, "num_words": 2000}),
        StudyPlan("mirai", "best", epochs=2, sample_size=20000),
        StudyPlan("cifar10", "sgd", epochs=2, sample_size=30, preprocess={"validation_rows": 0}),
        StudyPlan("digits", "gru64", epochs=2, sample_size=3, preprocess={"validation_rows": 0}),
        StudyPlan("amazon", "small-gru", epochs=2, sample_size=200, preprocess={"validation_fraction": 0}),
    ),
    pipeline_sample=60,
    pipeline_overrides={**_PIPELINE_OVERRIDES, "validation_rows": 40, "epochs": 1},
    matmul_size=512,
    amazon_per_class=20_000,
    scale_batches=3,
    scale_repeats=1,
    demo_repeats=1,
    demo_paired=False,
    reference_repeats=1,
)


def real_data_path(plan: StudyPlan) -> str | None:
    """The real dataset this study's plan asks for, if this machine has it."""
    path = os.path.join(DATASETS, plan.real_data) if plan.real_data else ""
    return path if path and os.path.exists(path) else None
