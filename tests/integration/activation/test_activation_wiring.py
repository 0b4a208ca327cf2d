"""The CLI, the Dagster assets and the summary, on a scratch warehouse."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from orchestration.activation.report import sync_summary
from orchestration.cli import main


def test_cli_refuses_without_token_and_dry_runs(warehouse, monkeypatch, capsys):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    assert main(["sync", "hubspot_contacts"]) == 2
    assert "HUBSPOT_ACCESS_TOKEN is not set" in capsys.readouterr().out
    assert main(["sync", "hubspot_contacts", "--dry-run", "--samples", "1"]) == 0
    out = capsys.readouterr().out
    assert "DRY RUN (no API call)" in out and "to insert       250" in out
    assert out.count("payload sample") == 1
    assert main(["sync", "nope"]) == 2
    assert "unknown sync 'nope'" in capsys.readouterr().out


def test_cli_file_sync_writes_jsonl(warehouse, tmp_path, capsys):
    assert main(["sync", "file_leads"]) == 0
    files = list((tmp_path / "output" / "syncs" / "file_leads").glob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(x) for x in files[0].read_text().splitlines()]
    assert len(lines) == 250 and lines[0]["operation"] == "upsert"
    assert set(lines[0]["fields"]) >= {"dw_lead_tier", "dw_lead_score", "email"}
    assert main(["sync", "file_leads"]) == 0
    assert "unchanged       250" in capsys.readouterr().out
    with duckdb.connect(str(warehouse)) as con:
        summary = sync_summary(con)
    assert "file_leads" in summary and "unchanged=250" in summary and "api_calls=0" in summary


def test_summary_without_runs(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        assert sync_summary(con) == "Reverse-ETL: no sync has run yet."


def test_asset_graph():
    from orchestration.activation.defs import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "crm_sync__file_leads",
        "crm_sync__hubspot_contacts",
        "crm_sync__salesforce_leads",
    } <= keys
    node = graph.get(dg.AssetKey("crm_sync__hubspot_contacts"))
    assert node.parent_keys == {dg.AssetKey("mart_lead_activation")}
    assert node.group_name == "activation"


@pytest.mark.slow
def test_materialize_sends_file_and_dry_runs_crms(warehouse, monkeypatch, tmp_path):
    from orchestration.activation.defs import defs, sync_assets

    for var in ("HUBSPOT_ACCESS_TOKEN", "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_INSTANCE_URL"):
        monkeypatch.delenv(var, raising=False)
    result = dg.materialize(
        sync_assets, resources=defs.resources, instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    meta = {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }
    assert meta["crm_sync__file_leads"]["dry_run"] is False
    assert meta["crm_sync__file_leads"]["succeeded"] == 250
    assert meta["crm_sync__hubspot_contacts"]["dry_run"] is True
    assert meta["crm_sync__hubspot_contacts"]["planned"] == 250
    assert meta["crm_sync__hubspot_contacts"]["api_calls"] == 0
    assert meta["crm_sync__hubspot_contacts"]["dry_run_reason"] == "HUBSPOT_ACCESS_TOKEN is not set"
    checks = result.get_asset_check_evaluations()
    assert len(checks) == 3 and all(c.passed for c in checks)
