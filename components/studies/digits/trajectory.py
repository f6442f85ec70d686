"""Per-sample pen-trajectory transforms, in the seed's order.

1. centre: subtract the mean point;
2. unit distance: divide by the largest distance of any point from the
   centroid, so every digit fits the unit disc whatever the tablet or size;
3. drop repeated consecutive points (a pen resting on the tablet), which
   would give the spline zero-length steps;
4. resample: a parametric cubic spline through the points (``splprep`` with
   ``s=0``, parameterised by chord length), evaluated at evenly spaced
   parameter values, so every sample has the same number of points.

All of these are stateless: nothing is fitted on data.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import splev, splprep

SPLINE_DEGREE = 3


def centre(xy: np.ndarray) -> np.ndarray:
    return xy - xy.mean(axis=0)


def unit_distance(xy: np.ndarray) -> np.ndarray:
    """Scale a centred trajectory so its farthest point is at distance 1.
    A single dot (every point at the centroid) is left at the origin."""
    radius = np.sqrt((xy**2).sum(axis=1)).max()
    return xy / radius if radius > 0 else xy


def drop_repeats(xy: np.ndarray) -> np.ndarray:
    """Keep the first point and every point that differs from the one before it."""
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    return xy[keep]


def clean(xy: np.ndarray) -> np.ndarray:
    """Steps 1-3 on one sample, in float64."""
    return drop_repeats(unit_distance(centre(np.asarray(xy, np.float64))))


def resample(xy: np.ndarray, points: int) -> np.ndarray:
    """``points`` evenly spaced (in spline parameter) positions along the
    trajectory, first and last points kept, as float32.

    A cubic spline needs at least 4 points. Shorter (degenerate) samples fall
    back to straight lines between their points, evenly spaced by length,
    which is what a spline through 2 points is anyway; a single dot becomes
    ``points`` copies of itself.
    """
    at = np.linspace(0.0, 1.0, points)
    if len(xy) > SPLINE_DEGREE:
        tck, _ = splprep([xy[:, 0], xy[:, 1]], s=0, k=SPLINE_DEGREE)
        out = np.stack(splev(at, tck), axis=1)
    elif len(xy) > 1:
        steps = np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1))
        u = np.concatenate([[0.0], np.cumsum(steps)]) / steps.sum()
        out = np.stack([np.interp(at, u, xy[:, 0]), np.interp(at, u, xy[:, 1])], axis=1)
    else:
        out = np.repeat(xy[:1], points, axis=0)
    return out.astype(np.float32)


def reverse_time(batch: np.ndarray) -> np.ndarray:
    """Each trajectory of a ``(samples, points, 2)`` batch written backwards."""
    return batch[:, ::-1]
