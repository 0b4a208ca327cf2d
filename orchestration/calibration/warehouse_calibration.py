"""``leadhouse calibrate --as-of DATE --horizon DAYS``: recalibrate a scoring model from outcomes.

1. Training snapshot at ``as_of``: one feature per current rule (see warehouse_features),
   outcome = opportunity within ``horizon`` days after ``as_of``.
2. L2 logistic regression (C by CV AUC) on all rule features; coefficients → integer points:
   fit points scaled so the 99th percentile of the best-persona raw fit is 100, engagement
   points so the 99th percentile of raw engagement is 100 (the dbt models clamp to 0-100);
   ``fit_weight``/``engagement_weight`` ∝ 1/scale, so the lead score stays proportional to
   the model's log-odds.
3. Backtest, time-based: evaluation snapshot at the cut date (default ``as_of + horizon``,
   i.e. after every outcome the training used), outcome = opportunity within ``horizon``
   days after the cut. Champion (current points) vs challenger (calibrated points) on the
   lead score ``fit_weight*fit + engagement_weight*engagement``; fit scores come from the
   compiled ``score_fit`` macro, engagement from rule points x the decayed counts with the
   category caps and the 0-100 clamp. Probabilities for the Brier score and the calibration
   plot come from a logistic map of each score fitted on the training snapshot.
   Engagement half-lives (x0.5/x1/x2 by CV AUC) and category caps (engagement_caps) are
   re-learnt where the data supports it; bands and lifecycle thresholds keep the volumes.
4. Writes ``<output>/calibration/<version>/``: scoring_fit_rules.csv,
   scoring_engagement_rules.csv, scoring_models.csv, scoring_category_caps.csv,
   scoring_score_bands.csv (only the recalibrated model's rows
   change: new model_version, trained_from/trained_to), report.html, backtest.json.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
from sklearn.metrics import roc_auc_score

from orchestration.calibration import html_report
from orchestration.calibration.dbt_sql import fit_sql
from orchestration.calibration.engagement_caps import (
    CAP_MIN_GAIN,
    category_sums,
    engagement_score,
    relearn_caps,
)
from orchestration.calibration.errors import CalibrationInputError
from orchestration.calibration.fitting import (
    fit_logistic,
    fit_logistic_bounded,
    fit_score_to_probability,
)
from orchestration.calibration.metrics import (
    Comparison,
    compare,
    evaluate,
    format_metrics,
    matched_threshold,
)
from orchestration.calibration.mql_inflow import MQL_INFLOW_WEEKS, new_mqls_per_week
from orchestration.calibration.points import scaled_points
from orchestration.calibration.seeds_io import (
    CONTRACT_COLUMNS,
    merge_rows,
    read_seed,
    seed_columns,
    write_seed,
)
from orchestration.calibration.warehouse_features import (
    RuleSet,
    Snapshot,
    build_population,
    build_snapshot,
    connect_warehouse,
    data_range,
    load_rule_set,
    load_rules,
)
from orchestration.config import SEEDS_DIR, settings

#: Below this many conversions in the training window the output carries a warning.
MIN_RELIABLE_CONVERSIONS = 30


@dataclass
class WarehouseCalibration:
    version: str
    out_dir: Path
    summary: str
    champion_auc: float
    challenger_auc: float
    challenger: RuleSet
    metrics: list
    recommendation: Comparison | None = None


def parse_date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise CalibrationInputError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _with_points(rule: dict, points: int) -> dict:
    """An engagement rule with new points; cap_per_day rescaled so it caps the same event count."""
    out = {**rule, "points": points}
    try:
        old, cap = abs(float(rule.get("points") or 0)), float(rule.get("cap_per_day") or "nan")
    except ValueError:
        return out
    if old > 0 and not math.isnan(cap) and points != 0:
        out["cap_per_day"] = max(1, int(round(cap * abs(points) / old)))
    return out


def sign_bounds(rules: RuleSet, n_fit: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of each coefficient (fit rules first, then engagement rules).

    Where the domain is certain the sign is constrained: an engagement rule of category
    ``negative`` (unsubscribe, bounce, careers page) never adds points, and every other
    engagement rule (a demo or contact-sales request, a pricing page, a click) never removes
    any — the seeds' own validation requires it. Fit rules are free (a sign change is flagged
    for review instead).
    """
    lower = np.full(n_fit + len(rules.engagement_rules), -np.inf)
    upper = np.full(len(lower), np.inf)
    for j, r in enumerate(rules.engagement_rules):
        if str(r.get("category", "")).lower() == "negative":
            upper[n_fit + j] = 0.0
        else:
            lower[n_fit + j] = 0.0
    return lower, upper


def calibrated_rule_set(
    current: RuleSet, snap: Snapshot, persona_of_fit: list[str]
) -> tuple[RuleSet, dict]:
    """Fit the logistic regression on the snapshot and return the rule set with new points."""
    X = np.hstack([snap.F, snap.E])
    if snap.y.sum() < 5 or (1 - snap.y).sum() < 5:
        raise CalibrationInputError(
            f"too few outcomes to calibrate at {snap.as_of:%Y-%m-%d}: {int(snap.y.sum())} "
            f"conversions among {len(snap.y)} leads (pick an earlier --as-of or a longer --horizon)"
        )
    free = fit_logistic(X, snap.y)  # C by cross-validated AUC
    nf = snap.F.shape[1]
    lower, upper = sign_bounds(current, nf)
    fit = fit_logistic_bounded(X, snap.y, free.C, lower, upper)
    cf, ce = fit.coef[:nf], fit.coef[nf:]
    # Fit scale: 99th percentile of the best persona's raw (coefficient) fit.
    personas = sorted(set(persona_of_fit))
    if personas:
        per = np.column_stack(
            [
                snap.F[:, [i for i, p in enumerate(persona_of_fit) if p == q]]
                @ cf[[i for i, p in enumerate(persona_of_fit) if p == q]]
                for q in personas
            ]
        )
        best = per.max(axis=1)
        positive = best[best > 0]
        top = float(np.quantile(positive, 0.99)) if positive.size else 0.0
        s_fit = 100.0 / top if top > 0 else 0.0
    else:
        s_fit = 0.0
    fit_points = np.round(cf * s_fit).astype(int)
    eng_points, s_eng = scaled_points(ce, snap.E) if snap.E.shape[1] else (np.zeros(0, int), 0.0)
    inv = [1 / s if s > 0 else 0.0 for s in (s_fit, s_eng)]
    fw = inv[0] / sum(inv) if sum(inv) else 0.5
    new = RuleSet(**current.__dict__)
    new.fit_rules = [
        {**r, "points": int(p)} for r, p in zip(current.fit_rules, fit_points, strict=True)
    ]
    new.engagement_rules = [
        _with_points(r, int(p)) for r, p in zip(current.engagement_rules, eng_points, strict=True)
    ]
    new.fit_weight, new.engagement_weight = round(fw, 3), round(1 - fw, 3)
    review = []
    keys = [f"{r['persona_id']}/{r['rule_id']}" for r in current.fit_rules] + [
        r["rule_id"] for r in current.engagement_rules
    ]
    old = [float(r["points"]) for r in current.fit_rules + current.engagement_rules]
    new_pts = [float(p) for p in list(fit_points) + list(eng_points)]
    for j, (key, o, n_) in enumerate(zip(keys, old, new_pts, strict=True)):
        wanted = free.coef[j]
        if (lower[j] == 0 and wanted < 0) or (upper[j] == 0 and wanted > 0):
            review.append((key, "held at 0 by its sign constraint: the data points the other way"))
        elif o * n_ < 0:
            review.append((key, f"sign changed ({o:+g} → {n_:+g}): check before adopting"))
    info = {
        "C": fit.C,
        "cv_auc": free.cv_auc,
        "fit_scale": s_fit,
        "engagement_scale": s_eng,
        "cv_auc_by_C": free.cv_auc_by_C,
        "coef": fit.coef,
        "review": review,
    }
    return new, info


#: Lifecycle thresholds re-learnt with the points, by the score they apply to.
THRESHOLD_SCORES = {
    "mql_enter_lead_score": "lead_score",
    "mql_exit_lead_score": "lead_score",
    "recycle_reentry_lead_score": "lead_score",
    "mql_min_fit_score": "fit",
    "no_fit_max_fit_score": "fit",
    "mql_min_engagement_score": "engagement",
    "evangelist_min_engagement_score": "engagement",
}


def relearn_thresholds(
    champion: RuleSet,
    challenger: RuleSet,
    old: dict[str, np.ndarray],
    new: dict[str, np.ndarray],
    lifecycle: list[dict],
) -> tuple[list[dict], list[dict]]:
    """Bands and lifecycle thresholds for the new points, matched on the training snapshot so
    each band and the MQL rule select the same share of leads as before (volume kept).

    Sets the challenger's bands; returns (lifecycle rows, a before/after table for the report).
    """
    table = []
    challenger.fit_bands = [
        (b, 0.0 if lo <= 0 else matched_threshold(old["fit"], new["fit"], lo))
        for b, lo in champion.fit_bands
    ]
    challenger.engagement_bands = [
        (b, 0.0 if lo <= 0 else matched_threshold(old["engagement"], new["engagement"], lo))
        for b, lo in champion.engagement_bands
    ]
    for (b, lo), (_, hi) in zip(champion.fit_bands, challenger.fit_bands, strict=True):
        table.append({"threshold": f"fit band {b}", "champion": lo, "challenger": hi})
    for (b, lo), (_, hi) in zip(
        champion.engagement_bands, challenger.engagement_bands, strict=True
    ):
        table.append({"threshold": f"engagement band {b}", "champion": lo, "challenger": hi})
    rows = []
    for r in lifecycle:
        score = THRESHOLD_SCORES.get(r.get("threshold_id", ""))
        if score is None:
            rows.append(r)
            continue
        value = float(r["value"])
        matched = matched_threshold(old[score], new[score], value)
        rows.append({**r, "value": f"{matched:g}"})
        table.append({"threshold": r["threshold_id"], "champion": value, "challenger": matched})
    return rows, table


def score_snapshot(
    con: duckdb.DuckDBPyConnection, snap: Snapshot, rules: RuleSet, score_fit_sql: str
) -> dict[str, np.ndarray]:
    """Fit (compiled score_fit), engagement, lead score and tier of each lead of the snapshot."""
    build_population(con, snap.as_of, snap.horizon_days)
    load_rules(con, rules)
    fit = dict(
        con.execute(f"select lead_id, cast(fit_score as double) from ({score_fit_sql})").fetchall()
    )
    fit_score = np.array([fit.get(lid, 0.0) for lid in snap.lead_ids])
    eng = engagement_score(category_sums(snap, rules), rules.caps, len(snap.lead_ids))
    grade = np.full(len(fit_score), rules.fit_bands[-1][0], dtype=object)
    for band, lo in reversed(rules.fit_bands):
        grade = np.where(fit_score >= lo, band, grade)
    band = np.full(len(eng), rules.engagement_bands[-1][0])
    for b, lo in reversed(rules.engagement_bands):
        band = np.where(eng >= lo, b, band)
    tier = np.array(
        [rules.tiers.get((g, int(b)), f"{g}{int(b)}") for g, b in zip(grade, band, strict=True)]
    )
    lead = rules.fit_weight * fit_score + rules.engagement_weight * eng
    return {"fit": fit_score, "engagement": eng, "lead_score": lead, "tier": tier}


def _version_rows(
    current_dir: Path, new: RuleSet, version: str, trained_from: str, trained_to: str, note: str
) -> dict[str, list[dict]]:
    model_row = {
        **new.model_row,
        "model_version": version,
        "trained_from": trained_from,
        "trained_to": trained_to,
        "fit_weight": new.fit_weight,
        "engagement_weight": new.engagement_weight,
        "description": (
            f"{str(new.model_row.get('description', '')).split(' | ')[0]} | {note}"
        ).strip(" |"),
    }
    return {
        "scoring_fit_rules": merge_rows(
            read_seed(current_dir / "scoring_fit_rules.csv"), new.fit_rules
        ),
        "scoring_engagement_rules": merge_rows(
            read_seed(current_dir / "scoring_engagement_rules.csv"), new.engagement_rules
        ),
        "scoring_models": merge_rows(read_seed(current_dir / "scoring_models.csv"), [model_row]),
    }


def calibrate_warehouse(
    as_of: str,
    horizon: int,
    cut: str | None = None,
    capacity: int = 50,
    model_id: str = "default",
    out_dir: Path | None = None,
    seeds_dir: Path = SEEDS_DIR,
    warehouse: Path | None = None,
) -> WarehouseCalibration:
    """Calibrate `model_id` from the warehouse, backtest it and write a new seed version."""
    if horizon <= 0:
        raise CalibrationInputError("--horizon must be a positive number of days")
    con = connect_warehouse(warehouse)
    first, last = data_range(con)
    t_train = (
        datetime.combine((last - timedelta(days=2 * horizon)).date(), datetime.min.time())
        if as_of == "auto"
        else parse_date(as_of)
    )
    t_cut = parse_date(cut) if cut else t_train + timedelta(days=horizon)
    if t_cut < t_train + timedelta(days=horizon):
        raise CalibrationInputError(
            "--cut must be at least --horizon days after --as-of (no overlap "
            "between the training outcomes and the evaluation)"
        )
    notes = []
    if t_cut + timedelta(days=horizon) > last:
        notes.append(
            f"evaluation window truncated: data ends {last:%Y-%m-%d}, before cut + horizon "
            f"({(t_cut + timedelta(days=horizon)):%Y-%m-%d})"
        )
    current = load_rule_set(seeds_dir, model_id)
    sql = fit_sql("leads_input", "rules_input")
    train = build_snapshot(con, t_train, horizon, current, sql["fit_rule_hits"])
    evals = build_snapshot(con, t_cut, horizon, current, sql["fit_rule_hits"])
    factor, train_c, half_life_cv = choose_half_lives(con, t_train, horizon, current, sql, train)
    learnt = with_half_lives(current, factor)
    challenger, info = calibrated_rule_set(learnt, train_c, [p for p, _ in train.fit_keys])
    challenger.engagement_rules = [
        {**r, "half_life_days": n["half_life_days"]}
        for r, n in zip(challenger.engagement_rules, learnt.engagement_rules, strict=True)
    ]
    info["half_life_factor"], info["half_life_cv_auc"] = factor, half_life_cv
    evals_c = (
        evals
        if factor == 1.0
        else build_snapshot(con, t_cut, horizon, challenger, sql["fit_rule_hits"])
    )
    if train.y.sum() < MIN_RELIABLE_CONVERSIONS:
        notes.append(
            f"only {int(train.y.sum())} conversions in the training window (< "
            f"{MIN_RELIABLE_CONVERSIONS}): the points are noisy; "
            "use a longer --horizon or more data"
        )
    weeks = horizon / 7.0
    # category caps re-learnt on the new points' scale, then bands and lifecycle thresholds
    # (same shares on the training set)
    cap_table = relearn_caps(
        current,
        challenger,
        train,
        train_c,
        score_snapshot(con, train_c, challenger, sql["score_fit"])["fit"],
        search=bool(train.y.sum() >= MIN_RELIABLE_CONVERSIONS),
    )
    champion_train = score_snapshot(con, train, current, sql["score_fit"])
    challenger_train = score_snapshot(con, train_c, challenger, sql["score_fit"])
    old_lifecycle = [
        r
        for r in read_seed(seeds_dir / "lifecycle_thresholds.csv")
        if r.get("model_id") == model_id
    ]
    new_lifecycle, threshold_table = relearn_thresholds(
        current, challenger, champion_train, challenger_train, old_lifecycle
    )
    metrics, aucs, eval_scores = [], {}, {}
    for name, rules, tr, snap in (
        ("champion", current, champion_train, evals),
        ("challenger", challenger, challenger_train, evals_c),
    ):
        ev = score_snapshot(con, snap, rules, sql["score_fit"])
        eval_scores[name] = ev
        prob = fit_score_to_probability(tr["lead_score"], train.y)(ev["lead_score"])
        m = evaluate(
            f"{name}",
            ev["lead_score"],
            prob,
            evals.y,
            tiers=ev["tier"],
            capacity=capacity,
            weeks=weeks,
        )
        metrics.append(m)
        aucs[name] = m.auc
    k = max(1, int(round(capacity * weeks)))
    verdict = compare(
        eval_scores["champion"]["lead_score"], eval_scores["challenger"]["lead_score"], evals.y, k
    )
    model_eval = np.hstack([evals_c.F, evals_c.E]) @ info["coef"]
    model_auc = (
        float(roc_auc_score(evals.y, model_eval))
        if 0 < evals.y.sum() < len(evals.y)
        else float("nan")
    )
    old_t = {r["threshold_id"]: float(r["value"]) for r in old_lifecycle if _is_number(r["value"])}
    new_t = {r["threshold_id"]: float(r["value"]) for r in new_lifecycle if _is_number(r["value"])}

    def scorer(rules: RuleSet) -> Callable[[datetime], tuple[list[str], dict[str, np.ndarray]]]:
        def scored_at(at: datetime) -> tuple[list[str], dict[str, np.ndarray]]:
            snap = build_snapshot(con, at, horizon, rules, sql["fit_rule_hits"])
            return snap.lead_ids, score_snapshot(con, snap, rules, sql["score_fit"])

        return scored_at

    # new MQLs a week in the weeks before the cut, each model with its own thresholds
    mql_week = {
        "champion": new_mqls_per_week(t_cut, old_t, scorer(current)),
        "challenger": new_mqls_per_week(t_cut, new_t, scorer(challenger)),
    }
    version = f"{model_id}-cal-{t_train:%Y%m%d}-{datetime.now():%Y%m%dT%H%M%S}"
    out = Path(out_dir or settings().output_dir / "calibration" / version)
    trained_from = (
        f"{min(train.created_at).astype('datetime64[D]')}" if len(train.created_at) else ""
    )
    trained_to = f"{(t_train + timedelta(days=horizon)):%Y-%m-%d}"
    note = f"calibrated on features at {t_train:%Y-%m-%d}, outcomes to {trained_to}"
    seed_rows = _version_rows(seeds_dir, challenger, version, trained_from, trained_to, note)
    seed_rows["scoring_score_bands"] = merge_rows(
        read_seed(seeds_dir / "scoring_score_bands.csv"),
        [
            {"model_id": model_id, "score_type": "fit", "band": b, "min_score": f"{lo:g}"}
            for b, lo in challenger.fit_bands
        ]
        + [
            {"model_id": model_id, "score_type": "engagement", "band": b, "min_score": f"{lo:g}"}
            for b, lo in challenger.engagement_bands
        ],
    )
    seed_rows["scoring_category_caps"] = merge_rows(
        read_seed(seeds_dir / "scoring_category_caps.csv"),
        [
            {"model_id": model_id, "category": c, "cap_points": f"{v:g}"}
            for c, v in challenger.caps.items()
        ],
    )
    if new_lifecycle:
        seed_rows["lifecycle_thresholds"] = merge_rows(
            read_seed(seeds_dir / "lifecycle_thresholds.csv"), new_lifecycle
        )
    for name, rows in seed_rows.items():
        if (seeds_dir / f"{name}.csv").exists() or name in CONTRACT_COLUMNS:
            write_seed(out / f"{name}.csv", rows, seed_columns(name, seeds_dir))
    header = [
        verdict.sentence,
        f"model {model_id}: champion version {current.model_row.get('model_version')} vs "
        f"challenger {version}",
        f"data {first:%Y-%m-%d} .. {last:%Y-%m-%d}; training snapshot {t_train:%Y-%m-%d} "
        f"({len(train.y)} leads, {int(train.y.sum())} converted within {horizon} d); "
        f"backtest cut {t_cut:%Y-%m-%d} ({len(evals.y)} leads, {int(evals.y.sum())} converted)",
        f"logistic regression: C={info['C']}, cross-validated AUC on the training snapshot "
        f"{info['cv_auc']:.3f}; on the backtest the model ranks at AUC {model_auc:.3f}, its "
        f"points at {aucs['challenger']:.3f} (loss {model_auc - aucs['challenger']:+.3f})",
        f"challenger weights: fit {challenger.fit_weight}, "
        f"engagement {challenger.engagement_weight}",
        (
            f"engagement half-lives: x{factor:g} ("
            + ", ".join(f"x{f:g}: CV AUC {a:.3f}" for f, a in half_life_cv.items())
            + f"; changed only when better by {HALF_LIFE_MIN_GAIN} or more)"
            if half_life_cv
            else "engagement half-lives: kept (too few conversions to re-learn them)"
        ),
        "engagement category caps: "
        + (
            "; ".join(
                f"{r['category']} {r['champion']:g} → {r['challenger']:g} ({r['choice']})"
                for r in cap_table
            )
            or "none"
        )
        + f" (matched to the new points, changed only when better by {CAP_MIN_GAIN} or more)",
        f"expected MQLs per week at the MQL threshold: champion {mql_week['champion']:.1f}, "
        f"challenger {mql_week['challenger']:.1f} (leads newly meeting the MQL entry rule, mean "
        f"of the {MQL_INFLOW_WEEKS} weeks before the cut; thresholds re-learnt to keep the "
        "volume)",
        *notes,
        *(f"review: {key}: {why}" for key, why in info["review"]),
        "",
        format_metrics(metrics),
    ]
    summary = "\n".join(header)
    evidence = rule_evidence(current, challenger, train_c, sql["qualification_attributes"])
    facts = [
        (
            "training snapshot",
            f"{t_train:%Y-%m-%d}: {len(train.y):,} leads, "
            f"{int(train.y.sum()):,} converted within {horizon} days",
        ),
        ("backtest", f"{t_cut:%Y-%m-%d}: {len(evals.y):,} leads, {int(evals.y.sum()):,} converted"),
        ("AUC champion / challenger", f"{aucs['champion']:.3f} / {aucs['challenger']:.3f}"),
        (
            "ΔAUC (95% CI)",
            f"{verdict.auc_diff:+.3f} ({verdict.auc_ci[0]:+.3f} to {verdict.auc_ci[1]:+.3f})",
        ),
        (
            f"precision of the {k:,} MQLs at capacity, Δ (95% CI)",
            f"{100 * verdict.precision_diff:+.1f} points ({100 * verdict.precision_ci[0]:+.1f} to "
            f"{100 * verdict.precision_ci[1]:+.1f})",
        ),
        ("model → points loss (backtest AUC)", f"{model_auc:.3f} → {aucs['challenger']:.3f}"),
        (
            "expected MQLs per week at the MQL threshold",
            f"champion {mql_week['champion']:,.1f}, challenger {mql_week['challenger']:,.1f}",
        ),
        ("capacity threshold (leads/week)", f"{capacity:,}"),
    ]
    sections = [
        (
            "Points per rule: champion vs challenger, with the evidence",
            "<p>Evidence from the training snapshot: leads where the rule fires (engagement: any "
            "matching interaction), how many converted, and the lift over the base rate. Part: "
            "the fit is split into the <b>profile</b> fit (what a lead list can state; "
            "<code>leadhouse score --input</code> gives a list the same) and "
            "<b>qualification</b> points (form answers — budget, timeline, need, authority — "
            "origin, lead source), <code>fit_score = profile_fit_score + "
            "qualification_points</code> in mart_lead_scores.</p>"
            + html_report.table(
                evidence, kinds={"champion": "pts", "challenger": "pts", "lift": None}
            ),
        ),
        (
            "Engagement category caps re-learnt with the points",
            "<p>Each cap is first matched to the new points (it binds for the same share of "
            "training leads); half of it, twice it or no cap replaces it only when the training "
            f"AUC of the lead score gains {CAP_MIN_GAIN} or more.</p>"
            + html_report.table(
                cap_table, kinds={"champion": "score", "matched": "score", "challenger": "score"}
            ),
        ),
        (
            "Bands and thresholds re-learnt with the points",
            html_report.table(threshold_table, kinds={"champion": "score", "challenger": "score"}),
        ),
    ]
    if info["review"]:
        sections.insert(
            1,
            (
                "Rules to review",
                html_report.table([{"rule": k_, "why": w} for k_, w in info["review"]]),
            ),
        )
    html_report.write_report(
        out / "report.html",
        f"Calibration of model {model_id} ({version})",
        summary,
        metrics,
        sections,
        recommendation=verdict.sentence,
        facts=facts,
        adopt=verdict.adopt,
    )
    (out / "backtest.json").write_text(
        json.dumps(
            {
                "version": version,
                "as_of": f"{t_train:%Y-%m-%d}",
                "cut": f"{t_cut:%Y-%m-%d}",
                "horizon_days": horizon,
                "fit": {k_: v for k_, v in info.items() if k_ != "coef"},
                "recommendation": verdict.__dict__,
                "model_auc_backtest": model_auc,
                "mql_per_week": mql_week,
                "thresholds": threshold_table,
                "category_caps": cap_table,
                "metrics": [m.__dict__ for m in metrics],
            },
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    return WarehouseCalibration(
        version,
        out,
        summary,
        aucs["champion"],
        aucs["challenger"],
        challenger,
        metrics,
        verdict,
    )


#: Multipliers of every engagement rule's half-life tried on the training snapshot.
HALF_LIFE_FACTORS = (0.5, 1.0, 2.0)
#: Cross-validated AUC gain a new half-life needs before it replaces the current one.
HALF_LIFE_MIN_GAIN = 0.003


def with_half_lives(rules: RuleSet, factor: float) -> RuleSet:
    """The rule set with every engagement half-life multiplied by `factor` (1 decimal)."""
    new = RuleSet(**rules.__dict__)
    new.engagement_rules = [
        {**r, "half_life_days": f"{float(r.get('half_life_days') or 30.0) * factor:g}"}
        if factor != 1.0
        else dict(r)
        for r in rules.engagement_rules
    ]
    return new


def choose_half_lives(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    horizon: int,
    current: RuleSet,
    sql: dict,
    train: Snapshot,
) -> tuple[float, Snapshot, dict[float, float]]:
    """Re-learn the engagement half-lives where the data supports it: the factor (of
    HALF_LIFE_FACTORS) whose training features give the best cross-validated AUC, kept at 1
    unless it gains at least HALF_LIFE_MIN_GAIN. Returns (factor, its snapshot, AUC by factor)."""
    if not current.engagement_rules or train.y.sum() < MIN_RELIABLE_CONVERSIONS:
        return 1.0, train, {}
    snaps, aucs = {1.0: train}, {}
    for f in HALF_LIFE_FACTORS:
        if f != 1.0:
            snaps[f] = build_snapshot(
                con, as_of, horizon, with_half_lives(current, f), sql["fit_rule_hits"]
            )
        aucs[f] = fit_logistic(np.hstack([snaps[f].F, snaps[f].E]), snaps[f].y).cv_auc
    best = max(aucs, key=lambda f: aucs[f])
    if aucs[best] < aucs[1.0] + HALF_LIFE_MIN_GAIN:
        best = 1.0
    return best, snaps[best], aucs


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def rule_evidence(
    current: RuleSet, challenger: RuleSet, snap: Snapshot, qualification: list[str] = ()
) -> list[dict]:
    """Per rule: champion and challenger points, leads it fires for, conversions, lift; the
    part of the score it belongs to (fit rules on `qualification` attributes: qualification)."""
    base = snap.y.mean() if len(snap.y) else 0.0
    rows = []
    columns = [
        (snap.F, current.fit_rules, challenger.fit_rules, "fit"),
        (snap.E, current.engagement_rules, challenger.engagement_rules, "engagement"),
    ]
    for M, old, new, kind in columns:
        for j, (o, n_) in enumerate(zip(old, new, strict=True)):
            hit = M[:, j] > 0
            rate = float(snap.y[hit].mean()) if hit.any() else float("nan")
            rows.append(
                {
                    "rule": f"{o['persona_id']}/{o['rule_id']}" if kind == "fit" else o["rule_id"],
                    "kind": kind,
                    "part": (
                        ("qualification" if o.get("attribute") in qualification else "profile")
                        if kind == "fit"
                        else "engagement"
                    ),
                    "champion": float(o["points"]),
                    "challenger": float(n_["points"]),
                    "leads": int(hit.sum()),
                    "conversions": int(snap.y[hit].sum()),
                    "conversion_rate": rate,
                    "lift": rate / base if base else float("nan"),
                }
            )
    return rows
