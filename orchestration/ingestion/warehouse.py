"""The DDL of the ``raw`` schema, for every warehouse engine.

Connections come from the warehouse resource (orchestration/resources.py ``connect``, a
context manager, so no handle outlives the block that needs it: DuckDB allows one writer
process and dbt runs right after ingestion in the same Dagster run). The column definitions
below are written once, in DuckDB's types; :func:`ddl` translates them for PostgreSQL.
"""

from __future__ import annotations

import re

import duckdb

from orchestration.ingestion.raw_columns import RAW_COLUMNS, ddl_columns
from orchestration.resources import connect, engine_of

__all__ = ["DDL", "TABLE_COLUMNS", "connect", "ddl", "ensure_schema", "index_keys"]

#: ``name type, ...`` of each raw table (load columns first), from raw_columns.py, where the
#: columns are defined once (DuckDB's type names; :func:`ddl` translates them).
TABLE_COLUMNS: dict[str, str] = {table: ddl_columns(table) for table in RAW_COLUMNS}

DDL = [
    "create schema if not exists raw",
    *(f"create table if not exists raw.{t} ({columns})" for t, columns in TABLE_COLUMNS.items()),
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
    # the file's mtime (ns) when its checksum was last verified: same size and mtime = skipped
    # without reading the file again
    "alter table raw.load_manifest add column if not exists modified_ns bigint",
    """create table if not exists raw.file_changes (
        path varchar, source varchar, old_checksum varchar, new_checksum varchar,
        old_size_bytes bigint, new_size_bytes bigint, detected_at timestamptz, batch_id varchar,
        rows_in bigint, rows_loaded bigint, rows_duplicate bigint, rows_quarantined bigint)""",
]


def ddl(engine: str = "duckdb") -> list[str]:
    """The statements of :data:`DDL` for ``engine`` (PostgreSQL: ``json`` → ``jsonb``,
    ``double`` → ``double precision``, no ``using compression``; the other types are spelled
    the same)."""
    return ddl_for(engine, *DDL)


def ddl_for(engine: str, *statements: str) -> list[str]:
    """``statements`` (DuckDB's type names) for ``engine``."""
    if engine == "duckdb":
        return list(statements)
    return [
        re.sub(
            r"\bdouble\b(?! precision)",
            "double precision",
            re.sub(r"\bjson\b", "jsonb", re.sub(r" using compression \w+", "", s)),
        )
        for s in statements
    ]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``raw`` schema and its tables if they do not exist (idempotent).

    A DuckDB warehouse made before a typed column existed gets the column, filled from each
    row's ``payload`` by the same adapters (:func:`~orchestration.ingestion.reprocess.reprocess`).
    """
    engine = engine_of(con)
    have = {
        (t, c)
        for t, c in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'raw' and table_catalog = current_database()"
        ).fetchall()
    }
    stale = sorted(
        {
            table
            for table, columns in RAW_COLUMNS.items()
            if (table, "payload") in have and any((table, c.name) not in have for c in columns)
        }
    )
    for statement in ddl(engine):
        con.execute(statement)
    for table in stale:
        for c in RAW_COLUMNS[table]:
            if (table, c.name) not in have:
                add = f"alter table raw.{table} add column {c.name} {c.type}"
                con.execute(ddl_for(engine, add)[0])
    if stale and engine == "duckdb":
        from orchestration.ingestion.reprocess import reprocess  # noqa: PLC0415 - cycle

        reprocess(con, stale)


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
