"""Development and production targets write to different schemas: ``dev`` prefixes every
schema with its name, the default target keeps the folder names (``marts``, ...)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.transform.dbt_runner import run_dbt

pytestmark = pytest.mark.slow


def schemas(target: str, tmp_path: Path) -> dict[str, str]:
    parsed = run_dbt(
        ["parse", "--target", target, "--no-partial-parse", "--quiet"],
        tmp_path / target,
        tmp_path / "wh.duckdb",
        timeout=600,
    )
    manifest = json.loads((parsed.target_path / "manifest.json").read_text())
    return {
        node["name"]: node["schema"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "snapshot", "seed")
    }


def test_dev_and_prod_targets_write_to_different_schemas(tmp_path):
    prod, dev = schemas("duckdb", tmp_path), schemas("dev", tmp_path)
    assert prod["dim_leads"] == "marts" and dev["dim_leads"] == "dev_marts"
    assert prod["stg_segment__web_events"] == "staging"
    assert dev["stg_segment__web_events"] == "dev_staging"
    assert prod["snap_lead_state"] == "snapshots" and dev["snap_lead_state"] == "dev_snapshots"
    assert prod["scoring_personas"] == "seeds" and dev["scoring_personas"] == "dev_seeds"
    assert set(prod) == set(dev) and not set(prod.values()) & set(dev.values())
