"""``kfp-studies schedule``: scheduled retraining on Kubeflow Pipelines or Vertex AI.

    kfp-studies schedule STUDY --target T --cron "MIN HOUR DOM MON DOW" [--timezone Z]
                           [--max-concurrency N] [--no-catchup] [--param k=v ...]
    kfp-studies schedule list [STUDY] --target T
    kfp-studies schedule pause|resume|delete ID --target T

``schedule STUDY ...`` is short for ``schedule create STUDY ...``.
"""

from __future__ import annotations

import sys

from components.studies import STUDIES
from pipelines.cli_options import add_target_options, target_and_parameters
from pipelines.submit_command import backend_errors, typed_parameters

ACTIONS = ("create", "list", "pause", "resume", "delete")


def default_action(argv: list[str]) -> list[str]:
    """``schedule STUDY ...`` -> ``schedule create STUDY ...``."""
    if len(argv) >= 2 and argv[0] == "schedule" and argv[1] not in ACTIONS and not argv[1].startswith("-"):
        return [argv[0], "create", *argv[1:]]
    return argv


def _create(args) -> None:
    from pipelines import schedule

    target, assignments = target_and_parameters(args)
    arguments = typed_parameters(args.study, target, assignments)
    with backend_errors(target):
        created, notes = schedule.create(
            args.study,
            target,
            args.cron,
            arguments,
            timezone=args.timezone,
            max_concurrency=args.max_concurrency,
            catchup=not args.no_catchup,
            name=args.name,
            experiment=args.experiment,
            package=args.package,
        )
    print(f"{args.study}: scheduled on {target.name} ({target.backend})")
    print(f"  id               {created.id}")
    print(f"  cron             {args.cron}  ({args.timezone or target.schedule_timezone})")
    print(f"  sent as          {created.cron}")
    print(f"  max concurrency  {created.max_concurrency}")
    if created.catchup is not None:
        print(f"  catch-up         {'yes' if created.catchup else 'no'}")
    if created.url:
        print(f"  url              {created.url}")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)


def _list(args) -> None:
    from pipelines import schedule

    target, _ = target_and_parameters(args)
    with backend_errors(target):
        found = schedule.list_schedules(target, args.study)
    if not found:
        print(f"no schedules{' of ' + args.study if args.study else ''} on {target.name}")
        return
    print(f"{'id':40} {'name':32} {'state':8} {'max':>3} {'catch-up':8} cron")
    for s in found:
        catchup = "-" if s.catchup is None else ("yes" if s.catchup else "no")
        print(f"{s.id:40} {s.name:32} {s.state:8} {s.max_concurrency:>3} {catchup:8} {s.cron}")


def _change(args) -> None:
    from pipelines import schedule

    target, _ = target_and_parameters(args)
    with backend_errors(target):
        schedule.change(target, args.action, args.id)
    print(f"schedule {args.id} on {target.name}: {args.action}{'d' if args.action.endswith('e') else 'ed'}")


def add_parser(sub) -> None:
    top = sub.add_parser(
        "schedule", help="schedule retraining (schedule STUDY --cron ...), or list, pause, resume, delete schedules"
    )
    actions = top.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = actions.add_parser("create", help="schedule recurring runs of a study (also: schedule STUDY ...)")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    add_target_options(p, default=None, required=True)
    p.add_argument(
        "--cron",
        required=True,
        metavar='"MIN HOUR DOM MON DOW"',
        help="standard 5-field cron; translated to KFP's 6-field form, given to Vertex as is",
    )
    p.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA zone of the cron (Vertex: any; KFP: must be the "
        "cluster scheduler's, the target's schedule_timezone)",
    )
    p.add_argument("--max-concurrency", type=int, default=1, metavar="N", help="runs at once (default 1)")
    p.add_argument(
        "--no-catchup",
        action="store_true",
        help="do not backfill runs missed while paused or behind (KFP backfills by default)",
    )
    p.add_argument("--name", help="schedule name (default: STUDY-TARGET-retrain)")
    p.add_argument("--experiment", help="experiment of the runs (default: the target's, else kfp-studies)")
    p.add_argument("--package", metavar="FILE", help="schedule this compiled package instead of compiling the study")
    p.set_defaults(func=_create)

    p = actions.add_parser("list", help="the target's schedules (of one study, if named)")
    p.add_argument("study", nargs="?", help="only this study's schedules")
    add_target_options(p, default=None, required=True)
    p.set_defaults(func=_list)

    for action, help in (
        ("pause", "stop a schedule from starting runs"),
        ("resume", "start a paused schedule again"),
        ("delete", "delete a schedule"),
    ):
        p = actions.add_parser(action, help=help)
        p.add_argument("id", help="the schedule's id (see 'schedule list')")
        add_target_options(p, default=None, required=True)
        p.set_defaults(func=_change)
