"""``kfp-studies targets [NAME]``: the targets of the targets file, or one of them in full;
``kfp-studies targets init [PATH]``: an editable copy of the shipped targets file, to make one's own."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

from components.studies import ParameterError
from pipelines.parameters import parse_assignments
from pipelines.targets import TARGETS_ENV, TargetError, get_target, load_tables, split_assignments

INIT = "init"
DEFAULT_INIT_PATH = "targets.toml"


def _targets(args) -> None:
    if args.name == INIT:
        _init(args.path or DEFAULT_INIT_PATH)
        return
    if args.path:
        raise ParameterError(f"'targets {args.name} {args.path}': a PATH is taken by 'targets init PATH' only")
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


def init_text() -> str:
    """The shipped targets file, under a header that says how to make it one's own."""
    shipped = (resources.files("pipelines") / "targets.toml").read_text(encoding="utf-8")
    header = f"""\
# Your kfp-studies targets, from the examples shipped with kfp-studies (kfp-studies targets init).
# Edit the targets you use (host, namespace, image, buckets, project, region, ...), delete or
# rename the others, and add your own [targets.NAME] tables; docs/targets.md describes every field.
# Use this file with --targets FILE, or for every command with
#     export {TARGETS_ENV}=$PWD/<this file>
# Check it with: kfp-studies targets --targets FILE   (and: kfp-studies targets NAME --targets FILE)
# The image: give the tag that 'make image' built (make image-tag prints it), pushed to a registry
# the cluster pulls from, e.g. image = "registry.example.com/ml/kfp-studies:<tag>".

"""
    return header + shipped


def _init(path: str) -> None:
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(init_text())
    except FileExistsError:
        raise TargetError(f"{path} exists; 'targets init' never overwrites a file: give another PATH") from None
    print(f"wrote {path}: edit it, then use it with --targets {path} or {TARGETS_ENV}={path}")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "targets",
        help="list the targets, show one with every field resolved, or write an editable targets file (init)",
    )
    p.add_argument("name", nargs="?", help=f"a target to show in full, or '{INIT}' to write an editable targets file")
    p.add_argument("path", nargs="?", help=f"with '{INIT}': the file to write (default: {DEFAULT_INIT_PATH})")
    p.add_argument(
        "--targets",
        metavar="FILE",
        help="targets file (default: $KFP_STUDIES_TARGETS, else the packaged pipelines/targets.toml)",
    )
    p.add_argument(
        "--set", action="append", default=[], metavar="target.FIELD=VALUE", help="override a target field (repeatable)"
    )
    p.set_defaults(func=_targets)
