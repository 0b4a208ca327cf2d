"""The ``leadhouse`` command as a real subprocess, working in a scratch folder: what the tests
that need a separate process (a kill, a second run, a clean environment) share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def leadhouse_env(
    base: Path, *, warehouse: Path | None = None, dagster_home: bool = True, **extra: str
) -> dict[str, str]:
    """This process's environment with every Leadhouse path under ``base``: ``landing/``, the
    warehouse (``wh/leadhouse.duckdb`` unless given), ``out/`` and, with ``dagster_home``,
    ``dagster_home/`` (without: no DAGSTER_HOME, an ephemeral instance); ``extra`` on top."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env |= {
        "LEADHOUSE_LANDING": str(base / "landing"),
        "LEADHOUSE_WAREHOUSE": str(warehouse or base / "wh" / "leadhouse.duckdb"),
        "LEADHOUSE_OUTPUT": str(base / "out"),
    }
    if dagster_home:
        env["DAGSTER_HOME"] = str(base / "dagster_home")
    return env | extra


def leadhouse(
    args: list[str],
    env: dict[str, str],
    *,
    timeout: float = 900,
    cwd: Path = REPO,
    check: bool = False,
) -> subprocess.CompletedProcess:
    """Run ``leadhouse ARGS`` to completion (its DAGSTER_HOME created first); with ``check`` a
    non-zero exit fails the test with the end of its output."""
    if env.get("DAGSTER_HOME"):
        Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert done.returncode == 0, f"leadhouse {' '.join(args[:2])} failed:\n" + (
            done.stdout[-4000:] + done.stderr[-4000:]
        )
    return done
