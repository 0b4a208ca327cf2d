"""The analytics schema and the MetricFlow metrics, checked against the marts computed by hand."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.dbt_core.conftest import REPO

pytestmark = pytest.mark.slow

MF = str(Path(sys.executable).with_name("mf"))

#: reached SQL = became SQL, or skipped it to a later step (the funnel's rule)
REACHED_SQL = (
    "coalesce(l.became_sql_at, l.became_opportunity_at, l.became_customer_at,"
    " l.became_evangelist_at) is not null"
)


def test_analytics_tables_exist_with_their_contracted_names(built):
    names = {
        name
        for (name,) in built.core.query(
            "select table_name from information_schema.tables where table_schema = 'analytics'"
        )
    }
    assert names == {
        "lead_scores",
        "lead_score_reasons",
        "lead_handoffs",
        "funnel_daily",
        "source_performance",
        "account_scores",
    }


def test_lead_scores_is_the_champion_activation_mart(built):
    q = built.core.scalar
    assert q("select count(*) from analytics.lead_scores") == q(
        "select count(*) from marts.mart_lead_activation"
    )
    # same scores and tier per lead as the mart the CRM sync reads
    assert (
        q(
            """select count(*) from analytics.lead_scores as a
               join marts.mart_lead_activation as m using (lead_id)
               where a.lead_score <> m.lead_score or a.tier <> m.tier"""
        )
        == 0
    )
    # deciles: ten groups, decile 1 holds the highest scores
    deciles = built.core.query(
        "select lead_score_decile, min(lead_score), max(lead_score) from analytics.lead_scores "
        "group by 1 order by 1"
    )
    assert [d for d, _, _ in deciles] == list(range(1, 11))
    assert deciles[0][1] >= deciles[1][2]


def test_source_performance_counts_sqls_per_source_like_the_lifecycle_mart(built):
    expected = dict(
        built.core.query(
            f"""select coalesce(nullif(trim(l.first_touch_utm_source), ''), '(none)') as source,
                       sum(case when {REACHED_SQL} then 1 else 0 end)
                from marts.mart_lead_lifecycle as l
                join marts.mart_lead_activation as a using (lead_id)
                group by 1"""
        )
    )
    got = dict(
        built.core.query(
            "select first_touch_source, sum(sqls) from analytics.source_performance group by 1"
        )
    )
    assert got == expected
    assert sum(got.values()) > 0


def test_reasons_of_a_lead_sum_to_its_scores(built):
    rows = built.core.query(
        """select s.lead_id, s.fit_score, s.engagement_score,
                  sum(case when r.score_type = 'fit' then r.points else 0 end),
                  sum(case when r.score_type = 'engagement' then r.points else 0 end)
           from analytics.lead_scores as s
           join analytics.lead_score_reasons as r using (lead_id)
           group by all"""
    )
    assert rows
    off = [r for r in rows if abs(r[1] - r[3]) > 0.05 or abs(r[2] - r[4]) > 0.05]
    assert off == []


def test_metricflow_query_matches_sql(built, tmp_path):
    """`mf query` compiles the metric definitions against the warehouse: SQLs per source equal
    a hand-written count, and the lead to MQL rate equals MQLs of the cohort / leads."""
    out = tmp_path / "sqls.csv"
    env = {
        **os.environ,
        "LEADHOUSE_WAREHOUSE": str(built.core.warehouse),
        "DBT_PROFILES_DIR": str(REPO / "dbt_project"),
    }
    result = subprocess.run(
        [
            MF,
            "query",
            "--metrics",
            "sqls,leads,lead_to_mql_rate",
            "--group-by",
            "lead__first_touch_source",
            "--csv",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(newline="") as f:
        rows = {r["lead__first_touch_source"]: r for r in csv.DictReader(f)}
    expected = {
        source: (leads, sqls, mqls)
        for source, leads, sqls, mqls in built.core.query(
            """select first_touch_source, count(*), count(reached_sql_at), count(reached_mql_at)
               from analytics.lead_scores group by 1"""
        )
    }
    assert set(rows) == set(expected)
    for source, (leads, sqls, mqls) in expected.items():
        assert int(float(rows[source]["sqls"] or 0)) == sqls
        assert int(float(rows[source]["leads"])) == leads
        assert float(rows[source]["lead_to_mql_rate"]) == pytest.approx(mqls / leads)
