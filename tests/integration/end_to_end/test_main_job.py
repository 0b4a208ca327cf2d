"""One real end-to-end run: generator ``tiny`` → the ``leadhouse_main`` Dagster job (ingestion,
dbt build, snapshots, quality checks, CRM file sync) on a fresh DuckDB file, then a second run
over the same landing folder, which must change nothing that was loaded."""

from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def e2e_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    env = {
        "LEADHOUSE_LANDING": str(base / "landing"),
        "LEADHOUSE_WAREHOUSE": str(base / "wh" / "leadhouse.duckdb"),
        "LEADHOUSE_OUTPUT": str(base / "out"),
    }
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    mp.delenv("DAGSTER_HOME", raising=False)
    from orchestration.sample_data.command import yesterday
    from orchestration.sample_data.engine import generate
    from orchestration.sample_data.scales import GeneratorOptions

    # a current sample, as `make run` generates it (raw freshness judges event time)
    generate(
        "tiny", 7, Path(env["LEADHOUSE_LANDING"]), options=GeneratorOptions(end_date=yesterday())
    )
    yield {k: Path(v) for k, v in env.items()}
    mp.undo()


@pytest.fixture(scope="module")
def first_run(e2e_env):
    from orchestration.run_command import execute

    return execute("leadhouse_main")


def _count(path: Path, sql: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_main_job_succeeds_and_materializes_every_layer(first_run, e2e_env):
    assert first_run.success, [e.message for e in first_run.all_events if e.is_step_failure]
    keys = {e.asset_key.to_user_string() for e in first_run.get_asset_materialization_events()}
    for key in (
        "raw/web_events",
        "raw/email_events",
        "raw/form_submissions",
        "raw/lead_lists",
        "raw/crm_deals",
        "dim_leads",
        "fct_interactions",
        "mart_lead_scores",
        "mart_lead_activation",
        "crm_sync__file_leads",
    ):
        assert key in keys, key


def test_every_landed_record_is_accounted_for(first_run, e2e_env):
    wh = e2e_env["LEADHOUSE_WAREHOUSE"]
    rows_in, loaded, dup, quarantined = 0, 0, 0, 0
    with duckdb.connect(str(wh), read_only=True) as con:
        rows_in, loaded, dup, quarantined = con.execute(
            "select sum(rows_in), sum(rows_loaded), sum(rows_duplicate), sum(rows_quarantined) "
            "from raw.load_manifest"
        ).fetchone()
        raw_rows = sum(
            con.execute(f"select count(*) from raw.{t}").fetchone()[0]
            for t in ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")
        )
        quarantine_rows = con.execute("select count(*) from raw.quarantine").fetchone()[0]
    assert rows_in == loaded + dup + quarantined
    assert raw_rows == loaded
    assert quarantine_rows == quarantined
    assert quarantined > 0 and dup > 0  # the generator's dirty records were caught


def test_one_scored_row_per_lead(first_run, e2e_env):
    wh = e2e_env["LEADHOUSE_WAREHOUSE"]
    leads = _count(wh, "select count(*) from marts.dim_leads")
    assert leads > 400
    assert _count(wh, "select count(*) from marts.mart_lead_activation") == leads
    assert (
        _count(
            wh,
            "select count(*) from marts.mart_lead_activation "
            "where lead_score < 0 or lead_score > 100 or tier is null",
        )
        == 0
    )


def test_second_run_loads_nothing_new(first_run, e2e_env):
    from orchestration.run_command import execute

    wh = e2e_env["LEADHOUSE_WAREHOUSE"]
    before = _count(wh, "select count(*) from raw.web_events")
    interactions = _count(wh, "select count(*) from marts.fct_interactions")
    second = execute("leadhouse_main")
    assert second.success
    assert _count(wh, "select count(*) from raw.web_events") == before
    assert _count(wh, "select count(*) from marts.fct_interactions") == interactions


def test_a_resent_day_is_blocked_before_dbt_and_the_crm_sync(first_run, e2e_env):
    """The README's demo: a day of web events landed again (every event a duplicate) fails the
    blocking raw_load_health check; the dbt build and the CRM syncs are not executed."""
    import shutil

    from orchestration.run_command import execute
    from orchestration.summary import run_summary

    web = e2e_env["LEADHOUSE_LANDING"] / "web_events"
    last_day = sorted(p for p in web.iterdir() if p.name.startswith("dt="))[-1]
    shutil.copytree(last_day, web / "dt=2099-01-01")

    blocked = execute("leadhouse_main")
    assert not blocked.success
    # seeds do not depend on raw data and may build; nothing downstream of raw/web_events does
    built = {e.asset_key.to_user_string() for e in blocked.get_asset_materialization_events()}
    downstream = ("stg_", "int_", "dim_", "fct_", "mart_", "snap_", "crm_sync__")
    assert not [k for k in built if k.startswith(downstream)], built
    failed = [ev for ev in blocked.get_asset_check_evaluations() if not ev.passed]
    assert [(ev.asset_key.to_user_string(), ev.check_name) for ev in failed] == [
        ("raw/web_events", "raw_load_health")
    ]
    assert "duplicate share of a load" in failed[0].description
    summary = run_summary(blocked, elapsed_seconds=1.0)
    assert "raw_load_health" in summary and "crm_sync__file_leads" in summary
