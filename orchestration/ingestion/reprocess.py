"""Re-extract the typed columns of raw rows from their stored ``payload``.

The raw tables keep each original record in ``payload`` so that a change of what the
adapters extract (a new column, a fixed path) reaches the rows already loaded without
re-reading the landing files (which may be gone). The same extraction as at load time runs
set-based over the stored records, grouped by format (the file name decides, as at load);
key columns are never rewritten (so dedupe and erasure stay as they were), nor is a value
replaced by a null. ``ensure_schema``
calls it when a warehouse made before a column existed gets that column.
"""

from __future__ import annotations

import duckdb

from orchestration.ingestion.formats.common import lit
from orchestration.ingestion.sources import EXTRACTORS, JSON_OBJECT_RECORDS, SOURCES


def reprocess(con: duckdb.DuckDBPyConnection, tables: list[str] | None = None) -> dict[str, int]:
    """Recompute every non-key typed column of ``raw.<table>`` (all five by default) from
    ``payload``; returns the rows updated per table."""
    updated: dict[str, int] = {}
    for name in tables or list(SOURCES):
        source = SOURCES[name]
        files = [r[0] for r in con.execute(f"select distinct _file from raw.{name}").fetchall()]
        by_format: dict = {}
        for file in files:
            stager = source.adapter_for(_Named(file))
            if stager is not None:
                by_format.setdefault(stager, []).append(file)
        updated[name] = 0
        for stager, group in by_format.items():
            updated[name] += _reprocess_group(con, name, stager, group)
    return updated


class _Named:
    """What ``Source.adapter_for`` reads of a path: its name."""

    def __init__(self, rel: str) -> None:
        self.name = rel.rsplit("/", 1)[-1]


def _reprocess_group(
    con: duckdb.DuckDBPyConnection, table: str, stager: object, files: list[str]
) -> int:
    source = SOURCES[table]
    in_files = ", ".join(lit(f) for f in files)
    # _line = the row's rowid: a batch envelope gives several rows one line
    if stager in JSON_OBJECT_RECORDS:
        records = (
            "select _file as _path, rowid as _line, payload::varchar as _text, true as _ok, "
            "payload::varchar as _json, null::varchar as _pre_reason"
        )
    else:
        records = (
            "select _file as _path, rowid as _line, payload::varchar as _text, true as _ok, "
            "payload as _payload"
        )
    con.execute(
        f"create or replace temp table _records as {records} "
        f"from raw.{table} where payload is not null and _file in ({in_files})"
    )
    EXTRACTORS[stager](con)
    staged = {d[0] for d in con.execute("select * from _stage limit 0").description}
    columns = [c for c in source.columns if c in staged and c not in source.key]
    if not columns:
        return 0
    con.execute("create or replace temp table _reparsed as select * from _stage")
    # a value the load recorded is never erased by a record that no longer yields it
    sets = ", ".join(f"{c} = coalesce(s.{c}, t.{c})" for c in columns)
    n = con.execute(
        f"update raw.{table} as t set {sets} from _reparsed s where t.rowid = s._line"
    ).fetchone()[0]
    con.execute("drop table _reparsed")
    return n
