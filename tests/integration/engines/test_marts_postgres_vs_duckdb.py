"""The whole dbt project on PostgreSQL: tiny's raw rows (ingested into DuckDB) copied into a
throw-away PostgreSQL server, every seed, model, snapshot, data test and unit test built there
with one `dbt build`, and every mart and BI view compared row for row with the DuckDB build of
the same rows (docs/engines.md, "Differences and rounding rules")."""

from __future__ import annotations

import time
from decimal import Decimal

import duckdb
import pytest

from orchestration.transform.dbt_runner import run_dbt
from tests.integration.dbt_core.test_dbt_postgres import postgres  # noqa: F401
from tests.integration.engines.mart_comparison import (
    RELATIONS,
    compare,
    dbapi_fetch,
    duckdb_fetch,
)
from tests.integration.engines.raw_copy_test_helper import copy_raw_to_postgres_for_tests

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _connect(port: int):
    import psycopg2

    return psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="leadhouse")


@pytest.fixture(scope="module")
def tiny_postgres(tiny_duckdb, postgres, tmp_path_factory):  # noqa: F811
    """tiny's raw schema copied into PostgreSQL, then `dbt build` of every node on it."""
    con = _connect(postgres)
    copied = copy_raw_to_postgres_for_tests(tiny_duckdb.core.warehouse, con)
    con.close()
    workdir = tmp_path_factory.mktemp("engines_postgres")
    started = time.monotonic()
    result = run_dbt(
        ["build", "--target", "postgres", "--vars", tiny_duckdb.vars],
        workdir,
        env={
            "LEADHOUSE_DBT_TARGET": "postgres",
            "LEADHOUSE_PG_HOST": "127.0.0.1",
            "LEADHOUSE_PG_PORT": str(postgres),
            "LEADHOUSE_PG_USER": "postgres",
            "LEADHOUSE_PG_DATABASE": "leadhouse",
            "LEADHOUSE_DBT_THREADS": "1",
        },
    )
    seconds = time.monotonic() - started
    print(f"\ndbt build of tiny: duckdb {tiny_duckdb.seconds:.0f} s, postgres {seconds:.0f} s")
    return postgres, copied, result


def test_raw_copy_is_complete(tiny_duckdb, tiny_postgres):
    _, copied, _ = tiny_postgres
    with duckdb.connect(str(tiny_duckdb.core.warehouse), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in copied}
    assert copied == counts
    assert counts["web_events"] > 10_000 and counts["email_events"] > 1_000


def test_every_node_builds_on_postgres(tiny_postgres):
    _, _, result = tiny_postgres
    # dbt's run_results.json: seeds, models, the snapshot, data tests and unit tests all passed
    statuses = {n: s for n, s in result.statuses().items() if not n.startswith("exposure.")}
    assert set(statuses.values()) <= {"pass", "success"}  # exposures are no-ops
    assert len(statuses) > 450
    assert result.status_counts("unit_test")["pass"] > 10
    assert result.status_counts("snapshot") == {"success": 1}


def test_marts_identical_to_duckdb(tiny_duckdb, tiny_postgres):
    port, _, _ = tiny_postgres
    with duckdb.connect(str(tiny_duckdb.core.warehouse), read_only=True) as dcon:
        pcon = _connect(port)
        try:
            differences = compare(duckdb_fetch(dcon), dbapi_fetch(pcon))
            # the comparison is not vacuous: every relation has rows on PostgreSQL
            with pcon.cursor() as cur:
                for schema, names in RELATIONS.items():
                    for name in names:
                        cur.execute(f"select count(*) from {schema}.{name}")
                        assert cur.fetchone()[0] > 0, f"{schema}.{name} is empty"
                cur.execute("select count(*), sum(lead_score) from marts.mart_lead_scores")
                on_postgres = cur.fetchone()
            on_duckdb = dcon.execute(
                "select count(*), sum(lead_score) from marts.mart_lead_scores"
            ).fetchone()
        finally:
            pcon.close()
    assert differences == {}
    assert on_postgres == on_duckdb


def test_comparison_sees_a_one_cent_difference(tiny_duckdb, tiny_postgres):
    """The comparison can fail: one score moved by 0.01 on PostgreSQL is reported, with its row."""
    port, _, _ = tiny_postgres
    pcon = _connect(port)
    try:
        with pcon, pcon.cursor() as cur:
            cur.execute(
                "update marts.mart_lead_scores set lead_score = lead_score + 0.01 "
                "where (lead_id, model_id) = (select min(lead_id), 'default' from marts.mart_lead_scores)"
            )
        with duckdb.connect(str(tiny_duckdb.core.warehouse), read_only=True) as dcon:
            differences = compare(
                duckdb_fetch(dcon), dbapi_fetch(pcon), {"marts": ["mart_lead_scores", "dim_leads"]}
            )
    finally:
        with pcon, pcon.cursor() as cur:
            cur.execute(
                "update marts.mart_lead_scores set lead_score = lead_score - 0.01 "
                "where (lead_id, model_id) = (select min(lead_id), 'default' from marts.mart_lead_scores)"
            )
        pcon.close()
    assert list(differences) == ["marts.mart_lead_scores"]
    diff = differences["marts.mart_lead_scores"]
    assert diff["rows"] == (diff["rows"][0], diff["rows"][0])
    assert len(diff["left_only"]) == len(diff["right_only"]) == 1
    score = diff["columns"].index("lead_score")
    (left,), (right,) = diff["left_only"], diff["right_only"]
    assert right[score][1] - left[score][1] == Decimal("0.01")


def test_safe_cast_never_fails_on_postgres(tiny_postgres):
    """dbt.safe_cast on PostgreSQL: a value that does not convert is null, never an error."""
    port, _, _ = tiny_postgres
    con = _connect(port)
    try:
        with con.cursor() as cur:
            cur.execute(
                """select public.leadhouse_try_cast_timestamptz('2026-02-30T10:00:00Z'),
                          public.leadhouse_try_cast_timestamptz('2026-02-28T10:00:00+02:00')
                              at time zone 'UTC',
                          public.leadhouse_try_cast_numeric('12,5'),
                          public.leadhouse_try_cast_numeric(' 12.5 '),
                          public.leadhouse_try_cast_double('n/a'),
                          public.leadhouse_try_cast_date('2026-13-01')"""
            )
            row = cur.fetchone()
    finally:
        con.close()
    assert str(row[1]) == "2026-02-28 08:00:00"
    assert (row[0], row[2], str(row[3]), row[4], row[5]) == (None, None, "12.5", None, None)
