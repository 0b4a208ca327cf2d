"""Each suite passes on clean contract-shaped data and fails, for the right reason, on
the corruption it exists for. Runs GX in DuckDB (no pandas), read-only."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from orchestration.quality.history import current_stats, previous_stats, record_stats
from orchestration.quality.runner import run_check
from orchestration.quality.suites import all_checks, mart_checks


def _spec(thresholds, name, asset_key, previous=None):
    return next(
        s for s in all_checks(thresholds, previous) if s.name == name and s.asset_key == asset_key
    )


def test_every_suite_passes_on_clean_data(clean_warehouse, thresholds):
    outcomes = [run_check(spec, clean_warehouse) for spec in all_checks(thresholds)]
    failed = [(o.asset_key, o.name, o.message) for o in outcomes if not o.passed]
    assert failed == []
    assert len(outcomes) == 31  # 26 + raw_load_volume on 4 sources + staging_unmapped
    # the metrics were really computed (the GX/duckdb_engine pitfall yields no observed values)
    health = next(
        o for o in outcomes if o.name == "raw_load_health" and o.asset_key == ("raw", "web_events")
    )
    assert health.observed["loads.quarantined_share"]["element_count"] == 10
    assert health.observed["loads.quarantined_share"]["unexpected_count"] == 0


CORRUPTIONS = [
    (
        "duplicates_30pct",
        "raw_load_health",
        ("raw", "web_events"),
        "duplicate share of a load <= 10.0%: 1 of 10 rows fail",
        {"load_id": "2026-01-10", "duplicate_share": 0.3},
    ),
    (
        "staging_duplicates_30pct",
        "staging_valid",
        ("stg_segment__web_events",),
        "message_id unique",
        None,
    ),
    (
        "score_above_100",
        "marts_scores_valid",
        ("mart_lead_scores",),
        "lead_score within [0, 100]: 6 of 400 rows fail",
        {"lead_score": "130.0"},
    ),
    (
        "volume_10x",
        "raw_load_volume",
        ("raw", "email_events"),
        "row volume of a load within [0.2, 4.0] x the median of the previous 7 loads: 1 of 10 rows fail",
        {"load_id": "2026-01-09", "rows_in": 10400},
    ),
    (
        "regression_without_recycle",
        "marts_stage_transitions",
        ("fct_lead_stage_transitions",),
        "a regression only with a recycle record: 2 of",
        {
            "from_stage": "sql",
            "to_stage": "lead",
            "transition_kind": "regression_without_recycle_record",
        },
    ),
    (
        "unknown_provider",
        "staging_valid",
        ("stg_email__events",),
        "provider in {sendgrid, mailgun, ses}: 3 of 2000 rows fail",
        {"provider": "postmark"},
    ),
    (
        "bot_spike",
        "staging_shares",
        ("stg_segment__web_events",),
        "bot share of events per day within [0%, 30%] (a spike means a tracking change): 1 of",
        {"bot_share": "1.0000"},
    ),
    (
        "machine_open_spike",
        "staging_shares",
        ("stg_email__events",),
        "machine-open share of opens per day within [0%, 75%] (a spike means a tracking change): 1 of",
        {"machine_open_share": "1.0000"},
    ),
]


@pytest.mark.parametrize(
    "corruption,check,asset_key,message,sample", CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS]
)
def test_corruption_fails_the_right_check(
    tmp_path, thresholds, corruption, check, asset_key, message, sample
):
    path = tmp_path / "wh.duckdb"
    from warehouse_factory import build_warehouse

    build_warehouse(path, corruption)
    outcome = run_check(_spec(thresholds, check, asset_key), path)
    assert outcome.passed is False
    assert message in outcome.message
    assert len(outcome.failures) == 1  # only the broken rule fails
    if sample:
        row = outcome.failures[0]["sample"][0]
        assert {k: row[k] for k in sample} == sample


@pytest.mark.slow
def test_only_the_guarding_check_fails(tmp_path, thresholds):
    """A provider never seen before fails staging_valid on the email events, nothing else."""
    from warehouse_factory import build_warehouse

    path = build_warehouse(tmp_path / "wh.duckdb", "unknown_provider")
    failed = [
        (o.asset_key, o.name)
        for o in (run_check(s, path) for s in all_checks(thresholds))
        if not o.passed
    ]
    assert failed == [(("stg_email__events",), "staging_valid")]


def test_score_drift_against_previous_run(tmp_path, thresholds, clean_warehouse):
    out = tmp_path / "out"
    assert previous_stats(out) == {}
    spec = _spec(
        thresholds, "marts_score_drift", ("mart_lead_scores",), lambda: previous_stats(out)
    )
    first = run_check(spec, clean_warehouse)
    assert first.passed and first.note.startswith("nothing to compare")
    record_stats(out, current_stats(clean_warehouse, thresholds), run_id="r1")
    assert previous_stats(out)["default"]["n"] == 400
    assert run_check(spec, clean_warehouse).passed  # same data: stable

    shifted = tmp_path / "shifted.duckdb"
    from warehouse_factory import build_warehouse

    build_warehouse(shifted)
    with duckdb.connect(str(shifted)) as con:
        con.execute("update marts.mart_lead_scores set lead_score = least(lead_score + 20, 100)")
    outcome = run_check(spec, shifted)
    assert outcome.passed is False
    assert "mean lead_score within +/-5 of the previous run" in outcome.message


def test_missing_relation_is_reported(tmp_path, thresholds):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    outcome = run_check(_spec(thresholds, "marts_scores_valid", ("mart_lead_scores",)), path)
    assert outcome.passed is False
    assert (
        outcome.message
        == "relation(s) not found: marts.mart_lead_scores (see tables: in thresholds.yml)"
    )


def test_plain_gx_sql_datasource_hits_the_closed_connection_pitfall(clean_warehouse):
    """Why gx_duckdb.py exists: GX's stock SQL datasource returns no rows from DuckDB."""
    import great_expectations as gx

    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_sql(
        name="plain",
        connection_string=f"duckdb:///{clean_warehouse}",
        kwargs={"connect_args": {"read_only": True}},
    )
    batch = (
        ds.add_query_asset(name="q", query="select lead_score from marts.mart_lead_scores")
        .add_batch_definition_whole_table("all")
        .get_batch()
    )
    result = batch.validate(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="lead_score", min_value=0, max_value=100
        )
    )
    assert result.success is False  # on clean data: the silent failure
    assert "list index out of range" in str(result.exception_info)
    ds.get_execution_engine().engine.dispose()


def test_checks_never_hold_the_write_lock(tmp_path, thresholds):
    """A writer (another process, as dbt is) can open the warehouse right after a check."""
    from warehouse_factory import build_warehouse

    path = build_warehouse(tmp_path / "wh.duckdb")
    for spec in mart_checks(thresholds):
        assert run_check(spec, path).passed
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table marts.after_check as select 1 as x'); "
        "print(c.execute('select count(*) from marts.after_check').fetchone()[0])"
    )
    writer = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert writer.returncode == 0, writer.stderr
    assert writer.stdout.strip() == "1"
    with duckdb.connect(str(path)) as con:  # and in this process too (no cached read-only instance)
        con.execute("drop table marts.after_check")


def test_share_check_waits_for_the_view_built_later_in_the_run(tmp_path, thresholds):
    """First run: the staging checks run before the intermediate view they read exists."""
    from warehouse_factory import build_warehouse

    path = tmp_path / "first_run.duckdb"
    build_warehouse(path)
    spec = _spec(thresholds, "staging_shares", ("stg_email__events",))
    assert spec.built_later == ("intermediate.int_email__events",)
    assert run_check(spec, path).passed  # the view exists: judged
    with duckdb.connect(str(path)) as con:
        con.execute("drop view intermediate.int_email__events")
    outcome = run_check(spec, path)
    assert outcome.passed is True
    assert outcome.note.startswith("skipped: intermediate.int_email__events is built later")
    with duckdb.connect(str(path)) as con:
        con.execute("drop table staging.stg_email__events")
    assert run_check(spec, path).passed is False  # its own table missing still fails
