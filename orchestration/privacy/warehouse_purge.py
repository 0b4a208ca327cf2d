"""Erase a subject from every table of the warehouse, found generically.

Every base table of every schema except ``seeds`` (configuration) and ``privacy``
(tombstones) is scanned through ``information_schema``: rows with a text column naming the
subject (:mod:`matching`) are deleted. Bookkeeping tables keep their rows and lose the
values instead (``raw.load_manifest``, ``retl.sync_runs``, ``retl.erasure_requests``), so
runs and files stay accounted for. Views (staging, intermediate) follow their tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from orchestration.privacy.matching import Subject

SKIP_SCHEMAS = ("seeds", "privacy", "information_schema", "pg_catalog")
#: (schema, table) whose rows are kept: matching values are replaced by REDACTED
SCRUB_ONLY = {("raw", "load_manifest"), ("retl", "sync_runs"), ("retl", "erasure_requests")}
REDACTED = "[erased]"
TEXT_TYPES = ("VARCHAR", "JSON")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class WarehousePurge:
    """Rows deleted (or values scrubbed) per table."""

    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)

    @property
    def rows_deleted(self) -> int:
        return sum(self.deleted.values())


def text_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """{(schema, table): [(column, type)]} of the base tables that can hold personal data."""
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name, c.data_type
        from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where t.table_type = 'BASE TABLE' and c.table_schema not in $skip
          and t.table_catalog = current_database()
        order by c.table_schema, c.table_name, c.ordinal_position
        """,
        {"skip": list(SKIP_SCHEMAS)},
    ).fetchall()
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, dtype in rows:
        if (
            dtype.upper() in TEXT_TYPES
            or dtype.upper().startswith(("STRUCT", "MAP"))
            or dtype.endswith("[]")
        ):
            out.setdefault((schema, table), []).append((column, dtype))
    return out


def _is_text(dtype: str) -> bool:
    upper = dtype.upper()
    return (
        upper in TEXT_TYPES or upper.startswith(("STRUCT", "MAP", "UNION")) or upper.endswith("]")
    )


def _match(column: str, dtype: str) -> str:
    value = q(column) if dtype.upper() == "VARCHAR" else f"cast({q(column)} as varchar)"
    return f"coalesce(regexp_matches(lower({value}), $p), false)"


def purge(con: duckdb.DuckDBPyConnection, subject: Subject) -> WarehousePurge:
    """Delete (or scrub) every row naming ``subject``; call inside a transaction."""
    result = WarehousePurge()
    pattern = subject.pattern()
    for (schema, table), columns in text_columns(con).items():
        name = f"{q(schema)}.{q(table)}"
        label = f"{schema}.{table}"
        if (schema, table) in SCRUB_ONLY:
            n = 0
            for column, dtype in columns:
                if dtype.upper() != "VARCHAR":
                    continue
                n += con.execute(
                    f"update {name} set {q(column)} = $r where {_match(column, dtype)}",
                    {"p": pattern, "r": REDACTED},
                ).fetchone()[0]
            if n:
                result.scrubbed[label] = n
            continue
        where = " or ".join(_match(c, t) for c, t in columns)
        n = con.execute(f"delete from {name} where {where}", {"p": pattern}).fetchone()[0]
        if n:
            result.deleted[label] = n
    return result


def count_matches(con: duckdb.DuckDBPyConnection, subject: Subject) -> dict[str, int]:
    """Rows still naming ``subject`` per table, over every text column of every table and
    view of every schema (seeds and privacy included): what the erasure tests check."""
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema not in ('information_schema', 'pg_catalog') "
        "and table_catalog = current_database() order by all"
    ).fetchall()
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, dtype in rows:
        if _is_text(dtype):
            tables.setdefault((schema, table), []).append((column, dtype))
    pattern = subject.pattern()
    out: dict[str, int] = {}
    for (schema, table), columns in tables.items():
        where = " or ".join(_match(c, t) for c, t in columns)
        n = con.execute(
            f"select count(*) from {q(schema)}.{q(table)} where {where}", {"p": pattern}
        ).fetchone()[0]
        if n:
            out[f"{schema}.{table}"] = n
    return out
