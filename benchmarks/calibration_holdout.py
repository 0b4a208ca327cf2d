"""Points vs model on any lead table: `calibrate --input` on 70 %, `score --input` on 30 %.

    python -m benchmarks.calibration_holdout TABLE.csv --outcome COLUMN --positive VALUE
        [--id COLUMN] [--exclude COL ...] [--seed 0] [--work DIR]

or, for a warehouse built by `leadhouse run` / the tests:

    python -m benchmarks.calibration_holdout --from-warehouse WH.duckdb [--work DIR]

which exports the non-identifying dim_leads attributes of every lead (no e-mail, name, company
or ids) with outcome = the lead has an opportunity, and runs the same on that table.

The table is split (stratified, seeded) into a training file (70 %) and a held-out file (30 %,
outcome removed). `calibrate --input` learns points on the training file (its out-of-fold AUC of
model and points is printed), `score --input` scores the held-out file with them, and a
cross-validated logistic regression on the same columns (one-hot text, imputed and scaled
numbers, penalty by 5-fold CV AUC) trained on the same 70 % gives the reference. One line of
figures is printed: the issue-14 goal is held-out points AUC >= reference - 0.01.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from orchestration.calibration.csv_calibration import calibrate_csv
from orchestration.cli import main as cli

ROW_ID = "_row_id"
#: dim_leads attributes exported by --from-warehouse (nothing that identifies a person).
WAREHOUSE_ATTRIBUTES = (
    "is_free_email",
    "job_title",
    "seniority",
    "job_function",
    "company_size_bucket",
    "employee_count",
    "industry",
    "country_iso2",
    "region",
    "has_phone",
    "enrichment_level",
    "origin",
    "lead_source",
    "first_touch_utm_source",
    "first_touch_utm_medium",
    "stated_budget",
    "stated_timeline",
    "stated_need",
    "stated_authority",
)


def export_warehouse(warehouse: Path, out: Path) -> Path:
    """dim_leads' WAREHOUSE_ATTRIBUTES + converted (has an opportunity) as a CSV."""
    con = duckdb.connect(str(warehouse), read_only=True)
    cols = ", ".join(f"cast(l.{c} as varchar) as {c}" for c in WAREHOUSE_ATTRIBUTES)
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
        copy (
            select row_number() over (order by l.lead_id) as lead_no, {cols},
                   case when exists (select 1 from marts.fct_opportunities as o
                                     where o.lead_id = l.lead_id) then 'yes' else 'no' end
                       as converted
            from marts.dim_leads as l
        ) to '{out}' (header, delimiter ',')
    """)
    con.close()
    return out


def reference_auc(train: pd.DataFrame, hold: pd.DataFrame, y_train, y_hold, cols) -> float:
    """Held-out AUC of a cross-validated logistic regression on `cols`."""
    numeric = [c for c in cols if pd.to_numeric(train[c], errors="coerce").notna().mean() >= 0.95]
    text = [c for c in cols if c not in numeric]

    def prep(df: pd.DataFrame) -> pd.DataFrame:
        out = df[cols].copy()
        for c in numeric:
            out[c] = pd.to_numeric(out[c], errors="coerce")
        for c in text:
            out[c] = out[c].fillna("").astype(str)
        return out

    model = make_pipeline(
        ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), text),
                (
                    "num",
                    make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()),
                    numeric,
                ),
            ]
        ),
        LogisticRegressionCV(
            Cs=8,
            cv=5,
            scoring="roc_auc",
            max_iter=3000,
            l1_ratios=(0.0,),
            use_legacy_attributes=False,
        ),
    )
    model.fit(prep(train), y_train)
    return float(roc_auc_score(y_hold, model.decision_function(prep(hold))))


def run(
    table: Path,
    outcome: str,
    positive: list[str],
    id_col: str | None,
    exclude: list[str],
    seed: int,
    work: Path,
) -> dict:
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    if id_col is None:
        id_col = ROW_ID
        frame.insert(0, ROW_ID, [f"r{i}" for i in range(len(frame))])
    y = frame[outcome].str.strip().str.lower().isin([p.lower() for p in positive]).astype(int)
    train, hold = train_test_split(frame, test_size=0.3, stratify=y, random_state=seed)
    y_train, y_hold = y.loc[train.index].to_numpy(), y.loc[hold.index].to_numpy()
    work.mkdir(parents=True, exist_ok=True)
    train.to_csv(work / "train.csv", index=False)
    hold.drop(columns=[outcome]).to_csv(work / "hold.csv", index=False)
    cal = calibrate_csv(work / "train.csv", id_col, outcome, work / "rules", tuple(exclude))
    assert (
        cli(
            [
                "score",
                "--input",
                str(work / "hold.csv"),
                "--id",
                id_col,
                "--rules",
                str(work / "rules"),
                "--out",
                str(work / "scored.csv"),
            ]
        )
        == 0
    )
    scored = pd.read_csv(work / "scored.csv", dtype={id_col: str}).set_index(id_col)
    points = roc_auc_score(y_hold, scored.loc[hold[id_col], "fit_score"].to_numpy())
    cols = [c for c in frame.columns if c not in (id_col, outcome, *exclude)]
    ref = reference_auc(train, hold, y_train, y_hold, cols)
    return {
        "table": table.name,
        "rows": len(frame),
        "positive_rate": float(np.mean(y)),
        "attributes": len(cols),
        "oof_model": cal.oof_auc_model,
        "oof_points": cal.oof_auc_points,
        "step": cal.step,
        "held_out_points": float(points),
        "held_out_cv_logreg": ref,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("table", type=Path, nargs="?")
    p.add_argument("--from-warehouse", type=Path)
    p.add_argument("--outcome")
    p.add_argument("--positive", nargs="+")
    p.add_argument("--id")
    p.add_argument("--exclude", nargs="*", default=[])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path)
    a = p.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="holdout-"))
    if a.from_warehouse:
        a.table = export_warehouse(a.from_warehouse, work / "warehouse_leads.csv")
        a.outcome, a.positive, a.id = "converted", ["yes"], "lead_no"
    if a.table is None or a.outcome is None or not a.positive:
        p.error("give TABLE --outcome --positive, or --from-warehouse")
    r = run(a.table, a.outcome, a.positive, a.id, a.exclude, a.seed, work)
    print(
        f"{r['table']}: {r['rows']:,} rows, {100 * r['positive_rate']:.1f} % positive, "
        f"{r['attributes']} attributes | out of fold: model {r['oof_model']:.3f}, points "
        f"{r['oof_points']:.3f} (step {r['step']:g}) | held out: points via score "
        f"{r['held_out_points']:.3f}, CV logistic regression {r['held_out_cv_logreg']:.3f} "
        f"(points - reference {r['held_out_points'] - r['held_out_cv_logreg']:+.3f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
