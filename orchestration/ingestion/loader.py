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

Two more things happen in the same transaction:

* lines that are not valid UTF-8 (found by :mod:`~orchestration.ingestion.file_scan`) are
  quarantined as ``invalid_encoding`` with their original bytes, and the adapter reads the
  file with those lines blanked (temp table ``_cleaned``), so the rest of the file loads;
* a file that was loaded before and changed since (``reload``) is staged again: new records
  load, records already loaded are duplicates by the source's key, quarantined records
  already in ``raw.quarantine`` (same line, same text) are duplicates too; its manifest row
  accumulates the counts and ``raw.file_changes`` records the change.

The manifest row also keeps ``records_in_file`` (counted by the file scan, not by the
adapter) and ``records_read`` (what the adapter read, in the same unit) for reconciliation.

Any warehouse engine: files are parsed and staged in DuckDB (``stage``: the warehouse
connection itself on DuckDB, an in-memory DuckDB otherwise), leaving ``_files``,
``_staged_quarantine``, ``_candidates`` (deduplicated within the group) and
``_staged_counts``; on another engine those four are bulk-loaded (COPY) into temp tables of
the warehouse. Everything after that is SQL that DuckDB and PostgreSQL both run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from orchestration.ingestion.file_scan import FileScan, cleaned_text, shown_bytes
from orchestration.ingestion.formats.common import release_scratch, settle_ndjson
from orchestration.ingestion.landing import LandingFile
from orchestration.ingestion.raw_columns import RAW_COLUMNS
from orchestration.ingestion.sources import Source, Stager, layout_of
from orchestration.privacy.tombstones import drop_tombstoned
from orchestration.resources import bulk_load, engine_of


@dataclass
class FileResult:
    """What happened to one file in one ingestion run."""

    path: str
    source: str
    status: str  # loaded | skipped | unsettled | unrecognized | failed
    rows_in: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    quarantine_by_reason: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    #: the file was loaded before and its bytes changed: loaded again (new records only)
    changed: bool = False
    records_in_file: int | None = None
    records_read: int | None = None


def _units_sql(layout: str) -> str:
    """SQL over ``_staged`` (grouped by file): the records the adapter read, in the unit the
    file scan counts (see file_scan)."""
    if layout == "csv":
        return (
            "sum(len(list_filter(string_split(_text, chr(10)), "
            "lambda x: trim(rtrim(x, chr(13))) <> '')))"
        )
    return (
        "count(distinct _line) filter (where reason is distinct from 'invalid_encoding') "
        "+ count(*) filter (where reason = 'invalid_encoding')"
    )


def _temp(
    con: object, name: str, select: str, params: dict | None = None, *, view: bool = False
) -> None:
    """``name`` := the rows of ``select``, a temp table of the warehouse (any engine); on
    DuckDB a temp view instead with ``view``."""
    if engine_of(con) == "duckdb":
        kind = "view" if view else "table"
        con.execute(f"create or replace temp {kind} {name} as {select}", params)
    else:
        con.execute(f"drop table if exists {name}")
        con.execute(f"create temp table {name} as {select}", params)


def load_files(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    stager: Stager,
    files: list[tuple[LandingFile, FileScan]],
    *,
    batch_id: str,
    loaded_at: datetime,
    reload: frozenset[str] = frozenset(),
    stage: duckdb.DuckDBPyConnection | None = None,
) -> list[FileResult]:
    """Stage, quarantine, dedupe and append ``files`` (``(file, scan)`` pairs of one format,
    in arrival order) plus their manifest rows, in one transaction. ``reload`` holds the
    paths (``rel``) already in the manifest whose bytes changed. ``stage``: the DuckDB
    connection that parses the files (default: ``con``, a DuckDB warehouse)."""
    table = f"raw.{source.name}"
    layout = layout_of(stager)
    warehouse = con
    con = warehouse if stage is None else stage  # parsing and staging: DuckDB
    in_place = con is warehouse  # a DuckDB warehouse stages in its own connection
    warehouse.begin()
    try:
        con.execute(
            """
            create or replace temp table _files as
            select unnest($1::varchar[]) as _path, unnest($2::varchar[]) as _file,
                   unnest($3::integer[]) as _ord, unnest($4::bigint[]) as size_bytes,
                   unnest($5::varchar[]) as checksum, unnest($6::bigint[]) as records_in_file,
                   unnest($7::boolean[]) as _reload, unnest($8::bigint[]) as lines_in_file,
                   unnest($9::boolean[]) as _utf8
            """,
            [
                [str(f.path) for f, _ in files],
                [f.rel for f, _ in files],
                list(range(len(files))),
                [f.size for f, _ in files],
                [scan.checksum for _, scan in files],
                [scan.records for _, scan in files],
                [f.rel in reload for f, _ in files],
                [scan.lines for _, scan in files],
                [not scan.bad_lines for _, scan in files],
            ],
        )
        # the scan's line offsets (a table of its own: _files is copied to other engines)
        con.execute(
            "create or replace temp table _line_index as "
            "select unnest($1::varchar[]) as _path, unnest($2::bigint[][]) as _offsets",
            [[str(f.path) for f, _ in files], [scan.line_index for _, scan in files]],
        )
        bad = [(f, scan) for f, scan in files if scan.bad_lines]
        con.execute("create or replace temp table _cleaned (filename varchar, content varchar)")
        for f, scan in bad:
            con.execute(
                "insert into _cleaned values (?, ?)",
                [str(f.path), cleaned_text(f.path, scan.bad_lines).decode("utf-8", "replace")],
            )
        stager(con, [f.path for f, _ in files])
        # a loaded record's text is its payload: kept only where quarantined (and for CSV,
        # whose rows the counts split into lines), so the group's text is held once
        text = "s._text" if layout == "csv" else "case when s.reason is not null then s._text end"
        staged = (
            f"select f._file, f._ord, s.* exclude (_path, _text), {text} as _text "
            "from _stage s join _files f using (_path)"
        )
        con.execute(f"create or replace temp table _staged as {staged}")
        # NDJSON read by DuckDB's reader: line numbers checked, malformed lines' text fetched;
        # a file the reader did not number exactly is staged again, split in SQL
        again = settle_ndjson(con)
        if again:
            stager(con, again)
            con.execute(f"insert into _staged {staged}")
        release_scratch(con)  # the files' text is in _staged now
        encoding = [
            (f.rel, ord_, number, shown_bytes(raw))
            for ord_, (f, scan) in enumerate(files)
            for number, raw in scan.bad_lines
        ]
        if encoding:
            con.execute(
                """
                insert into _staged by name
                select unnest($1::varchar[]) as _file, unnest($2::integer[]) as _ord,
                       unnest($3::integer[]) as _line, unnest($4::varchar[]) as _text,
                       'invalid_encoding' as reason
                """,
                [[e[i] for e in encoding] for i in range(4)],
            )
        drop_tombstoned(con)  # records of people erased by `leadhouse forget` stay out
        key = ", ".join(source.key)
        con.execute(
            "create or replace temp table _staged_quarantine as "
            "select _file, _ord, _line, reason, _text from _staged where reason is not null"
        )
        # the typed columns this format produces; the table's others are typed nulls
        staged = {d[0] for d in con.execute("select * from _staged limit 0").description}
        columns = ", ".join(
            c.name if c.name in staged else f"null::{c.type} as {c.name}"
            for c in RAW_COLUMNS[source.name]
        )
        # the whole record's hash only where it is part of the key (a changed CRM export)
        row_hash = "sha256(payload::varchar)" if "_row_hash" in source.key else "null::varchar"
        on = " and ".join(f"r.{k} = n.{k}" for k in source.key)
        # DuckDB warehouse: keys already loaded are dropped here too, on the narrow rows (the
        # anti-join below would otherwise hash the wide ones)
        loaded = f"and not exists (select 1 from {table} r where {on})" if in_place else ""
        # the first arrival of each key, chosen on the key and order columns alone (the wide
        # rows are not sorted); _candidates is a view of those rows, read once by the next step
        con.execute(
            f"""
            create or replace temp table _winners as
            select _rid from (
                select _rid, {key},
                       row_number() over (partition by {key} order by {source.order_by}) as _rn
                from (select rowid as _rid, *, {row_hash} as _row_hash
                      from _staged where reason is null)
            ) n
            where _rn = 1 {loaded}
            """
        )
        con.execute(
            f"""
            create or replace temp view _candidates as
            select _file, _ord, _line, {row_hash} as _row_hash, payload, {columns}
            from _staged where reason is null and rowid in (select _rid from _winners)
            """
        )
        con.execute(
            f"""
            create or replace temp table _staged_counts as
            select _file, count(*) as rows_in, {_units_sql(layout)} as records_read
            from _staged group by _file
            """
        )
        if con is not warehouse:
            for name in ("_files", "_staged_quarantine", "_candidates", "_staged_counts"):
                bulk_load(warehouse, con.table(name), name, create_temp=True)
        con = warehouse  # from here on: SQL every warehouse engine runs
        params = {"batch": batch_id, "at": loaded_at, "source": source.name}
        # a changed file's quarantined records that are already in raw.quarantine are duplicates
        _temp(
            con,
            "_quarantine",
            """
            select s._file, s._ord, s._line, s.reason, s._text
            from _staged_quarantine s join _files f on f._file = s._file
            where not (f._reload and exists (
                  select 1 from raw.quarantine q
                  where q.source = $source and q._file = s._file and q._line = s._line
                    and q.payload = s._text))
            """,
            {"source": source.name},
        )
        con.execute(
            """
            insert into raw.quarantine
            select $source, _file, _line, reason, _text, $at, $batch
            from _quarantine order by _ord, _line
            """,
            params,
        )
        # DuckDB: a view of the candidates (loaded keys are already out), so the wide rows are
        # copied once, by the insert; its counts are taken before the insert
        _temp(
            con,
            "_new",
            "select * from _candidates"
            if in_place
            else f"select n.* from _candidates n where not exists "
            f"(select 1 from {table} r where {on})",
            view=in_place,
        )
        _temp(con, "_new_counts", "select _file, count(*) as loaded from _new group by _file")
        columns = ", ".join(source.columns)
        # PostgreSQL keeps arrival order; DuckDB appends as staged (nearly in order): sorting
        # the wide rows would cost more than the rest of the insert
        con.execute(
            f"""
            insert into {table} (_file, _line, _loaded_at, _batch_id, _row_hash, payload, {columns})
            select _file, _line, $at, $batch, _row_hash, payload, {columns} from _new
            {"" if in_place else "order by _ord, _line"}
            """,
            {"at": loaded_at, "batch": batch_id},
        )
        _temp(
            con,
            "_counts",
            """
            select f._file, f._ord, f.size_bytes, f.checksum, f.records_in_file, f._reload,
                   coalesce(s.rows_in, 0) as rows_in, coalesce(n.loaded, 0) as rows_loaded,
                   coalesce(q.quarantined, 0) as rows_quarantined,
                   coalesce(s.records_read, 0) as records_read
            from _files f
            left join _staged_counts s on s._file = f._file
            left join _new_counts n on n._file = f._file
            left join (select _file, count(*) as quarantined from _quarantine group by _file) q
                on q._file = f._file
            """,
        )
        con.execute(
            """
            insert into raw.load_manifest (path, source, size_bytes, checksum, batch_id,
                loaded_at, rows_in, rows_loaded, rows_duplicate, rows_quarantined, status,
                records_in_file, records_read, versions)
            select _file, $source, size_bytes, checksum, $batch, $at, rows_in, rows_loaded,
                   rows_in - rows_loaded - rows_quarantined, rows_quarantined, 'loaded',
                   records_in_file, records_read, 1
            from _counts where not _reload order by _ord
            """,
            params,
        )
        con.execute(
            """
            insert into raw.file_changes
            select c._file, $source, m.checksum, c.checksum, m.size_bytes, c.size_bytes, $at,
                   $batch, c.rows_in, c.rows_loaded, c.rows_in - c.rows_loaded - c.rows_quarantined,
                   c.rows_quarantined
            from _counts c join raw.load_manifest m on m.path = c._file
            where c._reload order by c._ord
            """,
            params,
        )
        con.execute(
            """
            update raw.load_manifest m set
                size_bytes = c.size_bytes, checksum = c.checksum, batch_id = $batch,
                loaded_at = $at, rows_in = m.rows_in + c.rows_in,
                rows_loaded = m.rows_loaded + c.rows_loaded,
                rows_duplicate = m.rows_duplicate + c.rows_in - c.rows_loaded - c.rows_quarantined,
                rows_quarantined = m.rows_quarantined + c.rows_quarantined, status = 'loaded',
                records_in_file = c.records_in_file, records_read = c.records_read,
                versions = coalesce(m.versions, 1) + 1, changed_at = $at
            from _counts c
            where m.path = c._file and c._reload
            """,
            {"batch": batch_id, "at": loaded_at},
        )
        reasons: dict[str, dict[str, int]] = {}
        for file, reason, n in con.execute(
            "select _file, reason, count(*) from _quarantine "
            "group by _file, reason order by _file, reason"
        ).fetchall():
            reasons.setdefault(file, {})[reason] = n
        results = [
            FileResult(
                path=file,
                source=source.name,
                status="loaded",
                rows_in=rows_in,
                rows_loaded=loaded,
                rows_duplicate=rows_in - loaded - quarantined,
                rows_quarantined=quarantined,
                quarantine_by_reason=reasons.get(file, {}),
                changed=changed,
                records_in_file=records_in_file,
                records_read=records_read,
            )
            for file, rows_in, loaded, quarantined, changed, records_in_file, records_read in (
                con.execute(
                    "select _file, rows_in, rows_loaded, rows_quarantined, _reload, "
                    "records_in_file, records_read from _counts order by _ord"
                ).fetchall()
            )
        ]
        con.commit()
    except BaseException:
        # after a failed write (a full disk) DuckDB may have ended the transaction itself:
        # a failing rollback must not hide the original error
        with contextlib.suppress(Exception):
            warehouse.rollback()
        raise
    return results
