"""``kfp-studies targets [NAME]``: the targets of the targets file, or one of them in full."""

from __future__ import annotations

import dataclasses
import json

from components.studies import ParameterError
from pipelines.parameters import parse_assignments
from pipelines.targets import get_target, load_tables, split_assignments


def _targets(args) -> None:
    overrides, rest = split_assignments(parse_assignments(args.set))
    if rest:
        raise ParameterError(f"'targets' takes only target.FIELD=VALUE assignments, not {', '.join(rest)}")
    if args.name:
        target = get_target(args.name, args.targets, overrides)
        print(json.dumps(dataclasses.asdict(target), indent=2))
        return
    path, tables = load_tables(args.targets)
    print(f"targets in {path}:")
    for name in tables:
        target = get_target(name, args.targets, overrides)
        where = {"kfp": target.host, "vertex": f"{target.project}/{target.region}"}.get(target.backend, "this machine")
        gpu = f", {target.gpu_count} x {target.gpu_type}" if target.gpu_count else ""
        print(f"  {name:12} {target.backend:7} {where}  image {target.image}{gpu}")


def add_parser(sub) -> None:
    p = sub.add_parser("targets", help="list the targets, or show one with every field resolved")
    p.add_argument("name", nargs="?", help="a target to show in full")
    p.add_argument(
        "--targets",
        metavar="FILE",
        help="targets file (default: $KFP_STUDIES_TARGETS, else the packaged pipelines/targets.toml)",
    )
    p.add_argument(
        "--set", action="append", default=[], metavar="target.FIELD=VALUE", help="override a target field (repeatable)"
    )
    p.set_defaults(func=_targets)
