"""Regularised logistic regression with cross-validated AUC (scikit-learn).

Columns are standardised before the fit (so the L2 penalty treats counts and 0/1 flags
alike) and the coefficients are returned in the original units. One-hot designs are fitted
unstandardised (``standardise=False``): the same penalty on every level's coefficient shrinks
rarely seen levels towards the average — a smoothed estimate, the regularisation that
high-cardinality categories need — where standardising would inflate them. The penalty strength C
is chosen on a small grid by stratified k-fold ROC AUC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

C_GRID = (0.001, 0.01, 0.1, 1.0)


@dataclass
class LogitFit:
    """Coefficients in original units, intercept, chosen C and its CV AUC."""

    coef: np.ndarray
    intercept: float
    C: float
    cv_auc: float
    cv_auc_by_C: dict[float, float]


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1.0
    return (X - mean) / std, mean, std


def _model(C: float) -> LogisticRegression:
    return LogisticRegression(C=C, l1_ratio=0.0, solver="lbfgs", max_iter=2000)


def _identity(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return X, np.zeros(X.shape[1]), np.ones(X.shape[1])


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    grid: tuple[float, ...] | None = None,
    standardise: bool = True,
) -> LogitFit:
    """Fit an L2 logistic regression, choosing C in `grid` by cross-validated ROC AUC.

    ``folds=0`` with a one-value grid skips the cross-validation (cv_auc is then NaN).
    """
    Xs, mean, std = (_standardise if standardise else _identity)(np.asarray(X, dtype=float))
    if not standardise:  # 0/1 one-hot levels: sparse rows fit several times faster
        Xs = sparse.csr_matrix(Xs)
    y = np.asarray(y, dtype=int)
    grid = tuple(grid or C_GRID)
    if folds == 0 and len(grid) == 1:
        m = _model(grid[0]).fit(Xs, y)
        coef = m.coef_[0] / std
        return LogitFit(
            coef, float(m.intercept_[0] - (coef * mean).sum()), grid[0], float("nan"), {}
        )
    folds = max(2, min(folds, int(y.sum()), int((1 - y).sum())))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores: dict[float, float] = {}
    for C in grid:
        aucs = []
        for train, test in skf.split(Xs, y):
            m = _model(C).fit(Xs[train], y[train])
            aucs.append(roc_auc_score(y[test], m.decision_function(Xs[test])))
        scores[C] = float(np.mean(aucs))
    best = max(scores, key=lambda c: (scores[c], -c))
    m = _model(best).fit(Xs, y)
    coef = m.coef_[0] / std
    intercept = float(m.intercept_[0] - (coef * mean).sum())
    return LogitFit(coef=coef, intercept=intercept, C=best, cv_auc=scores[best], cv_auc_by_C=scores)


def fit_score_to_probability(
    train_scores: np.ndarray, train_y: np.ndarray
) -> Callable[[np.ndarray], np.ndarray]:
    """Map a score (one or more columns) to a probability by a logistic fit on training rows.

    Returns a function ``scores -> probabilities``.
    """
    S = np.asarray(train_scores, dtype=float)
    if S.ndim == 1:
        S = S[:, None]
    Ss, mean, std = _standardise(S)
    m = LogisticRegression(C=1e6, l1_ratio=0.0, max_iter=2000).fit(Ss, np.asarray(train_y, int))

    def predict(scores: np.ndarray) -> np.ndarray:
        T = np.asarray(scores, dtype=float)
        if T.ndim == 1:
            T = T[:, None]
        return m.predict_proba((T - mean) / std)[:, 1]

    return predict


def fit_logistic_bounded(
    X: np.ndarray, y: np.ndarray, C: float, lower: np.ndarray, upper: np.ndarray
) -> LogitFit:
    """L2 logistic regression (standardised, penalty C as in scikit-learn) with sign bounds.

    ``lower``/``upper`` bound each coefficient (-inf/inf when free; use 0 to forbid a sign).
    Standardising divides by a positive number, so the bounds hold in the original units.
    Solved with L-BFGS-B on the penalised log-loss and its exact gradient.
    """
    Xs, mean, std = _standardise(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] + Xs @ w[1:]
        p = expit(z)
        value = float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 / C * w[1:] @ w[1:])
        grad = np.concatenate([[np.sum(p - y)], Xs.T @ (p - y) + w[1:] / C])
        return value, grad

    bounds = [(None, None)] + [
        (lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None)
        for lo, hi in zip(lower, upper, strict=True)
    ]
    res = minimize(loss, np.zeros(Xs.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    coef = res.x[1:] / std
    return LogitFit(coef, float(res.x[0] - (coef * mean).sum()), C, float("nan"), {})
