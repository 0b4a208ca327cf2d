"""Backtest metrics: precision at top k, deciles, tiers, capacity threshold."""

import numpy as np

from orchestration.calibration.metrics import (
    by_tier,
    capacity_threshold,
    deciles,
    evaluate,
    is_monotonic,
    precision_at,
)


def test_precision_at_top_share():
    score = np.arange(10, dtype=float)
    y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    assert precision_at(score, y, 0.2) == 1.0
    assert precision_at(score, y, 0.4) == 0.5


def test_deciles_low_to_high_and_lift():
    score = np.arange(100, dtype=float)
    y = (score >= 90).astype(int)
    d = deciles(score, score / 100, y)
    assert [x["observed"] for x in d] == [0.0] * 9 + [1.0]
    assert d[-1]["lift"] == 10.0
    assert is_monotonic([x["observed"] for x in d])


def test_by_tier_rates():
    t = by_tier(np.array(["A", "A", "B", "B"]), np.array([1, 1, 0, 1]))
    assert [(r["tier"], r["rate"], r["n"]) for r in t] == [("A", 1.0, 2), ("B", 0.5, 2)]


def test_capacity_threshold_matches_weekly_volume():
    score = np.repeat(np.arange(0, 100, 10), 10).astype(float)  # 10 leads at each of 0,10,...,90
    y = (score >= 80).astype(int)
    c = capacity_threshold(score, y, weeks=2.0, capacity=10)  # 20 leads over 2 weeks
    assert c["threshold"] == 71 and c["mql_per_week"] == 10.0 and c["precision"] == 1.0


def test_is_monotonic_tolerance():
    assert not is_monotonic([0.1, 0.3, 0.25])
    assert is_monotonic([0.1, 0.3, 0.25], tolerance=0.06)


def test_evaluate_auc_and_brier():
    y = np.array([0, 0, 1, 1])
    m = evaluate("x", np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 0.0, 1.0, 1.0]), y)
    assert m.auc == 1.0 and m.brier == 0.0 and m.precision_at["top10"] == 1.0
