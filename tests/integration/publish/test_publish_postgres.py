"""The published schema on PostgreSQL (a throw-away local server, as the dbt PostgreSQL test
starts one): build into a staging schema, swap schemas in one transaction. A reader process
querying in a loop during the swaps never fails nor sees a mix; a failed publish leaves the
published schema as it was; rollback swaps the previous version back; the reader role is granted
each new version."""

from __future__ import annotations

import pytest

from orchestration.publish import postgres
from orchestration.publish.duckdb_file import NothingToRollBack
from orchestration.publish.spec import PublishSpec
from tests.integration.dbt_core.test_dbt_postgres import postgres as postgres_server  # noqa: F401
from tests.integration.publish.conftest import SMALL_SPEC

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _connect(port: int, user: str = "postgres"):
    import psycopg2

    return psycopg2.connect(host="127.0.0.1", port=port, user=user, dbname="leadhouse")


def _build_version(con, leads: int) -> None:
    """The three marts of SMALL_SPEC with ``leads`` leads, consistent with each other."""
    with con, con.cursor() as cur:
        cur.execute("create schema if not exists marts")
        for table in ("mart_lead_lifecycle", "mart_funnel_daily", "mart_lead_scores"):
            cur.execute(f"drop table if exists marts.{table}")
        cur.execute(
            "create table marts.mart_lead_lifecycle as select 'L' || i as lead_id, "
            "timestamp '2026-01-01' + (i %% 30) * interval '1 day' as first_seen_at "
            "from generate_series(0, %s - 1) as t(i)",
            (leads,),
        )
        cur.execute(
            "create table marts.mart_funnel_daily as select cast(first_seen_at as date) "
            "as funnel_date, 'lead' as funnel_stage, count(*) as leads_entered "
            "from marts.mart_lead_lifecycle group by 1, 2"
        )
        cur.execute(
            "create table marts.mart_lead_scores as select lead_id, m.model_id, "
            "abs(hashtext(lead_id)) % 100 as lead_score from marts.mart_lead_lifecycle "
            "cross join (values ('default'), ('challenger')) as m(model_id)"
        )


def _leads(con, schema: str = "published") -> int:
    with con, con.cursor() as cur:
        cur.execute(f"select count(*) from {schema}.mart_lead_lifecycle")
        return cur.fetchone()[0]


def _schemas(con) -> list[str]:
    with con, con.cursor() as cur:
        cur.execute("select nspname from pg_namespace where nspname like 'published%%' order by 1")
        return [r[0] for r in cur.fetchall()]


def test_schema_swap_publish_rollback_and_grants(postgres_server, reader_factory):  # noqa: F811
    con = _connect(postgres_server)
    with con, con.cursor() as cur:
        cur.execute("create role bi_reader login")
    _build_version(con, 90)
    report = postgres.publish(con, SMALL_SPEC, "run-0", reader_role="bi_reader")
    assert report.rows == {
        "mart_lead_lifecycle": 90,
        "mart_funnel_daily": 30,
        "mart_lead_scores": 180,
    }
    assert str(report.data_as_of) == "2026-01-30 00:00:00"
    assert _schemas(con) == ["published"]
    info = postgres.version_info(con)
    assert (info["source_run_id"], info["relations"], info["total_rows"]) == ("run-0", 3, 300)
    with pytest.raises(NothingToRollBack):
        postgres.rollback(con)

    # a reader process, in autocommit, one statement per answer, during eight swaps
    reader = reader_factory("postgres", str(postgres_server), max_seconds=120)
    reader.wait_for_answers(3)
    sizes = [90 + 41 * i for i in range(9)]
    for i, leads in enumerate(sizes[1:], start=1):
        _build_version(con, leads)
        postgres.publish(con, SMALL_SPEC, f"run-{i}", reader_role="bi_reader")
        reader.wait_for_answers(len(reader.answers()) + 2)
    answers = reader.stop()
    assert [a for a in answers if "error" in a] == []
    assert [a for a in answers if a["problems"]] == []
    assert {a["run"]: a["leads"] for a in answers} == {
        f"run-{i}": leads for i, leads in enumerate(sizes)
    }
    assert _schemas(con) == ["published", "published__previous"]

    # the reader role can read the new version (a new schema carries no grant of its own)
    bi = _connect(postgres_server, "bi_reader")
    assert _leads(bi) == sizes[-1]
    bi.close()

    # a publish that fails half-way leaves the published schema and the previous one as they were
    broken = PublishSpec(
        tables=["marts.mart_lead_lifecycle", "marts.no_such_mart"], data_as_of="select 1"
    )
    import psycopg2

    with pytest.raises(psycopg2.errors.UndefinedTable):
        postgres.publish(con, broken, "run-broken")
    assert postgres.version_info(con)["source_run_id"] == f"run-{len(sizes) - 1}"
    assert _schemas(con) == ["published", "published__previous"]

    # rollback swaps the previous version back, and a second one rolls forward
    postgres.rollback(con)
    assert _leads(con) == sizes[-2] and _leads(con, "published__previous") == sizes[-1]
    assert postgres.version_info(con)["source_run_id"] == f"run-{len(sizes) - 2}"
    postgres.rollback(con)
    assert _leads(con) == sizes[-1]
    con.close()
