"""Min and median over repeats, of values and of paired ratios.

Absolute times on a shared machine are noisy, so the report leans on
ratios of two measurements taken back to back in the same repeat (paired),
which cancel most of the machine's drift."""

from __future__ import annotations

import statistics


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "values": list(values)}


def paired_ratios(numerators: list[float], denominators: list[float]) -> dict:
    if len(numerators) != len(denominators):
        raise ValueError("paired ratios need as many numerators as denominators")
    return spread([n / d for n, d in zip(numerators, denominators, strict=False)])
