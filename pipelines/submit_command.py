"""``kfp-studies submit STUDY --target T``: one run on Kubeflow Pipelines or Vertex AI."""

from __future__ import annotations

import contextlib
import sys

from components.studies import STUDIES, get_study
from pipelines.cli_options import add_preset_option, add_target_options, study_assignments, target_and_parameters
from pipelines.targets import TargetError

# What google.auth's DefaultCredentialsError means for a user of this command, and the two fixes.
MISSING_GOOGLE_CREDENTIALS = (
    "no Google Cloud credentials for Vertex AI: run 'gcloud auth application-default login', "
    "or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file"
)


@contextlib.contextmanager
def backend_errors(target):
    """The API's errors (refused connection, HTTP errors) as one clear ``ConnectionError``, and
    missing Google credentials as one line that says how to provide them."""
    import urllib3

    try:
        yield
    except urllib3.exceptions.HTTPError as exc:
        raise ConnectionError(
            f"cannot reach {target.backend} API of target {target.name!r} at {target.host or target.region}: {exc}"
        ) from None
    except Exception as exc:  # kfp_server_api.ApiException, google.api_core and google.auth errors
        if type(exc).__name__ == "DefaultCredentialsError":
            raise TargetError(f"target {target.name!r}: {MISSING_GOOGLE_CREDENTIALS}") from None
        if type(exc).__name__ in ("ApiException", "GoogleAPICallError") or type(exc).__module__.startswith(
            ("kfp_server_api", "google.api_core")
        ):
            raise ConnectionError(
                f"{target.backend} API of target {target.name!r} answered: {str(exc).strip()}"
            ) from None
        raise


def typed_parameters(study: str, target, assignments: dict) -> dict:
    from pipelines.compile import build_pipeline
    from pipelines.parameters import resolve

    get_study(study)
    return resolve(study, build_pipeline(study, target), assignments)


def _submit(args) -> int:
    from pipelines.kfp_api import WaitTimeout
    from pipelines.submit import submit

    target, assignments = target_and_parameters(args)
    arguments = typed_parameters(args.study, target, study_assignments(args, assignments))
    if args.timeout is not None and not args.wait:
        print("note: --timeout applies to --wait only", file=sys.stderr)
    with backend_errors(target):
        try:
            run = submit(
                args.study,
                target,
                arguments,
                experiment=args.experiment,
                name=args.name,
                wait=args.wait,
                timeout=args.timeout,
                package=args.package,
                poll_seconds=args.poll,
            )
        except WaitTimeout as exc:
            print(f"{args.study}: {exc}", file=sys.stderr)
            return 1
    print(f"{args.study}: submitted to {target.name} ({target.backend})")
    print(f"  run    {run.run_id}")
    print(f"  url    {run.url}")
    if not args.wait:
        return 0
    print(f"  state  {run.state}")
    return 0 if run.succeeded else 1


def add_parser(sub) -> None:
    p = sub.add_parser("submit", help="submit one run to Kubeflow Pipelines or Vertex AI")
    p.add_argument("study", help=f"one of: {', '.join(STUDIES)}")
    add_target_options(p, default=None, required=True)
    add_preset_option(p)
    p.add_argument("--experiment", help="experiment of the run (default: the target's, else kfp-studies)")
    p.add_argument("--name", help="run name (default: STUDY-TARGET-TIMESTAMP)")
    p.add_argument("--package", metavar="FILE", help="submit this compiled package instead of compiling the study")
    p.add_argument("--wait", action="store_true", help="wait for the run to end; exit 1 unless it succeeded")
    p.add_argument("--timeout", type=float, metavar="S", help="with --wait: give up after S seconds (exit 1)")
    p.add_argument("--poll", type=float, default=10.0, metavar="S", help="seconds between status checks (default 10)")
    p.set_defaults(func=_submit)
