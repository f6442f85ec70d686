"""Command-line options shared by the commands: ``--target``, ``--targets`` and ``--set`` (alias ``--param``).

``--set target.FIELD=VALUE`` changes one field of the target for this command
(``--set target.env.NAME=VALUE`` one entry of a table field); any other
``--set KEY=VALUE`` is a pipeline parameter.
"""

from __future__ import annotations

import argparse

from pipelines.parameters import parse_assignments, with_preset
from pipelines.targets import Target, get_target, split_assignments


def add_target_options(
    p: argparse.ArgumentParser, default: str | None = "local", set_help: str | None = None, required: bool = False
) -> None:
    p.add_argument(
        "--target",
        default=default,
        required=required,
        metavar="NAME",
        help="a target of the targets file"
        + (f" (default: {default})" if default else "")
        + "; 'kfp-studies targets' lists them",
    )
    p.add_argument(
        "--targets",
        metavar="FILE",
        help="targets file (default: $KFP_STUDIES_TARGETS, else the packaged pipelines/targets.toml)",
    )
    p.add_argument(
        "--set",
        "--param",  # the name submit and schedule used; one option everywhere now, both spellings accepted
        dest="set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=set_help
        or "target.FIELD=VALUE overrides a target field for this command; "
        "any other KEY=VALUE a pipeline parameter (repeatable)",
    )


def target_and_parameters(args) -> tuple[Target, dict[str, str]]:
    """The command's target (with its ``--set target.*`` overrides) and the other assignments, as text."""
    overrides, rest = split_assignments(parse_assignments(args.set))
    return get_target(args.target, args.targets, overrides), rest


def add_preset_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--preset",
        metavar="NAME",
        help="start from the study's named configuration NAME ('kfp-studies list' shows them); --set overrides it",
    )


def study_assignments(args, assignments: dict[str, str]) -> dict[str, str]:
    """The command's pipeline-parameter assignments over its ``--preset``, if it has one."""
    return with_preset(args.study, getattr(args, "preset", None), assignments)
