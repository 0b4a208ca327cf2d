"""The published analytics schema on PostgreSQL: the same guarantee as the DuckDB file, with
schemas instead of files.

A version is built into ``<schema>__staging`` (one transaction: drop it if a failed publish left
it, copy the relations, write the version tables), then one short transaction swaps it in:
``<schema>`` becomes ``<schema>__previous`` and ``<schema>__staging`` becomes ``<schema>``.
A statement sees the old schema or the new one, never a mix; a publish that fails at any point
leaves ``<schema>`` untouched. :func:`rollback` swaps ``<schema>`` and ``<schema>__previous`` in
one transaction. ``reader_role`` (LEADHOUSE_PUBLISH_PG_ROLE) is granted USAGE and SELECT on each
new version, since a new schema carries no grant.

Readers should run in autocommit or READ COMMITTED (what BI tools do): a REPEATABLE READ
transaction that started before a swap resolves names to the new tables but sees them empty, as
PostgreSQL documents for tables created after a snapshot.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from orchestration.publish.duckdb_file import NothingToRollBack, PublishReport
from orchestration.publish.spec import (
    TABLES_TABLE,
    VERSION_COLUMNS,
    VERSION_TABLE,
    PublishSpec,
    version_records,
)

if TYPE_CHECKING:
    from psycopg2.extensions import connection, cursor

DEFAULT_SCHEMA = "published"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema_exists(cur: cursor, name: str) -> bool:
    cur.execute("select 1 from pg_namespace where nspname = %s", (name,))
    return cur.fetchone() is not None


def build_staging(
    con: connection,
    spec: PublishSpec,
    run_id: str,
    published_at: datetime,
    schema: str = DEFAULT_SCHEMA,
    reader_role: str | None = None,
) -> tuple[dict[str, int], datetime | None]:
    staging = _ident(f"{schema}__staging")
    rows: dict[str, int] = {}
    with con, con.cursor() as cur:  # one transaction: committed on success, rolled back on error
        cur.execute(f"drop schema if exists {staging} cascade")
        cur.execute(f"create schema {staging}")
        cur.execute(spec.data_as_of)
        as_of = cur.fetchone()[0]
        for rel in spec.tables:
            cur.execute(
                f"create table {staging}.{_ident(rel.name)} as select * from {rel.qualified}"
            )
            rows[rel.name] = cur.rowcount
        cur.execute(
            f"create table {staging}.{_ident(VERSION_TABLE)} (source_run_id text, "
            "published_at timestamp, data_as_of timestamp, relations integer, total_rows bigint)"
        )
        version, tables = version_records(spec, run_id, published_at, as_of, rows)
        cur.execute(
            f"insert into {staging}.{_ident(VERSION_TABLE)} values (%s, %s, %s, %s, %s)", version
        )
        cur.execute(
            f"create table {staging}.{_ident(TABLES_TABLE)} "
            "(relation text, source_relation text, row_count bigint)"
        )
        cur.executemany(f"insert into {staging}.{_ident(TABLES_TABLE)} values (%s, %s, %s)", tables)
        if reader_role:
            cur.execute(f"grant usage on schema {staging} to {_ident(reader_role)}")
            cur.execute(f"grant select on all tables in schema {staging} to {_ident(reader_role)}")
    return rows, as_of


def _lock_tables(cur: cursor, schema: str) -> None:
    """ACCESS EXCLUSIVE on every table of ``schema``: waits until no running statement reads
    them, and makes later statements wait for the commit, then look the names up again."""
    cur.execute(
        "select string_agg(format('%%I.%%I', schemaname, tablename), ', ') "
        "from pg_tables where schemaname = %s",
        (schema,),
    )
    tables = cur.fetchone()[0]
    if tables:
        cur.execute(f"lock table {tables} in access exclusive mode")


def swap_in(con: connection, schema: str = DEFAULT_SCHEMA, attempts: int = 50) -> float:
    """``<schema>__staging`` becomes ``<schema>``, the current one ``<schema>__previous``: one
    transaction. Returns its duration in seconds.

    The transaction first locks every table of the outgoing version, so no statement can have
    looked up some of its tables before the rename and the rest after it. The locks are taken
    with a short ``lock_timeout`` and retried: a reader is made to wait a moment, never
    aborted by a deadlock."""
    import psycopg2

    started = time.perf_counter()
    for attempt in range(attempts):
        try:
            with con, con.cursor() as cur:
                cur.execute("set local lock_timeout = '200ms'")
                previous = schema + "__previous"
                if _schema_exists(cur, schema):
                    _lock_tables(cur, schema)
                cur.execute(f"drop schema if exists {_ident(previous)} cascade")
                if _schema_exists(cur, schema):
                    cur.execute(f"alter schema {_ident(schema)} rename to {_ident(previous)}")
                cur.execute(
                    f"alter schema {_ident(schema + '__staging')} rename to {_ident(schema)}"
                )
            return time.perf_counter() - started
        except psycopg2.errors.LockNotAvailable:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def publish(
    con: connection,
    spec: PublishSpec,
    run_id: str,
    schema: str = DEFAULT_SCHEMA,
    reader_role: str | None = None,
    now: datetime | None = None,
) -> PublishReport:
    """Build a new version into the staging schema, then swap it in (``con``: a psycopg2
    connection to the warehouse database)."""
    published_at = (now or datetime.now(UTC)).replace(tzinfo=None)
    started = time.perf_counter()
    # one publisher at a time: a transaction-level advisory lock would end with the build, so
    # take a session-level one around both transactions
    with con, con.cursor() as cur:
        cur.execute("select pg_advisory_lock(hashtext(%s))", (f"leadhouse.publish.{schema}",))
    try:
        rows, as_of = build_staging(con, spec, run_id, published_at, schema, reader_role)
        build_seconds = time.perf_counter() - started
        swap_seconds = swap_in(con, schema)
    finally:
        with con, con.cursor() as cur:
            cur.execute("select pg_advisory_unlock(hashtext(%s))", (f"leadhouse.publish.{schema}",))
    return PublishReport(
        path=f"postgres schema {schema}",
        source_run_id=run_id,
        published_at=published_at,
        data_as_of=as_of,
        rows=rows,
        build_seconds=build_seconds,
        swap_seconds=swap_seconds,
    )


def rollback(con: connection, schema: str = DEFAULT_SCHEMA) -> float:
    """Swap ``<schema>`` and ``<schema>__previous`` in one transaction."""
    previous, tmp = schema + "__previous", schema + "__rollback"
    started = time.perf_counter()
    with con, con.cursor() as cur:
        if not _schema_exists(cur, previous):
            raise NothingToRollBack(f"no schema {previous}")
        current = _schema_exists(cur, schema)
        if current:
            _lock_tables(cur, schema)
        if current:
            cur.execute(f"alter schema {_ident(schema)} rename to {_ident(tmp)}")
        cur.execute(f"alter schema {_ident(previous)} rename to {_ident(schema)}")
        if current:
            cur.execute(f"alter schema {_ident(tmp)} rename to {_ident(previous)}")
    return time.perf_counter() - started


def version_info(con: connection, schema: str = DEFAULT_SCHEMA) -> dict | None:
    with con, con.cursor() as cur:
        if not _schema_exists(cur, schema):
            return None
        cur.execute(
            f"select {', '.join(VERSION_COLUMNS)} from {_ident(schema)}.{_ident(VERSION_TABLE)}"
        )
        cols = [d[0] for d in cur.description]
        return dict(zip(cols, cur.fetchone(), strict=True))
