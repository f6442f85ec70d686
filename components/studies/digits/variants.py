"""The seed's recurrent networks, by name, as plain data.

Each network is written down once as a :class:`RecurrentVariant`; the Keras
builder in ``models.py`` turns any of them into a model. Parsing is pure
Python so that parameters can be checked when a pipeline is compiled.

A variant is a short name (or the seed's class name) optionally followed by
``+lrRATE`` to override the seed's learning rate, e.g. ``gru64+lr0.001``,
``+epochsN`` and ``+batchN`` for its own training length and batch (the seed
trained 64GRU 80 epochs and 1024GRU 20, the rest 40), and by ``+cudnn`` for the
network's cuDNN-eligible twin: the same network without recurrent dropout,
which keeps Keras off the GPU's cuDNN kernel (docs/gpus.md).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from components.studies.base import ParameterError


@dataclass(frozen=True)
class RecurrentVariant:
    seed_name: str
    cell: str  # "gru" or "lstm"
    units: tuple[int, ...]  # one recurrent layer per entry; all but the last return sequences
    dropout: tuple[float, ...]  # a Dropout layer after each recurrent layer (0: none)
    dense: int  # the ReLU layer before the 10-way softmax
    learning_rate: float  # Nadam's
    cell_dropout: float = 0.0  # dropout on each cell's inputs
    recurrent_dropout: float = 0.0
    bidirectional: bool = False
    epochs: int | None = None  # None: the study's epochs parameter
    batch_size: int | None = None


# The seed's LSTMs drop on the cell inputs and recurrent state rather than between layers.
_LSTM_DROPOUTS: dict[str, Any] = {"dropout": (0.0, 0.0), "cell_dropout": 0.5, "recurrent_dropout": 0.01}

VARIANTS: dict[str, RecurrentVariant] = {
    "deep_gru": RecurrentVariant("RegularizedDeepGRU", "gru", (512, 512), (0.5, 0.5), 128, 0.0005),
    "deep_lstm": RecurrentVariant(
        "RegularizedDeepLSTM", "lstm", (512, 512), dense=128, learning_rate=0.0005, **_LSTM_DROPOUTS
    ),
    "deep_bilstm": RecurrentVariant(
        "RegularizedDeepBidirectionalLSTM",
        "lstm",
        (512, 512),
        dense=128,
        learning_rate=0.0005,
        bidirectional=True,
        **_LSTM_DROPOUTS,
    ),
    "gru1024": RecurrentVariant("Regularized1024GRU", "gru", (1024, 1024), (0.5, 0.5), 256, 0.0005, epochs=20),
    "gru64": RecurrentVariant("Regularized64GRU", "gru", (64, 64), (0.5, 0.5), 32, 0.002, epochs=80),
    "gru4x64": RecurrentVariant("Regularized4x64GRU", "gru", (64, 64, 64, 64), (0.3, 0.3, 0.3, 0.5), 32, 0.001),
}
_BY_SEED_NAME = {v.seed_name: name for name, v in VARIANTS.items()}
_LEARNING_RATE = re.compile(r"^lr(\d*\.?\d+(?:e-?\d+)?)$")
_COUNT = re.compile(r"^(epochs|batch)([1-9]\d*)$")


def parse_variant(name: str) -> RecurrentVariant:
    """The network ``name`` stands for, with its learning rate overridden by a ``+lrRATE`` suffix."""
    base, *options = name.split("+")
    spec = VARIANTS.get(_BY_SEED_NAME.get(base, base))
    if spec is None:
        raise ParameterError(
            f"variant {name!r}: expected one of {', '.join(VARIANTS)} (or the seed's names "
            f"{', '.join(_BY_SEED_NAME)}), optionally followed by '+lrRATE', '+epochsN', '+batchN' and '+cudnn'"
        )
    for option in options:
        if option == "cudnn":
            spec = dataclasses.replace(spec, recurrent_dropout=0.0)
            continue
        count = _COUNT.match(option)
        if count:
            if count.group(1) == "epochs":
                spec = dataclasses.replace(spec, epochs=int(count.group(2)))
            else:
                spec = dataclasses.replace(spec, batch_size=int(count.group(2)))
            continue
        match = _LEARNING_RATE.match(option)
        if not match or float(match.group(1)) <= 0:
            raise ParameterError(
                f"variant {name!r}: unknown option {option!r}; expected lrRATE (like lr0.001), epochsN, batchN or cudnn"
            )
        spec = dataclasses.replace(spec, learning_rate=float(match.group(1)))
    return spec
