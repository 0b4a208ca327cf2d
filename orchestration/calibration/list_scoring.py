"""Score any lead list with fit rules through the dbt macros' own SQL.

The CSV is read with ingestion's CSV reader into an in-memory DuckDB. Each rule attribute
is then found, in this order:

1. a column of the file with that name (case-insensitive) — so the rules ``calibrate
   --input`` learnt from a file's own columns score a file with the same columns;
2. a dim_leads attribute derived from the raw profile fields of the file (email, job title,
   company size / employees, country, phone, company, industry) by the **same dbt macros the
   models use**: ``normalize_email`` and ``employee_count_from_text`` (as the lead-list staging
   model), ``classify_job_titles`` (seniority, job function, from seeds/job_title_mapping.csv)
   and ``lead_taxonomy`` (size bucket, country code and region, email domain, free mail,
   has_phone, enrichment level), compiled by dbt and run here;
3. else missing — except the qualification attributes (``scoring_qualification_attributes``:
   the BANT answers stated on forms, origin, lead source). A file states them only through a
   column (``stated_budget`` or ``budget``, ``stated_timeline`` or ``timeline``, ...): their
   rules are dropped when it has none, since a list that says nothing about a budget does not
   say the budget is missing.

The output splits the fit as the warehouse does (mart_lead_scores): ``profile_fit_score`` (the
profile rules alone: best persona, 0-100), ``qualification_points`` (what the file's BANT /
origin columns add; empty when it has none) and ``fit_score`` = the two added. A lead list's
``profile_fit_score`` equals the warehouse's for the same person, whatever forms that person
filled in since. With an e-mail column the output carries ``lead_id``, the warehouse's
pseudonymous lead key (the ``lead_id`` macro on the normalised e-mail), to join the list to
the warehouse without the address.

Values are passed as they are, so the macro's own rule applies ('' and 'unknown' are missing);
with ``placeholders_missing`` (automatic when the rules folder holds calibrate's
``calibration.json``) calibrate's placeholders ("N/A", "Select", "-", ...) are missing too.
Text in a numeric dim_leads attribute (employee_count) is missing, as the macro casts it.
The compiled ``score_fit`` and ``fit_rule_hits`` macros then score the rows (one row = one
lead, duplicates included); grades come from the ``scoring_score_bands`` seed (fit bands)
the way mart_lead_scores joins them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from orchestration.calibration.csv_features import _placeholder_sql
from orchestration.calibration.csv_input import load_csv, quote_ident
from orchestration.calibration.dbt_sql import fit_sql, taxonomy_sql
from orchestration.calibration.errors import CalibrationInputError
from orchestration.calibration.seeds_io import MANIFEST
from orchestration.config import SEEDS_DIR
from orchestration.resources import memory_duckdb

DEFAULT_BANDS = (("A", 70), ("B", 50), ("C", 30), ("D", 0))
#: dim_leads attributes that are numbers (a CSV may hold placeholders in them).
NUMERIC_ATTRIBUTES = {"employee_count"}
#: Raw profile fields and the header names they go by (normalised: lower case, '_' separators);
#: the first header found wins (company_size before employees, as the lead-list staging does).
RAW_FIELDS = {
    "email": ("email", "e_mail", "email_address", "work_email"),
    "company_name": ("company", "company_name", "organization", "organisation", "account_name"),
    "job_title": ("job_title", "title", "jobtitle", "position"),
    "company_size": ("company_size", "employees", "employee_count", "headcount", "size"),
    "industry": ("industry",),
    "country": ("country",),
    "phone": ("phone", "phone_number", "mobile"),
}
#: Header names of the qualification attributes (BANT answers stated on forms, origin, source).
QUALIFICATION_FIELDS = {
    "stated_budget": ("stated_budget", "budget"),
    "stated_timeline": ("stated_timeline", "timeline", "purchase_timeline"),
    "stated_need": ("stated_need", "need"),
    "stated_authority": ("stated_authority", "authority"),
    "origin": ("origin",),
    "lead_source": ("lead_source",),
}
#: dim_leads attributes the taxonomy macros derive from the raw fields.
DERIVED = (
    "email_domain",
    "is_free_email",
    "company_domain",
    "seniority",
    "job_function",
    "company_size_bucket",
    "employee_count",
    "country_iso2",
    "region",
    "has_phone",
    "enrichment_level",
    "job_title",
    "industry",
)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _load_rules(con: duckdb.DuckDBPyConnection, rules_dir: Path, model_id: str | None) -> str:
    """Table ``rules_input``: the fit rules of `model_id` (default: the champion)."""
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


def _load_bands(con: duckdb.DuckDBPyConnection, rules_dir: Path, model_id: str) -> None:
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
            "select band, cast(min_score as double) from read_csv(?, header=true, "
            "all_varchar=true) where score_type = 'fit' and model_id = ?",
            [str(path), model_id],
        ).fetchall()
    rows = rows or list(DEFAULT_BANDS)
    con.execute("create or replace table fit_bands (band varchar, min_score double)")
    con.executemany("insert into fit_bands values (?, ?)", rows)


def _raw_fields(columns: list[str]) -> dict[str, str]:
    """Raw profile field → the file's column holding it."""
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    found = {}
    for field, names in RAW_FIELDS.items():
        col = next((by_norm[n] for n in names if n in by_norm), None)
        if col is not None:
            found[field] = col
    return found


def derive_profile(con: duckdb.DuckDBPyConnection, raw: dict[str, str]) -> None:
    """Table ``derived`` (lead_id = row number + the DERIVED attributes) from ``csv_rows``.

    The profile fields are cleaned as the lead-list staging model does; the taxonomy comes
    from the compiled dbt macros on the project's seeds.
    """
    sql = taxonomy_sql("profiles", "titles", "patterns", "countries", "free_domains")

    def text(field: str) -> str:
        col = raw.get(field)
        return f"nullif(trim({quote_ident(col)}), '')" if col else "cast(null as varchar)"

    email = sql["normalize_email"].replace("email_text", text("email"))
    employees = sql["employee_count_from_text"].replace("company_size_text", text("company_size"))
    con.execute(f"""
        create or replace temp table profiles as
        select cast(_row as varchar) as lead_id, {email} as email,
               {text("company_name")} as company_name, {text("job_title")} as job_title,
               {employees} as employee_count, {text("industry")} as industry,
               {text("country")} as country, {text("phone")} as phone
        from csv_rows
    """)
    con.execute(
        "create or replace temp table patterns as select * from read_csv(?, header=true, "
        "columns={'dimension': 'varchar', 'priority': 'integer', 'pattern': 'varchar', "
        "'value': 'varchar', 'description': 'varchar'})",
        [str(SEEDS_DIR / "job_title_mapping.csv")],
    )
    for table, seed in (("countries", "country_regions"), ("free_domains", "free_email_domains")):
        con.execute(
            f"create or replace temp table {table} as select * from read_csv(?, header=true, "
            "all_varchar=true)",
            [str(SEEDS_DIR / f"{seed}.csv")],
        )
    con.execute(
        "create or replace temp table titles as "
        "select distinct job_title from profiles where job_title is not null"
    )
    con.execute(f"create or replace temp table titles_classified as {sql['classify_job_titles']}")
    con.execute(f"""
        create or replace temp table derived as
        with taxonomy as ({sql["lead_taxonomy"]})
        select taxonomy.*, {
        sql["enrichment_level"].replace("enrichment_points", "taxonomy.enrichment_points")
    }
                   as enrichment_level,
               profiles.job_title, profiles.industry, profiles.employee_count
        from taxonomy inner join profiles on profiles.lead_id = taxonomy.lead_id
    """)


def score_csv(
    input_path: Path,
    id_col: str,
    out_path: Path,
    rules_dir: Path = SEEDS_DIR,
    model_id: str | None = None,
    top_n: int = 3,
    placeholders_missing: bool | None = None,
) -> dict:
    """Score the CSV; write id, [lead_id], model_id, best_persona_id, profile_fit_score,
    qualification_points, fit_score, fit_grade, top_rules."""
    con = memory_duckdb()
    loaded = load_csv(con, Path(input_path), "csv_rows")
    columns = loaded.columns
    if id_col not in columns:
        raise CalibrationInputError(
            f"id column '{id_col}' not found in the input (columns: {', '.join(columns)})"
        )
    dupes = con.execute(
        f"select count(*) - count(distinct {quote_ident(id_col)}) from csv_rows"
    ).fetchone()[0]
    rules_dir = Path(rules_dir)
    if placeholders_missing is None:
        placeholders_missing = (rules_dir / MANIFEST).exists()
    model_id = _load_rules(con, rules_dir, model_id)
    _load_bands(con, rules_dir, model_id)
    rule_attrs = [
        r[0]
        for r in con.execute("select distinct attribute from rules_input order by 1").fetchall()
    ]
    lower = {c.lower(): c for c in columns if c != id_col}
    raw = _raw_fields(columns)  # the id column may be the email
    derivable = set(DERIVED) if raw else set()
    sql = fit_sql("leads_input", "rules_input", rule_attrs)
    qualification = sql["qualification_attributes"]
    by_norm = {}
    for c in columns:
        if c != id_col:
            by_norm.setdefault(_norm(c), c)
    # 'budget' -> stated_budget, ... (a column named as the attribute itself wins)
    for attr in qualification:
        col = next(
            (by_norm[n] for n in QUALIFICATION_FIELDS.get(attr, (attr,)) if n in by_norm), None
        )
        if col is not None:
            lower.setdefault(attr.lower(), col)
    stated = [a for a in qualification if a.lower() in lower]
    unstated = [a for a in rule_attrs if a in qualification and a not in stated]
    if unstated:  # the file says nothing about them: their rules do not apply
        con.execute(
            f"delete from rules_input where attribute in ({', '.join('?' for _ in unstated)})",
            unstated,
        )
    defaults = sql["default_attributes"]
    # a dim_leads attribute the file neither holds nor derives is missing, anything else an error
    unknown = [
        a for a in rule_attrs if a.lower() not in lower and a not in derivable and a not in defaults
    ]
    if unknown:
        raise CalibrationInputError(
            f"rule attribute(s) {', '.join(unknown)} are neither columns of the input nor "
            f"attributes the scoring SQL derives ({', '.join(defaults)}); rename the CSV "
            "columns / rules"
        )
    needs_derivation = any(a.lower() not in lower and a in derivable for a in rule_attrs)
    if needs_derivation:
        derive_profile(con, raw)

    def column(a: str) -> str:
        if a.lower() in lower:
            v = f"trim(c.{quote_ident(lower[a.lower()])})"
            clean = (
                f"case when lower({v}) in {_placeholder_sql()} then null else {v} end"
                if placeholders_missing
                else v
            )
        elif needs_derivation and a in derivable:
            clean = f"cast(d.{quote_ident(a)} as varchar)"
        else:
            return f"cast(null as varchar) as {quote_ident(a)}"
        if a in NUMERIC_ATTRIBUTES:  # the macro casts these to double: text like 'N/A' → missing
            clean = f"cast(try_cast({clean} as double) as varchar)"
        return f"{clean} as {quote_ident(a)}"

    select = [f"cast(c._row as varchar) as lead_id, c.{quote_ident(id_col)} as _id"] + [
        column(a) for a in rule_attrs
    ]
    key_col = ""  # the warehouse's lead key, from the e-mail (not when the id column is named so)
    if "email" in raw and id_col.lower() != "lead_id" and "lead_id" not in lower:
        tax = taxonomy_sql("profiles", "titles", "patterns", "countries", "free_domains")
        email = tax["normalize_email"].replace(
            "email_text", f"nullif(trim(c.{quote_ident(raw['email'])}), '')"
        )
        select.append(f"{tax['lead_id'].replace('email_text', email)} as _lead_key")
        key_col = "l._lead_key as lead_id, "
    join = (
        "left join derived as d on d.lead_id = cast(c._row as varchar)" if needs_derivation else ""
    )
    con.execute(
        f"create or replace table leads_input as select {', '.join(select)} "
        f"from csv_rows as c {join}"
    )
    con.execute(f"create or replace table fit_scores as {sql['score_fit']}")
    con.execute(f"create or replace table fit_hits as {sql['fit_rule_hits']}")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    con.execute("""
        create or replace table graded as
        select s.lead_id, b.band,
               row_number() over (partition by s.lead_id order by b.min_score desc) as rk
        from fit_scores as s inner join fit_bands as b on b.min_score <= s.fit_score
    """)
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
            )
            select l._id as {quote_ident(id_col)}, {key_col}s.model_id, s.best_persona_id,
                   cast(s.profile_fit_score as double) as profile_fit_score,
                   {"cast(s.qualification_points as double)" if stated else "null"}
                       as qualification_points,
                   cast(s.fit_score as double) as fit_score, g.band as fit_grade,
                   coalesce(t.top_rules, '') as top_rules
            from leads_input as l
            left join fit_scores as s on s.lead_id = l.lead_id
            left join graded as g on g.lead_id = l.lead_id and g.rk = 1
            left join top_rules as t on t.lead_id = l.lead_id
            order by cast(s.fit_score as double) desc nulls last, cast(l.lead_id as integer)
        ) to '{str(out_path).replace("'", "''")}' (header, delimiter ',')
    """)
    n, mean = con.execute(
        "select count(*), avg(cast(fit_score as double)) from fit_scores"
    ).fetchone()
    grades = dict(
        con.execute(
            "select band, count(*) from graded where rk = 1 group by 1 order by 1"
        ).fetchall()
    )
    return {
        "rows": n,
        "model_id": model_id,
        "mean_fit_score": mean,
        "grades": grades,
        "out": out_path,
        "duplicate_ids": dupes,
        "malformed_lines": loaded.malformed_lines,
        "derived_from": raw if needs_derivation else {},
        "qualification_columns": {a: lower[a.lower()] for a in stated},
        "qualification_rules_dropped": unstated,
        "placeholders_missing": placeholders_missing,
    }


def describe(result: dict) -> str:
    """The printed summary of a scoring run."""
    lines = [
        f"scored {result['rows']} leads with model '{result['model_id']}': mean fit "
        f"{(result['mean_fit_score'] or 0):.1f}, grades {result['grades']} → {result['out']}"
    ]
    if result["derived_from"]:
        lines.append(
            "derived dim_leads attributes with the dbt macros from "
            + ", ".join(f"{k}={v!r}" for k, v in result["derived_from"].items())
        )
    if result["qualification_columns"]:
        lines.append(
            "qualification (form answers) scored from "
            + ", ".join(f"{k}={v!r}" for k, v in result["qualification_columns"].items())
        )
    if result["qualification_rules_dropped"]:
        lines.append(
            "fit = profile fit: the file states no "
            + ", ".join(result["qualification_rules_dropped"])
            + " (their rules left out; the warehouse adds them as qualification_points)"
        )
    if result["duplicate_ids"]:
        lines.append(f"warning: {result['duplicate_ids']} duplicate id value(s), each row scored")
    if result["malformed_lines"]:
        lines.append(
            f"warning: {len(result['malformed_lines'])} malformed line(s) skipped, first at line "
            f"{result['malformed_lines'][0]}"
        )
    return "\n".join(lines)


def manifest(rules_dir: Path) -> dict:
    """calibrate's calibration.json of a rules folder ({} when absent)."""
    path = Path(rules_dir) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
