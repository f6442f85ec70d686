"""Kitsune Mirai botnet traffic with dense networks (seed 001)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Study, TrainingParams, VariantSettings, param, shared


@dataclass(frozen=True)
class MiraiParams(TrainingParams):
    RENAMED = {"validation_size": "validation_fraction"}

    drop_columns: int = param(
        24,
        "preprocess",
        "leading columns of the seed's 116-column matrix dropped (the lab's rule): column 1 is the row index, "
        "so 24 drops it and the first 23 of the 115 features, leaving 92",
    )
    test_fraction: float = shared(
        "test_fraction", 0.15, "fraction of all rows held out for the test (stratified); the source has no split"
    )
    validation_fraction: float = shared(
        "validation_fraction",
        0.15 / 0.85,
        "fraction of the remaining rows held out for validation: 0.15/0.85 gives the seed's 70/15/15 split",
    )
    epochs: int = shared("epochs", 20)
    batch_size: int = shared("batch_size", 1000, "minibatch size (the seed's runs before the best one used 10000)")
    learning_rate: float = param(0.1, "train", "SGD (momentum 0.9) or Adam learning rate, unless a variant sets +lrR")
    class_weights: bool = param(True, "train", "balanced class weights from the training labels (refitted per CV fold)")
    fit_on_validation: bool = shared(
        "fit_on_validation",
        False,
        "also fit the final model on the validation rows (the seed kept them for learning curves)",
    )
    mc_passes: int = param(100, "evaluate", "stochastic test passes of a Monte-Carlo dropout model")
    cv_folds: int = shared(
        "cv_folds", 10, "folds of the stratified, shuffled cross-validation (0: skip it, with a single variant)"
    )
    variants: str = shared(
        "variants",
        "5x50-sigmoid+bn",
        "comma-separated networks compared by CV, the best then trained: '<layers>x<nodes>-<activation>' plus "
        "+bn, +dropout or +mcdropout, +adam, +lrR, or 'best' (docs/studies/mirai.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.drop_columns < 1:
            raise ParameterError("drop_columns must be at least 1: the seed's first column is the row index")
        if not 0.0 < self.test_fraction < 1.0:
            raise ParameterError(
                f"test_fraction must be between 0 and 1 (mirai sources have no split); got {self.test_fraction}"
            )
        if self.mc_passes < 1:
            raise ParameterError(f"mc_passes must be positive; got {self.mc_passes}")
        if self.learning_rate <= 0:
            raise ParameterError(f"learning_rate must be positive; got {self.learning_rate}")

    def check_variant(self, name: str) -> None:
        from components.studies.mirai.variants import parse_variant

        parse_variant(name)

    def variant_settings(self, name: str) -> VariantSettings:
        """A ``+lrR`` option is the variant's own learning rate."""
        from components.studies.mirai.variants import parse_variant

        return VariantSettings(learning_rate=parse_variant(name).learning_rate)


STUDY = Study(
    name="mirai",
    title="Kitsune Mirai botnet traffic, dense networks (seed 001)",
    params=MiraiParams,
    source_formats=(
        "folder with Mirai_dataset.csv[.gz] and Mirai_labels.csv[.gz]",
        "tar (optionally compressed) of that pair",
    ),
)
