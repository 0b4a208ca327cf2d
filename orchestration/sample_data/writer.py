"""Partitioned, rotating, buffered file writers and the per-file manifest they keep.

Each source of one day writes ``<source>/dt=YYYY-MM-DD/<stem>-NNN.<ext>`` files, starting a
new numbered file after ``max_rows`` records. A writer buffers serialized lines and appends
them to disk in blocks, so memory stays flat whatever the size of a day.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

try:  # orjson is much faster; fall back to the stdlib with the same compact output
    import orjson

    def dumps(obj: object) -> bytes:
        return orjson.dumps(obj)

except ImportError:  # pragma: no cover - depends on the environment
    import json

    def dumps(obj: object) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


_FLUSH_BYTES = 1 << 20


class FileStats:
    """What one landed file holds: rows (records as ingestion counts them) and dirty kinds."""

    __slots__ = ("dirty", "lines", "rows")

    def __init__(self) -> None:
        self.rows = 0
        self.lines = 0
        self.dirty: dict[str, int] = {}

    def as_dict(self) -> dict:
        return {"rows": self.rows, "lines": self.lines, "dirty": dict(sorted(self.dirty.items()))}


class RotatingWriter:
    """Append records to ``<folder>/<stem>-NNN.<ext>``, rotating every ``max_rows`` rows.

    ``mode`` is ``lines`` (one record a line), ``array`` (one JSON array per file, as the
    SendGrid webhook posts it) or ``csv`` (a header row then one record a line).
    """

    def __init__(
        self,
        landing: Path,
        rel_folder: str,
        stem: str,
        ext: str,
        mode: str,
        max_rows: int,
        manifest: dict[str, dict],
        header: list[str] | None = None,
        numbered: bool = True,
    ):
        self.landing, self.rel_folder, self.stem, self.ext = landing, rel_folder, stem, ext
        self.mode, self.max_rows, self.header, self.numbered = mode, max_rows, header, numbered
        self.manifest = manifest
        self.number = 0
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.stats: FileStats | None = None
        self.rel_path = ""
        self.total_rows = 0
        self.paths: list[str] = []

    # -- file lifecycle -------------------------------------------------------------------
    def _open(self) -> None:
        self.number += 1
        name = (
            f"{self.stem}-{self.number:03d}.{self.ext}"
            if self.numbered
            else f"{self.stem}.{self.ext}"
        )
        self.rel_path = f"{self.rel_folder}/{name}"
        path = self.landing / self.rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        self.stats = FileStats()
        self.manifest[self.rel_path] = self.stats  # type: ignore[assignment]
        self.paths.append(self.rel_path)
        if self.mode == "csv" and self.header:
            self.buffer.append(_csv_line(self.header))
        elif self.mode == "array":
            self.buffer.append(b"[\n")

    def _flush(self) -> None:
        if self.buffer:
            with (self.landing / self.rel_path).open("ab") as handle:
                handle.write(b"".join(self.buffer))
            self.buffer.clear()
            self.buffered = 0

    def _close(self) -> None:
        if self.stats is None:
            return
        if self.mode == "array":
            self.buffer.append(b"\n]\n")
        self._flush()
        self.stats = None

    def close(self) -> None:
        self._close()

    # -- writing --------------------------------------------------------------------------
    def write(self, data: bytes, rows: int = 1, dirty: str | None = None) -> None:
        """Append one line (already serialized, without newline) holding ``rows`` records."""
        stats = self.stats
        if stats is None or (stats.rows + rows > self.max_rows and stats.rows > 0):
            self._close()
            self._open()
            stats = self.stats
        assert stats is not None
        if self.mode == "array":
            if stats.lines:
                self.buffer.append(b",\n")
            self.buffer.append(data)
        else:
            self.buffer.append(data)
            self.buffer.append(b"\n")
        stats.rows += rows
        stats.lines += 1
        self.total_rows += rows
        if dirty:
            stats.dirty[dirty] = stats.dirty.get(dirty, 0) + 1
        self.buffered += len(data)
        if self.buffered > _FLUSH_BYTES:
            self._flush()

    def write_csv(self, values: list, dirty: str | None = None) -> None:
        self.write(_csv_line(values)[:-1], 1, dirty)


def _csv_line(values: list) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue().encode()
