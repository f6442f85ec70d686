import numpy as np
import pytest

from components.studies.digits import trajectory


def test_centre_subtracts_the_mean_point():
    xy = np.array([[1.0, 2.0], [3.0, 6.0]])
    assert trajectory.centre(xy).tolist() == [[-1.0, -2.0], [1.0, 2.0]]


def test_unit_distance_puts_a_squares_corners_on_the_unit_circle():
    square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [1.0, 1.0]])
    out = trajectory.unit_distance(trajectory.centre(square))
    s = 1 / np.sqrt(2)  # corners at (±1, ±1) from the centroid, distance sqrt(2)
    assert np.allclose(out, [[-s, -s], [s, -s], [s, s], [-s, s], [0.0, 0.0]])


def test_unit_distance_leaves_a_single_dot_at_the_origin():
    assert trajectory.unit_distance(np.zeros((3, 2))).tolist() == [[0.0, 0.0]] * 3


def test_repeated_consecutive_points_are_dropped_but_returns_are_kept():
    xy = np.array([[0, 0], [0, 0], [1, 0], [1, 0], [1, 0], [0, 0], [1, 1]], float)
    assert trajectory.drop_repeats(xy).tolist() == [[0, 0], [1, 0], [0, 0], [1, 1]]


def test_clean_runs_the_seed_steps_in_order():
    xy = np.array([[0, 0], [0, 0], [4, 0], [4, 0]], float)  # mean (2, 0), radius 2
    assert trajectory.clean(xy).tolist() == [[-1.0, 0.0], [1.0, 0.0]]


def test_spline_resampling_gives_exactly_the_asked_points_and_keeps_the_endpoints():
    t = np.linspace(0, 1.5 * np.pi, 23)
    xy = np.stack([np.cos(t), np.sin(t)], axis=1)
    out = trajectory.resample(xy, 50)
    assert out.shape == (50, 2) and out.dtype == np.float32
    assert np.allclose(out[0], xy[0], atol=1e-6) and np.allclose(out[-1], xy[-1], atol=1e-6)
    assert np.allclose(np.hypot(out[:, 0], out[:, 1]), 1.0, atol=1e-3), "stays on the arc it interpolates"


def test_spline_through_evenly_spaced_collinear_points_is_the_evenly_spaced_line():
    xy = np.stack([np.linspace(0, 1, 5), np.zeros(5)], axis=1)
    out = trajectory.resample(xy, 50)
    assert np.allclose(out[:, 0], np.linspace(0, 1, 50), atol=1e-6) and np.allclose(out[:, 1], 0.0)


@pytest.mark.parametrize(
    "xy, expected_x, expected_y",
    [
        # two points: a straight line
        ([[0.0, 0.0], [1.0, 0.0]], np.linspace(0, 1, 5), np.zeros(5)),
        # three points, an L of legs 1 and 1: the middle sample sits on the corner
        ([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]], [0, 0.5, 1, 1, 1], [0, 0, 0, 0.5, 1]),
        # a single dot
        ([[0.3, -0.2]], [0.3] * 5, [-0.2] * 5),
    ],
)
def test_degenerate_samples_fall_back_to_linear_interpolation(xy, expected_x, expected_y):
    out = trajectory.resample(np.array(xy), 5)
    assert out.shape == (5, 2)
    assert np.allclose(out[:, 0], expected_x) and np.allclose(out[:, 1], expected_y)


def test_reverse_time_writes_each_trajectory_backwards():
    batch = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    assert trajectory.reverse_time(batch).tolist() == [[[4, 5], [2, 3], [0, 1]], [[10, 11], [8, 9], [6, 7]]]
