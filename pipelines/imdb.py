"""The imdb pipeline (seed 004): multi-hot dense network on movie reviews."""
from kfp import dsl

from components.studies.imdb import ImdbParams
from pipelines.steps import Steps
from pipelines.targets import Target
from pipelines.wiring import StudyOutputs, params_by_step, study_dag

D = ImdbParams()


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
        seed: int = 42,
        threshold: float = 0.5,
        min_improvement: float = 0.0,
        force_register: bool = False,
        registry_uri: str = target.registry_uri,
    ) -> StudyOutputs:
        return study_dag(Steps(target), "imdb", params_by_step(ImdbParams, locals()), source, seed,
                         registry_uri, threshold, min_improvement, force_register)

    return imdb
