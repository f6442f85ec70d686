"""``kfp-studies registry``: look at a study's registered versions and move its champion."""

from __future__ import annotations

import json

from components.studies import get_study
from pipelines.cli_options import add_target_options, target_and_parameters


def _registry(args):
    from components.registry import Registry

    get_study(args.study)  # an unknown (mistyped) study is an error, not an empty list
    if not args.registry:
        args.registry = target_and_parameters(args)[0].registry_uri
    return Registry(args.registry)


def _list(args) -> None:
    registry = _registry(args)
    champion = (registry.champion_pointer(args.study) or {}).get("version")
    versions = registry.versions(args.study)
    if not versions:
        print(f"no versions of {args.study} in {args.registry}")
        return
    print(f"{'':2}{'version':30} {'accuracy':>9}  {'blessed':7}  created")
    for version in versions:
        card = registry.card(args.study, version)
        accuracy = card.get("metrics", {}).get("accuracy")
        blessing = card.get("blessing", {})
        blessed = "forced" if blessing.get("forced") and not blessing.get("blessed") else str(blessing.get("blessed"))
        mark = "* " if version == champion else "  "
        print(
            f"{mark}{version:30} {accuracy if accuracy is None else f'{accuracy:9.4f}'}  {blessed:7}  "
            f"{card.get('created_at', '?')}"
        )
    print("(* champion)")


def _show(args) -> None:
    from components.registry import RegistryError

    registry = _registry(args)
    card = registry.card(args.study, args.version) if args.version else registry.champion(args.study)
    if card is None:
        raise RegistryError(f"{args.study} has no champion in {args.registry}")
    print(json.dumps(card, indent=2))


def _promote(args) -> None:
    pointer = _registry(args).promote(args.study, args.version, args.reason)
    print(f"{args.study}: champion is now {pointer['version']}")
    _follow_on_vertex(args, pointer["version"])


def _rollback(args) -> None:
    pointer = _registry(args).rollback(args.study, args.reason)
    print(f"{args.study}: champion rolled back to {pointer['version']}")
    _follow_on_vertex(args, pointer["version"])


def _follow_on_vertex(args, version: str) -> None:
    """On a vertex target, the Vertex AI Model Registry's ``champion`` alias follows the champion."""
    from pipelines import vertex
    from pipelines.submit_command import backend_errors

    target = target_and_parameters(args)[0]
    settings = vertex.model_registry_settings(target)
    if not settings:
        return
    from components.vertex_models import VertexModels, VertexModelSettings, authorized_session

    with backend_errors(target):
        models = VertexModels(VertexModelSettings(**settings), authorized_session())
        published = models.make_champion(args.study, version)
    print(f"{args.study}: Vertex AI Model Registry champion is now {published.model}@{published.version_id}")


def add_parser(sub) -> None:
    top = sub.add_parser("registry", help="list, show, promote or roll back registered models")
    actions = top.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name, func, help):
        p = actions.add_parser(name, help=help)
        p.add_argument("study", help="the study whose registered models to use")
        p.add_argument("--registry", help="registry URI (default: the target's registry_uri)")
        add_target_options(p, set_help="target.FIELD=VALUE overrides a target field (repeatable)")
        p.set_defaults(func=func)
        return p

    action("list", _list, "every version, the champion marked")
    action("show", _show, "a version's card (the champion's by default)").add_argument(
        "--version", help="the version to show (default: the champion)"
    )
    p = action("promote", _promote, "make a version the champion")
    p.add_argument("version", help="the registered version to make the champion ('registry list' shows them)")
    p.add_argument("--reason", default="promoted by hand", help="recorded in the champion's history")
    action("rollback", _rollback, "make the previous champion the champion again").add_argument(
        "--reason", default="rolled back by hand", help="recorded in the champion's history"
    )
