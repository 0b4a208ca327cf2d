"""Incremental ingestion of one source (or all): the code both Dagster and the CLI run.

A file is identified by its path relative to the landing folder. A file already in
``raw.load_manifest`` with the same sha256 is skipped; one whose checksum changed since
it was loaded is never loaded again: its manifest row gets ``status = 'changed_after_load'``
and the run reports it (the reconciliation check then fails, naming the file). Restoring
the original bytes sets the status back to ``loaded``.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration import progress
from orchestration.config import settings
from orchestration.ingestion.landing import LandingFile, discover, sha256_file
from orchestration.ingestion.loader import FileResult, load_files
from orchestration.ingestion.sources import SOURCES, Stager
from orchestration.ingestion.warehouse import connect, ensure_schema

log = logging.getLogger(__name__)

#: Small files of one format load together (one transaction, one manifest row each).
MAX_GROUP_FILES = 500
MAX_GROUP_BYTES = 64 * 1024 * 1024


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
        return [f.path for f in self._with("changed_after_load")]

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
            "files_unrecognized": len(self._with("unrecognized")),
            "files_failed": len(self.failed),
            "rows_in": self.rows_in,
            "rows_loaded": self.rows_loaded,
            "rows_duplicate": self.rows_duplicate,
            "rows_quarantined": self.rows_quarantined,
            "quarantine_by_reason": self.quarantine_by_reason,
            "changed_after_load": self.changed_after_load,
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
) -> SourceReport:
    """Load every new file of ``source``; skip loaded ones; report changed ones."""
    spec = SOURCES[source]
    cfg = settings()
    landing = Path(landing_dir) if landing_dir is not None else cfg.landing_dir
    report = SourceReport(source=source, batch_id=batch_id or new_batch_id())
    loaded_at = datetime.now(UTC)
    with connect(warehouse_path or cfg.warehouse_path) as con:
        ensure_schema(con)
        known = {
            path: (checksum, status)
            for path, checksum, status in con.execute(
                "select path, checksum, status from raw.load_manifest where source = ?", [source]
            ).fetchall()
        }
        pending: dict[Stager, list[tuple[LandingFile, str]]] = {}
        for file in discover(landing, source):
            stager = spec.adapter_for(file.path)
            if stager is None:
                log.warning("ingest %s: no format matches %s; not loaded", source, file.rel)
                report.files.append(FileResult(file.rel, source, "unrecognized"))
                continue
            checksum = sha256_file(file.path)
            if file.rel in known:
                report.files.append(_recheck(con, file.rel, source, checksum, *known[file.rel]))
                continue
            pending.setdefault(stager, []).append((file, checksum))
        total_bytes = sum(f.size for files in pending.values() for f, _ in files)
        bar_name = f"ingest {source}" if pending else None  # no bar when nothing is new
        with progress.task(bar_name, total=total_bytes, unit="bytes") as bar:
            for stager, files in pending.items():
                for group in _groups(files):
                    done = _load_group(con, spec, stager, group, report.batch_id, loaded_at)
                    report.files += done
                    bar.advance(sum(f.size for f, _ in group), rows=sum(r.rows_in for r in done))
    return report


def _groups(files: list[tuple[LandingFile, str]]) -> list[list[tuple[LandingFile, str]]]:
    """Consecutive groups of at most MAX_GROUP_FILES files and about MAX_GROUP_BYTES."""
    groups: list[list[tuple[LandingFile, str]]] = []
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


def _load_group(con, spec, stager, group, batch_id, loaded_at) -> list[FileResult]:
    """Load a group; if it fails, load its files one by one so only the bad file fails."""
    try:
        return load_files(con, spec, stager, group, batch_id=batch_id, loaded_at=loaded_at)
    except Exception as exc:  # noqa: BLE001 - one unreadable file must not stop the rest
        if len(group) > 1:
            return [
                r
                for item in group
                for r in _load_group(con, spec, stager, [item], batch_id, loaded_at)
            ]
        file = group[0][0]
        log.error("ingest %s: %s failed: %s", spec.name, file.rel, exc)
        return [FileResult(file.rel, spec.name, "failed", error=str(exc).splitlines()[0])]


def _recheck(con, rel: str, source: str, checksum: str, known_sum: str, status: str) -> FileResult:
    """A file already in the manifest: skipped, or flagged because its bytes changed."""
    if checksum == known_sum:
        if status != "loaded":  # the original bytes are back
            con.execute("update raw.load_manifest set status = 'loaded' where path = ?", [rel])
        return FileResult(rel, source, "skipped")
    log.error(
        "ingest %s: %s changed after it was loaded (sha256 %s, loaded %s); not loaded again",
        source,
        rel,
        checksum[:12],
        known_sum[:12],
    )
    if status != "changed_after_load":
        con.execute(
            "update raw.load_manifest set status = 'changed_after_load' where path = ?", [rel]
        )
    return FileResult(rel, source, "changed_after_load", error=f"sha256 now {checksum}")


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
