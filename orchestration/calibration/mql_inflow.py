"""Expected new MQLs per week under a rule set: the flow of leads into the MQL entry rule.

A snapshot holds every open lead, so the leads meeting the MQL entry rule at one date are a
*stock*; dividing it by weeks does not say how many MQLs sales would receive a week. The flow
is measured instead: snapshots one week apart over the MQL_INFLOW_WEEKS weeks before a date,
each lead meeting the rule at a snapshot and not at the one before (or not yet a lead then) is a
new MQL of that week; the figure is the mean over the weeks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np

#: Weeks before the date over which new MQLs are counted.
MQL_INFLOW_WEEKS = 2


def meets_mql_rule(scores: dict[str, np.ndarray], thresholds: dict[str, float]) -> np.ndarray:
    """Leads meeting the MQL entry rule: lead score, minimum fit and minimum engagement."""
    ok = scores["lead_score"] >= thresholds.get("mql_enter_lead_score", 0.0)
    ok &= scores["fit"] >= thresholds.get("mql_min_fit_score", 0.0)
    ok &= scores["engagement"] >= thresholds.get("mql_min_engagement_score", 0.0)
    return ok


def new_mqls_per_week(
    at: datetime,
    thresholds: dict[str, float],
    scored_at: Callable[[datetime], tuple[list[str], dict[str, np.ndarray]]],
    weeks: int = MQL_INFLOW_WEEKS,
) -> float:
    """Mean number of leads a week that start meeting the MQL rule in the `weeks` before `at`.

    `scored_at(date)` returns the snapshot's lead ids and their scores under the rule set.
    """
    before: set[str] | None = None
    new = 0
    for i in range(weeks, -1, -1):
        ids, scores = scored_at(at - timedelta(days=7 * i))
        ok = {lid for lid, m in zip(ids, meets_mql_rule(scores, thresholds), strict=True) if m}
        if before is not None:
            new += len(ok - before)
        before = ok
    return new / weeks
