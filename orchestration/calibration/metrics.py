"""Backtest metrics of one score against observed outcomes.

ROC AUC, Brier score (on probabilities from a logistic map fitted on the training
window), precision at the top 10% / 20%, conversion and lift per tier, calibration by
decile (predicted vs observed), and the MQL threshold that matches a weekly capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score


@dataclass
class ScoreMetrics:
    """Everything the report shows for one score (champion or challenger)."""

    name: str
    n: int
    base_rate: float
    auc: float
    brier: float
    precision_at: dict[str, float]
    deciles: list[dict] = field(default_factory=list)  # decile, n, predicted, observed, lift
    tiers: list[dict] = field(default_factory=list)  # tier, n, conversions, rate, lift
    capacity: dict | None = None


def precision_at(score: np.ndarray, y: np.ndarray, share: float) -> float:
    """Conversion rate among the top `share` of leads by score (ties broken by order)."""
    k = max(1, int(round(len(score) * share)))
    top = np.argsort(-score, kind="stable")[:k]
    return float(y[top].mean())


def deciles(score: np.ndarray, prob: np.ndarray, y: np.ndarray) -> list[dict]:
    """Decile 1 = lowest scores ... 10 = highest; predicted and observed conversion."""
    order = np.argsort(score, kind="stable")
    base = y.mean() if len(y) else 0.0
    out = []
    for d, idx in enumerate(np.array_split(order, 10), start=1):
        if len(idx) == 0:
            continue
        obs = float(y[idx].mean())
        out.append(
            {
                "decile": d,
                "n": len(idx),
                "min_score": float(score[idx].min()),
                "predicted": float(prob[idx].mean()),
                "observed": obs,
                "lift": obs / base if base else float("nan"),
            }
        )
    return out


def by_tier(tiers: np.ndarray, y: np.ndarray) -> list[dict]:
    """Conversion rate and lift per tier label (sorted by label)."""
    base = y.mean() if len(y) else 0.0
    out = []
    for t in sorted(set(tiers.tolist())):
        m = tiers == t
        rate = float(y[m].mean())
        out.append(
            {
                "tier": str(t),
                "n": int(m.sum()),
                "conversions": int(y[m].sum()),
                "rate": rate,
                "lift": rate / base if base else float("nan"),
            }
        )
    return out


def capacity_threshold(score: np.ndarray, y: np.ndarray, weeks: float, capacity: int) -> dict:
    """Lowest integer threshold whose weekly volume (score >= t) stays within `capacity`."""
    weeks = max(weeks, 1e-9)
    chosen = None
    for t in range(102):
        vol = (score >= t).sum() / weeks
        if vol <= capacity:
            chosen = t
            break
    if chosen is None:
        chosen = 101
    m = score >= chosen
    return {
        "capacity_per_week": capacity,
        "threshold": chosen,
        "mql_per_week": float(m.sum() / weeks),
        "precision": float(y[m].mean()) if m.any() else float("nan"),
        "recall": float(y[m].sum() / y.sum()) if y.sum() else float("nan"),
    }


def evaluate(
    name: str,
    score: np.ndarray,
    prob: np.ndarray,
    y: np.ndarray,
    tiers: np.ndarray | None = None,
    capacity: int | None = None,
    weeks: float | None = None,
) -> ScoreMetrics:
    """All metrics of one score on an evaluation set."""
    score = np.asarray(score, dtype=float)
    y = np.asarray(y, dtype=int)
    auc = float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")
    return ScoreMetrics(
        name=name,
        n=len(y),
        base_rate=float(y.mean()),
        auc=auc,
        brier=float(brier_score_loss(y, prob)),
        precision_at={"top10": precision_at(score, y, 0.10), "top20": precision_at(score, y, 0.20)},
        deciles=deciles(score, prob, y),
        tiers=by_tier(np.asarray(tiers), y) if tiers is not None else [],
        capacity=capacity_threshold(score, y, weeks, capacity) if capacity and weeks else None,
    )


def is_monotonic(values: list[float], tolerance: float = 0.0) -> bool:
    """True when each value is >= the previous one minus `tolerance`."""
    return all(b >= a - tolerance for a, b in zip(values, values[1:], strict=False))


def format_metrics(metrics: list[ScoreMetrics]) -> str:
    """Printable side-by-side summary."""
    lines = [f"{'metric':<26}" + "".join(f"{m.name:>14}" for m in metrics)]

    def row(label: str, fn: Callable[[ScoreMetrics], float], fmt: str = "{:>14.3f}") -> None:
        lines.append(f"{label:<26}" + "".join(fmt.format(fn(m)) for m in metrics))

    row("leads evaluated", lambda m: m.n, "{:>14d}")
    row("base conversion rate", lambda m: m.base_rate)
    row("ROC AUC", lambda m: m.auc)
    row("Brier score", lambda m: m.brier, "{:>14.4f}")
    row("precision @ top 10%", lambda m: m.precision_at["top10"])
    row("precision @ top 20%", lambda m: m.precision_at["top20"])
    if all(m.capacity for m in metrics):
        row("MQL threshold (capacity)", lambda m: m.capacity["threshold"], "{:>14d}")
        row("  MQLs per week", lambda m: m.capacity["mql_per_week"], "{:>14.1f}")
        row("  precision of MQLs", lambda m: m.capacity["precision"])
    for m in metrics:
        if m.tiers:
            lines.append(
                f"conversion by tier ({m.name}): "
                + ", ".join(
                    f"{t['tier']} {t['rate']:.3f} (n={t['n']}, lift {t['lift']:.2f})"
                    for t in m.tiers
                )
            )
        lines.append(
            f"observed conversion by decile ({m.name}, low→high): "
            + " ".join(f"{d['observed']:.3f}" for d in m.deciles)
        )
    return "\n".join(lines)


def top_k_precision(score: np.ndarray, y: np.ndarray, k: int) -> float:
    """Conversion rate of the k best-scored leads (the MQLs a capacity of k leads would take)."""
    k = max(1, min(int(k), len(score)))
    return float(y[np.argsort(-score, kind="stable")[:k]].mean())


@dataclass
class Comparison:
    """Challenger minus champion on the backtest, with paired-bootstrap 95% intervals."""

    auc_diff: float
    auc_ci: tuple[float, float]
    precision_diff: float
    precision_ci: tuple[float, float]
    k: int  # MQLs at capacity over the evaluation window
    adopt: bool
    sentence: str


def compare(
    champion: np.ndarray,
    challenger: np.ndarray,
    y: np.ndarray,
    k: int,
    rounds: int = 400,
    seed: int = 0,
) -> Comparison:
    """Paired bootstrap of ΔAUC and Δprecision of the top-k (MQLs at capacity).

    Adopt only when the challenger is better beyond the noise on one (95% interval above 0)
    and not worse on the other (point estimate >= 0): otherwise keep the champion.
    """
    y = np.asarray(y, dtype=int)
    rng = np.random.default_rng(seed)
    n = len(y)
    k_share = k / n
    auc_d, prec_d = [], []
    for _ in range(rounds):
        idx = rng.integers(0, n, n)
        yy = y[idx]
        if yy.min() == yy.max():
            continue
        kk = max(1, int(round(k_share * n)))
        auc_d.append(roc_auc_score(yy, challenger[idx]) - roc_auc_score(yy, champion[idx]))
        prec_d.append(
            top_k_precision(challenger[idx], yy, kk) - top_k_precision(champion[idx], yy, kk)
        )
    auc_diff = float(roc_auc_score(y, challenger) - roc_auc_score(y, champion))
    prec_diff = top_k_precision(challenger, y, k) - top_k_precision(champion, y, k)
    auc_ci = (float(np.quantile(auc_d, 0.025)), float(np.quantile(auc_d, 0.975)))
    prec_ci = (float(np.quantile(prec_d, 0.025)), float(np.quantile(prec_d, 0.975)))
    better_auc = auc_ci[0] > 0 and prec_diff >= 0
    better_prec = prec_ci[0] > 0 and auc_diff >= 0
    adopt = better_auc or better_prec
    detail = (
        f"AUC {auc_diff:+.3f} (95% CI {auc_ci[0]:+.3f} to {auc_ci[1]:+.3f}), precision of the "
        f"{k:,} MQLs at capacity {100 * prec_diff:+.1f} points (95% CI {100 * prec_ci[0]:+.1f} "
        f"to {100 * prec_ci[1]:+.1f})"
    )
    sentence = (
        f"Adopt the challenger: it is better beyond the noise on the backtest — {detail}."
        if adopt
        else f"Keep the champion: the challenger is not better beyond the noise — {detail}."
    )
    return Comparison(auc_diff, auc_ci, prec_diff, prec_ci, k, adopt, sentence)


def matched_threshold(reference: np.ndarray, new: np.ndarray, threshold: float) -> float:
    """The threshold on `new` that selects the same share of leads as `threshold` on `reference`
    (so re-learnt bands and MQL thresholds keep the volumes the team is used to)."""
    share = float(np.mean(np.asarray(reference) >= threshold))
    if share >= 1.0:
        return float(np.min(new)) if threshold <= 0 else threshold
    if share <= 0.0:
        return float(np.max(new)) + 1.0
    new = np.asarray(new, dtype=float)
    value = round(float(np.quantile(new, 1.0 - share, method="higher")), 1)
    if threshold > 0 and value <= 0 and (new > 0).any():
        value = float(new[new > 0].min())  # a positive band stays above the zero band
    return value
