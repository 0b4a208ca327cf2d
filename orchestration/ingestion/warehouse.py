"""DuckDB connections for ingestion, and the DDL of the ``raw`` schema.

Connections are only ever opened through :func:`connect`, a context manager, so no
handle outlives the block that needs it: DuckDB allows one writer process and dbt runs
right after ingestion in the same Dagster run. Checks use ``read_only=True``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.config import settings

#: Load columns every raw table carries (docs/data-contracts.md §2).
LOAD_COLUMNS = """
    _file varchar, _line integer, _loaded_at timestamptz, _batch_id varchar, _row_hash varchar,
    payload json"""

#: Extracted columns of each raw table, after the load columns.
TABLE_COLUMNS: dict[str, str] = {
    "web_events": """message_id varchar, event_type varchar, anonymous_id varchar, user_id varchar,
        event_at timestamptz, received_at timestamptz""",
    "email_events": """provider varchar, provider_event_id varchar, event_name varchar,
        email varchar, occurred_at timestamptz""",
    "form_submissions": """provider varchar, form_id varchar, submission_id varchar,
        email varchar, submitted_at timestamptz""",
    "lead_lists": "list_kind varchar, list_name varchar, email varchar",
    "crm_deals": "provider varchar, deal_id varchar, email varchar, updated_at timestamptz",
}

DDL = [
    "create schema if not exists raw",
    *(
        f"create table if not exists raw.{table} ({LOAD_COLUMNS}, {columns})"
        for table, columns in TABLE_COLUMNS.items()
    ),
    """create table if not exists raw.quarantine (
        source varchar, _file varchar, _line integer, reason varchar, payload varchar,
        _loaded_at timestamptz, _batch_id varchar)""",
    """create table if not exists raw.load_manifest (
        path varchar primary key, source varchar, size_bytes bigint, checksum varchar,
        batch_id varchar, loaded_at timestamptz, rows_in bigint, rows_loaded bigint,
        rows_duplicate bigint, rows_quarantined bigint, status varchar)""",
    # added for changed files and independent record counts (warehouses made before get them)
    "alter table raw.load_manifest add column if not exists records_in_file bigint",
    "alter table raw.load_manifest add column if not exists records_read bigint",
    "alter table raw.load_manifest add column if not exists versions integer",
    "alter table raw.load_manifest add column if not exists changed_at timestamptz",
    """create table if not exists raw.file_changes (
        path varchar, source varchar, old_checksum varchar, new_checksum varchar,
        old_size_bytes bigint, new_size_bytes bigint, detected_at timestamptz, batch_id varchar,
        rows_in bigint, rows_loaded bigint, rows_duplicate bigint, rows_quarantined bigint)""",
]


@contextmanager
def connect(
    path: Path | str | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse (default: ``settings().warehouse_path``) for the block only.

    Sessions run in UTC so that every ``timestamptz`` reads back as UTC.
    """
    db = Path(path) if path is not None else settings().warehouse_path
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=read_only)
    try:
        con.execute("set TimeZone = 'UTC'")
        # above the memory limit DuckDB spills to ``<file>.tmp`` rather than failing
        con.execute(f"set memory_limit = '{settings().duckdb_memory_limit}'")
        con.execute("set enable_progress_bar = false")
        yield con
    finally:
        con.close()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``raw`` schema and its tables if they do not exist (idempotent)."""
    for statement in DDL:
        con.execute(statement)


def raw_tables_exist(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the manifest table exists (i.e. ingestion ran at least once)."""
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'load_manifest'"
    ).fetchone()
    return bool(row and row[0])
