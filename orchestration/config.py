"""Every setting Leadhouse reads from the environment, in one place.

Paths default to folders under the repository's ``data/`` directory so that
``make run`` works on a fresh clone with no configuration at all.
"""

from __future__ import annotations

import os
import re
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

    # The connection of the `postgres` dbt target: dbt_project/profiles.yml reads the same
    # LEADHOUSE_PG_* names, and every dbt Leadhouse starts is given these values (dbt_env).
    pg_host: str = Field(default="127.0.0.1", description="LEADHOUSE_PG_HOST")
    pg_port: int = Field(default=5432, description="LEADHOUSE_PG_PORT")
    pg_user: str = Field(default="postgres", description="LEADHOUSE_PG_USER")
    pg_database: str = Field(default="leadhouse", description="LEADHOUSE_PG_DATABASE")
    publish_pg_schema: str = Field(
        default="published",
        description="LEADHOUSE_PUBLISH_PG_SCHEMA: on the postgres target, the schema BI reads",
    )
    publish_pg_role: str | None = Field(
        default=None,
        description="LEADHOUSE_PUBLISH_PG_ROLE: on the postgres target, the role granted each "
        "new published version",
    )
    run_wait_seconds: float = Field(
        default=300.0,
        description="LEADHOUSE_RUN_WAIT_SECONDS: how long `leadhouse run` waits for a warehouse "
        "another process holds",
    )
    hubspot_base_url: str = Field(
        default="https://api.hubapi.com", description="HUBSPOT_BASE_URL: the HubSpot API"
    )
    dagster_home: Path | None = Field(
        default=None, description="DAGSTER_HOME: the Dagster instance (unset: an ephemeral one)"
    )
    dbt_executable: str | None = Field(
        default=None,
        description="LEADHOUSE_DBT_EXECUTABLE: the dbt to run (default: the one beside Python)",
    )
    collect_sns_topic_arns: tuple[str, ...] = Field(
        default=(),
        description="LEADHOUSE_SNS_TOPIC_ARNS: SNS topics whose SES notifications the collector "
        "accepts (comma-separated)",
    )
    collect_sns_auto_confirm: bool = Field(
        default=True, description="LEADHOUSE_SNS_AUTO_CONFIRM: confirm SNS subscriptions (0/1)"
    )
    collect_replay_window: float = Field(
        default=300.0, description="LEADHOUSE_COLLECT_REPLAY_WINDOW: webhook timestamp window, s"
    )
    collect_max_queue_bytes: int = Field(
        default=64 * 2**20,
        description="LEADHOUSE_COLLECT_MAX_QUEUE_BYTES: accepted bytes not yet on disk (429 above)",
    )
    collect_min_free_bytes: int = Field(
        default=256 * 2**20,
        description="LEADHOUSE_COLLECT_MIN_FREE_BYTES: free disk under which requests get 429",
    )
    collect_cors_origins: tuple[str, ...] = Field(
        default=("*",),
        description="LEADHOUSE_COLLECT_CORS_ORIGINS: origins allowed to post (comma-separated)",
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
            "LEADHOUSE_PG_HOST": self.pg_host,
            "LEADHOUSE_PG_PORT": str(self.pg_port),
            "LEADHOUSE_PG_USER": self.pg_user,
            "LEADHOUSE_PG_PASSWORD": secret("LEADHOUSE_PG_PASSWORD") or "",
            "LEADHOUSE_PG_DATABASE": self.pg_database,
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
        **_set(
            pg_host="LEADHOUSE_PG_HOST",
            pg_port="LEADHOUSE_PG_PORT",
            pg_user="LEADHOUSE_PG_USER",
            pg_database="LEADHOUSE_PG_DATABASE",
            publish_pg_schema="LEADHOUSE_PUBLISH_PG_SCHEMA",
            publish_pg_role="LEADHOUSE_PUBLISH_PG_ROLE",
            run_wait_seconds="LEADHOUSE_RUN_WAIT_SECONDS",
            hubspot_base_url="HUBSPOT_BASE_URL",
            dagster_home="DAGSTER_HOME",
            dbt_executable="LEADHOUSE_DBT_EXECUTABLE",
            collect_replay_window="LEADHOUSE_COLLECT_REPLAY_WINDOW",
            collect_max_queue_bytes="LEADHOUSE_COLLECT_MAX_QUEUE_BYTES",
            collect_min_free_bytes="LEADHOUSE_COLLECT_MIN_FREE_BYTES",
        ),
        **_listed(
            collect_sns_topic_arns="LEADHOUSE_SNS_TOPIC_ARNS",
            collect_cors_origins="LEADHOUSE_COLLECT_CORS_ORIGINS",
        ),
        collect_sns_auto_confirm=os.environ.get("LEADHOUSE_SNS_AUTO_CONFIRM", "1")
        not in ("0", "false"),
    )


def _set(**names: str) -> dict[str, str]:
    """The fields whose variable is set and not empty (pydantic parses the text; an unset
    variable leaves the field's default)."""
    return {field: os.environ[name] for field, name in names.items() if os.environ.get(name)}


def _listed(**names: str) -> dict[str, tuple[str, ...]]:
    """Comma-separated variables that are set, as tuples of their non-empty items."""
    return {
        field: tuple(item.strip() for item in os.environ[name].split(",") if item.strip())
        for field, name in names.items()
        if name in os.environ
    }


def postgres_params() -> dict[str, object]:
    """Connection of the ``postgres`` dbt target (the LEADHOUSE_PG_* settings dbt is given),
    for Python code that reads that warehouse."""
    cfg = settings()
    return {
        "host": cfg.pg_host,
        "port": cfg.pg_port,
        "user": cfg.pg_user,
        "password": secret("LEADHOUSE_PG_PASSWORD") or "",
        "dbname": cfg.pg_database,
    }


def secret(name: str) -> str | None:
    """The secret held by environment variable `name` (None when unset or empty).

    Secrets are named by the code or the sync spec that needs them (``HUBSPOT_ACCESS_TOKEN``,
    a webhook's ``token_env``) and read at the moment of use, never stored in Settings.
    """
    return os.environ.get(name) or None


def secret_values(name_pattern: re.Pattern[str], min_length: int = 8) -> set[str]:
    """The values (``min_length`` characters or more) of every environment variable whose name
    matches ``name_pattern``: what redaction removes from what the CRM syncs write or raise."""
    return {
        v for k, v in os.environ.items() if name_pattern.search(k) and v and len(v) >= min_length
    }
