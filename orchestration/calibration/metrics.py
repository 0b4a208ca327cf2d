"""Backtest metrics of one score against observed outcomes.

ROC AUC, Brier score (on probabilities from a logistic map fitted on the training
window), precision at the top 10% / 20%, conversion and lift per tier, calibration by
decile (predicted vs observed), and the MQL threshold that matches a weekly capacity.
"""

from __future__ import annotations

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
    return all(b >= a - tolerance for a, b in zip(values, values[1:]))


def format_metrics(metrics: list[ScoreMetrics]) -> str:
    """Printable side-by-side summary."""
    lines = [f"{'metric':<26}" + "".join(f"{m.name:>14}" for m in metrics)]

    def row(label, fn, fmt="{:>14.3f}"):
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
