"""IMDB sentiment with a multi-hot dense network (seed 004)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Params, Study, param


@dataclass(frozen=True)
class ImdbParams(Params):
    num_words: int = param(10000, "preprocess", "vocabulary size: the most frequent training words kept")
    validation_size: int = param(10000, "preprocess", "training reviews held out for validation")
    epochs: int = param(7, "train", "training epochs")
    batch_size: int = param(64, "train", "minibatch size")
    learning_rate: float = param(0.001, "train", "RMSprop learning rate")
    fit_on_validation: bool = param(
        True, "train", "also fit on the validation reviews, as the seed's final model did (all 25,000)"
    )
    cv_folds: int = param(5, "cross_validate", "folds of the cross-validation (0: skip it, with a single variant)")
    variants: str = param(
        # The seed's final network plus the best of its sweep; CV picks among them.
        "final,16-16-1+dropout0.5,16-16-1+l2,64-32-16-1+l2+dropout0.5",
        "cross_validate",
        "comma-separated models compared by CV, the best then trained on all training data: "
        "'final', 'baseline', or layer sizes like '64-32-1+l2+dropout0.5' (docs/studies/imdb.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.num_words < 2:
            raise ParameterError("num_words must be at least 2")
        if self.validation_size < 0:
            raise ParameterError("validation_size must not be negative")

    def check_variant(self, name: str) -> None:
        from components.studies.imdb.variants import parse_variant

        parse_variant(name)


STUDY = Study(
    name="imdb",
    title="IMDB movie-review sentiment, multi-hot dense network (seed 004)",
    params=ImdbParams,
    recipe_module="components.studies.imdb.recipe",
    sample_module="components.studies.imdb.sample",
    source_formats=("aclImdb_v1.tar.gz layout (tar/tar.gz or folder)", "Keras imdb.npz"),
)
