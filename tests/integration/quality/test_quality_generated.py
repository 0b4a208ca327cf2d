"""On generated data through the real ingestion and dbt models: every suite passes, and a
dbt build right after the checks succeeds (the checks never hold DuckDB's writer lock)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT
from orchestration.quality.runner import run_check
from orchestration.quality.suites import all_checks
from orchestration.quality.thresholds import load_thresholds
from orchestration.transform.dbt_runner import DbtResult, run_dbt

BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(
        args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def _dbt(tmp: Path, env: dict, *args: str) -> DbtResult:
    done = run_dbt(list(args), tmp, env=env, check=False, timeout=1800)
    assert done.returncode == 0, done.tail(60)
    return done


@pytest.mark.slow
def test_suites_pass_on_generated_tiny_and_dbt_builds_right_after(tmp_path):
    env = {
        **os.environ,
        "LEADHOUSE_WAREHOUSE": str(tmp_path / "wh.duckdb"),
        "LEADHOUSE_LANDING": str(tmp_path / "landing"),
        "LEADHOUSE_OUTPUT": str(tmp_path / "out"),
        "DAGSTER_HOME": str(tmp_path / "dh"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    _run(
        [
            str(BIN / "leadhouse"),
            "generate",
            "--scale",
            "tiny",
            "--seed",
            "42",
            "--out",
            env["LEADHOUSE_LANDING"],
        ],
        env,
    )
    _run([str(BIN / "leadhouse"), "ingest"], env)
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
