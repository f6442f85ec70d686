"""The seed's dense networks, written as short names.

A variant is ``<layers>x<nodes>-<activation>`` followed by options:
``+bn`` (BatchNormalization after every hidden layer), ``+dropout`` (Dropout
0.5 after every hidden layer) or ``+mcdropout`` (Monte-Carlo dropout: the same,
but also active at inference), ``+adam`` or ``+sgd`` (the default: SGD with
momentum 0.9), and ``+lrR`` (a learning rate for this variant only). The
alias ``best`` stands for the seed's best network and may carry options too:
``best+mcdropout`` is the seed's Monte-Carlo dropout run.

Examples from the seed: ``2x20-sigmoid``, ``4x50-sigmoid``, ``2x20-sigmoid+bn``,
``2x20-relu``, ``2x20-sigmoid+adam``, ``2x20-sigmoid+dropout``,
``5x50-sigmoid+bn`` (= ``best``), ``5x50-sigmoid+bn+mcdropout``.
Parsing is pure Python so that parameters can be checked at compile time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.studies.base import ParameterError

ALIASES = {"best": "5x50-sigmoid+bn"}
ACTIVATIONS = ("sigmoid", "relu", "tanh")
OPTIMIZERS = ("sgd", "adam")
DROPOUT_RATE = 0.5
_SHAPE = re.compile(r"^([1-9]\d*)x([1-9]\d*)-([a-z]+)$")
_LEARNING_RATE = re.compile(r"^lr(\d*\.?\d+(?:e-?\d+)?)$")


@dataclass(frozen=True)
class DnnVariant:
    """The arguments of :func:`components.studies.mirai.models.build_dnn` that a name fixes."""

    n_layers: int
    n_nodes: int
    activation: str
    optimizer: str = "sgd"
    learning_rate: float | None = None  # None: the run's learning_rate parameter
    batch_norm: bool = False
    dropout: bool = False
    mc_dropout: bool = False


def parse_variant(name: str) -> DnnVariant:
    head, *options = name.strip().split("+")
    if head in ALIASES:
        head, *implied = ALIASES[head].split("+")
        options = implied + options
    shape = _SHAPE.match(head)
    if not shape or shape.group(3) not in ACTIVATIONS:
        raise ParameterError(
            f"variant {name!r}: expected '<layers>x<nodes>-<activation>' with activation one of "
            f"{', '.join(ACTIVATIONS)} (like '5x50-sigmoid+bn'), or the alias 'best'"
        )
    kwargs: dict = {"n_layers": int(shape.group(1)), "n_nodes": int(shape.group(2)), "activation": shape.group(3)}
    for option in options:
        rate = _LEARNING_RATE.match(option)
        if option == "bn":
            kwargs["batch_norm"] = True
        elif option in ("dropout", "mcdropout"):
            kwargs["mc_dropout" if option == "mcdropout" else "dropout"] = True
        elif option in OPTIMIZERS:
            kwargs["optimizer"] = option
        elif rate and float(rate.group(1)) > 0:
            kwargs["learning_rate"] = float(rate.group(1))
        else:
            raise ParameterError(
                f"variant {name!r}: unknown option {option!r}; expected bn, dropout, mcdropout, sgd, adam or lrR"
            )
    if kwargs.get("dropout") and kwargs.get("mc_dropout"):
        raise ParameterError(f"variant {name!r}: choose one of dropout and mcdropout")
    return DnnVariant(**kwargs)
