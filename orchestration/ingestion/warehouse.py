"""The DDL of the ``raw`` schema, for every warehouse engine.

Connections come from the warehouse resource (orchestration/resources.py ``connect``, a
context manager, so no handle outlives the block that needs it: DuckDB allows one writer
process and dbt runs right after ingestion in the same Dagster run). The column definitions
below are written once, in DuckDB's types; :func:`ddl` translates them for PostgreSQL.
"""

from __future__ import annotations

import re

import duckdb

from orchestration.resources import connect, engine_of

__all__ = ["DDL", "TABLE_COLUMNS", "connect", "ddl", "ensure_schema", "index_keys"]

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


def ddl(engine: str = "duckdb") -> list[str]:
    """The statements of :data:`DDL` for ``engine`` (PostgreSQL: ``json`` → ``jsonb``,
    ``double`` → ``double precision``; the other types are spelled the same)."""
    if engine == "duckdb":
        return list(DDL)
    return [
        re.sub(r"\bdouble\b(?! precision)", "double precision", re.sub(r"\bjson\b", "jsonb", s))
        for s in DDL
    ]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``raw`` schema and its tables if they do not exist (idempotent)."""
    for statement in ddl(engine_of(con)):
        con.execute(statement)


def index_keys(con: duckdb.DuckDBPyConnection, source: str, key: tuple[str, ...]) -> None:
    """PostgreSQL: index the dedupe key of ``raw.<source>`` (each load probes it) and the
    quarantine's file. DuckDB needs none (its joins scan)."""
    if engine_of(con) == "duckdb":
        return
    con.execute(
        f"create index if not exists {source}__dedupe_key on raw.{source} ({', '.join(key)})"
    )
    con.execute("create index if not exists quarantine__file on raw.quarantine (source, _file)")


def raw_tables_exist(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the manifest table exists (i.e. ingestion ran at least once)."""
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'load_manifest'"
    ).fetchone()
    return bool(row and row[0])
