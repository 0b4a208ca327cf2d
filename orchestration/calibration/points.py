"""Turn logistic coefficients into rule points on a 0-100 scale.

Two shapes:

* :func:`one_hot_points` — attributes whose levels are mutually exclusive (the CSV path):
  per attribute the worst level gets 0, and the scale is chosen so the best level of every
  attribute sums to exactly 100. Points are then monotone in the model's log-odds. They are
  multiples of ``step`` (1, 0.5, 0.1, 0.05 or 0.01: the models hold points as decimal(9, 2)):
  with many attributes sharing 100 points, whole points merge levels the model tells apart,
  so the calibration picks the coarsest step that keeps the model's ranking (csv_calibration).
* :func:`scaled_points` — overlapping rules (the warehouse path: one feature per existing
  rule): points = round(coef * scale) with one scale for the whole score, chosen so the
  top of the training distribution of the score lands at 100 (the dbt models clamp 0-100).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

#: Point resolutions tried, coarsest first (two decimals at most: decimal(9, 2) in the models).
STEPS = (1.0, 0.5, 0.1, 0.05, 0.01)


def one_hot_points(
    coef: np.ndarray, groups: list[str], total: int = 100, step: float = 1.0
) -> np.ndarray:
    """Points per level in multiples of `step`: per group the minimum is 0, maxima sum to total."""
    coef = np.asarray(coef, dtype=float)
    units = int(round(total / step))
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    shifted = coef.copy()
    spans = {}
    for g, idx in by_group.items():
        shifted[idx] = coef[idx] - coef[idx].min()
        spans[g] = shifted[idx].max()
    span_total = sum(spans.values())
    if span_total <= 0:
        return np.zeros(len(coef), dtype=int)
    raw = shifted * (units / span_total)
    points = np.floor(raw + 0.5).astype(int)
    # Largest-remainder correction so the best-case sum is exactly `total`.
    maxima = {g: int(points[idx].max()) for g, idx in by_group.items()}
    diff = units - sum(maxima.values())
    order = sorted(
        by_group,
        key=lambda g: (
            (raw[by_group[g]].max() - points[by_group[g]].max()) * (1 if diff > 0 else -1)
        ),
        reverse=True,
    )
    for g in order[: abs(diff)]:
        idx = by_group[g]
        top = idx[int(np.argmax(points[idx]))]
        points[top] += 1 if diff > 0 else -1
    if step == 1.0:
        return points
    return np.round(points * step, 2)


def format_points(value: float) -> str:
    """Seed text of a point value: '12', '-3', '12.5', '0.05' (no trailing zeros)."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def scaled_points(
    coef: np.ndarray, X_train: np.ndarray, top_quantile: float = 0.99
) -> tuple[np.ndarray, float]:
    """Points = round(coef * scale), scale so the training score's top quantile maps to 100."""
    coef = np.asarray(coef, dtype=float)
    linear = np.asarray(X_train, dtype=float) @ coef
    positive = linear[linear > 0]
    top = float(np.quantile(positive, top_quantile)) if positive.size else 0.0
    if top <= 0:
        return np.zeros(len(coef), dtype=int), 0.0
    scale = 100.0 / top
    return np.round(coef * scale).astype(int), scale
