"""Kitsune Mirai botnet traffic with dense networks (seed 001)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Params, Study, param


@dataclass(frozen=True)
class MiraiParams(Params):
    drop_columns: int = param(
        24,
        "preprocess",
        "leading columns of the seed's 116-column matrix dropped (the lab's rule): column 1 is the row index, "
        "so 24 drops it and the first 23 of the 115 features, leaving 92",
    )
    test_fraction: float = param(0.15, "preprocess", "fraction of all rows held out for the test (stratified)")
    validation_size: float = param(
        0.15 / 0.85,
        "preprocess",
        "fraction of the remaining rows held out for validation: 0.15/0.85 gives the seed's 70/15/15 split",
    )
    epochs: int = param(20, "train", "training epochs")
    batch_size: int = param(1000, "train", "minibatch size (the seed's runs before the best one used 10000)")
    learning_rate: float = param(0.1, "train", "SGD (momentum 0.9) or Adam learning rate, unless a variant sets +lrR")
    class_weights: bool = param(True, "train", "balanced class weights from the training labels (refitted per CV fold)")
    fit_on_validation: bool = param(
        False, "train", "also fit the final model on the validation rows (the seed kept them for learning curves)"
    )
    mc_passes: int = param(
        100,
        "train",
        "stochastic test passes of a Monte-Carlo dropout model (used when evaluating, which receives train parameters)",
    )
    cv_folds: int = param(
        10, "cross_validate", "folds of the stratified, shuffled cross-validation (0: skip it, with a single variant)"
    )
    variants: str = param(
        "5x50-sigmoid+bn",
        "cross_validate",
        "comma-separated networks compared by CV, the best then trained: '<layers>x<nodes>-<activation>' plus "
        "+bn, +dropout or +mcdropout, +adam, +lrR, or 'best' (docs/studies/mirai.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.drop_columns < 1:
            raise ParameterError("drop_columns must be at least 1: the seed's first column is the row index")
        if not 0.0 < self.test_fraction < 1.0:
            raise ParameterError("test_fraction must be between 0 and 1")
        if not 0.0 <= self.validation_size < 1.0:
            raise ParameterError("validation_size is a fraction of the non-test rows: at least 0 and below 1")
        if self.mc_passes < 1:
            raise ParameterError("mc_passes must be positive")
        if self.learning_rate <= 0:
            raise ParameterError("learning_rate must be positive")

    def check_variant(self, name: str) -> None:
        from components.studies.mirai.variants import parse_variant

        parse_variant(name)


STUDY = Study(
    name="mirai",
    title="Kitsune Mirai botnet traffic, dense networks (seed 001)",
    params=MiraiParams,
    recipe_module="components.studies.mirai.recipe",
    sample_module="components.studies.mirai.sample",
    source_formats=(
        "folder with Mirai_dataset.csv[.gz] and Mirai_labels.csv[.gz]",
        "tar (optionally compressed) of that pair",
    ),
)
