"""The published analytics file under real runs of the ``leadhouse_main`` job (generator ``tiny``,
real dbt build, real checks): BI reading it from another process while a run rebuilds never
fails and never sees a mix; a run whose mart check fails leaves it unchanged; ``leadhouse publish
--rollback`` restores the previous version."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.publish import duckdb_file

pytestmark = pytest.mark.slow

SOURCES = ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")
HELD_BACK_DAYS = 3


def _leads(path: Path, table: str = "mart_lead_lifecycle", schema: str = "") -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from {schema}{table}").fetchone()[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """Tiny sample with its last days held back (they land before the second run)."""
    base = tmp_path_factory.mktemp("publish_run")
    paths = {
        "LEADHOUSE_LANDING": base / "landing",
        "LEADHOUSE_WAREHOUSE": base / "wh" / "leadhouse.duckdb",
        "LEADHOUSE_OUTPUT": base / "out",
    }
    mp = pytest.MonkeyPatch()
    for k, v in paths.items():
        mp.setenv(k, str(v))
    mp.delenv("LEADHOUSE_ANALYTICS", raising=False)
    mp.delenv("LEADHOUSE_DBT_TARGET", raising=False)
    mp.delenv("DAGSTER_HOME", raising=False)
    from orchestration.sample_data.engine import generate

    generate("tiny", 7, paths["LEADHOUSE_LANDING"])
    held = base / "held_back"
    days = sorted({p.name for s in SOURCES for p in (paths["LEADHOUSE_LANDING"] / s).glob("dt=*")})
    for source in SOURCES:
        for day in days[-HELD_BACK_DAYS:]:
            folder = paths["LEADHOUSE_LANDING"] / source / day
            if folder.exists():
                (held / source).mkdir(parents=True, exist_ok=True)
                shutil.move(folder, held / source / day)
    yield {**paths, "held": held, "analytics": base / "wh" / "analytics.duckdb"}
    mp.undo()


@pytest.fixture(scope="module")
def first_run(env):
    from orchestration.run_command import execute

    result = execute("leadhouse_main")
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]
    return result


def _publish_metadata(result: dg.ExecuteInProcessResult) -> dict:
    [event] = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("published_analytics")
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_a_good_run_publishes_its_marts(first_run, env):
    analytics = env["analytics"]
    meta = _publish_metadata(first_run)
    assert meta["source_run_id"] == first_run.run_id
    wh = env["LEADHOUSE_WAREHOUSE"]
    for table in ("mart_lead_lifecycle", "mart_lead_scores", "mart_funnel_daily"):
        assert meta[f"rows/{table}"] == _leads(wh, table, "marts.") == _leads(analytics, table)
    with duckdb.connect(str(wh), read_only=True) as con:
        as_of = con.execute("select max(occurred_at) from marts.fct_interactions").fetchone()[0]
    assert meta["data_as_of"] == str(as_of)
    assert duckdb_file.version_info(analytics)["source_run_id"] == first_run.run_id


def test_bi_reads_without_failure_or_mix_while_a_run_rebuilds(first_run, env, reader_factory):
    from orchestration.run_command import execute

    analytics = env["analytics"]
    v1_leads = _leads(analytics)
    reader = reader_factory("duckdb", str(analytics), max_seconds=900)
    reader.wait_for_answers(3)
    for source_dir in env["held"].iterdir():  # new days land, as they would between runs
        for day in source_dir.iterdir():
            shutil.move(day, env["LEADHOUSE_LANDING"] / source_dir.name / day.name)
    started = time.time()
    second = execute("leadhouse_main")
    swapped_by = time.time()
    reader.wait_for_answers(len(reader.answers()) + 3)
    answers = reader.stop()

    assert second.success, [e.message for e in second.all_events if e.is_step_failure]
    assert [a for a in answers if "error" in a] == []
    assert [a for a in answers if a["problems"]] == []
    v2_leads = _leads(analytics)
    assert v2_leads > v1_leads  # the held-back days brought new leads
    assert {a["run"]: a["leads"] for a in answers} == {
        first_run.run_id: v1_leads,
        second.run_id: v2_leads,
    }
    # BI kept answering from the previous version while the run rebuilt the warehouse
    during = [a for a in answers if started < a["t"] < swapped_by and a["run"] == first_run.run_id]
    assert len(during) > 10
    assert _publish_metadata(second)["rows/mart_lead_lifecycle"] == v2_leads
    assert duckdb_file.version_info(duckdb_file.previous_path(analytics))["source_run_id"] == (
        first_run.run_id
    )


def _tight_defs() -> dg.Definitions:
    """The real areas, with the quality checks built from thresholds no real score passes
    (lead_score <= 5): a blocking mart check that fails on real data."""
    from orchestration.activation import defs as activation
    from orchestration.ingestion import defs as ingestion
    from orchestration.publish import defs as publish
    from orchestration.quality.checks import build_asset_checks
    from orchestration.quality.thresholds import load_thresholds
    from orchestration.transform import defs as transform

    tight = load_thresholds()
    tight.marts.score_max = 5
    return dg.Definitions.merge(
        ingestion.defs,
        transform.defs,
        dg.Definitions(asset_checks=build_asset_checks(tight)),
        activation.defs,
        publish.defs,
        dg.Definitions(executor=dg.in_process_executor),
    )


def test_a_run_whose_mart_check_fails_leaves_the_published_file_unchanged(first_run, env):
    analytics = env["analytics"]
    previous = duckdb_file.previous_path(analytics)
    before = (_sha(analytics), _sha(previous))
    version = duckdb_file.version_info(analytics)["source_run_id"]
    job = _tight_defs().resolve_job_def("leadhouse_main")
    # rebuild the scores (and run their checks) and try to publish
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[dg.AssetKey("mart_lead_scores"), dg.AssetKey("published_analytics")],
        raise_on_error=False,
    )
    assert not result.success
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "mart_lead_scores" in built and "published_analytics" not in built
    failed = {
        (ev.asset_key.to_user_string(), ev.check_name)
        for ev in result.get_asset_check_evaluations()
        if not ev.passed
    }
    assert ("mart_lead_scores", "marts_scores_valid") in failed
    assert (_sha(analytics), _sha(previous)) == before
    assert duckdb_file.version_info(analytics)["source_run_id"] == version


def test_rollback_restores_the_previous_version(first_run, env, capsys):
    from orchestration.cli import main

    analytics = env["analytics"]
    previous = duckdb_file.previous_path(analytics)
    current_run = duckdb_file.version_info(analytics)["source_run_id"]
    previous_run = duckdb_file.version_info(previous)["source_run_id"]
    previous_sha, previous_leads = _sha(previous), _leads(previous)
    assert current_run != previous_run

    assert main(["publish", "--rollback"]) == 0
    out = capsys.readouterr().out
    assert "rolled back in" in out and f"current   run {previous_run}" in out
    assert _sha(analytics) == previous_sha
    assert _leads(analytics) == previous_leads
    assert duckdb_file.version_info(previous)["source_run_id"] == current_run
