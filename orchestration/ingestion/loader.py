"""Load one landing file into its raw table, atomically with its manifest row.

Inside one transaction: the adapter stages every record with a reason (or none), bad
records go to ``raw.quarantine``, good ones are deduplicated on the source's key (within
the file, keeping the first arrival, and against rows already loaded) and appended, and the
manifest row records ``rows_in = rows_loaded + rows_duplicate + rows_quarantined``.
A crash leaves neither rows nor manifest row behind, so the file is simply loaded again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from orchestration.ingestion.formats.common import lit
from orchestration.ingestion.landing import LandingFile
from orchestration.ingestion.sources import Source


@dataclass
class FileResult:
    """What happened to one file in one ingestion run."""

    path: str
    source: str
    status: str  # loaded | skipped | changed_after_load | unrecognized | failed
    rows_in: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    quarantine_by_reason: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def load_file(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    file: LandingFile,
    *,
    checksum: str,
    batch_id: str,
    loaded_at: datetime,
) -> FileResult:
    """Stage, quarantine, dedupe and append one file plus its manifest row, in one transaction."""
    stager = source.adapter_for(file.path)
    if stager is None:
        return FileResult(file.rel, source.name, "unrecognized")
    table = f"raw.{source.name}"
    con.begin()
    try:
        stager(con, file.path)
        params = {"file": file.rel, "batch": batch_id, "at": loaded_at, "source": source.name}
        con.execute(
            """
            insert into raw.quarantine
            select $source, $file, _line, reason, _text, $at, $batch
            from _stage where reason is not null
            """,
            params,
        )
        key = ", ".join(source.key)
        on = " and ".join(f"r.{k} = n.{k}" for k in source.key)
        con.execute(
            f"""
            create or replace temp table _new as
            select * from (
                select *, row_number() over (partition by {key} order by {source.order_by}) as _rn
                from (select *, {lit(file.rel)} as _file, sha256(payload::varchar) as _row_hash
                      from _stage where reason is null)
            ) n
            where _rn = 1 and not exists (select 1 from {table} r where {on})
            """
        )
        columns = ", ".join(source.columns)
        con.execute(
            f"""
            insert into {table} (_file, _line, _loaded_at, _batch_id, _row_hash, payload, {columns})
            select _file, _line, $at, $batch, _row_hash, payload, {columns} from _new
            order by _line
            """,
            {"at": loaded_at, "batch": batch_id},
        )
        rows_in, valid, loaded = con.execute(
            "select (select count(*) from _stage), "
            "(select count(*) from _stage where reason is null), (select count(*) from _new)"
        ).fetchone()
        by_reason = dict(
            con.execute(
                "select reason, count(*) from _stage where reason is not null "
                "group by reason order by reason"
            ).fetchall()
        )
        result = FileResult(
            path=file.rel,
            source=source.name,
            status="loaded",
            rows_in=rows_in,
            rows_loaded=loaded,
            rows_duplicate=valid - loaded,
            rows_quarantined=rows_in - valid,
            quarantine_by_reason=by_reason,
        )
        con.execute(
            """
            insert into raw.load_manifest (path, source, size_bytes, checksum, batch_id,
                loaded_at, rows_in, rows_loaded, rows_duplicate, rows_quarantined, status)
            values ($path, $source, $size, $checksum, $batch, $at, $rows_in, $loaded, $dup,
                    $quarantined, 'loaded')
            """,
            {
                "path": file.rel,
                "source": source.name,
                "size": file.size,
                "checksum": checksum,
                "batch": batch_id,
                "at": loaded_at,
                "rows_in": result.rows_in,
                "loaded": result.rows_loaded,
                "dup": result.rows_duplicate,
                "quarantined": result.rows_quarantined,
            },
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result
