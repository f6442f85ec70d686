"""The KFP components (``Components`` lists them): thin adapters from artifacts to ``components.steps``.

Each component function below becomes a lightweight KFP component whose
source is embedded in the compiled pipeline and run inside the project's
image, so every body imports what it needs itself (helpers here, such as
``log_to_kfp``, are imported from this module like any other).
``build_components(image)`` binds them to a target's image at compile time;
nothing is pip-installed at run time, not even kfp (the image has it).
KFP-specific code (artifacts, metrics objects) stays in this module: the
steps know nothing of KFP.
"""

from kfp import dsl
from kfp.dsl import HTML, Artifact, ClassificationMetrics, Dataset, Input, Markdown, Metrics, Model, Output

from components import Components

DEFAULT_IMAGE = "kfp-studies:0.1.0"


def probe_source(source: str) -> str:
    """The source's current content version: with caching on, ingest's cache key follows the data."""
    from components.steps.probe import source_version

    return source_version(source)


def ingest(study: str, source: str, dataset: Output[Dataset], statistics: Output[Artifact], source_version: str = ""):
    """Fetch and validate the study's source; record its sha256, size, record count and
    statistics (a JSON file, summarised in the dataset's metadata).

    ``source_version`` (from ``probe_source``) is not read: it only keys KFP's cache to the data."""
    from components.steps import configure_task_logging
    from components.steps.ingest import run_ingest

    configure_task_logging()
    dataset.metadata.update(run_ingest(study, source, dataset.path, statistics.path).as_metadata())


def preprocess(
    study: str,
    dataset: Input[Dataset],
    statistics: Input[Artifact],
    params: dict,
    seed: int,
    registry_uri: str,
    on_anomaly: str,
    on_drift: str,
    drift_threshold: float,
    label_drift_threshold: float,
    train: Output[Dataset],
    validation: Output[Dataset],
    test: Output[Dataset],
    transform: Output[Artifact],
    data_checks: Output[Artifact],
    data_summary: Output[Markdown],
):
    """Split, fit transforms on the training rows only, check the data against the
    champion's schema and statistics (warn or stop: ``on_anomaly``, ``on_drift``), and encode every split."""
    import shutil

    from components.data_validation import SUMMARY, DataCheckPolicy, load_checks, verdict
    from components.steps import configure_task_logging
    from components.steps.preprocess import DataCheck, PreprocessOutputs, run_preprocess

    configure_task_logging()
    policy = DataCheckPolicy.from_mapping(
        registry_uri,
        {
            "on_anomaly": on_anomaly,
            "on_drift": on_drift,
            "drift_threshold": drift_threshold,
            "label_drift_threshold": label_drift_threshold,
        },
    )
    counts = run_preprocess(
        study,
        dataset.path,
        params,
        seed,
        PreprocessOutputs(train.path, validation.path, test.path, transform.path),
        DataCheck(statistics.path, policy, data_checks.path),
    )
    shutil.copyfile(f"{data_checks.path}/{SUMMARY}", data_summary.path)
    data_checks.metadata["verdict"] = verdict(load_checks(data_checks.path))
    for artifact, name in ((train, "train"), (validation, "validation"), (test, "test")):
        artifact.metadata["rows"] = counts[name]
    test.metadata["baselines"] = counts.get("baselines", {})
    test.metadata["splits"] = counts["splits"]  # sizes and class balance of all three, for the report


def plan_folds(study: str, dataset: Input[Dataset], params: dict, seed: int, work_uri: str) -> list[dict]:
    """The (variant, fold) pairs to cross-validate, each with where its score goes. Runs before any fold
    trains, so it first refuses parameters the data cannot fit (a hold-out or fold count too large)."""
    from components import progress
    from components.steps.cross_validate import check_data, plan

    check_data(study, dataset.path, params, seed)
    items = plan(study, dataset.metadata["dataset_sha256"], params, seed, work_uri)
    progress.result(f"{len(items)} fold trainings" if items else "cross-validation skipped (cv_folds=0)")
    return items


def cross_validate(
    study: str,
    dataset: Input[Dataset],
    params: dict,
    seed: int,
    variant: str,
    fold: int,
    result_uri: str,
) -> float:
    """Train and score one fold of one variant, transforms refitted on the fold; returns its accuracy.
    Checkpoints each epoch beside ``result_uri``, so a preempted and retried task resumes."""
    from components.steps import configure_task_logging
    from components.steps.cross_validate import announce_fold, run_fold_to

    announce_fold(study, params, variant, fold)
    configure_task_logging(tensorflow=True)
    return run_fold_to(study, dataset.path, params, variant, seed, fold, result_uri).accuracy


def compare_variants(
    study: str, params: dict, folds: list[dict], metrics: Output[Metrics], comparison: Output[Markdown]
) -> str:
    """Per-variant mean ± std over folds, as seed 000's table; returns the best variant
    (the only one, when ``cv_folds=0`` left the plan empty)."""
    from components import progress
    from components.steps.cross_validate import (
        best_variant,
        collect,
        comparison_markdown,
        skipped_comparison,
        summarize,
    )

    if not folds:
        best, text = skipped_comparison(study, params)
        comparison.metadata["skipped"] = text.strip()
    else:
        summary = summarize(collect(folds))
        for variant, s in summary.items():
            metrics.log_metric(f"{variant}.mean_accuracy", s["mean_accuracy"])
            metrics.log_metric(f"{variant}.std_accuracy", s["std_accuracy"])
        best, text = best_variant(summary), comparison_markdown(summary)
        comparison.metadata["summary"] = summary  # the report's table
    with open(comparison.path, "w", encoding="utf-8") as f:
        f.write(text)
    progress.result(f"best: {best}", best=best)
    return best


def train(
    study: str,
    variant: str,
    train: Input[Dataset],
    validation: Input[Dataset],
    transform: Input[Artifact],
    params: dict,
    seed: int,
    work_uri: str,
    model: Output[Model],
    history: Output[Artifact],
    tensorboard: Output[Artifact],
):
    """Fit the chosen variant; save ``model.keras``, a SavedModel, the learning curves and
    TensorBoard logs (an artifact, so they land under the pipeline root on every backend).
    Checkpoints each epoch under ``work_uri``, so a preempted and retried task resumes."""
    from components.steps import configure_task_logging

    configure_task_logging(tensorflow=True)
    from components.steps.train import TrainInputs, TrainOutputs, run_train

    model.metadata.update(
        run_train(
            study,
            variant,
            TrainInputs(train.path, validation.path, transform.path),
            params,
            seed,
            TrainOutputs(model.path, history.path, tensorboard.path),
            work_uri,
        )
    )


def evaluate(
    study: str,
    variant: str,
    model: Input[Model],
    train: Input[Dataset],
    test: Input[Dataset],
    transform: Input[Artifact],
    history: Input[Artifact],
    data_checks: Input[Artifact],
    params: dict,
    registry_uri: str,
    threshold: float,
    min_improvement: float,
    force_register: bool,
    dataset: Input[Dataset],
    comparison: Input[Markdown],
    seed: int,
    image: str,
    run_id: str,
    metrics: Output[Metrics],
    classification_metrics: Output[ClassificationMetrics],
    report: Output[HTML],
    evaluation: Output[Artifact],
) -> bool:
    """Test metrics, confusion matrix, HTML report, and the blessing against the champion.

    Returns whether to register (blessed or forced); the reason is in the
    ``evaluation`` artifact's metadata. (One plain output: kfp.local cannot
    branch on a NamedTuple field.) ``dataset``, ``comparison``, ``seed``, ``image``
    and ``run_id`` feed the report (the data's provenance, the cross-validation
    table, the run's facts); the report artifact's ``html_path`` metadata is where
    ``report.html`` was written."""
    from components import progress
    from components.adapters import log_to_kfp
    from components.report import html_path
    from components.steps import configure_task_logging

    configure_task_logging(tensorflow=True)
    from components.steps.evaluate import BlessingPolicy, EvaluationInputs, RunContext, run_evaluate_and_bless

    data = {**dataset.metadata, "splits": test.metadata.get("splits", {})}
    result = run_evaluate_and_bless(
        study,
        variant,
        EvaluationInputs(model.path, train.path, test.path, transform.path, history.path, data_checks.path),
        params,
        report.path,
        evaluation.path,
        BlessingPolicy(registry_uri, threshold, min_improvement, force_register),
        test.metadata.get("baselines", {}),
        RunContext(run_id, image, seed, data, dict(comparison.metadata)),
    )
    log_to_kfp(result, metrics, classification_metrics)
    evaluation.metadata.update(result["blessing"])
    report.metadata["html_path"] = html_path(report.path)
    verdict = "blessed" if result["blessing"]["register"] else "not blessed"
    progress.result(
        f"test accuracy {result['accuracy']:.4f}, {verdict}",
        register=result["blessing"]["register"],
        reason=result["blessing"].get("reason", ""),
    )
    return result["blessing"]["register"]


def register(
    study: str,
    model: Input[Model],
    report: Input[HTML],
    evaluation: Input[Artifact],
    dataset: Input[Dataset],
    data_checks: Input[Artifact],
    params: dict,
    registry_uri: str,
    image: str,
    run_id: str,
    vertex_model_registry: dict,
) -> str:
    """Write the model version and its card to the registry; returns the version.

    ``vertex_model_registry`` (vertex targets: project, region, serving image) also
    uploads the version to the Vertex AI Model Registry; empty elsewhere."""
    from components import progress
    from components.steps import configure_task_logging
    from components.steps.register import RegisterInputs, run_register
    from components.vertex_models import VertexModelSettings

    configure_task_logging()
    version = run_register(
        study,
        RegisterInputs(model.path, report.path, evaluation.path, dict(dataset.metadata), data_checks.path),
        params,
        registry_uri,
        image,
        run_id,
        VertexModelSettings.from_mapping(vertex_model_registry),
    )
    progress.result(f"version {version}", version=version)
    return version


def log_to_kfp(result: dict, metrics: Metrics, classification_metrics: ClassificationMetrics) -> None:
    """Scalars into KFP ``Metrics``; confusion matrix and ROC into ``ClassificationMetrics``."""
    for name in (
        "accuracy",
        "loss",
        "majority_baseline_accuracy",
        "macro_precision",
        "macro_recall",
        "macro_f1",
        "roc_auc",
    ):
        if name in result:
            metrics.log_metric(name, result[name])
    for label, m in result["per_class"].items():
        for name in ("precision", "recall", "f1"):
            metrics.log_metric(f"{label}.{name}", m[name])
    for group in ("extras", "baselines"):
        for name, value in result.get(group, {}).items():
            if isinstance(value, (int, float)):
                metrics.log_metric(name, value)
    classification_metrics.log_confusion_matrix(result["class_names"], result["confusion_matrix"])
    if "roc_curve" in result:
        curve = result["roc_curve"]
        classification_metrics.log_roc_curve(curve["fpr"], curve["tpr"], curve["thresholds"])


def build_components(image: str = DEFAULT_IMAGE) -> Components:
    """The components bound to ``image``, which must contain this project and kfp:
    one per pipeline step, the two small ones that fan cross-validation out and
    in, and the source probe that keeps cached runs fresh."""

    def make(func):
        return dsl.component(func, base_image=image, install_kfp_package=False)

    return Components(*(make(globals()[name]) for name in Components._fields))
