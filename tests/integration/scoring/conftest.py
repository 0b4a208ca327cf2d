"""Session fixture of the scoring tests: the tiny sample, ingested and built by dbt in tmp."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.config import DBT_PROFILES_DIR, REPO_ROOT

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
    dbt = [str(BIN / "dbt"), "--no-use-colors"]
    paths = [
        "--profiles-dir",
        str(DBT_PROFILES_DIR),
        "--target-path",
        str(root / "target"),
        "--log-path",
        str(root / "logs"),
        "--vars",
        f'{{as_of: "{as_of}", replay_in_place: true}}',
    ]
    _run([*dbt, "seed", *paths], env)
    _run(
        [
            *dbt,
            "run",
            "--select",
            "+mart_lead_activation",
            "+mart_lead_score_explanations",
            "+mart_funnel_daily",
            "+fct_lead_handoffs",
            *paths,
        ],
        env,
    )
    return {
        "warehouse": warehouse,
        "truth": landing / "_truth" / "leads.csv",
        "landing": landing,
        "as_of": as_of,
        "root": root,
        "env": env,
        "dbt": dbt,
        "dbt_paths": paths,
    }


@pytest.fixture(scope="session")
def run_dbt(scored_tiny):
    """run_dbt(*args, check=True): a dbt command on the tiny warehouse (tmp target and logs)."""

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run(
            [*scored_tiny["dbt"], *args, *scored_tiny["dbt_paths"]], scored_tiny["env"], check=check
        )

    return run
