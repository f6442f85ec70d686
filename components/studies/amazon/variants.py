"""The seed's recurrent networks, by name.

Every variant is Embedding (mask_zero) -> recurrent layer(s) -> BatchNorm ->
optional ReLU dense layers, each followed by BatchNorm -> one sigmoid unit.
Parsing is pure Python so that parameters can be checked at compile time.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.studies.base import ParameterError

CELLS = ("rnn", "gru", "lstm")


@dataclass(frozen=True)
class RecurrentVariant:
    cell: str
    recurrent: tuple[int, ...]
    bidirectional: bool
    embedding: int = 16
    dense: tuple[int, ...] = ()
    normalize_embedding: bool = False
    # How the seed trained this network where it differed from the rest (None: the study parameter's).
    learning_rate: float | None = None
    epochs: int | None = None
    batch_size: int | None = None


VARIANTS: dict[str, RecurrentVariant] = {
    # Seed models 1-6: one SimpleRNN/GRU/LSTM(64) layer, plain or bidirectional, embedding 16.
    **{("bi-" if bi else "") + cell: RecurrentVariant(cell, (64,), bi) for cell in CELLS for bi in (False, True)},
    # Seed model 9: the small network, trained 80 epochs.
    "small-gru": RecurrentVariant("gru", (8,), False, embedding=4, normalize_embedding=True, epochs=80),
    # Seed model 7: stacked bidirectional GRUs and a dense head, trained 50 epochs.
    "deep-bi-gru": RecurrentVariant(
        "gru", (512, 128, 16), True, embedding=128, dense=(128, 32, 8), normalize_embedding=True, epochs=50
    ),
    # Seed model 10: one wide bidirectional GRU, two dense layers; 30 epochs, batch 512, Adam at 0.01.
    "wide-bi-gru": RecurrentVariant(
        "gru",
        (256,),
        True,
        embedding=64,
        dense=(256, 256),
        normalize_embedding=True,
        learning_rate=0.01,
        epochs=30,
        batch_size=512,
    ),
}


def parse_variant(name: str) -> RecurrentVariant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise ParameterError(f"unknown variant {name!r}; expected one of {', '.join(VARIANTS)}") from None
