"""Every setting Leadhouse reads from the environment, in one place.

Paths default to folders under the repository's ``data/`` directory so that
``make run`` works on a fresh clone with no configuration at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT  # dbt_project.yml lives at the repository root
DBT_PROFILES_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"

#: The source folders of the landing area, one per raw table.
SOURCES = ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")


class Settings(BaseModel):
    """Runtime settings. Build with :func:`settings` (reads the environment)."""

    landing_dir: Path = Field(description="LEADHOUSE_LANDING: folder the sources land in")
    warehouse_path: Path = Field(description="LEADHOUSE_WAREHOUSE: the DuckDB file")
    analytics_path: Path = Field(
        description="LEADHOUSE_ANALYTICS: the read-only DuckDB file published to BI "
        "(default: analytics.duckdb beside the warehouse)"
    )
    output_dir: Path = Field(description="LEADHOUSE_OUTPUT: reports, data docs, sync files")
    target: Literal["duckdb", "postgres", "spark"] = Field(
        default="duckdb",
        description="LEADHOUSE_TARGET: the warehouse engine (orchestration/resources.py); "
        "also the dbt target unless LEADHOUSE_DBT_TARGET names another (docs/engines.md)",
    )
    dbt_target: str = Field(
        description="LEADHOUSE_DBT_TARGET: dbt profile target (default: LEADHOUSE_TARGET)"
    )
    dbt_threads: int = Field(description="LEADHOUSE_DBT_THREADS: dbt threads")
    settle_seconds: float = Field(
        default=2.0, description="LEADHOUSE_SETTLE_SECONDS: quiet period before a file is read"
    )
    handoff_webhook_url: str | None = Field(
        default=None, description="LEADHOUSE_HANDOFF_WEBHOOK_URL: Slack-compatible webhook"
    )
    duckdb_memory_limit: str = Field(
        pattern=r"^\d+(\.\d+)?\s*([KMGT]i?B|B)$",
        description="LEADHOUSE_DUCKDB_MEMORY_LIMIT: DuckDB's memory_limit for ingestion and dbt "
        "(default a quarter of the machine's memory; above it DuckDB spills to disk)",
    )

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess so that it sees the same warehouse."""
        return {
            "LEADHOUSE_WAREHOUSE": str(self.warehouse_path),
            "LEADHOUSE_TARGET": self.target,
            "LEADHOUSE_DBT_TARGET": self.dbt_target,
            "LEADHOUSE_DBT_THREADS": str(self.dbt_threads),
            "LEADHOUSE_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "DBT_PROFILES_DIR": str(DBT_PROFILES_DIR),
        }


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def default_memory_limit() -> str:
    """A quarter of the machine's memory, in whole MB: room for dbt, Dagster and a BI reader."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(total // 4 // 2**20, 512)}MB"


def settings() -> Settings:
    """Read the settings from the environment (cheap; call it where you need it)."""
    data = REPO_ROOT / "data"
    warehouse = _path("LEADHOUSE_WAREHOUSE", data / "warehouse" / "leadhouse.duckdb")
    return Settings(
        landing_dir=_path("LEADHOUSE_LANDING", data / "landing"),
        warehouse_path=warehouse,
        # beside the warehouse unless moved: a scratch warehouse never publishes over the real one
        analytics_path=_path("LEADHOUSE_ANALYTICS", warehouse.parent / "analytics.duckdb"),
        output_dir=_path("LEADHOUSE_OUTPUT", data / "output"),
        target=os.environ.get("LEADHOUSE_TARGET") or "duckdb",
        dbt_target=os.environ.get("LEADHOUSE_DBT_TARGET")
        or os.environ.get("LEADHOUSE_TARGET")
        or "duckdb",
        dbt_threads=int(os.environ.get("LEADHOUSE_DBT_THREADS", "1")),
        handoff_webhook_url=os.environ.get("LEADHOUSE_HANDOFF_WEBHOOK_URL") or None,
        duckdb_memory_limit=os.environ.get("LEADHOUSE_DUCKDB_MEMORY_LIMIT")
        or default_memory_limit(),
        settle_seconds=max(float(os.environ.get("LEADHOUSE_SETTLE_SECONDS") or 2.0), 0.0),
    )


def postgres_params() -> dict[str, object]:
    """Connection of the ``postgres`` dbt target (the LEADHOUSE_PG_* variables of
    dbt_project/profiles.yml, same defaults), for Python code that reads that warehouse."""
    return {
        "host": os.environ.get("LEADHOUSE_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("LEADHOUSE_PG_PORT", "5432")),
        "user": os.environ.get("LEADHOUSE_PG_USER", "postgres"),
        "password": os.environ.get("LEADHOUSE_PG_PASSWORD", ""),
        "dbname": os.environ.get("LEADHOUSE_PG_DATABASE", "leadhouse"),
    }
