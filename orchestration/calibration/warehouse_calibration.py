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
4. Writes ``<output>/calibration/<version>/``: scoring_fit_rules.csv,
   scoring_engagement_rules.csv, scoring_models.csv (only the recalibrated model's rows
   change: new model_version, trained_from/trained_to), report.html, backtest.json.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from orchestration.calibration import html_report
from orchestration.calibration.dbt_sql import fit_sql
from orchestration.calibration.errors import CalibrationInputError
from orchestration.calibration.fitting import fit_logistic, fit_score_to_probability
from orchestration.calibration.metrics import evaluate, format_metrics
from orchestration.calibration.points import scaled_points
from orchestration.calibration.seeds_io import merge_rows, read_seed, seed_columns, write_seed
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


def calibrated_rule_set(
    current: RuleSet, snap: Snapshot, persona_of_fit: list[str]
) -> tuple[RuleSet, dict]:
    """Fit the logistic regression on the snapshot and return the rule set with new points."""
    X = np.hstack([snap.F, snap.E])
    if snap.y.sum() < 5 or (1 - snap.y).sum() < 5:
        raise CalibrationInputError(
            f"too few outcomes to calibrate at {snap.as_of:%Y-%m-%d}: {int(snap.y.sum())} conversions "
            f"among {len(snap.y)} leads (pick an earlier --as-of or a longer --horizon)"
        )
    fit = fit_logistic(X, snap.y)
    nf = snap.F.shape[1]
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
    new.fit_rules = [{**r, "points": int(p)} for r, p in zip(current.fit_rules, fit_points)]
    new.engagement_rules = [
        _with_points(r, int(p)) for r, p in zip(current.engagement_rules, eng_points)
    ]
    new.fit_weight, new.engagement_weight = round(fw, 3), round(1 - fw, 3)
    info = {
        "C": fit.C,
        "cv_auc": fit.cv_auc,
        "fit_scale": s_fit,
        "engagement_scale": s_eng,
        "cv_auc_by_C": fit.cv_auc_by_C,
    }
    return new, info


def score_snapshot(
    con, snap: Snapshot, rules: RuleSet, score_fit_sql: str
) -> dict[str, np.ndarray]:
    """Fit (compiled score_fit), engagement, lead score and tier of each lead of the snapshot."""
    build_population(con, snap.as_of, snap.horizon_days)
    load_rules(con, rules)
    fit = dict(
        con.execute(f"select lead_id, cast(fit_score as double) from ({score_fit_sql})").fetchall()
    )
    fit_score = np.array([fit.get(lid, 0.0) for lid in snap.lead_ids])
    points = {r["rule_id"]: float(r["points"]) for r in rules.engagement_rules}
    category = {r["rule_id"]: r["category"] for r in rules.engagement_rules}
    contrib = snap.E * np.array([points.get(k, 0.0) for k in snap.eng_keys])
    eng = np.zeros(len(snap.lead_ids))
    for cat in sorted({category.get(k) for k in snap.eng_keys}):
        cols = [j for j, k in enumerate(snap.eng_keys) if category.get(k) == cat]
        s = contrib[:, cols].sum(axis=1)
        if cat in rules.caps:
            s = np.where(s > rules.caps[cat], rules.caps[cat], s)
        eng += s
    eng = np.clip(np.round(eng, 2), 0, 100)
    grade = np.full(len(fit_score), rules.fit_bands[-1][0], dtype=object)
    for band, lo in reversed(rules.fit_bands):
        grade = np.where(fit_score >= lo, band, grade)
    band = np.full(len(eng), rules.engagement_bands[-1][0])
    for b, lo in reversed(rules.engagement_bands):
        band = np.where(eng >= lo, b, band)
    tier = np.array([rules.tiers.get((g, int(b)), f"{g}{int(b)}") for g, b in zip(grade, band)])
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
        "description": f"{str(new.model_row.get('description', '')).split(' | ')[0]} | {note}".strip(
            " |"
        ),
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
    con = connect_warehouse(warehouse or settings().warehouse_path)
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
    challenger, info = calibrated_rule_set(current, train, [p for p, _ in train.fit_keys])
    if train.y.sum() < MIN_RELIABLE_CONVERSIONS:
        notes.append(
            f"only {int(train.y.sum())} conversions in the training window (< "
            f"{MIN_RELIABLE_CONVERSIONS}): the points are noisy; use a longer --horizon or more data"
        )
    weeks = horizon / 7.0
    metrics, aucs = [], {}
    for name, rules in (("champion", current), ("challenger", challenger)):
        tr = score_snapshot(con, train, rules, sql["score_fit"])
        ev = score_snapshot(con, evals, rules, sql["score_fit"])
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
    version = f"{model_id}-cal-{t_train:%Y%m%d}-{datetime.now():%Y%m%dT%H%M%S}"
    out = Path(out_dir or settings().output_dir / "calibration" / version)
    trained_from = (
        f"{min(train.created_at).astype('datetime64[D]')}" if len(train.created_at) else ""
    )
    trained_to = f"{(t_train + timedelta(days=horizon)):%Y-%m-%d}"
    note = f"calibrated on features at {t_train:%Y-%m-%d}, outcomes to {trained_to}"
    for name, rows in _version_rows(
        seeds_dir, challenger, version, trained_from, trained_to, note
    ).items():
        write_seed(out / f"{name}.csv", rows, seed_columns(name, seeds_dir))
    header = [
        f"model {model_id}: champion version {current.model_row.get('model_version')} vs challenger {version}",
        f"data {first:%Y-%m-%d} .. {last:%Y-%m-%d}; training snapshot {t_train:%Y-%m-%d} "
        f"({len(train.y)} leads, {int(train.y.sum())} converted within {horizon} d); "
        f"backtest cut {t_cut:%Y-%m-%d} ({len(evals.y)} leads, {int(evals.y.sum())} converted)",
        f"logistic regression: C={info['C']}, cross-validated AUC on the training snapshot {info['cv_auc']:.3f}",
        f"challenger weights: fit {challenger.fit_weight}, engagement {challenger.engagement_weight}",
        *notes,
        "",
        format_metrics(metrics),
        "",
        (
            "recommendation: the challenger ranks better on the backtest; preview it with what-if, then adopt"
            if aucs["challenger"] > aucs["champion"]
            else "recommendation: keep the champion (the challenger does not rank better on the backtest)"
        ),
    ]
    summary = "\n".join(header)
    changes = [
        {
            "rule": f"{r['persona_id']}/{r['rule_id']}",
            "kind": "fit",
            "champion": o["points"],
            "challenger": r["points"],
        }
        for o, r in zip(current.fit_rules, challenger.fit_rules)
    ]
    changes += [
        {
            "rule": r["rule_id"],
            "kind": "engagement",
            "champion": o["points"],
            "challenger": r["points"],
        }
        for o, r in zip(current.engagement_rules, challenger.engagement_rules)
    ]
    html_report.write_report(
        out / "report.html",
        f"Calibration of model {model_id} ({version})",
        summary,
        metrics,
        [("Points: champion vs challenger", html_report.table(changes))],
    )
    (out / "backtest.json").write_text(
        json.dumps(
            {
                "version": version,
                "as_of": f"{t_train:%Y-%m-%d}",
                "cut": f"{t_cut:%Y-%m-%d}",
                "horizon_days": horizon,
                "fit": info,
                "metrics": [m.__dict__ for m in metrics],
            },
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    return WarehouseCalibration(
        version, out, summary, aucs["champion"], aucs["challenger"], challenger, metrics
    )
