"""The whole pipeline on both engines: the ``leadhouse_main`` Dagster job (what ``make run`` runs:
ingestion, raw/staging/marts checks, dbt build, snapshot, CRM syncs, score history, publish),
then the run summary, the HTML report and the calibration, once on a DuckDB file and once with
``LEADHOUSE_TARGET=postgres`` on a throw-away PostgreSQL server, from the same ``tiny`` landing
folder. Every mart and BI view, the snapshot, the published relations and the CSV hand-off to the
CRM are compared row for row (docs/engines.md, "Differences and rounding rules").

Both runs score at the same instant (dbt var ``as_of`` with ``replay_in_place``, given to the
job's dbt steps as run config), so decay and "as of" columns agree."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.integration.dbt_core.test_dbt_postgres import postgres  # noqa: F401 - the fixture
from tests.integration.engines.mart_comparison import (
    RELATIONS,
    RUN_COLUMNS,
    compare,
    dbapi_fetch,
    duckdb_fetch,
    relation_rows,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

#: the snapshot's columns that record when the snapshot ran (they differ between two runs of
#: the same engine too); every other column is compared
SNAPSHOT_RUN_COLUMNS = ("dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")

#: columns that record when a row was ingested: each engine's run loads the landing files itself
#: (the dbt-only comparison copies one load's raw rows, so there they are compared too)
LOAD_COLUMNS = {
    ("fct_interactions", "loaded_at"),
    ("fct_web_sessions", "loaded_at"),
    ("fct_web_sessions", "inputs_loaded_at"),
}

#: the report's "now" (the age of the last load is said against it)
REPORT_NOW = datetime(2030, 1, 1, tzinfo=UTC)

#: what the report shows from the warehouse (ReportData's fields; not its quality section, which
#: is read from each run's own output folder, nor the warehouse's name)
REPORT_FIELDS = (
    "headline",
    "funnel",
    "by_source",
    "by_campaign",
    "persona_scores",
    "tier_matrix",
    "by_tier",
    "by_decile",
    "handoff_day",
    "handoffs",
)


def _pg(port: int):
    import psycopg2

    return psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="leadhouse")


def _run_pipeline(env: dict[str, str], as_of: str, out: Path) -> dict:
    """The main job as ``leadhouse run`` executes it, then the summary, the report and
    ``leadhouse calibrate --as-of auto`` (as ``make run`` does), in ``env``."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        mp.delenv("DAGSTER_HOME", raising=False)  # an ephemeral instance
        from orchestration.calibration.warehouse_calibration import calibrate_warehouse
        from orchestration.definitions import defs
        from orchestration.report.build import write_report
        from orchestration.report.data import read as report_data
        from orchestration.run_command import dbt_build_config, execute
        from orchestration.summary import warehouse_summary

        job = defs.resolve_job_def("leadhouse_main")
        started = time.monotonic()
        result = execute(
            "leadhouse_main",
            run_config=dbt_build_config(job, as_of=as_of, replay_in_place=True),
        )
        seconds = time.monotonic() - started
        failures = [e.message for e in result.all_events if e.is_step_failure]
        assert result.success, failures
        calibration = calibrate_warehouse(
            as_of="auto", horizon=30, capacity=50, out_dir=out / "calibration"
        )
        return {
            "success": result.success,
            "failures": failures,
            "skipped": sorted(e.step_key for e in result.all_events if e.is_step_skipped),
            "seconds": seconds,
            "summary": warehouse_summary(),
            "report": write_report(out / "report.html").read_text(encoding="utf-8"),
            "report_data": report_data(Path(env["LEADHOUSE_WAREHOUSE"]), out, now=REPORT_NOW),
            "calibration": calibration,
        }


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory, postgres):  # noqa: F811 - the imported fixture
    """``tiny`` (a current sample, as ``make run`` generates it) through the whole pipeline on
    DuckDB, then on PostgreSQL."""
    from orchestration.sample_data.command import yesterday
    from orchestration.sample_data.engine import generate
    from orchestration.sample_data.scales import GeneratorOptions

    root = tmp_path_factory.mktemp("pipeline")
    landing = root / "landing"
    generate("tiny", 7, landing, options=GeneratorOptions(end_date=yesterday()))
    # after both loads (the as_of filter keeps rows loaded by then): an hour ahead
    as_of = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    runs = {}
    for engine in ("duckdb", "postgres"):
        base = root / engine
        env = {
            "LEADHOUSE_TARGET": engine,
            "LEADHOUSE_LANDING": str(landing),
            "LEADHOUSE_WAREHOUSE": str(base / "wh" / "leadhouse.duckdb"),
            "LEADHOUSE_OUTPUT": str(base / "out"),
            "LEADHOUSE_PG_HOST": "127.0.0.1",
            "LEADHOUSE_PG_PORT": str(postgres),
            "LEADHOUSE_PG_USER": "postgres",
            "LEADHOUSE_PG_DATABASE": "leadhouse",
        }
        runs[engine] = {**_run_pipeline(env, as_of, base / "out"), "base": base}
    print(
        f"\nleadhouse_main on tiny: duckdb {runs['duckdb']['seconds']:.0f} s, "
        f"postgres {runs['postgres']['seconds']:.0f} s"
    )
    return runs, postgres


def _duckdb(runs: dict) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(runs["duckdb"]["base"] / "wh" / "leadhouse.duckdb"), read_only=True)


def test_the_job_succeeds_on_both_engines(pipelines):
    runs, _ = pipelines
    for engine in ("duckdb", "postgres"):
        assert runs[engine]["failures"] == [], engine
        assert runs[engine]["skipped"] == [], engine
        assert runs[engine]["success"], engine


def test_every_mart_is_identical(pipelines):
    runs, port = pipelines
    with _duckdb(runs) as dcon:
        pcon = _pg(port)
        try:
            differences = compare(
                duckdb_fetch(dcon), dbapi_fetch(pcon), skip=RUN_COLUMNS | LOAD_COLUMNS
            )
            with pcon.cursor() as cur:
                cur.execute(
                    "select count(*), sum(lead_score), count(distinct tier) "
                    "from marts.mart_lead_scores"
                )
                on_postgres = cur.fetchone()
                # the load column left out is there: every interaction has its load time
                cur.execute("select count(*) from marts.fct_interactions where loaded_at is null")
                assert cur.fetchone()[0] == 0
                for schema, names in RELATIONS.items():
                    for name in names:  # not vacuous: every relation has rows
                        cur.execute(f"select count(*) from {schema}.{name}")
                        assert cur.fetchone()[0] > 0, f"{schema}.{name} is empty"
        finally:
            pcon.close()
        on_duckdb = dcon.execute(
            "select count(*), sum(lead_score), count(distinct tier) from marts.mart_lead_scores"
        ).fetchone()
    assert differences == {}
    assert on_postgres == on_duckdb
    assert on_duckdb[0] > 400 and on_duckdb[2] >= 3


def _snapshot_rows(fetch) -> tuple[list[str], list[tuple]]:
    columns, _ = fetch("select * from snapshots.snap_lead_state limit 0")
    kept = ", ".join(c for c in columns if c not in SNAPSHOT_RUN_COLUMNS)
    return relation_rows(
        lambda _sql: fetch(f"select {kept} from snapshots.snap_lead_state"),
        "snapshots",
        "snap_lead_state",
    )


def test_the_snapshot_is_identical(pipelines):
    runs, port = pipelines
    with _duckdb(runs) as dcon:
        on_duckdb = _snapshot_rows(duckdb_fetch(dcon))
        versions, current = dcon.execute(
            "select count(*), count(*) filter (where dbt_valid_to is null) "
            "from snapshots.snap_lead_state"
        ).fetchone()
    pcon = _pg(port)
    try:
        on_postgres = _snapshot_rows(dbapi_fetch(pcon))
    finally:
        pcon.close()
    assert on_postgres[0] == on_duckdb[0]
    assert "lead_score" in on_duckdb[0] and "lifecycle_stage" in on_duckdb[0]
    assert on_postgres[1] == on_duckdb[1]
    # the first run: one current version per lead
    assert versions == current == len(on_duckdb[1]) > 400


def test_published_relations_are_identical(pipelines):
    """BI's copy: the analytics file on DuckDB, schema ``published`` on PostgreSQL."""
    runs, port = pipelines
    analytics = runs["duckdb"]["base"] / "wh" / "analytics.duckdb"
    published = {"published": ["lead_scores", "lead_score_reasons", "mart_funnel_daily"]}
    with duckdb.connect(str(analytics), read_only=True) as dcon:
        pcon = _pg(port)
        try:
            differences = compare(
                lambda sql: duckdb_fetch(dcon)(sql.replace("published.", "")),
                dbapi_fetch(pcon),
                published,
            )
            with pcon.cursor() as cur:
                cur.execute("select count(*) from published.lead_scores")
                rows = cur.fetchone()[0]
        finally:
            pcon.close()
    assert differences == {}
    assert rows > 400


def _sync_file(runs: dict, engine: str) -> list[str]:
    """The records the file sync wrote (JSON lines: operation, key, match, fields), sorted."""
    files = sorted((runs[engine]["base"] / "out" / "syncs" / "file_leads").glob("*.jsonl"))
    assert len(files) == 1, (engine, files)
    lines = files[0].read_text(encoding="utf-8").splitlines()
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines)


def test_the_crm_file_hand_off_is_identical(pipelines):
    runs, _ = pipelines
    on_duckdb, on_postgres = _sync_file(runs, "duckdb"), _sync_file(runs, "postgres")
    assert len(on_duckdb) > 100
    assert '"dw_lead_tier": "A1"' in "".join(on_duckdb)
    assert on_postgres == on_duckdb


def test_summary_report_and_calibration_agree(pipelines):
    runs, _ = pipelines
    dk, pg = runs["duckdb"], runs["postgres"]

    def part(text: str, title: str) -> str:
        section = text.split(title, 1)[1].split("\n\n", 1)[0]
        # the Data Docs line names each run's own output folder
        return "\n".join(line for line in section.splitlines() if "Data Docs:" not in line)

    for title in (
        "Rows per layer:",
        "Leads by lifecycle stage",
        "Leads by tier (champion model)",
        "Why the top 3 leads scored as they did",
        "Stage-to-stage conversion",
    ):
        assert part(pg["summary"], title) == part(dk["summary"], title), title
    checks = "Data quality (great-expectations suites as Dagster asset checks):"
    assert part(pg["summary"], checks) == part(dk["summary"], checks)
    assert re.search(r"marts +\d+ passed, 0 failed", pg["summary"])
    # the report: written on both, from the same figures
    assert "postgresql://postgres@127.0.0.1" in pg["report"]
    for name in REPORT_FIELDS:
        left, right = getattr(dk["report_data"], name), getattr(pg["report_data"], name)
        if isinstance(left, pd.DataFrame):
            assert len(left) > 0 or name == "handoffs", name
            # rows in one order (the report orders the hand-offs by time; ties fall either way)
            left, right = (
                f.sort_values(list(f.columns)).reset_index(drop=True) for f in (left, right)
            )
            pd.testing.assert_frame_equal(right, left, check_dtype=False, obj=name)
        else:
            assert right == left, name
    fresh_dk, fresh_pg = dk["report_data"].freshness, pg["report_data"].freshness
    columns = ["source", "files", "rows_loaded", "rows_quarantined", "newest_data_day"]
    pd.testing.assert_frame_equal(fresh_pg[columns], fresh_dk[columns], check_dtype=False)
    # the calibration learned the same rules from the same marts (each run names its version
    # with the time it ran)
    left_cal, right_cal = dk["calibration"], pg["calibration"]
    names = sorted(p.name for p in left_cal.out_dir.glob("*.csv"))
    assert "scoring_fit_rules.csv" in names
    for name in names:
        left = (left_cal.out_dir / name).read_text(encoding="utf-8")
        right = (right_cal.out_dir / name).read_text(encoding="utf-8")
        assert right.replace(right_cal.version, "V") == left.replace(left_cal.version, "V"), name
    assert right_cal.summary.replace(right_cal.version, "V") == left_cal.summary.replace(
        left_cal.version, "V"
    )
