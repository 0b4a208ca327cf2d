"""Run dbt as a subprocess against one warehouse, with private target and log folders.

The one helper every dbt invocation outside Dagster goes through: the calibration's macro
compilation (``orchestration/calibration/dbt_sql.py``), replays, what-if, and the tests. Its
result carries dbt's own account of the run, ``run_results.json`` (a status per node), which is
what callers and tests judge, not dbt's console summary.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from orchestration.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR, settings


def dbt_executable() -> str:
    """``LEADHOUSE_DBT_EXECUTABLE``, else the dbt next to this interpreter, else dbt on PATH."""
    configured = settings().dbt_executable
    if configured:
        return configured
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else shutil.which("dbt") or "dbt"


@dataclass(frozen=True)
class DbtResult:
    """One finished dbt command."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    target_path: Path

    def run_results(self) -> dict:
        """dbt's ``run_results.json`` of this command."""
        return json.loads((self.target_path / "run_results.json").read_text())

    def statuses(self) -> dict[str, str]:
        """Status per node (``model.leadhouse.dim_leads`` → ``success``, tests ``pass``/``fail``,
        ``unit_test.…`` → ``pass``)."""
        return {r["unique_id"]: r["status"] for r in self.run_results()["results"]}

    def status_counts(self, resource_type: str | None = None) -> Counter[str]:
        """How many nodes (of ``resource_type``, e.g. ``unit_test``, when given) ended in each
        status."""
        return Counter(
            status
            for unique_id, status in self.statuses().items()
            if resource_type is None or unique_id.split(".")[0] == resource_type
        )

    def tail(self, lines: int = 25) -> str:
        return "\n".join((self.stdout + self.stderr).strip().splitlines()[-lines:])


def run_dbt(
    args: list[str],
    workdir: Path,
    warehouse: Path | None = None,
    *,
    project_dir: Path = DBT_PROJECT_DIR,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float | None = None,
) -> DbtResult:
    """``dbt <args>`` with its target and logs under ``workdir``.

    The environment is this process's with Leadhouse's settings for dbt (config.py), then
    ``warehouse`` (the DuckDB file, on the ``duckdb`` target) and ``env`` on top. With ``check``
    a failed command raises with the end of dbt's output.
    """
    overrides: dict[str, str] = {}
    if warehouse is not None:
        overrides = {"LEADHOUSE_WAREHOUSE": str(warehouse), "LEADHOUSE_DBT_TARGET": "duckdb"}
    full_env = {
        **os.environ,
        **settings().dbt_env(),
        **overrides,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    target = Path(workdir) / "target"
    cmd = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(DBT_PROFILES_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(Path(workdir) / "logs"),
    ]
    proc = subprocess.run(
        cmd,
        cwd=project_dir,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    result = DbtResult(list(args), proc.returncode, proc.stdout, proc.stderr, target)
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"dbt {' '.join(args[:2])} failed (exit {proc.returncode}):\n{result.tail()}"
        )
    return result
