"""kfp-studies: list studies, make samples, check sources, compile pipelines, run them locally,
submit and schedule them on Kubeflow Pipelines or Vertex AI.

Every command answers ``--help``. The project's own errors (a bad study name,
source, parameter or target field, an unreachable host) print one clear line
and exit with status 2; anything else is a bug and prints its traceback, as
``--debug`` (or ``KFP_STUDIES_DEBUG=1``) makes every error do. A submitted run
that fails or times out exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from components.errors import DataError, OutputError
from components.storage import StorageError
from components.studies import STUDIES, ParameterError, RunParams, UnknownStudy, get_study
from components.version import code_version
from pipelines import (
    ingest_command,
    predict_command,
    registry_commands,
    runs_commands,
    sample_command,
    schedule_commands,
    submit_command,
    target_commands,
)
from pipelines.cli_options import add_preset_option, add_target_options, study_assignments, target_and_parameters
from pipelines.cron import CronError
from pipelines.kfp_api import WaitTimeout
from pipelines.local import PipelineFailed, RunInterrupted
from pipelines.targets import TargetError

# The project's own errors, whose messages say what to fix: one line each. Anything else is a bug and
# keeps its traceback. (RegistryError is a StorageError; ConnectionError is what submit_command's
# backend_errors makes of an unreachable API.)
EXPECTED_ERRORS = (
    UnknownStudy,
    ParameterError,
    TargetError,
    DataError,
    OutputError,
    StorageError,
    PipelineFailed,
    CronError,
    WaitTimeout,
    FileNotFoundError,
    IsADirectoryError,  # a source or output path of the wrong kind, named in the message
    NotADirectoryError,
    PermissionError,
    ConnectionError,
)


def _print_params(params) -> None:
    for f in params.fields():
        print(f"  {f.name} = {f.default!r}  [{f.metadata['step']}] {f.metadata['help']}")


def _list(args) -> None:
    target, _ = target_and_parameters(args)
    for study in STUDIES.values():
        print(f"{study.name}: {study.title}")
        print(f"  sources: {'; '.join(study.source_formats)}")
        _print_params(study.params)
        for name, values in study.params.PRESETS.items():
            print(f"  preset {name}: " + " ".join(f"{k}={v}" for k, v in values.items()))
        print()
    print("every study also has:")
    _print_params(RunParams)
    print(f"  registry_uri = {target.registry_uri!r}  [run] where blessed models are registered (target {target.name})")
    print(f"  work_uri = {target.work_uri!r}  [run] scratch space: cross-validation scores (target {target.name})")


def _compile(args) -> None:
    from pipelines.compile import build_pipeline, compile_study
    from pipelines.parameters import resolve

    target, assignments = target_and_parameters(args)
    studies = sorted(STUDIES) if args.all else [args.study]
    if not studies or studies == [None]:
        raise ParameterError("name a study or give --all")
    if args.package and len(studies) != 1:
        raise ParameterError("--package names one file: give one study, or -o DIR with --all")
    start = time.perf_counter()
    for name in studies:
        defaults = resolve(name, build_pipeline(name, target), assignments) if assignments else None
        path = compile_study(name, target, args.output, defaults, package_path=args.package)
        print(f"compiled {name} for {target.name}: {path}")
    print(f"{len(studies)} pipeline(s) in {time.perf_counter() - start:.2f} s")


def _run(args) -> None:
    from pipelines.compile import build_pipeline
    from pipelines.local import run_local
    from pipelines.parameters import resolve

    target, assignments = target_and_parameters(args)
    if target.backend != "local":
        raise ParameterError(
            f"target {target.name!r} is a {target.backend} target; 'run' runs on this machine and needs a local one "
            f"(use 'kfp-studies submit {args.study} --target {target.name}')"
        )
    get_study(args.study)
    if "://" not in args.source and not os.path.exists(args.source):
        raise FileNotFoundError(f"source not found: {args.source}")
    overrides = resolve(args.study, build_pipeline(args.study, target), study_assignments(args, assignments))
    start = time.perf_counter()
    result = run_local(args.study, args.source, overrides, target, verbose=args.verbose)
    print(f"\n{args.study}: pipeline finished in {time.perf_counter() - start:.1f} s")
    print(f"  run folder      {result.folder} (logs/, run.json; 'kfp-studies runs show latest')")
    print(f"  report          {Path(result.report).as_uri()}")
    print(f"  CV comparison   {result.comparison}")
    print(f"  registry        {result.registry_uri}")
    print(
        "  metrics         "
        + json.dumps(
            {k: round(v, 4) for k, v in result.metrics.items() if k in ("accuracy", "loss", "roc_auc", "macro_f1")}
        )
    )


def _description() -> str:
    """The module docstring's first paragraph, whole and without reStructuredText markup."""
    return " ".join(__doc__.split("\n\n")[0].split()).replace("``", "")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kfp-studies", description=_description())
    top.add_argument("--version", action="version", version=f"%(prog)s {code_version()}")
    top.add_argument(
        "--debug", action="store_true", help="print the traceback of every error (also: KFP_STUDIES_DEBUG=1)"
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="studies and their parameters")
    add_target_options(p)
    p.set_defaults(func=_list)

    sample_command.add_parser(sub)
    ingest_command.add_parser(sub)
    target_commands.add_parser(sub)

    p = sub.add_parser("compile", help="compile pipelines to KFP IR YAML for a target")
    p.add_argument("study", nargs="?", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("--all", action="store_true", help="every study")
    p.add_argument("-o", "--output", default="out/compiled", help="output folder (default: out/compiled)")
    p.add_argument("--package", metavar="FILE", help="write one study's package to FILE instead of DIR/STUDY.yaml")
    add_target_options(
        p,
        set_help="target.FIELD=VALUE overrides a target field; any other KEY=VALUE becomes "
        "that pipeline parameter's default in the package (repeatable)",
    )
    p.set_defaults(func=_compile)

    p = sub.add_parser("run", help="run a study's whole pipeline")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    p.add_argument(
        "--local", action="store_true", help="run on this machine with kfp.local (what 'run' always does; optional)"
    )
    p.add_argument("--source", required=True, help="local path, file://, http(s)://, gs:// or s3:// URI")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="stream every step's whole output (kfp.local's) instead of one line per step",
    )
    add_target_options(
        p,
        set_help="override a pipeline parameter (repeatable; see 'kfp-studies list'), "
        "or a target field with target.FIELD=VALUE",
    )
    add_preset_option(p)
    p.set_defaults(func=_run)

    submit_command.add_parser(sub)
    schedule_commands.add_parser(sub)
    registry_commands.add_parser(sub)
    predict_command.add_parser(sub)
    runs_commands.add_parser(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = schedule_commands.default_action(list(sys.argv[1:] if argv is None else argv))
    if not argv:
        parser().print_help()
        return 0
    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except RunInterrupted as exc:
        print(f"kfp-studies {args.command}: {exc}", file=sys.stderr)
        return 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)
    except BrokenPipeError:
        # The reader went away (`kfp-studies list | head`): that is not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except EXPECTED_ERRORS as exc:
        if args.debug or os.environ.get("KFP_STUDIES_DEBUG", "") not in ("", "0"):
            raise
        print(f"kfp-studies {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
