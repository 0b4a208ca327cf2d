"""The Dagster side: the five assets materialize with their counts, the reconciliation
checks pass (and warn on a changed file), the sensor requests runs for changed sources."""

import json

import dagster as dg
import pytest

from orchestration.ingestion.defs import (
    defs,
    ingest_job,
    landing_sensor,
    raw_assets,
    raw_key,
    reconciliation_checks,
)
from orchestration.resources import WarehouseResource

#: the warehouse resource the assets and checks receive (orchestration/resources.py)
RESOURCES = {"warehouse": WarehouseResource()}

SOURCES = ["web_events", "email_events", "form_submissions", "lead_lists", "crm_deals"]


def test_definitions_keys_and_job():
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == {f"raw/{s}" for s in SOURCES}
    for s in SOURCES:
        node = graph.get(raw_key(s))
        assert node.group_name == "ingestion"
        assert "duckdb" in node.kinds
    assert defs.resolve_job_def("ingest_job").name == "ingest_job"
    # the hourly incremental load is the transform area's `hourly_incremental` schedule,
    # which runs these assets and then the incremental dbt models
    assert not list(defs.schedules or [])


@pytest.mark.slow
def test_materialize_five_assets_and_checks(lh_env):
    result = dg.materialize([*raw_assets, *reconciliation_checks], resources=RESOURCES)
    assert result.success
    meta = {
        e.asset_key.path[1]: e.event_specific_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert meta["web_events"]["rows_loaded"].value == 7
    assert meta["email_events"]["files_loaded"].value == 3
    assert meta["email_events"]["rows_in"].value == 8
    assert meta["crm_deals"]["rows_quarantined"].value == 0
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 5 and all(c.passed for c in checks)
    assert {c.check_name for c in checks} == {"reconciles_with_manifest"}

    # second run: every file skipped, nothing loaded
    again = dg.materialize([*raw_assets, *reconciliation_checks], resources=RESOURCES)
    for e in again.get_asset_materialization_events():
        md = e.event_specific_data.materialization.metadata
        assert md["files_loaded"].value == 0 and md["rows_loaded"].value == 0
        assert md["files_skipped"].value >= 1

    # a file changed after load: its new record loads, reported in metadata, the check WARNs
    path = lh_env["landing"] / "lead_lists" / "dt=2024-05-01" / "tradeshow__saastr_2024.csv"
    path.write_text(path.read_text() + "new@x.io,N,N,,,,,,,\n")
    changed = dg.materialize(
        [*raw_assets, *reconciliation_checks], resources=RESOURCES, raise_on_error=False
    )
    by_source = {
        e.asset_key.path[1]: e.event_specific_data.materialization.metadata
        for e in changed.get_asset_materialization_events()
    }
    assert by_source["lead_lists"]["changed_after_load"].value == [
        "lead_lists/dt=2024-05-01/tradeshow__saastr_2024.csv"
    ]
    assert by_source["lead_lists"]["rows_loaded"].value == 1
    assert changed.success
    failed = [c for c in changed.get_asset_check_evaluations() if not c.passed]
    assert [c.asset_key.path[1] for c in failed] == ["lead_lists"]
    assert "tradeshow__saastr_2024.csv" in json.dumps(
        failed[0].metadata["changed_after_load"].value
    )
    assert failed[0].severity == dg.AssetCheckSeverity.WARN
    assert failed[0].metadata["problems"].value == []


def test_job_selects_the_five_assets():
    job = defs.resolve_job_def(ingest_job.name)
    assert {k.path[1] for k in job.asset_layer.selected_asset_keys} == set(SOURCES)


def test_sensor_requests_changed_sources_only(lh_env):
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        first = landing_sensor(ctx)
        assert isinstance(first, dg.SensorResult)
        assert {k.path[1] for k in first.run_requests[0].asset_selection} == set(SOURCES)
        ctx = dg.build_sensor_context(instance=instance, cursor=first.cursor)
        assert isinstance(landing_sensor(ctx), dg.SkipReason)
        day = lh_env["landing"] / "form_submissions" / "dt=2024-05-02"
        day.mkdir()
        (day / "typeform-001.jsonl").write_text("{}\n")
        third = landing_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert [k.path[1] for k in third.run_requests[0].asset_selection] == ["form_submissions"]
        assert third.run_requests[0].run_key.startswith("ingest-form_submissions:")
