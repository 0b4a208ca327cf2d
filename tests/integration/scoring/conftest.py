"""Session fixture of the scoring tests: the tiny sample, ingested and built by dbt in tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.transform import dbt_runner
from orchestration.transform.dbt_runner import DbtResult
from tests.leadhouse_cli import leadhouse, leadhouse_env


@pytest.fixture(scope="session")
def scored_tiny(tmp_path_factory) -> dict[str, Path | str]:
    """Generate the tiny sample (seed 42, window ending 2026-10-31), ingest it and build the scoring
    marts in place with the clock pinned to its last day."""
    root = tmp_path_factory.mktemp("scoring_tiny")
    landing, warehouse = root / "landing", root / "wh.duckdb"
    env = leadhouse_env(root, warehouse=warehouse, LEADHOUSE_DBT_THREADS="1")
    env.pop("LEADHOUSE_HANDOFF_WEBHOOK_URL", None)
    generate = ["generate", "--scale", "tiny", "--seed", "42", "--end-date", "2026-10-31"]
    leadhouse([*generate, "--out", str(landing)], env, check=True)
    leadhouse(["ingest"], env, check=True)
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
