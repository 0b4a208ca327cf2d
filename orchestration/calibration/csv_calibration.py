"""Calibrate fit-rule points from any lead CSV with an outcome column.

Pipeline: :func:`build_csv_design` (DuckDB) → :func:`fit_logistic` (C by CV AUC) →
:func:`one_hot_points` (0-100) → seed CSVs + HTML report. The honest AUC of the
*integer points* is measured out of fold: for each fold, points are learnt on the other
folds and the held-out rows are scored with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
from sklearn.model_selection import StratifiedKFold

from orchestration.calibration import html_report
from orchestration.calibration.csv_features import CsvDesign, build_csv_design
from orchestration.calibration.fitting import fit_logistic, fit_score_to_probability
from orchestration.calibration.metrics import evaluate, format_metrics
from orchestration.calibration.points import one_hot_points
from orchestration.calibration.seeds_io import seed_columns, slug, write_seed


@dataclass
class CsvCalibration:
    design: CsvDesign
    points: np.ndarray
    cv_auc_model: float
    oof_scores: np.ndarray
    summary: str
    files: list[Path]


def points_for(
    design: CsvDesign, rows: np.ndarray | slice = slice(None), C: float | None = None
) -> tuple[np.ndarray, float, float]:
    """Fit on `rows` of the design; return (points per level, CV AUC of the model, C)."""
    grid = (C,) if C is not None else None
    fit = fit_logistic(design.X[rows], design.y[rows], grid=grid)
    return one_hot_points(fit.coef, [lv.attribute for lv in design.levels]), fit.cv_auc, fit.C


def out_of_fold_scores(design: CsvDesign, C: float, folds: int = 5, seed: int = 1) -> np.ndarray:
    """Integer-point scores of each row from points learnt without it (penalty C fixed)."""
    scores = np.zeros(len(design.y))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in skf.split(design.X, design.y):
        fit = fit_logistic(design.X[train], design.y[train], grid=(C,), folds=0)
        pts = one_hot_points(fit.coef, [lv.attribute for lv in design.levels])
        scores[test] = design.X[test] @ pts
    return scores


def fit_rule_rows(
    design: CsvDesign, points: np.ndarray, model_id: str, persona_id: str
) -> list[dict]:
    """Seed rows for every level with non-zero points (zero-point rules change nothing)."""
    rows, used = [], set()
    for lv, p in zip(design.levels, points):
        if int(p) == 0:
            continue
        base = f"{slug(lv.attribute, 30)}__{slug('missing' if lv.operator == 'is_missing' else lv.value, 30)}"
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
                "points": int(p),
                "description": f"calibrated: {lv.label}",
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
    con = duckdb.connect()
    design = build_csv_design(con, Path(path), id_col, outcome_col, exclude)
    points, cv_auc, C = points_for(design)
    oof = out_of_fold_scores(design, C)
    prob = fit_score_to_probability(oof, design.y)(oof)
    grades = np.select([oof >= 75, oof >= 50, oof >= 25], ["A", "B", "C"], "D")
    m = evaluate("calibrated (out of fold)", oof, prob, design.y, tiers=grades)
    out_dir = Path(out_dir)
    version = f"{model_id}-{date.today().isoformat()}"
    rules = fit_rule_rows(design, points, model_id, persona_id)
    files = [
        write_seed(out_dir / "scoring_fit_rules.csv", rules, seed_columns("scoring_fit_rules")),
        write_seed(
            out_dir / "scoring_personas.csv",
            [
                {
                    "model_id": model_id,
                    "persona_id": persona_id,
                    "persona_name": f"calibrated from {Path(path).name}",
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
                    "description": f"calibrated from {Path(path).name} ({len(design.y)} rows)",
                    "trained_from": "",
                    "trained_to": "",
                    "fit_weight": 1.0,
                    "engagement_weight": 0.0,
                }
            ],
            seed_columns("scoring_models"),
        ),
    ]
    summary = "\n".join(
        [
            f"rows: {len(design.y)}  conversions: {int(design.y.sum())}  attributes: "
            f"{len({lv.attribute for lv in design.levels})}  levels: {len(design.levels)}",
            f"cross-validated AUC of the logistic model: {cv_auc:.3f}",
            f"out-of-fold AUC of the integer points:     {m.auc:.3f}",
            *(f"skipped column {a}: {why}" for a, why in design.skipped.items()),
            format_metrics([m]),
        ]
    )
    points_table = html_report.table(
        [
            {
                "attribute": lv.attribute,
                "operator": lv.operator,
                "value": lv.value[:80],
                "points": int(p),
                "rows": int(design.X[:, i].sum()),
                "conversion": float(design.y[design.X[:, i] == 1].mean())
                if design.X[:, i].any()
                else 0.0,
            }
            for i, (lv, p) in enumerate(zip(design.levels, points))
        ]
    )
    files.append(
        html_report.write_report(
            out_dir / "report.html",
            f"Calibration of {Path(path).name}",
            summary,
            [m],
            [("Points per attribute value", points_table)],
        )
    )
    return CsvCalibration(design, points, cv_auc, oof, summary, files)
