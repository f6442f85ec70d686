"""``kfp-studies ingest STUDY --source SRC --output DIR``: check a source in seconds.

It runs the pipeline's own ingest step (the study's reader and its
validation) on one machine, so a bad source is found before a pipeline is
submitted, with the message the ingest step would fail with. The raw table
is written atomically: a failed ingest leaves nothing in DIR. What a reader
detected about the source (the mirai reader's header and row-index
detection) is printed before the summary: a raw table has no place for it.
"""

from __future__ import annotations

import logging
import os
import sys

from components.studies import STUDIES, get_study

TABLE_NAME = "raw.npz"


def _ingest(args) -> None:
    from components.steps.ingest import run_ingest

    get_study(args.study)
    out_path = os.path.join(args.output, TABLE_NAME)
    readers = logging.getLogger("components.studies")
    notes = logging.StreamHandler(sys.stdout)
    notes.setFormatter(logging.Formatter("  %(message)s"))
    notes.addFilter(lambda record: record.name.endswith(".sources") and record.levelno == logging.INFO)
    level = readers.level
    readers.addHandler(notes)
    readers.setLevel(logging.INFO)
    try:
        summary = run_ingest(args.study, args.source, out_path)
    finally:
        readers.removeHandler(notes)
        readers.setLevel(level)
    labels = ", ".join(f"{label}: {count}" for label, count in summary.label_counts.items())
    print(f"{args.study}: {summary.records} records (labels {labels}) -> {out_path} sha256 {summary.dataset_sha256}")


def add_parser(sub) -> None:
    p = sub.add_parser("ingest", help="read and validate a source with the study's reader; write its raw table")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("--source", required=True, help="local path, file://, http(s)://, gs:// or s3:// URI")
    p.add_argument("-o", "--output", required=True, help=f"folder for the raw table ({TABLE_NAME})")
    p.set_defaults(func=_ingest)
