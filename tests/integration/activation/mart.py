"""Builds a ``marts.mart_lead_activation`` of the contracted shape in a scratch DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

TIERS = [f"{g}{b}" for g in "ABCD" for b in "1234"]


def build_mart(path: Path, n: int = 250) -> Path:
    """``n`` consenting, valid leads ``lead0001@example.com``…, sorted tiers, fixed timestamps."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        con.execute(
            f"""
            create or replace table marts.mart_lead_activation as
            with base as (
                select i, 'lead' || lpad(i::varchar, 4, '0') || '@example.com' as email
                from range(1, {n} + 1) t(i)
            )
            select sha256(email) as lead_id, email,
                   case when i % 3 = 0 then 'crm-' || i end as crm_id,
                   'First' || i as first_name, 'Last' || i as last_name,
                   'Company ' || (i % 40) as company_name,
                   (i * 7 % 100)::decimal(5, 2) as fit_score,
                   (i * 13 % 100)::decimal(5, 2) as engagement_score,
                   (i * 11 % 100)::integer as lead_score,
                   ['A', 'B', 'C', 'D'][1 + i % 4] as fit_grade,
                   {TIERS!r}[1 + i % 16] as tier,
                   ['cold', 'warm', 'hot'][1 + i % 3] as temperature,
                   ['awareness', 'consideration', 'decision'][1 + i % 3] as buying_stage,
                   ['lead', 'mql', 'sql'][1 + i % 3] as lifecycle_stage,
                   'default@1' as model_version,
                   timestamptz '2026-03-01 12:00:00+00' + to_minutes(i::bigint) as scored_at,
                   true as consent_to_process, false as is_unsubscribed,
                   false as is_hard_bounced, false as is_disqualified
            from base
            """
        )
    finally:
        con.close()
    return path


def execute(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Run one statement on the scratch warehouse and return its rows."""
    con = duckdb.connect(str(path))
    try:
        cur = con.execute(sql, params or [])
        return cur.fetchall() if cur.description else []
    finally:
        con.close()
