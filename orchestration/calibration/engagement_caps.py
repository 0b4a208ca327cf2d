"""Engagement category caps: the engagement score of a snapshot, and caps re-learnt with the points.

A category cap (seeds/scoring_category_caps.csv) bounds the points one category of engagement
rules adds up to (int_scoring_engagement__contributions). Calibrated points are on a new scale,
so each cap is first *matched*: the cap on the new points that binds for the same share of the
training leads as the champion's cap on the champion's points (scaled by the ratio of the
points' totals when the cap never or always binds). The data then decides whether the matched
cap, half of it, twice it or no cap at all ranks the training snapshot's leads best (AUC of the
challenger's lead score); another value replaces the matched cap only when it gains at least
CAP_MIN_GAIN, as the half-lives do (warehouse_calibration.HALF_LIFE_MIN_GAIN). A category
left with no positive points keeps the champion's cap (there is nothing for it to bound).
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import roc_auc_score

from orchestration.calibration.metrics import matched_threshold
from orchestration.calibration.warehouse_features import RuleSet, Snapshot

#: Multipliers of the matched cap tried (math.inf: no cap).
CAP_FACTORS = (0.5, 1.0, 2.0, math.inf)
#: Training AUC gain a cap other than the matched one needs before it is adopted.
CAP_MIN_GAIN = 0.003


def category_sums(snap: Snapshot, rules: RuleSet) -> dict[str, np.ndarray]:
    """Uncapped engagement points per category and lead (rule points x decayed counts)."""
    points = {r["rule_id"]: float(r["points"]) for r in rules.engagement_rules}
    category = {r["rule_id"]: r["category"] for r in rules.engagement_rules}
    contrib = snap.E * np.array([points.get(k, 0.0) for k in snap.eng_keys])
    out = {}
    for cat in sorted({category.get(k) for k in snap.eng_keys}, key=str):
        cols = [j for j, k in enumerate(snap.eng_keys) if category.get(k) == cat]
        out[cat] = contrib[:, cols].sum(axis=1)
    return out


def engagement_score(sums: dict[str, np.ndarray], caps: dict[str, float], n: int) -> np.ndarray:
    """The engagement score: category sums, each at most its cap, added and clamped to 0-100."""
    eng = np.zeros(n)
    for cat, s in sums.items():
        eng += np.where(s > caps[cat], caps[cat], s) if cat in caps else s
    return np.clip(np.round(eng, 2), 0, 100)


def matched_cap(old: np.ndarray, new: np.ndarray, cap: float) -> float:
    """The cap on the new points that binds for the same share of leads as `cap` on the old."""
    share = float(np.mean(old > cap))
    if 0.0 < share < 1.0:
        return max(1.0, matched_threshold(old, new, cap))
    ratio = float(np.abs(new).sum() / np.abs(old).sum()) if np.abs(old).sum() > 0 else 1.0
    return max(1.0, round(cap * ratio, 1))


def relearn_caps(
    champion: RuleSet,
    challenger: RuleSet,
    train_champion: Snapshot,
    train_challenger: Snapshot,
    fit_score: np.ndarray,
    search: bool = True,
) -> list[dict]:
    """Set the challenger's caps; return one report row per capped category.

    `fit_score` is the challenger's fit on `train_challenger` (the lead score the caps are
    judged on is fit_weight x fit + engagement_weight x engagement, as in mart_lead_scores).
    With ``search`` false (too few conversions to judge) every cap is the matched one.
    """
    old_sums = category_sums(train_champion, champion)
    new_sums = category_sums(train_challenger, challenger)
    y = train_challenger.y
    n = len(y)
    caps = {
        cat: matched_cap(old_sums.get(cat, np.zeros(n)), new_sums[cat], cap)
        for cat, cap in champion.caps.items()
        if cat in new_sums
    }
    caps.update({c: v for c, v in champion.caps.items() if c not in new_sums})  # no rules: kept

    def auc(candidate: dict[str, float]) -> float:
        if not 0 < y.sum() < n:
            return float("nan")
        eng = engagement_score(new_sums, candidate, n)
        lead = challenger.fit_weight * fit_score + challenger.engagement_weight * eng
        return float(roc_auc_score(y, lead))

    rows = []
    for cat in sorted(c for c in champion.caps if c in new_sums):
        matched = caps[cat]
        if not (new_sums[cat] > 0).any():  # no positive points left: nothing for a cap to bound
            caps[cat] = champion.caps[cat]
            rows.append(
                {
                    "category": cat,
                    "champion": champion.caps[cat],
                    "matched": champion.caps[cat],
                    "challenger": champion.caps[cat],
                    "choice": "kept: no positive points in the category",
                    "training AUC by choice": "",
                }
            )
            continue
        by_factor = {}
        for f in CAP_FACTORS if search else (1.0,):
            trial = dict(caps)
            if math.isinf(f):
                trial.pop(cat)
            else:
                trial[cat] = round(matched * f, 1)
            by_factor[f] = auc(trial)
        best = max(by_factor, key=lambda f: -1.0 if math.isnan(by_factor[f]) else by_factor[f])
        if math.isnan(by_factor[best]) or by_factor[best] < by_factor[1.0] + CAP_MIN_GAIN:
            best = 1.0
        if math.isinf(best):  # no cap: a cap above anything the category can reach
            caps[cat] = max(100.0, round(float(new_sums[cat].max()) + 1.0, 1))
        else:
            caps[cat] = round(matched * best, 1)
        rows.append(
            {
                "category": cat,
                "champion": champion.caps[cat],
                "matched": matched,
                "challenger": caps[cat],
                "choice": "no cap" if math.isinf(best) else f"x{best:g} of matched",
                "training AUC by choice": ", ".join(
                    f"{'none' if math.isinf(f) else f'x{f:g}'}: {a:.3f}"
                    for f, a in by_factor.items()
                ),
            }
        )
    challenger.caps = caps
    return rows
