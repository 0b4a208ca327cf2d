"""Calibrate fit-rule points from any lead CSV with an outcome column.

Pipeline: :func:`load_input` (ingestion's CSV reader, DuckDB) → design choice by
cross-validation (quantile buckets of numeric columns, pooling threshold of rare categories)
→ :func:`fit_logistic` on the one-hot levels, unstandardised, so the L2 penalty smooths rare
levels towards the average (C by CV AUC) → :func:`one_hot_points` on a 0-100 scale at the
coarsest resolution that keeps the model's ranking → seed CSVs, ``calibration.json`` and an
HTML report.

The honest comparison is out of fold, on the same folds: each row is scored by the model and
by the points learnt without it; the points' resolution is the coarsest step in
:data:`STEPS` whose out-of-fold AUC is within :data:`MAX_POINTS_LOSS` of the model's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from orchestration.calibration import html_report
from orchestration.calibration.csv_features import (
    N_BUCKETS,
    PLACEHOLDERS,
    CsvDesign,
    CsvInput,
    design_from_input,
    load_input,
)
from orchestration.calibration.fitting import fit_logistic, fit_score_to_probability
from orchestration.calibration.metrics import evaluate, format_metrics
from orchestration.calibration.points import STEPS, format_points, one_hot_points
from orchestration.calibration.seeds_io import MANIFEST, seed_columns, slug, write_seed
from orchestration.resources import memory_duckdb

#: Largest AUC the points may lose against the model (out of fold).
MAX_POINTS_LOSS = 0.005
#: Penalty grid of the one-hot fit (unstandardised levels: larger C = less smoothing).
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: Design choices tried by cross-validation.
BUCKET_CHOICES = (5, 10)
MIN_COUNT_CHOICES = (10, 30)


@dataclass
class CsvCalibration:
    design: CsvDesign
    points: np.ndarray
    cv_auc_model: float
    oof_scores: np.ndarray
    summary: str
    files: list[Path]
    oof_auc_model: float = float("nan")
    oof_auc_points: float = float("nan")
    step: float = 1.0
    choices: list[dict] = field(default_factory=list)


def _groups(design: CsvDesign) -> list[str]:
    return [lv.attribute for lv in design.levels]


def choose_design(data: CsvInput, folds: int = 5) -> tuple[CsvDesign, float, float, list[dict]]:
    """Design (buckets, pooling) and penalty C with the best cross-validated AUC.

    Two stages to keep the cost down: the design at a middle C, then C on that design.
    """
    numeric = any(prof[3] == prof[0] - prof[1] and prof[2] > 10 for prof in data.profile.values())
    tried: list[dict] = []
    best: tuple[float, CsvDesign] | None = None
    for nb in BUCKET_CHOICES if numeric else (N_BUCKETS,):
        for mc in MIN_COUNT_CHOICES:
            design = design_from_input(data, nb, mc)
            auc = fit_logistic(design.X, design.y, folds, grid=(0.3,), standardise=False).cv_auc
            tried.append(
                {"buckets": nb, "min_level_count": mc, "levels": len(design.levels), "cv_auc": auc}
            )
            if best is None or auc > best[0] + 1e-9:
                best = (auc, design)
    design = best[1]
    fit = fit_logistic(design.X, design.y, folds, grid=C_GRID, standardise=False)
    return design, fit.C, fit.cv_auc, tried


def out_of_fold(
    design: CsvDesign, C: float, folds: int = 5, seed: int = 1
) -> tuple[np.ndarray, dict[float, np.ndarray], np.ndarray]:
    """Out-of-fold linear predictor of the model, point scores at every step in STEPS, and
    each row's fold (each fold's points have their own scale: compare AUCs fold by fold)."""
    lin = np.zeros(len(design.y))
    fold = np.zeros(len(design.y), dtype=int)
    scores = {s: np.zeros(len(design.y)) for s in STEPS}
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for f, (train, test) in enumerate(skf.split(design.X, design.y)):
        fit = fit_logistic(design.X[train], design.y[train], grid=(C,), folds=0, standardise=False)
        lin[test] = design.X[test] @ fit.coef
        fold[test] = f
        for s in STEPS:
            scores[s][test] = design.X[test] @ one_hot_points(fit.coef, _groups(design), step=s)
    return lin, scores, fold


def fold_auc(y: np.ndarray, score: np.ndarray, fold: np.ndarray) -> float:
    """Mean of the per-fold ROC AUCs (insensitive to each fold's own scale)."""
    return float(np.mean([roc_auc_score(y[fold == f], score[fold == f]) for f in np.unique(fold)]))


def out_of_fold_scores(design: CsvDesign, C: float, folds: int = 5, seed: int = 1) -> np.ndarray:
    """Whole-point scores of each row from points learnt without it (penalty C fixed)."""
    return out_of_fold(design, C, folds, seed)[1][1.0]


def choose_step(
    y: np.ndarray, lin: np.ndarray, scores: dict[float, np.ndarray], fold: np.ndarray
) -> float:
    """The coarsest point step whose out-of-fold AUC is within MAX_POINTS_LOSS of the model's."""
    target = fold_auc(y, lin, fold) - MAX_POINTS_LOSS
    return next((s for s in STEPS if fold_auc(y, scores[s], fold) >= target), STEPS[-1])


def fit_rule_rows(
    design: CsvDesign, points: np.ndarray, model_id: str, persona_id: str
) -> list[dict]:
    """Seed rows for every level with non-zero points (zero-point rules change nothing)."""
    rows, used = [], set()
    for lv, p in zip(design.levels, points, strict=True):
        if float(p) == 0:
            continue
        value = "missing" if lv.operator == "is_missing" else lv.value
        if lv.operator == "in":
            value = "other"
        base = f"{slug(lv.attribute, 30)}__{slug(value, 30)}"
        rid, k = base, 2
        while rid in used:
            rid, k = f"{base}_{k}", k + 1
        used.add(rid)
        rows.append(
            {
                "model_id": model_id,
                "persona_id": persona_id,
                "rule_id": rid,
                "attribute": lv.attribute,
                "operator": lv.operator,
                "value": lv.value,
                "points": format_points(p),
                "description": f"calibrated: {lv.label}",
            }
        )
    return rows


def _evidence(design: CsvDesign, points: np.ndarray) -> list[dict]:
    base = design.y.mean()
    rows = []
    for i, (lv, p) in enumerate(zip(design.levels, points, strict=True)):
        hit = design.X[:, i] == 1
        rate = float(design.y[hit].mean()) if hit.any() else float("nan")
        rows.append(
            {
                "attribute": lv.attribute,
                "rule": lv.label if lv.operator == "in" else f"{lv.operator} {lv.value[:60]}",
                "points": float(p),
                "leads": int(hit.sum()),
                "conversions": int(design.y[hit].sum()),
                "conversion_rate": rate,
                "lift": rate / base if base else float("nan"),
            }
        )
    return rows


def calibrate_csv(
    path: Path,
    id_col: str,
    outcome_col: str,
    out_dir: Path,
    exclude: tuple[str, ...] = (),
    model_id: str = "calibrated",
    persona_id: str = "all",
) -> CsvCalibration:
    """Run the whole CSV calibration and write seeds + report into `out_dir`."""
    data = load_input(memory_duckdb(), Path(path), id_col, outcome_col, exclude)
    design, C, cv_auc, tried = choose_design(data)
    lin, oof_by_step, fold = out_of_fold(design, C)
    step = choose_step(design.y, lin, oof_by_step, fold)
    oof = oof_by_step[step]
    auc_model, auc_points = fold_auc(design.y, lin, fold), fold_auc(design.y, oof, fold)
    fit = fit_logistic(design.X, design.y, grid=(C,), folds=0, standardise=False)
    points = one_hot_points(fit.coef, _groups(design), step=step)
    prob = fit_score_to_probability(oof, design.y)(oof)
    grades = np.select([oof >= 70, oof >= 50, oof >= 30], ["A", "B", "C"], "D")
    m = evaluate("calibrated points (out of fold)", oof, prob, design.y, tiers=grades)
    out_dir = Path(out_dir)
    version = f"{model_id}-{date.today().isoformat()}"
    rules = fit_rule_rows(design, points, model_id, persona_id)
    name = Path(path).name
    files = [
        write_seed(out_dir / "scoring_fit_rules.csv", rules, seed_columns("scoring_fit_rules")),
        write_seed(
            out_dir / "scoring_personas.csv",
            [
                {
                    "model_id": model_id,
                    "persona_id": persona_id,
                    "persona_name": f"calibrated from {name}",
                }
            ],
            seed_columns("scoring_personas"),
        ),
        write_seed(
            out_dir / "scoring_models.csv",
            [
                {
                    "model_id": model_id,
                    "model_version": version,
                    "is_champion": "false",
                    "description": f"calibrated from {name} ({len(design.y)} rows)",
                    "trained_from": "",
                    "trained_to": "",
                    "fit_weight": 1.0,
                    "engagement_weight": 0.0,
                }
            ],
            seed_columns("scoring_models"),
        ),
    ]
    loss = auc_model - auc_points
    n_attrs = len({lv.attribute for lv in design.levels})
    summary = "\n".join(
        [
            f"rows: {len(design.y):,}  conversions: {int(design.y.sum()):,}  attributes: "
            f"{n_attrs}  levels (rules): {len(design.levels)}",
            f"design: numeric columns in {tried_best(tried)['buckets']} quantile buckets, "
            f"categories seen < {tried_best(tried)['min_level_count']} times pooled; "
            f"penalty C={C} (all by cross-validation)",
            f"cross-validated AUC of the logistic model: {cv_auc:.3f}",
            f"out-of-fold AUC of the model:              {auc_model:.3f}  (mean over the folds)",
            f"out-of-fold AUC of the points:             {auc_points:.3f}  (step {step:g} point; "
            f"loss {loss:+.4f}, allowed {MAX_POINTS_LOSS})",
            *(f"skipped column {a}: {why}" for a, why in design.skipped.items()),
            *(
                [
                    f"{len(data.malformed_lines)} malformed line(s) skipped, first at line "
                    f"{data.malformed_lines[0]}"
                ]
                if data.malformed_lines
                else []
            ),
            format_metrics([m]),
        ]
    )
    files.append(
        _write_manifest(
            out_dir / MANIFEST,
            {
                "source": name,
                "model_id": model_id,
                "rows": len(design.y),
                "conversions": int(design.y.sum()),
                "placeholders_missing": list(PLACEHOLDERS),
                "point_step": step,
                "oof_auc_model": auc_model,
                "oof_auc_points": auc_points,
                "cv_auc_model": cv_auc,
                "C": C,
                "design_choices": tried,
                "skipped": design.skipped,
            },
        )
    )
    recommendation = (
        f"The {len(rules)} rules rank these {len(design.y):,} leads almost as well as the model "
        f"(AUC {auc_points:.3f} vs {auc_model:.3f}, out of fold): score lists with "
        f"`leadhouse score --rules {out_dir}`, or merge them into a model's seeds."
    )
    facts = [
        (
            "leads / conversions",
            f"{len(design.y):,} / {int(design.y.sum()):,} ({design.y.mean():.1%})",
        ),
        ("attributes used / skipped", f"{n_attrs} / {len(design.skipped)}"),
        ("AUC of the model (out of fold)", f"{auc_model:.3f}"),
        ("AUC of the points (out of fold)", f"{auc_points:.3f}"),
        ("loss from model to points", f"{loss:+.4f} (allowed {MAX_POINTS_LOSS})"),
        ("point resolution", f"{step:g}"),
    ]
    evidence = sorted(_evidence(design, points), key=lambda r: (r["attribute"], -r["points"]))
    sections = [
        (
            "Points per rule, with the evidence",
            "<p>Per attribute the value the model ranks lowest gets 0 points; leads, "
            "conversions and lift are the file's rows where the rule fires.</p>"
            + html_report.table(evidence, kinds={"points": "pts", "lift": None}),
        ),
        (
            "Design chosen by cross-validation",
            html_report.table(tried, kinds={"cv_auc": "auc"}),
        ),
    ]
    if design.skipped:
        sections.append(
            (
                "Columns not used",
                html_report.table([{"column": a, "why": w} for a, w in design.skipped.items()]),
            )
        )
    files.append(
        html_report.write_report(
            out_dir / "report.html",
            f"Calibration of {name}",
            summary,
            [m],
            sections,
            recommendation=recommendation,
            facts=facts,
            adopt=True,
        )
    )
    return CsvCalibration(
        design, points, cv_auc, oof, summary, files, auc_model, auc_points, step, tried
    )


def tried_best(tried: list[dict]) -> dict:
    return max(tried, key=lambda t: t["cv_auc"])


def _write_manifest(path: Path, content: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, default=str), encoding="utf-8")
    return path
