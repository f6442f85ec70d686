"""The shape every study pipeline shares.

    ingest -> preprocess ------------------------> train -> evaluate -> (if blessed or forced) register
          \\-> plan_folds -> [cross_validate per (variant, fold)] -> compare_variants --best variant--^

Study pipelines declare their parameters (with the seed's defaults) and hand
them to :func:`study_dag`, grouped by the step that uses them.
"""

from typing import Any, NamedTuple

from kfp import dsl

from components.studies import Params
from pipelines.steps import Steps


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
    steps: Steps, study: str, params: dict[str, dict[str, Any]], run: dict[str, Any], source, registry_uri,
    work_uri,
) -> StudyOutputs:
    """``params``: the study's parameters by step; ``run``: the RunParams every pipeline has."""
    seed, train_params = run["seed"], params.get("train", {})
    data = steps.ingest(study=study, source=source)
    prep = steps.preprocess(study=study, dataset=data.outputs["dataset"], params=params.get("preprocess", {}),
                            seed=seed)
    cv_params = {**params.get("preprocess", {}), **train_params, **params.get("cross_validate", {})}
    plan = steps.plan_folds(study=study, dataset=data.outputs["dataset"], params=cv_params, seed=seed,
                            work_uri=work_uri)
    with dsl.ParallelFor(plan.output, parallelism=steps.target.cv_parallelism) as item:
        fold = steps.cross_validate(study=study, dataset=data.outputs["dataset"], params=cv_params, seed=seed,
                                    variant=item.variant, fold=item.fold, result_uri=item.result_uri,
                                    work_uri=work_uri, run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER)
    cv = steps.compare_variants(folds=plan.output).after(fold)
    fit = steps.train(study=study, variant=cv.outputs["Output"], train=prep.outputs["train"],
                      validation=prep.outputs["validation"], transform=prep.outputs["transform"],
                      params=train_params, seed=seed, work_uri=work_uri, run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER)
    scored = steps.evaluate(study=study, variant=cv.outputs["Output"], model=fit.outputs["model"], train=prep.outputs["train"],
                            test=prep.outputs["test"], transform=prep.outputs["transform"],
                            history=fit.outputs["history"], params=train_params, registry_uri=registry_uri,
                            threshold=run["threshold"], min_improvement=run["min_improvement"],
                            force_register=run["force_register"])
    with dsl.If(scored.outputs["Output"] == True, name="blessed-or-forced"):  # noqa: E712 (KFP condition)
        steps.register(study=study, model=fit.outputs["model"], report=scored.outputs["report"],
                       evaluation=scored.outputs["evaluation"], dataset=data.outputs["dataset"],
                       params={**{k: v for values in params.values() for k, v in values.items()}, **run},
                       registry_uri=registry_uri,
                       image=steps.target.image, run_id=dsl.PIPELINE_JOB_NAME_PLACEHOLDER)
    return StudyOutputs(scored.outputs["metrics"], scored.outputs["report"], cv.outputs["comparison"])
