"""The imdb pipeline (seed 004): multi-hot dense network on movie reviews."""
from kfp import dsl

from components.studies import RunParams
from components.studies.imdb import ImdbParams
from pipelines.steps import Steps
from pipelines.targets import Target
from pipelines.wiring import StudyOutputs, params_by_step, study_dag

D, R = ImdbParams(), RunParams()


def build(target: Target):
    @dsl.pipeline(name="imdb", description="IMDB sentiment: multi-hot top-10,000 words, dense network (seed 004)")
    def imdb(
        source: str,
        num_words: int = D.num_words,
        validation_size: int = D.validation_size,
        epochs: int = D.epochs,
        batch_size: int = D.batch_size,
        learning_rate: float = D.learning_rate,
        fit_on_validation: bool = D.fit_on_validation,
        cv_folds: int = D.cv_folds,
        variants: str = D.variants,
        seed: int = R.seed,
        threshold: float = R.threshold,
        min_improvement: float = R.min_improvement,
        force_register: bool = R.force_register,
        registry_uri: str = target.registry_uri,
        work_uri: str = target.work_uri,
    ) -> StudyOutputs:
        return study_dag(Steps(target), "imdb", params_by_step(ImdbParams, locals()),
                         params_by_step(RunParams, locals())["run"], source, registry_uri, work_uri)

    return imdb
