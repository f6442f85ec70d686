"""Floating-point operations of one training sample, counted from a Keras model's layers.

Counted: multiply-adds of convolutions and dense layers (2 FLOPs each), the
work that dominates a CNN. A training step does the forward pass and a
backward pass of about twice its cost (gradients with respect to inputs and
to weights), hence 3 x forward; activations, pooling and the optimizer are
left out, so the achieved rate derived from this is slightly understated.
Models with other weighted layers (recurrent ones) get no count (None)
rather than a wrong one.
"""

from __future__ import annotations

import math

COUNTED = ("Conv2D", "Dense")
NEGLIGIBLE = ("BatchNormalization",)  # weighted, but a few operations per activation


def forward_flops_per_sample(model) -> float | None:
    total = 0.0
    for layer in model.layers:
        kind = type(layer).__name__
        if layer.weights and kind not in COUNTED + NEGLIGIBLE:
            return None
        if kind == "Conv2D":
            kernel = layer.kernel.shape  # (kh, kw, in, out)
            positions = math.prod(layer.output.shape[1:3])
            total += 2.0 * positions * math.prod(kernel)
        elif kind == "Dense":
            total += 2.0 * math.prod(layer.kernel.shape)
    return total


def training_flops_per_sample(model) -> float | None:
    forward = forward_flops_per_sample(model)
    return None if forward is None else 3.0 * forward
