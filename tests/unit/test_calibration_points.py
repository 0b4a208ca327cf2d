"""Coefficients → integer points on a 0-100 scale."""

import numpy as np

from orchestration.calibration.points import one_hot_points, scaled_points


def test_one_hot_points_zero_floor_and_sum_of_maxima_is_100():
    coef = np.array([0.2, -0.4, 1.0, 0.3, 0.35, -1.0])
    groups = ["a", "a", "a", "b", "b", "c"]
    pts = one_hot_points(coef, groups)
    assert pts[1] == 0 and pts[3] == 0 and pts[5] == 0  # worst level of each group is 0
    assert pts[2] + pts[4] + pts[5] == 100  # best of every group sums to 100
    assert pts[2] > pts[0] > pts[1]  # order kept within a group


def test_one_hot_points_exact_values():
    pts = one_hot_points(np.array([0.0, 1.0, 0.0, 3.0]), ["x", "x", "y", "y"])
    assert pts.tolist() == [0, 25, 0, 75]


def test_one_hot_points_all_equal_gives_zero():
    assert one_hot_points(np.array([0.5, 0.5]), ["x", "x"]).tolist() == [0, 0]


def test_scaled_points_top_quantile_maps_to_100():
    X = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    pts, scale = scaled_points(np.array([1.0, 3.0]), X, top_quantile=1.0)
    assert scale == 25.0
    assert pts.tolist() == [25, 75]
