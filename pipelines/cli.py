"""``kfp-studies``: list studies, make samples, compile pipelines, run them locally.

Every command answers ``--help``. Expected failures (a bad study name, source
or parameter) print one clear line and exit with status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from components.storage import StorageError
from components.studies import STUDIES, ParameterError, RunParams, UnknownStudy, get_study
from pipelines import registry_commands
from pipelines.local import PipelineFailed

EXPECTED_ERRORS = (UnknownStudy, ParameterError, StorageError, LookupError, FileNotFoundError, ValueError, OSError,
                   PipelineFailed)


def _print_params(params) -> None:
    for f in params.fields():
        print(f"  {f.name} = {f.default!r}  [{f.metadata['step']}] {f.metadata['help']}")


def _list(args) -> None:
    for study in STUDIES.values():
        print(f"{study.name}: {study.title}")
        print(f"  sources: {'; '.join(study.source_formats)}")
        _print_params(study.params)
        print()
    print("every study also has:")
    _print_params(RunParams)
    print("  registry_uri = the target's  [run] where blessed models are registered")


def _sample(args) -> None:
    study = get_study(args.study)
    options = {"format": args.format} if args.format else {}
    if args.size:
        options["per_class"] = args.size
    path = study.sampler().write_sample(args.dir, seed=args.seed, **options)
    print(f"wrote a synthetic {study.name} source: {path}")
    print(f"run it with: kfp-studies run {study.name} --local --source {path}")


def _compile(args) -> None:
    from pipelines.compile import compile_study
    from pipelines.targets import LOCAL

    studies = sorted(STUDIES) if args.all else [args.study]
    if not studies or studies == [None]:
        raise ParameterError("name a study or give --all")
    start = time.perf_counter()
    for name in studies:
        print(f"compiled {name}: {compile_study(name, LOCAL, args.output)}")
    print(f"{len(studies)} pipeline(s) in {time.perf_counter() - start:.2f} s")


def _run(args) -> None:
    from pipelines.compile import build_pipeline
    from pipelines.local import run_local
    from pipelines.parameters import parse_assignments, resolve
    from pipelines.targets import LOCAL

    if not args.local:
        raise ParameterError("only --local runs are supported by 'run'; use 'submit' for a cluster")
    get_study(args.study)
    if "://" not in args.source and not os.path.exists(args.source):
        raise FileNotFoundError(f"source not found: {args.source}")
    overrides = resolve(args.study, build_pipeline(args.study, LOCAL), parse_assignments(args.set))
    start = time.perf_counter()
    result = run_local(args.study, args.source, overrides)
    print(f"\n{args.study}: pipeline finished in {time.perf_counter() - start:.1f} s")
    print(f"  outputs under   {result.pipeline_root}")
    print(f"  report          {result.report}")
    print(f"  CV comparison   {result.comparison}")
    print(f"  registry        {result.registry_uri}")
    print("  metrics         " + json.dumps({k: round(v, 4) for k, v in result.metrics.items()
                                             if k in ("accuracy", "loss", "roc_auc", "macro_f1")}))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kfp-studies", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="studies and their parameters")
    p.set_defaults(func=_list)

    p = sub.add_parser("sample", help="write a synthetic source in the study's real format")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("dir", help="folder to write into")
    p.add_argument("--format", help="source format (the study's first format by default)")
    p.add_argument("--size", type=int, help="rows per class and split (study-specific default)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_sample)

    p = sub.add_parser("compile", help="compile pipelines to KFP IR YAML")
    p.add_argument("study", nargs="?", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("--all", action="store_true", help="every study")
    p.add_argument("-o", "--output", default="out/compiled", help="output folder (default: out/compiled)")
    p.set_defaults(func=_compile)

    p = sub.add_parser("run", help="run a study's whole pipeline")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("--local", action="store_true", help="run on this machine with kfp.local (no cluster)")
    p.add_argument("--source", required=True, help="local path, file://, http(s)://, gs:// or s3:// URI")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a pipeline parameter (repeatable); see 'kfp-studies list'")
    p.set_defaults(func=_run)

    registry_commands.add_parser(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except EXPECTED_ERRORS as exc:
        print(f"kfp-studies {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
