"""Issue 11 item 4: a failing blocking check in layer N means nothing of layer N+1 is built
and no CRM sync runs — for raw, staging and marts (intermediate: see
``test_intermediate_is_built_in_the_marts_dbt_build``).

One real ``leadhouse_main`` run on the generator's ``tiny`` sample, then, on a copy of its
landing folder, warehouse and output folder, one run per broken layer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest
from conftest import land_new_web_day, web_days

pytestmark = pytest.mark.slow

INTERMEDIATE_AND_BELOW = ("int_", "dim_", "fct_", "mart_", "snap_", "crm_sync__")
SYNCS = ("crm_sync__file_leads", "crm_sync__hubspot_contacts", "crm_sync__salesforce_leads")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, tiny_landing):
    """The first, green run; returns its folders (copied by each scenario)."""
    base = tmp_path_factory.mktemp("baseline")
    shutil.copytree(tiny_landing, base / "landing")
    mp = pytest.MonkeyPatch()
    _point_at(mp, base)
    from orchestration.run_command import execute

    first = execute("leadhouse_main")
    mp.undo()
    assert first.success, [e.message for e in first.all_events if e.is_step_failure]
    built = _built(first)
    assert set(SYNCS) <= built
    return base


def _point_at(mp: pytest.MonkeyPatch, base: Path) -> None:
    mp.setenv("LEADHOUSE_LANDING", str(base / "landing"))
    mp.setenv("LEADHOUSE_WAREHOUSE", str(base / "wh" / "leadhouse.duckdb"))
    mp.setenv("LEADHOUSE_OUTPUT", str(base / "out"))
    mp.delenv("DAGSTER_HOME", raising=False)


@pytest.fixture
def scenario(baseline, tmp_path, monkeypatch) -> Path:
    """A copy of the baseline's folders, the settings pointed at it."""
    for name in ("landing", "wh", "out"):
        shutil.copytree(baseline / name, tmp_path / name)
    _point_at(monkeypatch, tmp_path)
    return tmp_path


def _built(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def _failed(result: dg.ExecuteInProcessResult) -> list[tuple[str, str]]:
    return sorted(
        (ev.asset_key.to_user_string(), ev.check_name)
        for ev in result.get_asset_check_evaluations()
        if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR
    )


def _run() -> dg.ExecuteInProcessResult:
    from orchestration.run_command import execute

    return execute("leadhouse_main")


def test_failing_raw_check_stops_staging_and_everything_below(scenario):
    landing = scenario / "landing"
    shutil.copytree(web_days(landing)[-1], landing / "web_events" / "dt=2026-11-03")
    result = _run()
    assert not result.success
    assert _failed(result) == [("raw/web_events", "raw_load_health")]
    built = _built(result)
    assert not [k for k in built if k.startswith(("stg_", *INTERMEDIATE_AND_BELOW))], built
    # the summary shows this run only: no mart checks or syncs of the baseline run
    from orchestration.summary import run_summary

    summary = run_summary(result, elapsed_seconds=1.0)
    assert "Reverse-ETL: no sync ran in this run." in summary
    skipped = next(line for line in summary.splitlines() if line.startswith("Skipped"))
    assert all(sync in skipped for sync in SYNCS)
    assert "leadhouse_dbt_staging" in skipped
    quality = summary[summary.index("Data quality") :]
    assert "\n  raw " in quality
    assert "\n  staging " not in quality and "\n  marts " not in quality


def test_failing_staging_check_stops_intermediate_marts_and_syncs(scenario):
    """300 web events of 2010 (before min_event_time, 2015): ingestion takes them (well-formed,
    not in the future), staging_valid on stg_segment__web_events fails; the staging views are
    built, nothing of the intermediate layer, the marts or the syncs is."""
    land_new_web_day(scenario / "landing", "2026-11-04", 300, shift_years=16)
    result = _run()
    assert not result.success
    assert ("stg_segment__web_events", "staging_valid") in _failed(result)
    assert all(asset.startswith("stg_") for asset, _check in _failed(result))
    built = _built(result)
    assert "stg_segment__web_events" in built
    assert not [k for k in built if k.startswith(INTERMEDIATE_AND_BELOW)], built


def test_failing_check_on_a_mart_under_the_synced_one_stops_every_sync(scenario):
    """marts_score_drift guards mart_lead_scores, which mart_lead_activation (what the syncs
    send) is built from in the same dbt step: a drift failure must stop every sync."""
    from orchestration.quality.history import history_path

    path = history_path(scenario / "out")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    last_run = rows[-1]["run_id"]
    shifted = []
    for row in (r for r in rows if r["run_id"] == last_run):
        moved = {
            k: v + 30 if k in ("mean", "p25", "p50", "p75", "p90") else v for k, v in row.items()
        }
        shifted.append(json.dumps({**moved, "run_id": "shifted-baseline"}))
    with path.open("a") as fh:
        fh.write("\n".join(shifted) + "\n")

    result = _run()
    assert not result.success
    assert _failed(result) == [("mart_lead_scores", "marts_score_drift")]
    built = _built(result)
    assert {"mart_lead_scores", "mart_lead_activation"} <= built
    assert not [k for k in built if k.startswith("crm_sync__")], built
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert not started & set(SYNCS)


def test_intermediate_is_built_in_the_marts_dbt_build():
    """No Dagster check guards the intermediate layer: its guards are dbt tests, and dbt runs
    a model's tests before its children and skips the children of a failing test, inside one
    `dbt build`. So intermediate and marts share one build step, which waits on the staging
    checks; staging is built by the step before."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    step = {
        key.to_user_string(): graph.assets_def_for_key(key).node_def.name
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_executable
    }
    assert {step[k] for k in step if k.startswith("int_")} == {"leadhouse_dbt"}
    assert step["dim_leads"] == step["mart_lead_activation"] == "leadhouse_dbt"
    assert {step[k] for k in step if k.startswith("stg_")} == {"leadhouse_dbt_staging"}
    job = defs.resolve_job_def("leadhouse_main")
    upstream = {
        out.node_name
        for out in job.graph.dependency_structure.all_upstream_outputs_from_node("leadhouse_dbt")
    }
    assert {
        "stg_segment__web_events_staging_valid",
        "stg_email__events_staging_valid",
        "stg_forms__submissions_staging_valid",
    } <= upstream
