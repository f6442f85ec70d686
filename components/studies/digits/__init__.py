"""Online handwritten digits with recurrent networks, compared by writer-grouped CV (seed 000)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Study, TrainingParams, VariantSettings, param, shared

SEED_VARIANTS = "deep_gru,deep_lstm,deep_bilstm,gru1024,gru64,gru4x64"
# The default comparison: the two 64-unit networks, at the epochs that fit about two hours on 2 CPU
# cores (docs/studies/digits.md says what was left out and why).
DEFAULT_VARIANTS = "gru64+epochs30,gru4x64+epochs20"


@dataclass(frozen=True)
class DigitsParams(TrainingParams):
    RENAMED = {"validation_size": "validation_rows"}
    # Every network of the seed, each at its seed epochs (40; 64GRU 80, 1024GRU 20): 5-8 hours per
    # 512-unit network on 2 CPU cores.
    PRESETS = {"seed": {"variants": SEED_VARIANTS}}

    points: int = param(50, "preprocess", "points each trajectory is resampled to along its cubic spline")
    reverse_augment: bool = param(
        True, "preprocess", "add a time-reversed copy of every training trajectory (never of held-out ones)"
    )
    validation_rows: int = shared(
        "validation_rows",
        0,
        "training samples held out for validation curves, as whole writers (the nearest count they allow)",
    )
    epochs: int = shared("epochs", 40, "training epochs of a variant that fixes none of its own")
    batch_size: int = shared("batch_size", 300)
    fit_on_validation: bool = shared("fit_on_validation", True, "also fit the final model on the validation samples")
    cv_folds: int = shared(
        "cv_folds", 3, "writer-grouped folds of the cross-validation (0: skip it, with a single variant)"
    )
    variants: str = shared(
        "variants",
        DEFAULT_VARIANTS,
        "comma-separated networks compared by CV, the best then trained on all training writers: "
        "deep_gru, deep_lstm, deep_bilstm, gru1024, gru64, gru4x64, each optionally '+lrRATE', '+epochsN', "
        "'+batchN' (docs/studies/digits.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.points < 2:
            raise ParameterError(f"points must be at least 2; got {self.points}")

    def check_variant(self, name: str) -> None:
        from components.studies.digits.variants import parse_variant

        parse_variant(name)

    def variant_settings(self, name: str) -> VariantSettings:
        """The network's own epochs and batch (the seed's, or its name's options) and its Nadam rate."""
        from components.studies.digits.variants import parse_variant

        spec = parse_variant(name)
        return VariantSettings(spec.epochs, spec.batch_size, spec.learning_rate)


STUDY = Study(
    name="digits",
    title="Online handwritten digits, recurrent networks compared by writer-grouped CV (seed 000)",
    params=DigitsParams,
    source_formats=(
        "UNIPEN pendigits-orig (a folder with pendigits-train and pendigits-test, or one file)",
        "Dynamic Motion Dataset JSON digitsets (a folder, .tar[.gz] or .zip)",
    ),
)
