"""IMDB sentiment with a multi-hot dense network (seed 004)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Study, TrainingParams, param, shared


@dataclass(frozen=True)
class ImdbParams(TrainingParams):
    RENAMED = {"validation_size": "validation_rows"}

    num_words: int = param(10000, "preprocess", "vocabulary size: the most frequent training words kept")
    validation_rows: int = shared("validation_rows", 10000, "training reviews held out for validation")
    epochs: int = shared("epochs", 7)
    batch_size: int = shared("batch_size", 64)
    learning_rate: float = param(0.001, "train", "RMSprop learning rate")
    fit_on_validation: bool = shared(
        "fit_on_validation", True, "also fit on the validation reviews, as the seed's final model did (all 25,000)"
    )
    cv_folds: int = shared("cv_folds", 5)
    variants: str = shared(
        "variants",
        # The seed's final network plus the best of its sweep; CV picks among them.
        "final,16-16-1+dropout0.5,16-16-1+l2,64-32-16-1+l2+dropout0.5",
        "comma-separated models compared by CV, the best then trained on all training data: "
        "'final', 'baseline', or layer sizes like '64-32-1+l2+dropout0.5' (docs/studies/imdb.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.num_words < 2:
            raise ParameterError(f"num_words must be at least 2; got {self.num_words}")
        if self.learning_rate <= 0:
            raise ParameterError(f"learning_rate must be positive; got {self.learning_rate}")

    def check_variant(self, name: str) -> None:
        from components.studies.imdb.variants import parse_variant

        parse_variant(name)


STUDY = Study(
    name="imdb",
    title="IMDB movie-review sentiment, multi-hot dense network (seed 004)",
    params=ImdbParams,
    source_formats=("aclImdb_v1.tar.gz layout (tar/tar.gz or folder)", "Keras imdb.npz"),
)
