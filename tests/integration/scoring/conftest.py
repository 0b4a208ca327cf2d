"""Session fixture of the scoring tests: the tiny sample, ingested and built by dbt in tmp."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.config import REPO_ROOT
from orchestration.transform import dbt_runner
from orchestration.transform.dbt_runner import DbtResult

BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args[:3])} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


@pytest.fixture(scope="session")
def scored_tiny(tmp_path_factory) -> dict[str, Path | str]:
    """Generate the tiny sample (seed 42, window ending 2026-10-31), ingest it and build the scoring
    marts in place with the clock pinned to its last day."""
    root = tmp_path_factory.mktemp("scoring_tiny")
    landing, warehouse = root / "landing", root / "wh.duckdb"
    env = {
        **os.environ,
        "LEADHOUSE_LANDING": str(landing),
        "LEADHOUSE_WAREHOUSE": str(warehouse),
        "LEADHOUSE_OUTPUT": str(root / "out"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "LEADHOUSE_DBT_THREADS": "1",
    }
    env.pop("LEADHOUSE_HANDOFF_WEBHOOK_URL", None)
    _run(
        [
            str(BIN / "leadhouse"),
            "generate",
            "--scale",
            "tiny",
            "--seed",
            "42",
            "--end-date",
            "2026-10-31",
            "--out",
            str(landing),
        ],
        env,
    )
    _run([str(BIN / "leadhouse"), "ingest"], env)
    last_day = max(p.name.removeprefix("dt=") for p in (landing / "web_events").iterdir())
    as_of = f"{last_day} 23:59:59"
    dbt_vars = ["--vars", f'{{as_of: "{as_of}", replay_in_place: true}}']
    dbt_runner.run_dbt(["seed", *dbt_vars], root, env=env)
    dbt_runner.run_dbt(
        [
            "run",
            "--select",
            "+mart_lead_activation",
            "+mart_lead_score_explanations",
            "+mart_funnel_daily",
            "+fct_lead_handoffs",
            *dbt_vars,
        ],
        root,
        env=env,
    )
    return {
        "warehouse": warehouse,
        "truth": landing / "_truth" / "leads.csv",
        "landing": landing,
        "as_of": as_of,
        "root": root,
        "env": env,
        "dbt_vars": dbt_vars,
    }


@pytest.fixture(scope="session")
def run_dbt(scored_tiny):
    """run_dbt(*args, check=True): a dbt command on the tiny warehouse (tmp target and logs)."""

    def run(*args: str, check: bool = True) -> DbtResult:
        return dbt_runner.run_dbt(
            ["--no-use-colors", *args, *scored_tiny["dbt_vars"]],
            scored_tiny["root"],
            env=scored_tiny["env"],
            check=check,
        )

    return run
