"""Amazon review polarity with recurrent networks (seed 003)."""

from dataclasses import dataclass

from components.studies.base import ParameterError, Study, TrainingParams, VariantSettings, param, shared


@dataclass(frozen=True)
class AmazonParams(TrainingParams):
    RENAMED = {"validation_size": "validation_fraction"}

    max_tokens: int = param(
        5500,
        "preprocess",
        "vocabulary size counting the padding (0) and out-of-vocabulary (1) ids, as Keras' TextVectorization does",
    )
    sequence_length: int = param(
        0,
        "preprocess",
        "tokens per review after padding/truncation; 0: int(mean + 2 std) of the training reviews' token counts",
    )
    test_fraction: float = shared(
        "test_fraction",
        0.2,
        "fraction of the reviews held out for testing (stratified) from a single file; the public pair "
        "(train.ft.txt + test.ft.txt in a folder) has its own split",
    )
    validation_fraction: float = shared(
        "validation_fraction", 0.1, "fraction of the training reviews held out for validation"
    )
    epochs: int = shared("epochs", 20)
    batch_size: int = shared("batch_size", 1024)
    learning_rate: float = param(
        0.001, "train", "Adam learning rate (a variant that fixes its own keeps it, unless you set this)"
    )
    plateau_factor: float = param(0.5, "train", "learning-rate factor when the monitored loss stops improving")
    plateau_patience: int = param(5, "train", "epochs without improvement before the learning rate drops")
    batchnorm_momentum: float = param(
        0.9,
        "train",
        "momentum of the BatchNormalization moving statistics (the seed had Keras' 0.99, too slow for few updates)",
    )
    fit_on_validation: bool = shared("fit_on_validation", False, "also fit the final model on the validation reviews")
    cv_folds: int = shared("cv_folds", 3)
    variants: str = shared(
        "variants",
        "bi-gru",
        "comma-separated models compared by CV, the best then trained: rnn, bi-rnn, gru, bi-gru, lstm, "
        "bi-lstm, small-gru, deep-bi-gru, wide-bi-gru (docs/studies/amazon.md)",
    )

    def validate(self) -> None:
        super().validate()
        if self.max_tokens < 3:
            raise ParameterError("max_tokens must be at least 3 (padding, out-of-vocabulary and one word)")
        if self.sequence_length < 0:
            raise ParameterError("sequence_length must not be negative (0 derives it from the training reviews)")
        if not 0 < self.test_fraction < 1:
            raise ParameterError(
                f"test_fraction must be between 0 and 1 (a single amazon file has no split); got {self.test_fraction}"
            )
        if self.learning_rate <= 0 or not 0 < self.plateau_factor < 1 or self.plateau_patience < 0:
            raise ParameterError("learning_rate must be positive, plateau_factor in (0, 1), plateau_patience >= 0")
        if not 0 <= self.batchnorm_momentum < 1:
            raise ParameterError("batchnorm_momentum must be in [0, 1)")

    def check_variant(self, name: str) -> None:
        from components.studies.amazon.variants import parse_variant

        parse_variant(name)

    def variant_settings(self, name: str) -> VariantSettings:
        """The seed's own epochs, batch size and rate for models 7 and 10 (docs/studies/amazon.md)."""
        from components.studies.amazon.variants import parse_variant

        spec = parse_variant(name)
        return VariantSettings(spec.epochs, spec.batch_size, spec.learning_rate)


STUDY = Study(
    name="amazon",
    title="Amazon review polarity, recurrent networks (seed 003)",
    params=AmazonParams,
    source_formats=(
        "fastText lines '__label__1|2 <review>' (.ft.txt), optionally .bz2 or .gz compressed",
        "a folder holding the public pair train.ft.txt[.bz2] and test.ft.txt[.bz2] (the official split)",
    ),
)
