"""Printable scoring summary for `make run`: leads by stage and tier, why the top leads scored,
funnel rates.

Reads the scoring marts only (SQL does the work); ``scoring_summary(con)`` takes an open DuckDB
connection (read-only is enough) and returns text. Missing marts are reported, not raised.
"""

from __future__ import annotations

import duckdb

from orchestration.resources import missing_relation

STAGE_ORDER = (
    "subscriber",
    "lead",
    "mql",
    "pql",
    "sql",
    "opportunity",
    "customer",
    "evangelist",
    "recycled",
    "disqualified",
)

_BY_STAGE = """
select lifecycle_stage, count(*) as leads
from marts.mart_lead_activation
group by lifecycle_stage
"""

_BY_TIER = """
select tier, temperature, count(*) as leads, round(avg(lead_score), 1) as avg_lead_score
from marts.mart_lead_activation
group by tier, temperature
order by tier, temperature
"""

_BY_BUYING_STAGE = """
select buying_stage, count(*) as leads, round(100.0 * count(*) / sum(count(*)) over (), 1) as pct
from marts.mart_lead_activation
group by buying_stage
order by case buying_stage when 'awareness' then 1 when 'consideration' then 2 else 3 end
"""

_TOP_LEADS = """
select lead_id, company_name, lead_score, fit_score, engagement_score, tier, lifecycle_stage
from marts.mart_lead_activation
where not is_suppressed
order by lead_score desc, lead_id
limit ?
"""

_EXPLAIN = """
select e.score_type, e.rule_id, e.points, e.detail
from marts.mart_lead_score_explanations as e
inner join marts.mart_lead_activation as a on a.lead_id = e.lead_id
inner join seeds.scoring_models as m on m.model_id = e.model_id and m.is_champion
where e.lead_id = ?
order by e.score_type desc, abs(e.points) desc, e.rule_id
"""

_CONVERSION = """
select funnel_stage, min(next_stage) as next_stage, min(stage_order) as stage_order,
       sum(leads_entered) as entered, sum(leads_converted) as converted,
       round(100.0 * sum(leads_converted) / nullif(sum(leads_entered), 0), 1) as conversion_pct,
       round(cast(percentile_cont(0.5) within group (order by median_days_to_next) as numeric), 1)
           as median_days
from marts.mart_funnel_daily
where next_stage is not null
group by funnel_stage
order by stage_order
"""


def _table(headers: list[str], rows: list[tuple]) -> str:
    cells = [[str(h) for h in headers]] + [
        ["" if v is None else str(v) for v in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


def _section(title: str, body: str) -> str:
    return f"{title}\n{body}\n"


def leads_by_stage(con: duckdb.DuckDBPyConnection) -> str:
    counts = dict(con.execute(_BY_STAGE).fetchall())
    rows = [(s, counts.pop(s)) for s in STAGE_ORDER if s in counts] + sorted(counts.items())
    return _table(["stage", "leads"], rows)


def leads_by_tier(con: duckdb.DuckDBPyConnection) -> str:
    return _table(["tier", "temperature", "leads", "avg score"], con.execute(_BY_TIER).fetchall())


def leads_by_buying_stage(con: duckdb.DuckDBPyConnection) -> str:
    rows = [(stage, n, f"{pct}%") for stage, n, pct in con.execute(_BY_BUYING_STAGE).fetchall()]
    return _table(["buying stage", "leads", "share"], rows)


def top_lead_explanations(con: duckdb.DuckDBPyConnection, n: int = 3) -> str:
    parts = []
    # the key and the company, never the email or name (docs/privacy.md)
    for lead_id, company, score, fit, engagement, tier, stage in con.execute(
        _TOP_LEADS, [n]
    ).fetchall():
        parts.append(
            f"  lead {lead_id[:12]}… ({company or 'no company'}): lead score {score} = "
            f"fit {fit} / engagement {engagement}, "
            f"tier {tier}, stage {stage}"
        )
        for score_type, rule_id, points, detail in con.execute(_EXPLAIN, [lead_id]).fetchall():
            parts.append(f"    {score_type:<10} {float(points):>+7.2f}  {rule_id}: {detail}")
    return "\n".join(parts) if parts else "  (no scored leads)"


def conversion_rates(con: duckdb.DuckDBPyConnection) -> str:
    rows = [
        (f"{stage} -> {nxt}", entered, converted, f"{pct}%" if pct is not None else "-", days)
        for stage, nxt, _, entered, converted, pct, days in con.execute(_CONVERSION).fetchall()
    ]
    return _table(["step", "entered", "converted", "rate", "median days"], rows)


def scoring_summary(con: duckdb.DuckDBPyConnection) -> str:
    """The whole summary as printable text (one section per question)."""
    sections = [
        ("Leads by lifecycle stage", leads_by_stage),
        ("Leads by tier (champion model)", leads_by_tier),
        ("Leads by buying stage (champion model)", leads_by_buying_stage),
        ("Why the top 3 leads scored as they did", top_lead_explanations),
        ("Stage-to-stage conversion (all days, all sources)", conversion_rates),
    ]
    out = []
    for title, build in sections:
        try:
            out.append(_section(title, build(con)))
        except Exception as exc:  # not built / older marts
            if not isinstance(exc, duckdb.BinderException) and not missing_relation(exc):
                raise
            out.append(_section(title, "  (not built yet: run dbt build)"))
    return "\n".join(out)
