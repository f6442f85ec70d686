"""Online handwritten digits with recurrent networks, compared by writer-grouped CV (seed 000)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Params, Study, param

SEED_VARIANTS = "deep_gru,deep_lstm,deep_bilstm,gru1024,gru64,gru4x64"


@dataclass(frozen=True)
class DigitsParams(Params):
    points: int = param(50, "preprocess", "points each trajectory is resampled to along its cubic spline")
    reverse_augment: bool = param(
        True, "preprocess", "add a time-reversed copy of every training trajectory (never of held-out ones)"
    )
    validation_size: int = param(
        0, "preprocess", "training samples held out for validation curves (label-stratified, not by writer)"
    )
    epochs: int = param(40, "train", "training epochs")
    batch_size: int = param(300, "train", "minibatch size")
    fit_on_validation: bool = param(True, "train", "also fit the final model on the validation samples")
    cv_folds: int = param(
        3, "cross_validate", "writer-grouped folds of the cross-validation (0: skip it, with a single variant)"
    )
    variants: str = param(
        SEED_VARIANTS,
        "cross_validate",
        "comma-separated networks compared by CV, the best then trained on all training writers: "
        "deep_gru, deep_lstm, deep_bilstm, gru1024, gru64, gru4x64, each optionally '+lrRATE' "
        "(docs/studies/digits.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.points < 2:
            raise ParameterError("points must be at least 2")
        if self.validation_size < 0:
            raise ParameterError("validation_size must not be negative")

    def check_variant(self, name: str) -> None:
        from components.studies.digits.variants import parse_variant

        parse_variant(name)


STUDY = Study(
    name="digits",
    title="Online handwritten digits, recurrent networks compared by writer-grouped CV (seed 000)",
    params=DigitsParams,
    recipe_module="components.studies.digits.recipe",
    sample_module="components.studies.digits.sample",
    source_formats=(
        "UNIPEN pendigits-orig (a folder with pendigits-train and pendigits-test, or one file)",
        "Dynamic Motion Dataset JSON digitsets (a folder, .tar[.gz] or .zip)",
    ),
)
