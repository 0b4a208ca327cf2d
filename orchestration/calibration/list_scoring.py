"""Score any lead list with fit rules through the dbt macros' own SQL.

The CSV is loaded into an in-memory DuckDB as ``leads_input`` (``lead_id`` = the id
column, then every fit attribute the macros read; an attribute the CSV lacks is NULL,
i.e. missing; values are passed as they are, so the macro's own rule applies: '' and
'unknown' are missing. With ``placeholders_missing`` the placeholders of ``calibrate``
("N/A", "Select", "-", ...) are missing too — use it with rules learnt by
``calibrate --input`` from a similar list. Text in a numeric attribute (employee_count) is
missing: the macro casts it to a number.), the rules as ``rules_input``; then the compiled ``score_fit`` and
``fit_rule_hits`` macros run on them. Grades come from the ``scoring_score_bands`` seed
(fit bands) the same way mart_lead_scores joins them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.calibration.csv_features import _lit, _placeholder_sql, _q, load_csv
from orchestration.calibration.dbt_sql import fit_sql
from orchestration.calibration.errors import CalibrationInputError
from orchestration.config import SEEDS_DIR

DEFAULT_BANDS = (("A", 70), ("B", 50), ("C", 30), ("D", 0))
#: dim_leads attributes that are numbers (a CSV may hold placeholders in them).
NUMERIC_ATTRIBUTES = {"employee_count"}


def _load_rules(con, rules_dir: Path, model_id: str | None) -> str:
    path = Path(rules_dir) / "scoring_fit_rules.csv"
    if not path.exists():
        raise CalibrationInputError(f"no scoring_fit_rules.csv in {rules_dir}")
    con.execute(
        "create or replace table all_rules as select * from read_csv(?, header=true, "
        "all_varchar=true)",
        [str(path)],
    )
    models = [
        r[0] for r in con.execute("select distinct model_id from all_rules order by 1").fetchall()
    ]
    if model_id is None:
        champions = []
        mpath = Path(rules_dir) / "scoring_models.csv"
        if mpath.exists():
            champions = [
                r[0]
                for r in con.execute(
                    "select model_id from read_csv(?, header=true, all_varchar=true) "
                    "where lower(is_champion) in ('true', '1', 'yes')",
                    [str(mpath)],
                ).fetchall()
            ]
        model_id = next((m for m in champions if m in models), models[0] if models else None)
    if model_id not in models:
        raise CalibrationInputError(
            f"model '{model_id}' has no fit rules in {path} (models: {models})"
        )
    con.execute(
        "create or replace table rules_input as select * from all_rules where model_id = ?",
        [model_id],
    )
    return model_id


def _load_bands(con, rules_dir: Path, model_id: str) -> None:
    path = next(
        (
            p
            for p in (
                Path(rules_dir) / "scoring_score_bands.csv",
                SEEDS_DIR / "scoring_score_bands.csv",
            )
            if p.exists()
        ),
        None,
    )
    rows = []
    if path is not None:
        rows = con.execute(
            "select band, cast(min_score as double) from read_csv(?, header=true, all_varchar=true) "
            "where score_type = 'fit' and model_id = ?",
            [str(path), model_id],
        ).fetchall()
    rows = rows or list(DEFAULT_BANDS)
    con.execute("create or replace table fit_bands (band varchar, min_score double)")
    con.executemany("insert into fit_bands values (?, ?)", rows)


def score_csv(
    input_path: Path,
    id_col: str,
    out_path: Path,
    rules_dir: Path = SEEDS_DIR,
    model_id: str | None = None,
    top_n: int = 3,
    placeholders_missing: bool = False,
) -> dict:
    """Score the CSV; write id, model_id, best_persona_id, fit_score, fit_grade, top_rules."""
    con = duckdb.connect()
    columns = load_csv(con, Path(input_path), "csv_rows")
    if id_col not in columns:
        raise CalibrationInputError(
            f"id column '{id_col}' not found in the input (columns: {', '.join(columns)})"
        )
    dupes = con.execute(f"select count(*) - count(distinct {_q(id_col)}) from csv_rows").fetchone()[
        0
    ]
    if dupes:
        raise CalibrationInputError(f"id column '{id_col}' has {dupes} duplicate value(s)")
    model_id = _load_rules(con, Path(rules_dir), model_id)
    _load_bands(con, Path(rules_dir), model_id)
    sql = fit_sql("leads_input", "rules_input")
    attributes: list[str] = sql["attributes"]
    unknown = [
        r[0]
        for r in con.execute(
            f"select distinct attribute from rules_input where attribute not in "
            f"({', '.join(_lit(a) for a in attributes)})"
        ).fetchall()
    ]
    if unknown:
        raise CalibrationInputError(
            f"rule attribute(s) {', '.join(unknown)} are not fit attributes the scoring SQL reads "
            f"({', '.join(attributes)}); rename the CSV columns / rules to those names"
        )
    lower = {c.lower(): c for c in columns}

    def column(a: str) -> str:
        if a not in lower or a == id_col:
            return f"cast(null as varchar) as {_q(a)}"
        v = f"trim({_q(lower[a])})"
        clean = (
            f"case when lower({v}) in {_placeholder_sql()} then null else {v} end"
            if placeholders_missing
            else v
        )
        if a in NUMERIC_ATTRIBUTES:  # the macro casts these to double: text like 'N/A' → missing
            clean = f"cast(try_cast({clean} as double) as varchar)"
        return f"{clean} as {_q(a)}"

    select = [f"{_q(id_col)} as lead_id"] + [column(a) for a in attributes]
    con.execute(f"create or replace table leads_input as select {', '.join(select)} from csv_rows")
    con.execute(f"create or replace table fit_scores as {sql['score_fit']}")
    con.execute(f"create or replace table fit_hits as {sql['fit_rule_hits']}")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"""
        copy (
            with top_rules as (
                select h.lead_id,
                       string_agg(h.rule_id || ' (' || case when h.points > 0 then '+' else '' end
                                  || cast(cast(h.points as double) as varchar) || ')', '; '
                                  order by abs(h.points) desc, h.rule_id) as top_rules
                from (select h.*, row_number() over (partition by h.lead_id
                                                     order by abs(h.points) desc, h.rule_id) as rn
                      from fit_hits as h
                      inner join fit_scores as s
                          on s.lead_id = h.lead_id and s.best_persona_id = h.persona_id) as h
                where h.rn <= {int(top_n)}
                group by h.lead_id
            ),
            graded as (
                select s.lead_id, b.band,
                       row_number() over (partition by s.lead_id order by b.min_score desc) as rk
                from fit_scores as s inner join fit_bands as b on b.min_score <= s.fit_score
            )
            select l.lead_id as {_q(id_col)}, s.model_id, s.best_persona_id,
                   cast(s.fit_score as double) as fit_score, g.band as fit_grade,
                   coalesce(t.top_rules, '') as top_rules
            from leads_input as l
            left join fit_scores as s on s.lead_id = l.lead_id
            left join graded as g on g.lead_id = l.lead_id and g.rk = 1
            left join top_rules as t on t.lead_id = l.lead_id
            order by cast(s.fit_score as double) desc nulls last, l.lead_id
        ) to '{str(out_path).replace("'", "''")}' (header, delimiter ',')
    """)
    n, mean = con.execute(
        "select count(*), avg(cast(fit_score as double)) from fit_scores"
    ).fetchone()
    grades = dict(
        con.execute(
            "select band, count(*) from (select s.lead_id, b.band, row_number() over (partition by s.lead_id "
            "order by b.min_score desc) rk from fit_scores s join fit_bands b on b.min_score <= s.fit_score) "
            "where rk = 1 group by 1 order by 1"
        ).fetchall()
    )
    return {
        "rows": n,
        "model_id": model_id,
        "mean_fit_score": mean,
        "grades": grades,
        "out": out_path,
    }
