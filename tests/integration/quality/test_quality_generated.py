"""On generated data through the real ingestion and dbt models: every suite passes, and a
dbt build right after the checks succeeds (the checks never hold DuckDB's writer lock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.quality.runner import run_check
from orchestration.quality.suites import all_checks
from orchestration.quality.thresholds import load_thresholds
from orchestration.transform.dbt_runner import DbtResult, run_dbt
from tests.leadhouse_cli import leadhouse, leadhouse_env


def _dbt(tmp: Path, env: dict, *args: str) -> DbtResult:
    done = run_dbt(list(args), tmp, env=env, check=False, timeout=1800)
    assert done.returncode == 0, done.tail(60)
    return done


@pytest.mark.slow
def test_suites_pass_on_generated_tiny_and_dbt_builds_right_after(tmp_path):
    env = leadhouse_env(tmp_path, warehouse=tmp_path / "wh.duckdb")
    generate = ["generate", "--scale", "tiny", "--seed", "42"]
    leadhouse([*generate, "--out", env["LEADHOUSE_LANDING"]], env, timeout=1800, check=True)
    leadhouse(["ingest"], env, timeout=1800, check=True)
    _dbt(tmp_path, env, "build", "--exclude-resource-type", "unit_test")

    outcomes = [run_check(spec, tmp_path / "wh.duckdb") for spec in all_checks(load_thresholds())]
    assert [(o.asset_key, o.name, o.message) for o in outcomes if not o.passed] == []
    assert len(outcomes) == 31  # 26 + raw_load_volume on 4 sources + staging_unmapped

    done = _dbt(
        tmp_path,
        env,
        "build",
        "--select",
        "mart_lead_scores",
        "--exclude-resource-type",
        "unit_test",
    )
    assert done.statuses()["model.leadhouse.mart_lead_scores"] == "success"
    assert set(done.status_counts()) <= {"success", "pass"}
