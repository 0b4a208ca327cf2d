"""Point-in-time features and outcomes from the warehouse (read-only), one per scoring rule.

For a snapshot date ``as_of``:

* population: leads created at or before ``as_of`` (``coalesce(created_at, first_seen_at)``)
  that had no opportunity yet (``fct_opportunities.created_at <= as_of``);
* fit features: one 0/1 column per (persona, fit rule) — whether the rule fires — computed
  by the project's own ``fit_rule_hits`` macro (compiled by dbt) on ``marts.dim_leads``;
* engagement features: one column per engagement rule — its decayed, per-day-capped count
  of matching interactions with ``occurred_at <= as_of`` (same matching, decay, window and
  per-day cap as ``int_scoring_engagement__events`` / ``__rule_points``; machine opens and
  bots excluded). The rule's points times this column is the rule's engagement points;
* outcome: an opportunity created in ``(as_of, as_of + horizon days]``.

Nothing dated after ``as_of`` enters a feature. ``dim_leads`` holds current attribute values
(no history), so a fit attribute edited after ``as_of`` is seen with its current value —
docs/calibration.md discusses this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np

from orchestration.calibration.errors import CalibrationInputError
from orchestration.calibration.seeds_io import CONTRACT_COLUMNS, read_seed
from orchestration.resources import (
    WAREHOUSE_ERRORS,
    memory_duckdb,
    missing_relation,
    unload,
)
from orchestration.resources import warehouse as warehouse_resource


@dataclass
class RuleSet:
    """One scoring model's rules, read from a folder of seed CSVs."""

    model_id: str
    model_row: dict
    fit_rules: list[dict]
    engagement_rules: list[dict]
    caps: dict[str, float]
    fit_bands: list[tuple[str, float]]
    engagement_bands: list[tuple[int, float]]
    tiers: dict[tuple[str, int], str]
    fit_weight: float = 0.5
    engagement_weight: float = 0.5


def load_rule_set(seeds_dir: Path, model_id: str, fallback_dir: Path | None = None) -> RuleSet:
    """Read the model's rows from `seeds_dir` (missing files fall back to `fallback_dir`)."""

    def rows(name: str) -> list[dict]:
        r = read_seed(Path(seeds_dir) / f"{name}.csv")
        if not r and fallback_dir is not None:
            r = read_seed(Path(fallback_dir) / f"{name}.csv")
        return [x for x in r if x.get("model_id") == model_id]

    models = rows("scoring_models")
    if not models:
        raise CalibrationInputError(
            f"model '{model_id}' not found in {seeds_dir}/scoring_models.csv"
        )
    m = models[0]
    bands = rows("scoring_score_bands")
    return RuleSet(
        model_id=model_id,
        model_row=m,
        fit_rules=rows("scoring_fit_rules"),
        engagement_rules=rows("scoring_engagement_rules"),
        caps={r["category"]: float(r["cap_points"]) for r in rows("scoring_category_caps")},
        fit_bands=sorted(
            ((b["band"], float(b["min_score"])) for b in bands if b["score_type"] == "fit"),
            key=lambda x: -x[1],
        )
        or [("A", 70), ("B", 50), ("C", 30), ("D", 0)],
        engagement_bands=sorted(
            (
                (int(b["band"]), float(b["min_score"]))
                for b in bands
                if b["score_type"] == "engagement"
            ),
            key=lambda x: -x[1],
        )
        or [(1, 50), (2, 25), (3, 10), (4, 0)],
        tiers={
            (t["fit_grade"], int(t["engagement_band"])): t["tier"]
            for t in rows("scoring_tier_matrix")
        },
        fit_weight=float(m.get("fit_weight") or 0.5),
        engagement_weight=float(m.get("engagement_weight") or 0.5),
    )


@dataclass
class Snapshot:
    """Features and outcome of every lead of the population at `as_of`."""

    as_of: datetime
    horizon_days: int
    lead_ids: list[str]
    y: np.ndarray
    created_at: np.ndarray  # datetime64
    fit_keys: list[tuple[str, str]]  # (persona_id, rule_id)
    F: np.ndarray
    eng_keys: list[str]
    E: np.ndarray
    notes: list[str] = field(default_factory=list)


#: the marts the calibration reads (as ``wh.marts.<name>``)
MARTS = ("dim_leads", "fct_interactions", "fct_opportunities")


def connect_warehouse(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with the warehouse's marts as ``wh.marts.*``: on DuckDB the file
    ``path`` (default ``LEADHOUSE_WAREHOUSE``) attached read-only; on PostgreSQL the three
    marts copied out with ``COPY ... TO STDOUT`` (``unload``), so the features are computed by
    the same DuckDB SQL on every engine."""
    wh = warehouse_resource(path=path)
    if wh.engine == "duckdb":
        return _attach_duckdb_file(Path(wh.location))
    if wh.engine != "postgres":
        raise CalibrationInputError(
            f"calibration is not supported on LEADHOUSE_TARGET={wh.engine} yet "
            "(duckdb or postgres; docs/engines.md)"
        )
    if not wh.exists():
        raise CalibrationInputError(f"warehouse not reachable: {wh.location}")
    con = memory_duckdb()
    try:
        con.execute("attach ':memory:' as wh")
        with wh.connect(read_only=True) as pg:
            for table in MARTS:
                try:
                    unload(pg, f"select * from marts.{table}", con, f"wh.marts.{table}")
                except WAREHOUSE_ERRORS as exc:
                    if not missing_relation(exc):
                        raise
                    raise CalibrationInputError(
                        f"marts.{table} is missing in {wh.location}: build the warehouse first"
                    ) from exc
    except BaseException:
        con.close()
        raise
    return con


def _attach_duckdb_file(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise CalibrationInputError(f"warehouse not found: {path} (run `leadhouse run` first)")
    con = memory_duckdb()
    con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as wh (read_only)")
    for table in MARTS:
        found = con.execute(
            "select count(*) from duckdb_tables() "
            "where database_name = 'wh' and schema_name = 'marts' and table_name = ?",
            [table],
        ).fetchone()[0]
        found += con.execute(
            "select count(*) from duckdb_views() "
            "where database_name = 'wh' and schema_name = 'marts' and view_name = ?",
            [table],
        ).fetchone()[0]
        if not found:
            con.close()
            raise CalibrationInputError(
                f"marts.{table} is missing in {path}: build the warehouse first"
            )
    return con


def data_range(con: duckdb.DuckDBPyConnection) -> tuple[datetime, datetime]:
    """(first, last) timestamp of interactions and opportunities in the warehouse."""
    lo, hi = con.execute(
        "select min(t), max(t) from ("
        "select occurred_at::timestamp as t from wh.marts.fct_interactions "
        "union all select created_at::timestamp from wh.marts.fct_opportunities)"
    ).fetchone()
    if lo is None:
        raise CalibrationInputError("the warehouse has no interactions or opportunities")
    return lo, hi


def _load_table(
    con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], columns: list[str]
) -> None:
    con.execute(
        f"create or replace temp table {name} ({', '.join(c + ' varchar' for c in columns)})"
    )
    if rows:
        con.executemany(
            f"insert into {name} values ({', '.join('?' for _ in columns)})",
            [[None if r.get(c) in (None, "") else str(r.get(c)) for c in columns] for r in rows],
        )


#: the seeds' contract columns (one list, in seeds_io)
FIT_COLUMNS = CONTRACT_COLUMNS["scoring_fit_rules"]
ENG_COLUMNS = CONTRACT_COLUMNS["scoring_engagement_rules"]


def load_rules(con: duckdb.DuckDBPyConnection, rules: RuleSet) -> None:
    """Load the rule set as temp tables ``rules_input`` (fit) and ``eng_rules_input``."""
    _load_table(con, "rules_input", rules.fit_rules, FIT_COLUMNS)
    _load_table(con, "eng_rules_input", rules.engagement_rules, ENG_COLUMNS)


ENGAGEMENT_FEATURE_SQL = """
with rules as (
    select rule_id, interaction_type, nullif(trim(detail_match), '') as detail_match,
           cast(points as double) as points,
           coalesce(cast(half_life_days as double), 30.0) as half_life_days,
           cast(window_days as double) as window_days, cast(cap_per_day as double) as cap_per_day
    from eng_rules_input
),
interactions as (
    select i.interaction_id, i.lead_id, i.occurred_at::timestamp as occurred_at, i.interaction_type,
           lower(i.content_category) as content_category, lower(i.form_type) as form_type, i.url
    from wh.marts.fct_interactions as i
    inner join population as p on p.lead_id = i.lead_id
    where i.occurred_at::timestamp <= $as_of
      and not coalesce(i.is_machine_open, false) and not coalesce(i.is_bot, false)
),
matched as (
    select i.lead_id, i.occurred_at, r.*,
           date_diff('second', i.occurred_at, $as_of) / 86400.0 as age_days,
           row_number() over (partition by i.interaction_id
                              order by case when r.detail_match is null then 1 else 0 end,
                                       r.rule_id) as rk
    from interactions as i
    inner join rules as r
        on r.interaction_type = i.interaction_type
       and (r.detail_match is null or lower(r.detail_match) = i.content_category
            or lower(r.detail_match) = i.form_type
            or (r.detail_match like 'url:%'
                and regexp_matches(i.url, substr(r.detail_match, 5), 'i')))
),
days as (
    select lead_id, rule_id, cast(occurred_at as date) as occurred_on, count(*) as n,
           sum(power(0.5, age_days / half_life_days)) as decayed, max(points) as points,
           max(cap_per_day) as cap_per_day
    from matched
    where rk = 1 and (window_days is null or age_days <= window_days)
    group by 1, 2, 3
)
-- rounded: parallel float sums are otherwise not bit-for-bit reproducible between runs
select lead_id, rule_id,
       round(sum(decayed * case when cap_per_day is not null and abs(n * points) > cap_per_day
                                then cap_per_day / abs(n * points) else 1.0 end), 9) as feature
from days
group by 1, 2
"""


def build_population(con: duckdb.DuckDBPyConnection, as_of: datetime, horizon_days: int) -> None:
    """Temp tables ``population`` (lead_id, created_at, y) and view ``leads_input``."""
    end = as_of + timedelta(days=horizon_days)
    con.execute(
        """
        create or replace temp table population as
        with opps as (
            select lead_id, min(created_at::timestamp) as first_opportunity_at
            from wh.marts.fct_opportunities where lead_id is not null group by 1
        )
        select l.lead_id, coalesce(l.created_at, l.first_seen_at)::timestamp as created_at,
               (o.first_opportunity_at > $as_of and o.first_opportunity_at <= $end)::int as y
        from wh.marts.dim_leads as l
        left join opps as o on o.lead_id = l.lead_id
        where coalesce(l.created_at, l.first_seen_at)::timestamp <= $as_of
          and (o.first_opportunity_at is null or o.first_opportunity_at > $as_of)
        order by l.lead_id
    """,
        {"as_of": as_of, "end": end},
    )
    con.execute(
        "create or replace temp view leads_input as select l.* from wh.marts.dim_leads as l "
        "inner join population as p on p.lead_id = l.lead_id"
    )


def build_snapshot(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    horizon_days: int,
    rules: RuleSet,
    fit_hits_sql: str,
) -> Snapshot:
    """Features of the rules of `rules` and outcomes at `as_of` (see the module docstring)."""
    build_population(con, as_of, horizon_days)
    load_rules(con, rules)
    pop = con.execute("select lead_id, created_at, y from population order by lead_id").fetchnumpy()
    lead_ids = [str(x) for x in pop["lead_id"]]
    if not lead_ids:
        raise CalibrationInputError(
            f"no leads created on or before {as_of:%Y-%m-%d} without an opportunity"
        )
    index = {lid: i for i, lid in enumerate(lead_ids)}
    fit_keys = [(r["persona_id"], r["rule_id"]) for r in rules.fit_rules]
    fk = {k: j for j, k in enumerate(fit_keys)}
    F = np.zeros((len(lead_ids), len(fit_keys)))
    for lid, pid, rid in con.execute(
        f"select lead_id, persona_id, rule_id from ({fit_hits_sql})"
    ).fetchall():
        F[index[lid], fk[(pid, rid)]] = 1.0
    eng_keys = [r["rule_id"] for r in rules.engagement_rules]
    ek = {k: j for j, k in enumerate(eng_keys)}
    E = np.zeros((len(lead_ids), len(eng_keys)))
    for lid, rid, val in con.execute(ENGAGEMENT_FEATURE_SQL, {"as_of": as_of}).fetchall():
        E[index[lid], ek[rid]] = val
    return Snapshot(
        as_of=as_of,
        horizon_days=horizon_days,
        lead_ids=lead_ids,
        y=np.asarray(pop["y"], dtype=int),
        created_at=np.asarray(pop["created_at"]),
        fit_keys=fit_keys,
        F=F,
        eng_keys=eng_keys,
        E=E,
    )
