"""``kfp-studies runs list|show`` (the history of local runs) and ``kfp-studies clean`` (their scratch)."""

from __future__ import annotations

import json
import os
import shutil

from components.studies import ParameterError
from pipelines.cli_options import add_target_options, target_and_parameters
from pipelines.runs import HEADER, find_record, outcome, read_records, summary_line


def _list(args) -> None:
    root = target_and_parameters(args)[0].pipeline_root
    records = read_records(root)
    if args.study:
        records = [r for r in records if r["study"] == args.study]
    if not records:
        print(f"no recorded runs under {root}")
        return
    print(HEADER)
    for record in records[-args.last :] if args.last else records:
        print(summary_line(record))


def _show(args) -> None:
    record = find_record(target_and_parameters(args)[0].pipeline_root, args.run)
    if args.json:
        print(json.dumps(record, indent=2, sort_keys=True))
        return
    print(f"{record['run']}: {record['study']}, {record['status']}, started {record['started']}, {record['seconds']} s")
    print(f"  outcome     {outcome(record)}")
    print(f"  source      {record['source']}")
    print(f"  folder      {record['folder']}")
    if record.get("report"):
        print(f"  report      {record['report']}")
    metrics = {k: round(v, 4) for k, v in record.get("metrics", {}).items() if isinstance(v, (int, float))}
    if metrics:
        print("  metrics     " + json.dumps({k: metrics[k] for k in sorted(metrics)[:12]}))
    print("  parameters  " + " ".join(f"{k}={v}" for k, v in sorted(record.get("parameters", {}).items())))
    print("  steps:")
    for step in record.get("steps", []):
        text = step.get("error") or step.get("result", "")
        print(f"    {step['step']:<38} {step['state']:<8} {step['seconds']:>8.1f} s  {text}")
        print(f"    {'':<38} log: {step['log']}")


def folder_size(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(path) for n in names)


def _local_path(uri: str) -> str | None:
    """The absolute local path of a plain path or ``file://`` URI; ``None`` for any other URI."""
    path = uri.removeprefix("file://")
    return None if "://" in path else os.path.abspath(path)


def scratch(work_uri: str, registry_uri: str) -> list[tuple[str, int]]:
    """What ``clean`` removes: each entry of the work folder (fold scores, checkpoints), with its size.

    Refuses a work folder that is not a local path or that holds the registry."""
    work, registry = _local_path(work_uri), _local_path(registry_uri)
    if work is None:
        raise ParameterError(f"clean removes local scratch only; work_uri {work_uri!r} is not a local folder")
    if registry and (registry == work or registry.startswith(work + os.sep)):
        raise ParameterError(f"the registry {registry} is inside work_uri {work}: clean would remove it")
    if not os.path.isdir(work):
        return []
    return [(os.path.join(work, n), folder_size(os.path.join(work, n))) for n in sorted(os.listdir(work))]


def _clean(args) -> None:
    target, _ = target_and_parameters(args)
    entries = scratch(target.work_uri, target.registry_uri)
    total = sum(size for _, size in entries)
    if not entries:
        print(f"nothing to remove under {target.work_uri}")
        return
    for path, size in entries:
        print(f"{'would remove' if args.dry_run else 'removing'} {path} ({size / 1e6:.1f} MB)")
    if not args.dry_run:
        for path, _ in entries:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
    verb = "would free" if args.dry_run else "freed"
    print(
        f"{verb} {total / 1e6:.1f} MB; kept the registry {target.registry_uri} and the runs in {target.pipeline_root}"
    )


def add_parser(sub) -> None:
    p = sub.add_parser("runs", help="the history of local runs: list them, show one")
    runs = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    q = runs.add_parser("list", help="every recorded run: status, start, duration, accuracy, outcome")
    q.add_argument("study", nargs="?", help="only this study's runs")
    q.add_argument("--last", type=int, default=0, metavar="N", help="only the N most recent runs")
    add_target_options(q)
    q.set_defaults(func=_list)
    q = runs.add_parser("show", help="one run: parameters, steps with their logs, metrics, outcome")
    q.add_argument("run", help="the run's folder name, a unique prefix of it, or 'latest'")
    q.add_argument("--json", action="store_true", help="print the whole run.json")
    add_target_options(q)
    q.set_defaults(func=_show)

    p = sub.add_parser(
        "clean", help="remove run scratch (cross-validation scores, checkpoints); keep the registry and run folders"
    )
    p.add_argument(
        "-n", "--dry-run", action="store_true", help="list what would be removed and its size; remove nothing"
    )
    add_target_options(p)
    p.set_defaults(func=_clean)
