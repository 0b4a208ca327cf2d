"""Load a group of landing files of one format into their raw table, atomically with their
manifest rows.

Inside one transaction: the adapter stages every record of the group's files with a reason
(or none), bad records go to ``raw.quarantine``, good ones are deduplicated on the source's
key (within the group, keeping the first arrival, and against rows already loaded) and
appended, and one manifest row per file records
``rows_in = rows_loaded + rows_duplicate + rows_quarantined``. A crash leaves neither rows
nor manifest rows behind, so the files are simply loaded again by the next run. Grouping
small files (many per day) saves the fixed cost of a statement per file; a big file forms
a group of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from orchestration.ingestion.landing import LandingFile
from orchestration.ingestion.sources import Source, Stager
from orchestration.privacy.tombstones import drop_tombstoned


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


def load_files(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    stager: Stager,
    files: list[tuple[LandingFile, str]],
    *,
    batch_id: str,
    loaded_at: datetime,
) -> list[FileResult]:
    """Stage, quarantine, dedupe and append ``files`` (``(file, sha256)`` pairs of one format,
    in arrival order) plus their manifest rows, in one transaction."""
    table = f"raw.{source.name}"
    con.begin()
    try:
        con.execute(
            """
            create or replace temp table _files as
            select unnest($1::varchar[]) as _path, unnest($2::varchar[]) as _file,
                   unnest($3::integer[]) as _ord, unnest($4::bigint[]) as size_bytes,
                   unnest($5::varchar[]) as checksum
            """,
            [
                [str(f.path) for f, _ in files],
                [f.rel for f, _ in files],
                list(range(len(files))),
                [f.size for f, _ in files],
                [checksum for _, checksum in files],
            ],
        )
        stager(con, [f.path for f, _ in files])
        con.execute(
            "create or replace temp table _staged as "
            "select f._file, f._ord, s.* exclude (_path) from _stage s join _files f using (_path)"
        )
        drop_tombstoned(con)  # records of people erased by `leadhouse forget` stay out
        params = {"batch": batch_id, "at": loaded_at, "source": source.name}
        con.execute(
            """
            insert into raw.quarantine
            select $source, _file, _line, reason, _text, $at, $batch
            from _staged where reason is not null order by _ord, _line
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
                from (select *, sha256(payload::varchar) as _row_hash
                      from _staged where reason is null)
            ) n
            where _rn = 1 and not exists (select 1 from {table} r where {on})
            """
        )
        columns = ", ".join(source.columns)
        con.execute(
            f"""
            insert into {table} (_file, _line, _loaded_at, _batch_id, _row_hash, payload, {columns})
            select _file, _line, $at, $batch, _row_hash, payload, {columns} from _new
            order by _ord, _line
            """,
            {"at": loaded_at, "batch": batch_id},
        )
        con.execute(
            """
            create or replace temp table _counts as
            select f._file, f._ord, f.size_bytes, f.checksum,
                   coalesce(s.rows_in, 0) as rows_in, coalesce(s.valid, 0) as valid,
                   coalesce(n.loaded, 0) as rows_loaded
            from _files f
            left join (select _file, count(*) as rows_in, count(*) filter (reason is null) as valid
                       from _staged group by _file) s using (_file)
            left join (select _file, count(*) as loaded from _new group by _file) n using (_file)
            """
        )
        con.execute(
            """
            insert into raw.load_manifest (path, source, size_bytes, checksum, batch_id,
                loaded_at, rows_in, rows_loaded, rows_duplicate, rows_quarantined, status)
            select _file, $source, size_bytes, checksum, $batch, $at, rows_in, rows_loaded,
                   valid - rows_loaded, rows_in - valid, 'loaded'
            from _counts order by _ord
            """,
            params,
        )
        reasons: dict[str, dict[str, int]] = {}
        for file, reason, n in con.execute(
            "select _file, reason, count(*) from _staged where reason is not null "
            "group by all order by all"
        ).fetchall():
            reasons.setdefault(file, {})[reason] = n
        results = [
            FileResult(
                path=file,
                source=source.name,
                status="loaded",
                rows_in=rows_in,
                rows_loaded=loaded,
                rows_duplicate=valid - loaded,
                rows_quarantined=rows_in - valid,
                quarantine_by_reason=reasons.get(file, {}),
            )
            for file, rows_in, valid, loaded in con.execute(
                "select _file, rows_in, valid, rows_loaded from _counts order by _ord"
            ).fetchall()
        ]
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return results
