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


def test_compare_keeps_the_champion_within_the_noise_and_adopts_a_clearly_better_score():
    from orchestration.calibration.metrics import compare

    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.2).astype(int)
    signal = y + rng.normal(0, 1.0, 3000)
    same = compare(signal, signal + rng.normal(0, 0.05, 3000), y, k=300)
    assert not same.adopt and same.sentence.startswith("Keep the champion")
    assert same.auc_ci[0] < 0 < same.auc_ci[1]
    better = compare(rng.normal(0, 1, 3000), signal, y, k=300)
    assert better.adopt and better.auc_ci[0] > 0.2 and better.sentence.startswith("Adopt")
    worse = compare(signal, rng.normal(0, 1, 3000), y, k=300)
    assert not worse.adopt and worse.auc_diff < -0.2


def test_matched_threshold_keeps_the_share_of_leads():
    from orchestration.calibration.metrics import matched_threshold

    old = np.arange(100.0)  # 0..99: 40% of leads score >= 60
    new = np.arange(100.0) / 2  # same ranking, half the scale
    t = matched_threshold(old, new, 60.0)
    assert t == 30.0 and np.mean(new >= t) == np.mean(old >= 60.0) == 0.4


def test_bounded_logistic_respects_signs_and_matches_the_free_fit_when_unbound():
    from orchestration.calibration.fitting import fit_logistic, fit_logistic_bounded

    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 3))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(X @ np.array([1.0, -1.0, 0.5]))))).astype(int)
    free = fit_logistic(X, y, grid=(1.0,), folds=0)
    same = fit_logistic_bounded(X, y, 1.0, np.full(3, -np.inf), np.full(3, np.inf))
    assert np.allclose(same.coef, free.coef, atol=1e-3)
    bounded = fit_logistic_bounded(X, y, 1.0, np.array([-np.inf, 0.0, -np.inf]), np.full(3, np.inf))
    assert bounded.coef[1] == 0.0 and bounded.coef[0] > 0.5 and bounded.coef[2] > 0.2


def test_matched_threshold_of_a_positive_band_stays_positive():
    from orchestration.calibration.metrics import matched_threshold

    old = np.array([0.0, 5.0, 12.0, 30.0, 60.0])  # 60% at or above 10
    new = np.array([0.0, 0.0, 0.0, 0.4, 3.0])  # the challenger puts most leads at 0
    assert matched_threshold(old, new, 10.0) == 0.4


def test_compare_never_adopts_a_challenger_that_ranks_worse_even_with_better_mqls():
    """Issue 14: a challenger whose MQLs at capacity convert better beyond the noise but whose
    ranking of all leads (AUC) is worse is not adopted: keep the champion."""
    from orchestration.calibration.metrics import compare

    rng = np.random.default_rng(3)
    n, k = 4000, 200
    y = (rng.random(n) < 0.15).astype(int)
    champion = y + rng.normal(0, 1.0, n)
    top = champion >= np.sort(champion)[-2 * k]
    # the challenger sorts the champion's top 2k perfectly (better MQLs) and ranks the
    # remaining 3,600 leads at random (a worse ranking overall)
    challenger = np.where(top, 100.0 + y, rng.normal(0, 1.0, n))
    verdict = compare(champion, challenger, y, k=k)
    assert verdict.precision_ci[0] > 0.1  # MQL precision better beyond the noise
    assert verdict.auc_diff < -0.05 and verdict.auc_ci[1] < 0  # ranks worse
    assert not verdict.adopt and verdict.sentence.startswith("Keep the champion")
