"""Test helper, not part of Leadhouse: copy the raw schema of a DuckDB warehouse into PostgreSQL
with COPY, so that the dbt models can be built on PostgreSQL from the very rows the DuckDB
ingestion loaded (the cross-engine comparison starts from identical raw tables).

Each table goes through a CSV file written by DuckDB (nulls unquoted, empty strings quoted, as
PostgreSQL's CSV format reads them) and ``COPY ... FROM STDIN`` on the PostgreSQL side.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

#: DuckDB column type -> PostgreSQL column type (anything else keeps its name)
PG_TYPES = {
    "JSON": "jsonb",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMP": "timestamp",
    "VARCHAR": "text",
    "DOUBLE": "double precision",
}


def copy_raw_to_postgres_for_tests(duckdb_path: Path, pg_connection, schema: str = "raw") -> dict:
    """Create ``schema`` in PostgreSQL with every table of the DuckDB file's ``schema`` and their
    rows; returns {table: rows copied}. ``pg_connection`` is an open psycopg2 connection."""
    copied = {}
    with (
        duckdb.connect(str(duckdb_path), read_only=True) as src,
        tempfile.TemporaryDirectory() as tmp,
    ):
        src.execute("set TimeZone = 'UTC'")
        tables = src.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [schema],
        ).fetchall()
        with pg_connection, pg_connection.cursor() as cur:
            cur.execute(f"create schema if not exists {schema}")
            for (table,) in tables:
                columns = src.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                ddl = ", ".join(f'"{c}" {PG_TYPES.get(t, t.lower())}' for c, t in columns)
                cur.execute(f'drop table if exists {schema}."{table}"')
                cur.execute(f'create table {schema}."{table}" ({ddl})')
                csv_path = Path(tmp) / f"{table}.csv"
                src.execute(
                    f"copy (select * from {schema}.\"{table}\") to '{csv_path}' (header, format csv)"
                )
                with open(csv_path, encoding="utf-8") as f:
                    cur.copy_expert(
                        f'copy {schema}."{table}" from stdin with (format csv, header true)', f
                    )
                copied[table] = cur.rowcount
    return copied
