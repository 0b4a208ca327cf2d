"""Engagement category caps re-learnt with the points (orchestration/calibration/engagement_caps)."""

from datetime import datetime

import numpy as np

from orchestration.calibration.engagement_caps import (
    engagement_score,
    matched_cap,
    relearn_caps,
)
from orchestration.calibration.warehouse_features import RuleSet, Snapshot


def rules(points: float, cap: float) -> RuleSet:
    return RuleSet(
        model_id="m",
        model_row={},
        fit_rules=[],
        engagement_rules=[{"rule_id": "visit", "category": "web", "points": str(points)}],
        caps={"web": cap},
        fit_bands=[("A", 70.0), ("D", 0.0)],
        engagement_bands=[(1, 0.0)],
        tiers={},
        fit_weight=0.0,
        engagement_weight=1.0,
    )


def snapshot(counts: np.ndarray, y: np.ndarray) -> Snapshot:
    n = len(y)
    return Snapshot(
        as_of=datetime(2026, 1, 1),
        horizon_days=30,
        lead_ids=[str(i) for i in range(n)],
        y=y,
        created_at=np.array(["2025-12-01"] * n, dtype="datetime64[D]"),
        fit_keys=[],
        F=np.zeros((n, 0)),
        eng_keys=["visit"],
        E=counts.reshape(-1, 1).astype(float),
    )


def test_engagement_score_caps_each_category_then_clamps():
    sums = {"a": np.array([5.0, 30.0, -10.0]), "b": np.array([90.0, 90.0, 0.0])}
    assert engagement_score(sums, {"a": 20.0}, 3).tolist() == [95.0, 100.0, 0.0]


def test_matched_cap_binds_for_the_same_share():
    old = np.array([0, 10, 20, 30, 40], dtype=float)  # a cap of 25 binds for 2 of 5 leads
    assert matched_cap(old, old * 2, 25.0) == 60.0  # 2 of 5 exceed it on the doubled points
    assert matched_cap(old, old * 2, 100.0) == 200.0  # never binds: scaled with the points


def test_caps_follow_the_data():
    rng = np.random.default_rng(3)
    counts = rng.poisson(3.0, 4000)
    # more visits keep raising the odds: a tight cap throws the ranking away
    linear = (rng.random(4000) < 1 / (1 + np.exp(-(counts - 4) * 0.8))).astype(int)
    champion, challenger = rules(10, 10), rules(5, 10)
    table = relearn_caps(
        champion, challenger, snapshot(counts, linear), snapshot(counts, linear), np.zeros(4000)
    )
    assert challenger.caps["web"] > 20 and table[0]["choice"] in ("x2 of matched", "no cap")
    assert table[0]["champion"] == 10 and table[0]["matched"] == 5.0
    # only the first visit matters: the cap matched to the new scale stays (no gain elsewhere)
    first = (rng.random(4000) < np.where(counts > 0, 0.4, 0.05)).astype(int)
    champion, challenger = rules(10, 10), rules(5, 10)
    table = relearn_caps(
        champion, challenger, snapshot(counts, first), snapshot(counts, first), np.zeros(4000)
    )
    assert table[0]["choice"] == "x1 of matched" and challenger.caps["web"] == 5.0


def test_a_category_without_positive_points_keeps_its_cap():
    counts = np.arange(100) % 5
    y = (counts > 2).astype(int)
    champion, challenger = rules(10, 10), rules(0, 10)
    table = relearn_caps(
        champion, challenger, snapshot(counts, y), snapshot(counts, y), np.zeros(100)
    )
    assert challenger.caps == {"web": 10} and table[0]["choice"].startswith("kept")
