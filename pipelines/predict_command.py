"""``kfp-studies predict``: classify raw files with a registered model (the champion by default)."""

from __future__ import annotations

from components.studies import get_study
from pipelines.cli_options import add_target_options, target_and_parameters

INPUTS = {
    "imdb": "review text files (one review each), folders of .txt files, or a fastText file",
    "amazon": "review text files (one review each), folders of .txt files, or a fastText file",
    "cifar10": "32x32 PNG/JPEG images or folders of them",
    "digits": "a UNIPEN file (pendigits) or DMD digitsets",
    "mirai": "Kitsune CSV files of raw feature rows",
}


def _predict(args) -> None:
    from components.predict import predict_files
    from components.tensorflow_quiet import start_up_noise_filtered

    get_study(args.study)
    registry = args.registry or target_and_parameters(args)[0].registry_uri
    with start_up_noise_filtered():
        result = predict_files(args.study, registry, args.version, args.inputs)
    print(result.as_json() if args.json else result.as_table())


def add_parser(sub) -> None:
    p = sub.add_parser(
        "predict",
        help="classify raw inputs with a registered model's serving SavedModel",
        description="Per study, INPUT is: " + "; ".join(f"{k}: {v}" for k, v in INPUTS.items()) + ".",
    )
    p.add_argument("study", help="the study whose registered model to use")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="raw input files or folders (see above)")
    p.add_argument("--registry", help="registry URI (default: the target's registry_uri)")
    p.add_argument("--version", help="the registered version to use (default: the champion)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_target_options(p, set_help="target.FIELD=VALUE overrides a target field (repeatable)")
    p.set_defaults(func=_predict)
