"""What the operator sees in Dagster: owners and kinds on every asset, the BI layer as its own
group, the schedules and sensors; row counts and failing-row samples on dbt events."""

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import defs
from orchestration.transform.translator import leading_comment
from orchestration.transform.warehouse_metadata import compiled_tests, enrich


def test_every_asset_has_an_owner_a_kind_and_a_description():
    graph = defs.resolve_asset_graph()
    missing = []
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        if not node.owners or not node.kinds or not node.description:
            missing.append(key.to_user_string())
    assert missing == []
    assert graph.get(dg.AssetKey("lead_scores")).owners == ["team:marketing-ops"]
    assert graph.get(dg.AssetKey("stg_email__events")).owners == ["team:data-platform"]
    assert graph.get(dg.AssetKey(["raw", "web_events"])).owners == ["team:data-platform"]


def test_the_bi_layer_is_its_own_group():
    graph = defs.resolve_asset_graph()
    for name in ("lead_scores", "source_performance", "lead_score_reasons", "time_spine_daily"):
        assert graph.get(dg.AssetKey(name)).group_name == "analytics"


def test_sensor_and_schedules_are_there():
    names = {s.name for s in defs.schedules or []}
    assert {"hourly_incremental_schedule", "nightly_full_build"} <= names
    assert "landing_sensor" in {s.name for s in defs.sensors or []}


def test_leading_comment():
    sql = "-- One row per lead:\n-- the best persona.\nselect 1 -- not this\n"
    assert leading_comment(sql) == "One row per lead: the best persona."
    assert leading_comment("select 1") == ""


def test_row_counts_and_failing_rows_are_added_after_dbt(tmp_path, monkeypatch):
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_leads as select range as id from range(7)")
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("LEADHOUSE_DBT_TARGET", "duckdb")
    nodes = {
        "model.leadhouse.dim_leads": {
            "schema": "marts",
            "alias": "dim_leads",
            "name": "dim_leads",
            "config": {"materialized": "table"},
        }
    }
    run_results = {
        "results": [
            {
                "unique_id": "test.leadhouse.small_ids",
                "compiled_code": "select id from marts.dim_leads where id < 3",
            }
        ]
    }
    events = [
        dg.Output(None, "dim_leads", metadata={"unique_id": "model.leadhouse.dim_leads"}),
        dg.AssetCheckResult(
            passed=False,
            asset_key="dim_leads",
            check_name="small_ids",
            metadata={"unique_id": "test.leadhouse.small_ids"},
        ),
    ]
    out = list(enrich(iter(events), nodes, lambda: compiled_tests(run_results)))
    assert out[0].metadata["dagster/row_count"].value == 7
    sample = out[1].metadata["failing_rows_sample"].value
    assert sample.splitlines() == ["| id |", "|---|", "| 0 |", "| 1 |", "| 2 |"]


@pytest.mark.parametrize("target", ["postgres"])
def test_other_engines_get_the_events_unchanged(target, monkeypatch):
    monkeypatch.setenv("LEADHOUSE_DBT_TARGET", target)
    event = dg.Output(None, "x", metadata={"unique_id": "model.leadhouse.x"})
    assert list(enrich([event], {}, dict)) == [event]
