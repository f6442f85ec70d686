"""``python -m bench.step_at_scale STUDY STEP WORK [--source S] [--set k=v ...]``: one pipeline step, alone.

Runs the step function a pipeline task runs (ingest, preprocess,
cross_validate for fold 0, train, evaluate) on the files an earlier
invocation left in WORK, so that each step's wall time and peak RSS can be
measured on its own, e.g. under ``/usr/bin/time -v``, as issue #14's
full-size measurements were. Nothing here changes what a step computes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

SEED = 42


def _paths(work: str) -> dict[str, str]:
    """The step files in ``work``, named as ``bench.prepare`` names them (so ``bench.amazon_scale``'s
    bounded train and evaluate read them too)."""
    names = ("raw.npz", "train.npz", "validation.npz", "test.npz", "state.json", "model", "history.json")
    return {name.split(".")[0]: os.path.join(work, name) for name in (*names, "report.html")}


def run(study: str, step: str, work: str, source: str, params: dict) -> dict:
    files = _paths(work)
    os.makedirs(work, exist_ok=True)
    if step == "ingest":
        from components.steps.ingest import run_ingest

        return run_ingest(study, source, files["raw"]).as_metadata()
    if step == "preprocess":
        from components.steps.preprocess import PreprocessOutputs, run_preprocess

        outputs = PreprocessOutputs(files["train"], files["validation"], files["test"], files["state"])
        return run_preprocess(study, files["raw"], params, SEED, outputs)
    if step == "cross_validate":
        from components.steps.cross_validate import run_fold

        (variant,) = params["variants"].split(",")
        return vars(run_fold(study, files["raw"], params, variant, SEED, 0))
    if step == "train":
        from components.steps.train import TrainInputs, TrainOutputs, run_train

        inputs = TrainInputs(files["train"], files["validation"], files["state"])
        outputs = TrainOutputs(files["model"], files["history"])
        return run_train(study, params["variants"], inputs, params, SEED, outputs)
    if step == "evaluate":
        from components.steps.evaluate import EvaluationInputs, run_evaluate

        inputs = EvaluationInputs(files["model"], files["train"], files["test"], files["state"], files["history"])
        result = run_evaluate(study, params["variants"], inputs, params, {}).result
        return {k: v for k, v in result.items() if isinstance(v, float)}
    raise SystemExit(f"unknown step {step!r}")


def _value(text: str):
    """A number or boolean as JSON reads it, anything else (a variant name) as the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.step_at_scale", description=__doc__.splitlines()[0])
    p.add_argument("study")
    p.add_argument("step", choices=("ingest", "preprocess", "cross_validate", "train", "evaluate"))
    p.add_argument("work", help="folder of the step's inputs and outputs")
    p.add_argument("--source", default="", help="the source (ingest only)")
    p.add_argument("--set", action="append", default=[], metavar="K=V", help="a study parameter (JSON value)")
    args = p.parse_args(argv)
    params = {k: _value(v) for k, v in (s.split("=", 1) for s in args.set)}
    start = time.perf_counter()
    result = run(args.study, args.step, args.work, args.source, params)
    print(json.dumps({"step": args.step, "seconds": round(time.perf_counter() - start, 2), "result": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
