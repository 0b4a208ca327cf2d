"""The published DuckDB file on a small hand-made warehouse (fast, real files and processes):
what a version holds, the atomic swap under a reader process, the previous version and
rollback, and a failed publish leaving the published file untouched."""

from __future__ import annotations

import os
import stat

import duckdb
import pytest

from orchestration.publish import duckdb_file
from orchestration.publish.spec import PublishSpec
from tests.integration.publish.conftest import SMALL_SPEC


def _leads(path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from mart_lead_lifecycle").fetchone()[0]


def test_a_version_holds_the_marts_and_says_what_it_is(small_warehouse, tmp_path):
    wh = small_warehouse(90)
    target = tmp_path / "bi" / "analytics.duckdb"
    report = duckdb_file.publish(wh, target, SMALL_SPEC, "run-1")

    assert report.rows == {
        "mart_lead_lifecycle": 90,
        "mart_funnel_daily": 30,
        "mart_lead_scores": 180,
    }
    assert str(report.data_as_of) == "2026-01-30 00:00:00"  # day 29 after 2026-01-01
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o444
    info = duckdb_file.version_info(target)
    assert (info["source_run_id"], info["relations"], info["total_rows"]) == ("run-1", 3, 300)
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("select sum(leads_entered) from mart_funnel_daily").fetchone()[0] == 90
        assert con.execute(
            "select relation, source_relation, row_count from _publication_tables order by 1"
        ).fetchall() == [
            ("mart_funnel_daily", "marts.mart_funnel_daily", 30),
            ("mart_lead_lifecycle", "marts.mart_lead_lifecycle", 90),
            ("mart_lead_scores", "marts.mart_lead_scores", 180),
        ]
    # nothing is left beside it but the lock file; no previous version yet
    assert sorted(p.name for p in target.parent.iterdir()) == [
        ".analytics.duckdb.lock",
        "analytics.duckdb",
    ]
    with pytest.raises(duckdb_file.NothingToRollBack):
        duckdb_file.rollback(target)


def test_previous_version_is_kept_and_rollback_restores_it(small_warehouse, tmp_path):
    target = tmp_path / "analytics.duckdb"
    duckdb_file.publish(small_warehouse(40), target, SMALL_SPEC, "run-1")
    duckdb_file.publish(small_warehouse(70), target, SMALL_SPEC, "run-2")
    previous = duckdb_file.previous_path(target)
    assert previous.name == "analytics.previous.duckdb"
    assert (_leads(target), _leads(previous)) == (70, 40)

    duckdb_file.rollback(target)
    assert (_leads(target), _leads(previous)) == (40, 70)
    assert duckdb_file.version_info(target)["source_run_id"] == "run-1"
    duckdb_file.rollback(target)  # a second rollback rolls forward again
    assert duckdb_file.version_info(target)["source_run_id"] == "run-2"
    # the next good run publishes over the current one; the current one becomes the previous
    duckdb_file.publish(small_warehouse(10), target, SMALL_SPEC, "run-3")
    assert (_leads(target), _leads(previous)) == (10, 70)


def test_a_failed_publish_leaves_the_published_file_unchanged(small_warehouse, tmp_path):
    target = tmp_path / "analytics.duckdb"
    wh = small_warehouse(40)
    duckdb_file.publish(wh, target, SMALL_SPEC, "run-1")
    before = target.read_bytes()
    broken = PublishSpec(
        tables=["marts.mart_lead_lifecycle", "marts.no_such_mart"], data_as_of="select 1"
    )
    with pytest.raises(duckdb.CatalogException):
        duckdb_file.publish(wh, target, broken, "run-2")
    assert target.read_bytes() == before
    assert duckdb_file.version_info(target)["source_run_id"] == "run-1"
    assert not duckdb_file.previous_path(target).exists()
    assert not [p for p in tmp_path.iterdir() if ".building" in p.name]


def test_a_reader_process_sees_whole_versions_while_versions_are_swapped(
    small_warehouse, tmp_path, reader_factory
):
    """A separate process queries the file in a loop while ten versions of different sizes are
    built and swapped in: no query fails, every answer is internally consistent (row counts as
    recorded, funnel entries = leads of the same version), and it sees the versions go by."""
    target = tmp_path / "analytics.duckdb"
    sizes = [100 + 37 * i for i in range(10)]
    duckdb_file.publish(small_warehouse(sizes[0]), target, SMALL_SPEC, "run-0")
    reader = reader_factory("duckdb", str(target), max_seconds=120)
    reader.wait_for_answers(3)
    for i, leads in enumerate(sizes[1:], start=1):
        duckdb_file.publish(small_warehouse(leads), target, SMALL_SPEC, f"run-{i}")
        reader.wait_for_answers(len(reader.answers()) + 2)
    answers = reader.stop()

    assert [a for a in answers if "error" in a] == []
    assert [a for a in answers if a["problems"]] == []
    seen = {a["run"]: a["leads"] for a in answers}
    assert seen == {f"run-{i}": leads for i, leads in enumerate(sizes)}
    # versions only move forward for a reader that reconnects
    order = [int(a["run"].split("-")[1]) for a in answers]
    assert order == sorted(order)
