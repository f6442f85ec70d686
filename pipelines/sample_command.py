"""``kfp-studies sample STUDY DIR``: a synthetic source in the study's real format, and how to run it.

The ``run it with:`` line must work as printed. A sample is far smaller than
the real data, so a study default sized for the real data (imdb's 10,000
validation rows) may not fit it; the sample is therefore ingested as the
pipeline would (a second or two), and the hint carries the overrides its
counts need, which the pipeline's own pre-training checks then accept.
"""

from __future__ import annotations

import os
import shlex
import tempfile

import numpy as np

from components.names import did_you_mean
from components.studies import STUDIES, ParameterError, RunParams, Study, get_study


def _sample(args) -> None:
    study = get_study(args.study)
    sampler = study.sampler()
    options: dict = {}
    if args.format:
        if args.format not in sampler.FORMATS:
            raise ParameterError(
                f"--format {args.format!r}{did_you_mean(args.format, sampler.FORMATS)}: {study.name} samples "
                f"come in {', '.join(sampler.FORMATS)}"
            )
        options["format"] = args.format
    if args.size is not None:
        if args.size < 1:
            raise ParameterError(f"--size is the rows per class and split: at least 1; got {args.size}")
        options["per_class"] = args.size
    path = sampler.write_sample(args.dir, seed=args.seed, **options)
    print(f"wrote a synthetic {study.name} source: {path}")
    sets = "".join(f" --set {k}={v}" for k, v in sample_overrides(study, path).items())
    print(f"run it with: kfp-studies run {study.name} --local --source {shlex.quote(path)}{sets}")


def sample_overrides(study: Study, source: str) -> dict[str, int]:
    """The parameters whose defaults the sample at ``source`` is too small for, with values it fits: a
    validation hold-out of half its training rows or more becomes a fifth of them, a fold count above
    its smallest class that class's size."""
    from components import splits
    from components.split_checks import check_against_data, load_split_columns
    from components.steps.ingest import run_ingest

    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.npz")
        run_ingest(study.name, source, raw)
        labels, split, groups = load_split_columns(raw)
    defaults, seed = study.params.from_mapping({}), RunParams().seed
    train_rows, _ = splits.train_test_rows(split, labels, defaults.test_fraction, seed)
    overrides: dict[str, int] = {}
    if defaults.validation_rows >= len(train_rows) // 2:
        overrides["validation_rows"] = max(len(np.unique(labels)), len(train_rows) // 5)
    smallest = int(np.unique(labels[train_rows], return_counts=True)[1].min())
    if defaults.cv_folds > smallest >= 2:
        overrides["cv_folds"] = smallest
    try:
        check_against_data(study.params.from_mapping(overrides), labels, split, groups, seed)
    except ParameterError as exc:
        raise ParameterError(f"the sample at {source} is too small to run the pipeline: {exc}") from None
    return overrides


def add_parser(sub) -> None:
    p = sub.add_parser("sample", help="write a synthetic source in the study's real format")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("dir", help="folder to write into")
    p.add_argument("--format", help="source format (the study's first format by default; a wrong one lists them)")
    p.add_argument("--size", type=int, help="rows per class and split (study-specific default)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated records (default: 0)")
    p.set_defaults(func=_sample)
