"""Running ``leadhouse score`` in the calibration tests, and the inputs it compares with dbt."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from orchestration.cli import main


def score(input_csv: Path, out: Path, *args: str, rules: Path | None = None) -> int:
    """``leadhouse score --input INPUT_CSV ARGS [--rules RULES] --out OUT``; its exit status."""
    rules_args = ["--rules", str(rules)] if rules else []
    return main(["score", "--input", str(input_csv), *args, *rules_args, "--out", str(out)])


def export_leads_and_rules(con: duckdb.DuckDBPyConnection, folder: Path) -> tuple[Path, Path]:
    """``marts.dim_leads`` as ``folder/leads.csv`` and the fit rules the build loaded
    (``seeds.scoring_fit_rules``; ``seeds/`` may have been edited since) as
    ``folder/rules/scoring_fit_rules.csv``: the same leads and rules dbt scored."""
    leads, rules = folder / "leads.csv", folder / "rules"
    rules.mkdir()
    con.execute(f"copy (select * from marts.dim_leads) to '{leads}' (header)")
    con.execute(
        f"copy (select * from seeds.scoring_fit_rules) to '{rules / 'scoring_fit_rules.csv'}' "
        "(header)"
    )
    return leads, rules


def fit_scores(scored_csv: Path) -> dict[str, tuple[float, str]]:
    """lead_id → (fit_score, best_persona_id) of a ``score`` output."""
    with scored_csv.open(newline="") as fh:
        return {
            r["lead_id"]: (float(r["fit_score"]), r["best_persona_id"]) for r in csv.DictReader(fh)
        }
