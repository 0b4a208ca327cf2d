"""What the report shows, read from the warehouse's analytics schema (aggregated in SQL, so the
report stays small at any scale) and from the saved quality-check outcomes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.quality.results import load_outcomes
from orchestration.quality.suites import LAYERS
from orchestration.resources import memory_duckdb, unload
from orchestration.resources import warehouse as warehouse_resource

FUNNEL_STEPS = (
    ("Leads", "first_seen_at"),
    ("MQLs", "reached_mql_at"),
    ("SQLs", "reached_sql_at"),
    ("Opportunities", "reached_opportunity_at"),
    ("Customers", "reached_customer_at"),
)

#: dbt var source_freshness_warn_hours / _error_hours (dbt_project.yml)
FRESH_WARN_HOURS, FRESH_ERROR_HOURS = 48, 168


@dataclass
class ReportData:
    generated_at: datetime
    warehouse: str
    headline: dict[str, int]
    funnel: pd.DataFrame
    by_source: pd.DataFrame
    by_campaign: pd.DataFrame
    persona_scores: pd.DataFrame
    tier_matrix: pd.DataFrame
    by_tier: pd.DataFrame
    by_decile: pd.DataFrame
    handoff_day: date | None
    handoffs: pd.DataFrame
    quality: pd.DataFrame
    quality_failures: list[dict] = field(default_factory=list)
    freshness: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_outcomes(self) -> bool:
        return self.headline.get("Opportunities", 0) > 0


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def headline(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = ", ".join(f'count({col}) as "{label}"' for label, col in FUNNEL_STEPS)
    row = con.execute(f"select {counts} from analytics.lead_scores").fetchone()
    return {label: int(n) for (label, _), n in zip(FUNNEL_STEPS, row, strict=True)}


def funnel(counts: dict[str, int]) -> pd.DataFrame:
    """One row per step: leads that reached it, share of the step before and of all leads."""
    rows, previous, first = [], None, None
    for order, (label, _) in enumerate(FUNNEL_STEPS, start=1):
        n = counts[label]
        first = n if first is None else first
        rows.append(
            {
                "step": label,
                "order": order,
                "leads": n,
                "from_previous": (n / previous) if previous else None,
                "from_leads": (n / first) if first else None,
            }
        )
        previous = n
    return pd.DataFrame(rows)


def by_source(con: duckdb.DuckDBPyConnection, column: str) -> pd.DataFrame:
    """Funnel and velocity per first-touch source (or source + campaign)."""
    keys = (
        "first_touch_source" if column == "source" else "first_touch_source, first_touch_campaign"
    )
    return _df(
        con,
        f"""
        select {keys},
               count(*) as leads,
               count(reached_mql_at) as mqls,
               count(reached_sql_at) as sqls,
               count(reached_opportunity_at) as opportunities,
               count(reached_customer_at) as customers,
               count(reached_mql_at) / nullif(count(*), 0) as lead_to_mql,
               count(reached_sql_at) / nullif(count(reached_mql_at), 0) as mql_to_sql,
               count(reached_opportunity_at) / nullif(count(reached_sql_at), 0) as sql_to_opp,
               median(days_to_mql) as median_days_to_mql,
               median(days_to_sql) as median_days_to_sql
        from analytics.lead_scores
        group by all
        order by sqls desc, leads desc, {keys}
        """,
    )


def persona_scores(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Leads per persona and lead-score band of 10 points (0-9, ..., 90-100)."""
    return _df(
        con,
        """
        select coalesce(persona_name, persona_id, 'no persona') as persona,
               cast(least(floor(lead_score / 10) * 10, 90) as integer) as score_from,
               count(*) as leads
        from analytics.lead_scores
        group by all
        order by persona, score_from
        """,
    )


def tier_matrix(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Fit grade x engagement band: leads, and the share that reached an opportunity."""
    return _df(
        con,
        """
        select fit_grade, cast(engagement_band as integer) as engagement_band, min(tier) as tier,
               count(*) as leads,
               count(reached_opportunity_at) as opportunities,
               count(reached_opportunity_at) / count(*) as conversion
        from analytics.lead_scores
        group by fit_grade, engagement_band
        order by fit_grade, engagement_band
        """,
    )


def by_tier(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(
        con,
        """
        select tier, min(tier_rank) as tier_rank, min(temperature) as temperature,
               count(*) as leads,
               count(reached_sql_at) as sqls,
               count(reached_opportunity_at) as opportunities,
               count(reached_opportunity_at) / count(*) as conversion
        from analytics.lead_scores
        group by tier
        order by tier_rank, tier
        """,
    )


def by_decile(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(
        con,
        """
        select lead_score_decile as decile,
               min(lead_score) as min_score, max(lead_score) as max_score,
               count(*) as leads,
               count(reached_opportunity_at) as opportunities,
               count(reached_opportunity_at) / count(*) as conversion
        from analytics.lead_scores
        group by lead_score_decile
        order by decile
        """,
    )


def latest_handoffs(
    con: duckdb.DuckDBPyConnection, limit: int = 25
) -> tuple[date | None, pd.DataFrame]:
    """The hand-offs of the latest day that had any, best lead first, with each lead's top three
    reasons (the rules that added the most points). A lead is shown by its CRM id, else its key."""
    day = con.execute("select max(handoff_date) from analytics.lead_handoffs").fetchone()[0]
    if day is None:
        return None, pd.DataFrame()
    frame = con.execute(
        """
        with today as (
            select * from analytics.lead_handoffs where handoff_date = ?
        ),

        reasons as (
            select lead_id,
                   string_agg(rule_id || ': ' || left(detail, 90) || ' (+'
                              || cast(round(points, 1) as varchar) || ')', '; '
                              order by points desc, rule_id) as top_reasons
            from (
                select lead_id, rule_id, detail, points,
                       row_number() over (partition by lead_id order by points desc, rule_id) as n
                from analytics.lead_score_reasons
                where points > 0 and lead_id in (select lead_id from today)
            ) as ranked
            where n <= 3
            group by lead_id
        )

        select today.crossed_at, today.handoff_type,
               -- no email or name in BI (docs/privacy.md): the CRM id, else the key's first 12
               coalesce('CRM ' || today.crm_id, 'lead ' || left(today.lead_id, 12)) as lead,
               today.company_name, today.tier, today.lead_score, reasons.top_reasons
        from today
        left join reasons on reasons.lead_id = today.lead_id
        order by today.lead_score desc, today.crossed_at
        limit ?
        """,
        [day, limit],
    ).df()
    return day, frame


def quality(output_dir: Path) -> tuple[pd.DataFrame, list[dict]]:
    """Passed / failed quality checks per layer (the latest outcome of each), and the failures."""
    outcomes = load_outcomes(output_dir)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"passed": 0, "error": 0, "warn": 0})
    failures = []
    for o in outcomes:
        c = counts[o["layer"]]
        if o["passed"]:
            c["passed"] += 1
        else:
            c["error" if o["severity"] == "ERROR" else "warn"] += 1
            failures.append(
                {
                    "layer": o["layer"],
                    "check": f"{'/'.join(o['asset_key'])} · {o['name']}",
                    "severity": o["severity"],
                    "message": o.get("message") or "",
                }
            )
    rows = [
        {
            "layer": layer,
            "passed": c["passed"],
            "failed_error": c["error"],
            "failed_warn": c["warn"],
            "status": "blocked" if c["error"] else ("warnings" if c["warn"] else "ok"),
        }
        for layer, c in sorted(counts.items(), key=lambda item: _layer_order(item[0]))
    ]
    return pd.DataFrame(rows), failures


def _layer_order(layer: str) -> tuple[int, str]:
    return (LAYERS.index(layer) if layer in LAYERS else len(LAYERS), layer)


def freshness(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """Per source: files and rows loaded, the last load and the newest data day in the landing
    folder (its dt= partition), with a status against the dbt freshness windows."""
    frame = con.execute(
        """
        select source,
               count(*) as files,
               sum(rows_loaded) as rows_loaded,
               sum(rows_quarantined) as rows_quarantined,
               max(loaded_at) as last_loaded_at,
               cast(max(try_cast(regexp_extract(path, 'dt=([0-9-]{10})', 1) as date)) as varchar)
                   as newest_data_day
        from raw.load_manifest
        group by source
        order by source
        """
    ).df()
    if frame.empty:
        return frame
    ages = []
    for loaded in frame["last_loaded_at"]:
        ts = pd.Timestamp(loaded)
        ts = ts.tz_localize(UTC) if ts.tzinfo is None else ts
        ages.append((pd.Timestamp(now) - ts).total_seconds() / 3600)
    frame["hours_since_load"] = ages
    frame["status"] = [
        "stale" if h > FRESH_ERROR_HOURS else ("late" if h > FRESH_WARN_HOURS else "fresh")
        for h in ages
    ]
    return frame


#: what the report reads from another engine (PostgreSQL): relation -> the rows it needs
_UNLOADED = {
    "analytics.lead_scores": "select * from analytics.lead_scores",
    "analytics.lead_handoffs": "select * from analytics.lead_handoffs",
    # the reasons of the latest hand-off day's leads only (latest_handoffs)
    "analytics.lead_score_reasons": """select * from analytics.lead_score_reasons
        where points > 0 and lead_id in (select lead_id from analytics.lead_handoffs
            where handoff_date = (select max(handoff_date) from analytics.lead_handoffs))""",
    "raw.load_manifest": "select * from raw.load_manifest",
}


@contextmanager
def _connect(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only DuckDB connection the report's queries run on: the DuckDB file itself, or on
    PostgreSQL an in-memory DuckDB holding the relations the report reads (``COPY ... TO
    STDOUT``): the same SQL, the same pandas frames on every engine."""
    wh = warehouse_resource(path=warehouse)
    if wh.engine == "duckdb":
        with wh.connect(read_only=True) as con:  # UTC sessions
            yield con
        return
    with closing(memory_duckdb()) as scratch:
        with wh.connect(read_only=True) as con:
            for relation, query in _UNLOADED.items():
                unload(con, query, scratch, relation)
        yield scratch


def read(warehouse: Path, output_dir: Path, now: datetime | None = None) -> ReportData:
    """Everything the report shows, from a read-only connection."""
    now = now or datetime.now(UTC)
    with _connect(warehouse) as con:
        counts = headline(con)
        day, handoffs = latest_handoffs(con)
        fresh = freshness(con, now)
        data = ReportData(
            generated_at=now,
            warehouse=warehouse_resource(path=warehouse).location,
            headline=counts,
            funnel=funnel(counts),
            by_source=by_source(con, "source"),
            by_campaign=by_source(con, "campaign"),
            persona_scores=persona_scores(con),
            tier_matrix=tier_matrix(con),
            by_tier=by_tier(con),
            by_decile=by_decile(con),
            handoff_day=day,
            handoffs=handoffs,
            quality=pd.DataFrame(),
            freshness=fresh,
        )
    data.quality, data.quality_failures = quality(output_dir)
    return data
