"""What ``make reproduce`` runs: each study's real data, the configuration its docs give beyond the
defaults, and the number its seed reported (docs/results.md sets ours beside it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reproduction:
    """One study's reproduction: its real data (under the datasets folder), the configuration the
    docs give for it beyond the defaults, and the seed's headline number it is compared with."""

    study: str
    data: str
    seed_number: float
    seed_measure: str  # "test accuracy" or "best CV mean": which of our numbers sits beside it
    seed_note: str
    overrides: dict[str, str] = field(default_factory=dict)


PLAN = (
    Reproduction("imdb", "aclImdb_v1.tar.gz", 0.8752, "test accuracy", "the seed's final model, test accuracy"),
    Reproduction(
        "amazon",
        "amazon_polarity_sample.ft.txt",
        0.8828,
        "test accuracy",
        "the seed's best (deep BiGRU), trained on about 25,000 reviews; this sample has 6,459",
        # The seed's variants at their own epochs, less its two widest (docs/studies/amazon.md says why).
        {"variants": "rnn,bi-rnn,gru,bi-gru,lstm,bi-lstm,small-gru"},
    ),
    Reproduction("cifar10", "cifar10_jpeg.tar.gz", 0.7646, "test accuracy", "after 600+ epochs across stages"),
    Reproduction("digits", "pendigits", 0.9472, "best CV mean", "DeepLSTM, 3-fold CV on the seed's own data"),
    Reproduction("mirai", "mirai", 0.9226, "test accuracy", "the seed's best model (5x50 sigmoid, BatchNorm)"),
)
