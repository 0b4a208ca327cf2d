"""Incremental ingestion of one source (or all): the code both Dagster and the CLI run.

A file is identified by its path relative to the landing folder. Only settled files are
read (settle.py: temporary names are skipped, others must keep their size and mtime for a
quiet period). A file already in ``raw.load_manifest`` with the same size and mtime as when its
checksum was last verified is skipped without being read; otherwise it is scanned, and skipped
if its sha256 is the one loaded (its mtime is then recorded for the next run). One
whose checksum changed since it was loaded is loaded again: its new records load, the ones
already loaded count as duplicates (the source's key), the change is recorded in
``raw.file_changes`` and reported as a warning (``changed_after_load``). Nothing blocks and
no manual SQL is ever needed.
"""

from __future__ import annotations

import logging
import os
import uuid
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration import progress
from orchestration.config import settings
from orchestration.console import LeadhouseError
from orchestration.ingestion.file_scan import FileScan, scan_file
from orchestration.ingestion.landing import LandingFile, discover
from orchestration.ingestion.loader import FileResult, load_files
from orchestration.ingestion.settle import settle_seconds, split_settled
from orchestration.ingestion.sources import SOURCES, Source, Stager, layout_of
from orchestration.ingestion.warehouse import ensure_schema, index_keys
from orchestration.resources import Warehouse
from orchestration.resources import warehouse as warehouse_resource

log = logging.getLogger(__name__)

#: Small files of one format load together (one transaction, one manifest row each).
MAX_GROUP_FILES = 500
MAX_GROUP_BYTES = 512 * 1024 * 1024
#: landing files scanned (hashed, lines counted) at once
SCAN_THREADS = min(os.cpu_count() or 1, 4)


@dataclass
class SourceReport:
    """Counts of one ingestion run for one source."""

    source: str
    batch_id: str
    files: list[FileResult] = field(default_factory=list)

    def _with(self, status: str) -> list[FileResult]:
        return [f for f in self.files if f.status == status]

    @property
    def loaded(self) -> list[FileResult]:
        return self._with("loaded")

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.loaded)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.loaded)

    @property
    def rows_duplicate(self) -> int:
        return sum(f.rows_duplicate for f in self.loaded)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.loaded)

    @property
    def quarantine_by_reason(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.loaded:
            total.update(f.quarantine_by_reason)
        return dict(sorted(total.items()))

    @property
    def changed_after_load(self) -> list[str]:
        """Files loaded before whose bytes changed: reloaded this run (a warning)."""
        return [f.path for f in self.loaded if f.changed]

    @property
    def unsettled(self) -> list[str]:
        """Files still being written: left for the next run."""
        return [f.path for f in self._with("unsettled")]

    @property
    def failed(self) -> list[FileResult]:
        return self._with("failed")

    def summary(self) -> dict:
        """Plain counts (the CLI prints them, Dagster shows them as metadata)."""
        return {
            "batch_id": self.batch_id,
            "files_loaded": len(self.loaded),
            "files_skipped": len(self._with("skipped")),
            "files_changed_after_load": len(self.changed_after_load),
            "files_unsettled": len(self.unsettled),
            "files_unrecognized": len(self._with("unrecognized")),
            "files_failed": len(self.failed),
            "rows_in": self.rows_in,
            "rows_loaded": self.rows_loaded,
            "rows_duplicate": self.rows_duplicate,
            "rows_quarantined": self.rows_quarantined,
            "quarantine_by_reason": self.quarantine_by_reason,
            "changed_after_load": self.changed_after_load,
            "unsettled": self.unsettled,
            "unrecognized": [f.path for f in self._with("unrecognized")],
            "failed": {f.path: f.error for f in self.failed},
        }


def new_batch_id() -> str:
    """A sortable, unique id for one ingestion run."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def ingest_source(
    source: str,
    *,
    landing_dir: Path | None = None,
    warehouse_path: Path | None = None,
    batch_id: str | None = None,
    quiet_seconds: float | None = None,
    resource: Warehouse | None = None,
) -> SourceReport:
    """Load every new or changed settled file of ``source``; skip loaded ones. ``resource``:
    the warehouse (default: the configured one, ``warehouse_path`` for a DuckDB file)."""
    spec = SOURCES[source]
    cfg = settings()
    landing = Path(landing_dir) if landing_dir is not None else cfg.landing_dir
    report = SourceReport(source=source, batch_id=batch_id or new_batch_id())
    loaded_at = datetime.now(UTC)
    files = discover(landing, source)
    quiet = settle_seconds() if quiet_seconds is None else quiet_seconds
    settled, unsettled = split_settled([f.path for f in files], quiet)
    for path in unsettled:
        rel = path.relative_to(landing).as_posix()
        log.warning("ingest %s: %s is still being written; left for the next run", source, rel)
        report.files.append(FileResult(rel, source, "unsettled"))
    ready = set(settled)
    wh = resource or warehouse_resource(path=warehouse_path)
    with wh.connect() as con, wh.scratch(con) as stage:
        ensure_schema(con)
        index_keys(con, source, spec.key)
        known = {
            path: (checksum, size, modified_ns)
            for path, checksum, size, modified_ns in con.execute(
                "select path, checksum, size_bytes, modified_ns from raw.load_manifest "
                "where source = ?",
                [source],
            ).fetchall()
        }
        pending: dict[Stager, list[tuple[LandingFile, FileScan]]] = {}
        reload: set[str] = set()
        # (the file, its format, its mtime in ns before the scan)
        candidates: list[tuple[LandingFile, Stager, int]] = []
        verified: list[tuple[int, str, str]] = []  # (mtime ns before the scan, path, checksum)
        for file in files:
            if file.path not in ready:
                continue
            stager = spec.adapter_for(file.path)
            if stager is None:
                log.warning("ingest %s: no format matches %s; not loaded", source, file.rel)
                report.files.append(FileResult(file.rel, source, "unrecognized"))
                continue
            stat = file.path.stat()
            if file.rel in known and known[file.rel][1:] == (stat.st_size, stat.st_mtime_ns):
                report.files.append(FileResult(file.rel, source, "skipped"))
                continue  # unchanged since its checksum was verified: not read again
            file = LandingFile(file.source, file.path, file.rel, stat.st_size)
            candidates.append((file, stager, stat.st_mtime_ns))
        scans = _scan_all([(file.path, layout_of(stager)) for file, stager, _ in candidates])
        for (file, stager, mtime_ns), scan in zip(candidates, scans, strict=True):
            if isinstance(scan, Exception):  # e.g. a truncated gzip file: only it fails
                log.error("ingest %s: %s cannot be read: %s", source, file.rel, scan)
                report.files.append(FileResult(file.rel, source, "failed", error=str(scan)))
                continue
            verified.append((mtime_ns, file.rel, scan.checksum))
            if file.rel in known:
                if scan.checksum == known[file.rel][0]:
                    report.files.append(FileResult(file.rel, source, "skipped"))
                    continue
                log.warning(
                    "ingest %s: %s changed after it was loaded (sha256 %s, loaded %s): "
                    "loading its new records, the others count as duplicates",
                    source,
                    file.rel,
                    scan.checksum[:12],
                    known[file.rel][0][:12],
                )
                reload.add(file.rel)
            pending.setdefault(stager, []).append((file, scan))
        total_bytes = sum(f.size for files in pending.values() for f, _ in files)
        bar_name = f"ingest {source}" if pending else None  # no bar when nothing is new
        try:
            with progress.task(bar_name, total=total_bytes, unit="bytes") as bar:
                for stager, group_files in pending.items():
                    for group in _groups(group_files):
                        done = _load_group(
                            con,
                            spec,
                            stager,
                            group,
                            report.batch_id,
                            loaded_at,
                            frozenset(reload),
                            stage,
                        )
                        report.files += done
                        bar.advance(
                            sum(f.size for f, _ in group), rows=sum(r.rows_in for r in done)
                        )
            # the mtime under which each scanned file has the manifest's checksum: the next run
            # skips it unread while its size and mtime stay the same
            if verified:
                con.executemany(
                    "update raw.load_manifest set modified_ns = ? where path = ? and checksum = ?",
                    verified,
                )
        except WarehouseWriteError as exc:
            db = wh.location
            raise WarehouseWriteError(f"cannot write the warehouse {db}: {exc}") from None
    return report


def _scan_all(files: list[tuple[Path, str]]) -> list[FileScan | Exception]:
    """:func:`scan_file` of each ``(path, layout)``, several files at a time (hashing and
    finding line breaks release the GIL), in the given order; a file that cannot be read
    (gone, or a gzip file that does not decompress) gives its error instead."""

    def scan(item: tuple[Path, str]) -> FileScan | Exception:
        try:
            return scan_file(*item)
        except (OSError, EOFError, zlib.error) as exc:
            return exc

    if len(files) < 2:
        return [scan(item) for item in files]
    with ThreadPoolExecutor(max_workers=min(SCAN_THREADS, len(files))) as pool:
        return list(pool.map(scan, files))


def _groups(
    files: list[tuple[LandingFile, FileScan]],
) -> list[list[tuple[LandingFile, FileScan]]]:
    """Consecutive groups of at most MAX_GROUP_FILES files and about MAX_GROUP_BYTES."""
    groups: list[list[tuple[LandingFile, FileScan]]] = []
    size = 0
    for item in files:
        if (
            not groups
            or len(groups[-1]) >= MAX_GROUP_FILES
            or size + item[0].size > MAX_GROUP_BYTES
        ):
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += item[0].size
    return groups


class WarehouseWriteError(LeadhouseError):
    """The warehouse cannot be written (a full disk, a read-only or lost file): no file can
    load, so the source stops with this one error instead of failing every file. An expected
    failure: the command line shows it as one line with what to do, not a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            "free space on that disk or fix LEADHOUSE_WAREHOUSE, then re-run: files already "
            "loaded are skipped, nothing is loaded twice",
        )


#: DuckDB messages of a failed write to the database file or its WAL, whatever the file
_WRITE_FAILURES = ("could not write file", "no space left on device", "has been invalidated")


def _load_group(
    con: duckdb.DuckDBPyConnection,
    spec: Source,
    stager: Stager,
    group: list[tuple[LandingFile, FileScan]],
    batch_id: str,
    loaded_at: datetime,
    reload: frozenset[str],
    stage: duckdb.DuckDBPyConnection | None = None,
) -> list[FileResult]:
    """Load a group; if it fails, load its files one by one so only the bad file fails."""
    try:
        return load_files(
            con,
            spec,
            stager,
            group,
            batch_id=batch_id,
            loaded_at=loaded_at,
            reload=reload,
            stage=stage,
        )
    except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the rest
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, duckdb.IOException | duckdb.FatalException | _lost_server()) or any(
            w in first_line.lower() for w in _WRITE_FAILURES
        ):
            raise WarehouseWriteError(first_line) from None
        if len(group) > 1:
            return [
                r
                for item in group
                for r in _load_group(con, spec, stager, [item], batch_id, loaded_at, reload, stage)
            ]
        file = group[0][0]
        log.error("ingest %s: %s failed: %s", spec.name, file.rel, exc)
        return [FileResult(file.rel, spec.name, "failed", error=str(exc).splitlines()[0])]


def _lost_server() -> type[BaseException]:
    """psycopg's error of a lost or refused server connection (a warehouse write failure)."""
    import psycopg

    return psycopg.OperationalError


def ingest_all(
    sources: list[str] | None = None,
    *,
    landing_dir: Path | None = None,
    warehouse_path: Path | None = None,
) -> dict[str, SourceReport]:
    """Ingest several sources with one batch id (all five by default)."""
    batch_id = new_batch_id()
    return {
        source: ingest_source(
            source, landing_dir=landing_dir, warehouse_path=warehouse_path, batch_id=batch_id
        )
        for source in (sources or list(SOURCES))
    }
