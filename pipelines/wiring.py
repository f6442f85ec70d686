"""The shape every study pipeline shares: every task and every connection is here.

    [probe_source ->] ingest -> preprocess ------------------> train -> evaluate -> (if blessed or forced) register
                                 \\-> plan_folds -> [cross_validate per (variant, fold)] -> compare_variants --^

preprocess checks the data against the champion's (``components.data_validation``) and
may stop the run, so ``plan_folds`` waits for it and no fold trains on data it refused.

With caching on, ingest is preceded by ``probe_source`` (never cached), whose
content version is an input of ingest: a rerun on unchanged data is served
from the cache up to training, while new data behind the same URI is ingested
and trained on.

:func:`study_pipeline` makes a study's pipeline from its ``Params``: one
pipeline parameter per field, with the seed's default and its help text as
the parameter's description in the KFP UI, plus the ``RunParams`` and the
target's URIs. Deriving the signature (rather than writing it out per study)
means a pipeline can never drift from the parameters its steps validate.
"""

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

from kfp import dsl

from components.studies import Params, RunParams, get_study
from pipelines import backends, vertex
from pipelines.steps import TaskFactory
from pipelines.targets import Target

# The RunParams that preprocess's data check reads (components.data_validation.DataCheckPolicy).
DATA_POLICY = ("on_anomaly", "on_drift", "drift_threshold", "label_drift_threshold")


def params_by_step(params: type[Params], values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The pipeline's study parameters, grouped by the step that consumes them."""
    grouped: dict[str, dict[str, Any]] = {}
    for f in params.fields():
        grouped.setdefault(f.metadata["step"], {})[f.name] = values[f.name]
    return grouped


class StudyOutputs(NamedTuple):
    metrics: dsl.Metrics
    report: dsl.HTML
    comparison: dsl.Markdown


def study_dag(
    tasks: TaskFactory,
    study: str,
    params: dict[str, dict[str, Any]],
    run: dict[str, Any],
    source,
    registry_uri,
    work_uri,
) -> StudyOutputs:
    """``params``: the study's parameters by step; ``run``: the RunParams every pipeline has.

    Each step's task receives its own step's parameters, plus those of the
    steps whose work it repeats: a fold preprocesses and trains, so
    cross-validation gets preprocess, train and cross_validate parameters.
    Evaluate and register get them all: the report and the model card list
    every parameter (neither task is cached, so this costs no cache hits)."""
    seed, train_params = run["seed"], params.get("train", {})
    all_params = {k: v for values in params.values() for k, v in values.items()}
    ingest_inputs: dict[str, Any] = {"study": study, "source": source}
    if tasks.target.caching:
        ingest_inputs["source_version"] = tasks.task("probe_source", source=source).output
    data = tasks.task("ingest", **ingest_inputs)
    prep = tasks.task(
        "preprocess",
        study=study,
        dataset=data.outputs["dataset"],
        statistics=data.outputs["statistics"],
        params=params.get("preprocess", {}),
        seed=seed,
        registry_uri=registry_uri,
        **{k: run[k] for k in DATA_POLICY},
    )
    cv_params = {**params.get("preprocess", {}), **train_params, **params.get("cross_validate", {})}
    # After preprocess: its data check (on_anomaly/on_drift=stop) must fail a run before any fold trains.
    plan = tasks.task(
        "plan_folds", study=study, dataset=data.outputs["dataset"], params=cv_params, seed=seed, work_uri=work_uri
    ).after(prep)
    with dsl.ParallelFor(plan.output, parallelism=tasks.target.cv_parallelism) as item:
        fold = tasks.task(
            "cross_validate",
            study=study,
            dataset=data.outputs["dataset"],
            params=cv_params,
            seed=seed,
            variant=item.variant,
            fold=item.fold,
            result_uri=item.result_uri,
        )
    cv = tasks.task("compare_variants", study=study, params=cv_params, folds=plan.output).after(fold)
    fit = tasks.task(
        "train",
        study=study,
        variant=cv.outputs["Output"],
        train=prep.outputs["train"],
        validation=prep.outputs["validation"],
        transform=prep.outputs["transform"],
        params=train_params,
        seed=seed,
        work_uri=work_uri,
    )
    scored = tasks.task(
        "evaluate",
        study=study,
        variant=cv.outputs["Output"],
        model=fit.outputs["model"],
        train=prep.outputs["train"],
        test=prep.outputs["test"],
        transform=prep.outputs["transform"],
        history=fit.outputs["history"],
        data_checks=prep.outputs["data_checks"],
        params=all_params,
        registry_uri=registry_uri,
        threshold=run["threshold"],
        min_improvement=run["min_improvement"],
        force_register=run["force_register"],
        dataset=data.outputs["dataset"],
        comparison=cv.outputs["comparison"],
        seed=seed,
        image=tasks.target.image,
        run_id=backends.RUN_ID[tasks.target.backend],
    )
    with dsl.If(scored.outputs["Output"] == True, name="blessed-or-forced"):  # noqa: E712 (KFP condition)
        tasks.task(
            "register",
            study=study,
            model=fit.outputs["model"],
            report=scored.outputs["report"],
            evaluation=scored.outputs["evaluation"],
            dataset=data.outputs["dataset"],
            data_checks=prep.outputs["data_checks"],
            params={**all_params, **run},
            registry_uri=registry_uri,
            image=tasks.target.image,
            run_id=backends.RUN_ID[tasks.target.backend],
            vertex_model_registry=vertex.model_registry_settings(tasks.target),
        )
    return StudyOutputs(scored.outputs["metrics"], scored.outputs["report"], cv.outputs["comparison"])


def _parameter(name: str, kind: type, default=inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=kind)


def study_pipeline(study: str) -> Callable[[Target], Any]:
    """``build(target)`` for ``study``: its pipeline, bound to the target's image and URIs."""
    spec = get_study(study)
    fields = [*spec.params.fields(), *RunParams.fields()]

    def build(target: Target):
        parameters = [
            _parameter("source", str),
            *(_parameter(f.name, type(f.default), f.default) for f in fields),
            _parameter("registry_uri", str, target.registry_uri),
            _parameter("work_uri", str, target.work_uri),
        ]
        names = [p.name for p in parameters]

        def pipeline(*args):
            values = dict(zip(names, args, strict=False))
            return study_dag(
                TaskFactory(target),
                study,
                params_by_step(spec.params, values),
                params_by_step(RunParams, values)["run"],
                values["source"],
                values["registry_uri"],
                values["work_uri"],
            )

        # KFP reads the pipeline's parameters from its signature (typeshed does not declare it writable).
        pipeline.__signature__ = inspect.Signature(parameters, return_annotation=StudyOutputs)  # type: ignore[attr-defined]
        pipeline.__name__ = study
        # KFP reads the "Args:" section into each parameter's description.
        pipeline.__doc__ = "\n".join(
            [
                spec.title,
                "",
                "Args:",
                "    source: the study's source: a local path, file://, http(s)://, gs:// or s3:// URI",
                *(f"    {f.name}: {f.metadata['help']}" for f in fields),
                "    registry_uri: where blessed models are registered",
                "    work_uri: run scratch space: cross-validation scores and training checkpoints",
            ]
        )
        return dsl.pipeline(name=study, description=spec.title)(pipeline)

    return build
