"""Recompute the ingestion accounting from the warehouse itself.

For each manifest row of a source: ``rows_in = rows_loaded + rows_duplicate +
rows_quarantined``, ``rows_loaded`` = the rows of the raw table with that ``_file``,
``rows_quarantined`` = the quarantine rows of that file, and the records the file holds
(``records_in_file``, counted from its bytes by the file scan, not by the adapter) = the
records the adapter read (``records_read``). Raw or quarantine rows whose file is not in the
manifest are problems too. A file that changed after it was loaded is not a problem (it was
loaded again); the changes of one batch are returned as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from orchestration.ingestion.sources import SOURCES


@dataclass
class Reconciliation:
    """The outcome for one source."""

    source: str
    files: int = 0
    rows_in: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    problems: list[str] = field(default_factory=list)
    #: files of the given batch that had changed since they were first loaded (a warning)
    changed: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def reconcile(
    con: duckdb.DuckDBPyConnection, source: str, batch_id: str | None = None
) -> Reconciliation:
    """Check the manifest of ``source`` against its raw table and the quarantine; list the
    files whose change was detected by ``batch_id`` (when given)."""
    if source not in SOURCES:
        raise KeyError(source)
    result = Reconciliation(source)
    rows = con.execute(
        f"""
        with loaded as (select _file, count(*) as n from raw.{source} group by _file),
        quarantined as (
            select _file, count(*) as n from raw.quarantine where source = $source group by _file
        ),
        manifest as (select * from raw.load_manifest where source = $source)
        select coalesce(m.path, l._file, q._file) as path, m.status,
               m.rows_in, m.rows_loaded, m.rows_duplicate, m.rows_quarantined,
               m.records_in_file, m.records_read,
               coalesce(l.n, 0) as actual_loaded, coalesce(q.n, 0) as actual_quarantined
        from manifest m
        full join loaded l on l._file = m.path
        full join quarantined q on q._file = coalesce(m.path, l._file)
        order by path
        """,
        {"source": source},
    ).fetchall()
    for row in rows:
        path, status, rows_in, loaded, dup, quarantined, in_file, read, actual_l, actual_q = row
        if status is None:
            result.problems.append(f"{path}: {actual_l + actual_q} rows but no manifest row")
            continue
        result.files += 1
        result.rows_in += rows_in
        result.rows_loaded += loaded
        result.rows_duplicate += dup
        result.rows_quarantined += quarantined
        if in_file is not None and read is not None and in_file != read:
            result.problems.append(
                f"{path}: the file holds {in_file} records, the loader read {read}"
            )
        if rows_in != loaded + dup + quarantined:
            result.problems.append(
                f"{path}: rows_in {rows_in} != loaded {loaded} + duplicate {dup} "
                f"+ quarantined {quarantined}"
            )
        if actual_l != loaded:
            result.problems.append(f"{path}: manifest rows_loaded {loaded}, table has {actual_l}")
        if actual_q != quarantined:
            result.problems.append(
                f"{path}: manifest rows_quarantined {quarantined}, quarantine has {actual_q}"
            )
    if batch_id is not None:
        result.changed = [
            f"{path}: changed after load; reloaded ({new} new, {dup} duplicate, {q} quarantined)"
            for path, new, dup, q in con.execute(
                "select path, rows_loaded, rows_duplicate, rows_quarantined from raw.file_changes "
                "where source = ? and batch_id = ? order by path",
                [source, batch_id],
            ).fetchall()
        ]
    return result
