"""The seed's dense-network variants, written as short names.

A variant is either an alias (``final``, ``baseline``) or layer sizes ending
in the single sigmoid unit, optionally followed by ``+l1``, ``+l2`` (weight
0.001, as in the seed) and ``+dropoutR``. Examples from the seed's sweep:
``16-16-1``, ``64-64-64-1+dropout0.5``, ``128-64-32-1+l2``.
Parsing is pure Python so that parameters can be checked at compile time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.studies.base import ParameterError

ALIASES = {
    # The seed's final network "16-8-4-1|64": L2 on the hidden layers, dropout 0.4.
    "final": "16-8-4-1+l2+dropout0.4",
    # The seed's first try (4-2, which lacked the sigmoid output: fixed here).
    "baseline": "4-2-1",
}
REGULARIZATION = 0.001
_OPTION = re.compile(r"^(l1|l2|dropout(0?\.\d+))$")


@dataclass(frozen=True)
class DenseVariant:
    hidden: tuple[int, ...]
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0


def parse_variant(name: str) -> DenseVariant:
    spec = ALIASES.get(name, name)
    layers, *options = spec.split("+")
    try:
        sizes = tuple(int(s) for s in layers.split("-"))
    except ValueError:
        sizes = ()
    if len(sizes) < 2 or sizes[-1] != 1 or min(sizes) < 1:
        raise ParameterError(
            f"variant {name!r}: expected an alias ({', '.join(ALIASES)}) or layer sizes "
            "ending in the output unit, like '16-16-1' or '64-32-16-1+l2+dropout0.5'"
        )
    kwargs = {}
    for option in options:
        match = _OPTION.match(option)
        if not match:
            raise ParameterError(f"variant {name!r}: unknown option {option!r}; expected l1, l2 or dropoutR")
        if match.group(2):
            kwargs["dropout"] = float(match.group(2))
        else:
            kwargs[option] = REGULARIZATION
    return DenseVariant(hidden=sizes[:-1], **kwargs)
