"""Rewrite landing files without a subject's records, keeping the load manifest true.

Line formats (NDJSON, form posts, CSV) keep their line numbers: a removed record's lines
become blank lines, which every adapter skips, so ``_line`` of the other records is
unchanged. A Segment ``{"batch": [...]}`` line loses only the subject's members. A JSON
array file (SendGrid) loses the elements and the ``_line`` (element position) of the rows
after them is renumbered. Each rewritten file is then re-read by its own adapter, as the
loader reads it: its manifest row gets the new checksum, size, ``records_in_file`` /
``records_read`` and ``rows_in``; ``rows_loaded`` / ``rows_quarantined`` are recounted from
the tables and ``rows_duplicate`` is the rest, so the next ingestion sees an unchanged,
loaded file (nothing is reloaded or flagged) and reconciliation still holds.
Files are written next to the original and renamed over it (atomic on one file system).
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.config import SOURCES as SOURCE_NAMES
from orchestration.ingestion.file_scan import (
    cleaned_text,
    is_gzip,
    landing_bytes,
    scan_file,
)
from orchestration.ingestion.formats.csv_common import read_records
from orchestration.ingestion.landing import LandingFile, discover
from orchestration.ingestion.loader import _units_sql
from orchestration.ingestion.sources import SOURCES, layout_of
from orchestration.privacy.matching import Subject


@dataclass
class Rewrite:
    """One file to rewrite: its new bytes and the record positions removed."""

    file: LandingFile
    content: bytes
    removed_records: int
    removed_lines: list[int] = field(default_factory=list)  # rows to delete by (_file, _line)
    renumber: bool = False  # JSON array: positions after a removed element shift


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace")


def _rewrite_lines(file: LandingFile, data: bytes, subject: Subject) -> Rewrite | None:
    lines = _lines(data)
    removed, positions = 0, []
    for i, line in enumerate(lines):
        text = _text(line).strip()
        if not text or not subject.matches(text):
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("batch"), list):
            kept = [
                m for m in obj["batch"] if not subject.matches(json.dumps(m, ensure_ascii=False))
            ]
            removed += len(obj["batch"]) - len(kept)
            if kept:
                obj["batch"] = kept
                lines[i] = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
                continue
        else:
            removed += 1
        positions.append(i + 1)
        lines[i] = b""
    if not removed:
        return None
    return Rewrite(file, b"\n".join(lines), removed, positions)


def _rewrite_csv(file: LandingFile, data: bytes, subject: Subject) -> Rewrite | None:
    lines = _lines(data)
    starts, texts, _, _ = read_records(file.path)
    positions = []
    for start, text in zip(starts, texts, strict=True):
        if subject.matches(text):
            positions.append(start)
            for k in range(text.count("\n") + 1):
                lines[start - 1 + k] = b"\r" if lines[start - 1 + k].endswith(b"\r") else b""
    if not positions:
        return None
    return Rewrite(file, b"\n".join(lines), len(positions), positions)


def _rewrite_array(file: LandingFile, data: bytes, subject: Subject) -> Rewrite | None:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return _rewrite_lines(file, data, subject)
    if not isinstance(items, list):
        return _rewrite_lines(file, data, subject)
    positions = [
        i + 1
        for i, item in enumerate(items)
        if subject.matches(json.dumps(item, ensure_ascii=False))
    ]
    if not positions:
        return None
    kept = [item for i, item in enumerate(items) if i + 1 not in set(positions)]
    content = json.dumps(kept, ensure_ascii=False).encode()
    return Rewrite(file, content, len(positions), positions, renumber=True)


def plan_rewrites(landing: Path, subject: Subject) -> list[Rewrite]:
    """The landing files naming ``subject`` and their rewritten bytes (nothing written yet)."""
    rewrites = []
    for source in SOURCE_NAMES:
        for file in discover(landing, source):
            data = landing_bytes(file.path)  # a .gz file: its decompressed bytes
            if not subject.matches(data.decode("utf-8", "replace")):
                continue
            suffix = Path(file.path.name.removesuffix(".gz")).suffix.lower()
            if suffix == ".csv":
                rewrite = _rewrite_csv(file, data, subject)
            elif suffix == ".json":
                rewrite = _rewrite_array(file, data, subject)
            else:
                rewrite = _rewrite_lines(file, data, subject)
            if rewrite is not None:
                rewrites.append(rewrite)
    return rewrites


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.forget-tmp")


def stage_files(rewrites: list[Rewrite]) -> None:
    """Write each new version beside its file (hidden name: ingestion ignores it)."""
    for r in rewrites:
        tmp = _tmp(r.file.path)
        content = r.content
        if is_gzip(r.file.path):  # compressed again, as it came
            content = gzip.compress(content, mtime=0)
        with tmp.open("wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())


def apply_to_warehouse(con: duckdb.DuckDBPyConnection, rewrites: list[Rewrite]) -> None:
    """Delete the removed records' rows, renumber array positions, and recount each file's
    manifest row from its new version (call inside the forget transaction, after
    :func:`stage_files`)."""
    for r in rewrites:
        table = f"raw.{r.file.source}"
        for target, extra in ((table, ""), ("raw.quarantine", " and source = $source")):
            con.execute(
                f"delete from {target} where _file = $file and list_contains($lines, _line){extra}",
                {"file": r.file.rel, "lines": r.removed_lines}
                | ({"source": r.file.source} if extra else {}),
            )
            if r.renumber:
                con.execute(
                    f"update {target} set _line = _line - "
                    f"len(list_filter($lines, lambda x: x < _line)) where _file = $file{extra}",
                    {"file": r.file.rel, "lines": r.removed_lines}
                    | ({"source": r.file.source} if extra else {}),
                )
        known = con.execute(
            "select count(*) from raw.load_manifest where path = ?", [r.file.rel]
        ).fetchone()[0]
        if not known:
            continue
        tmp = _tmp(r.file.path)
        stager = SOURCES[r.file.source].adapter_for(r.file.path)
        layout = layout_of(stager)
        scan = scan_file(tmp, layout)
        # read the new version as the loader does: invalid UTF-8 lines blanked (they count as
        # records of their own, quarantined as invalid_encoding)
        con.execute("create or replace temp table _cleaned (filename varchar, content varchar)")
        if scan.bad_lines:
            con.execute(
                "insert into _cleaned values (?, ?)",
                [str(tmp), cleaned_text(tmp, scan.bad_lines).decode("utf-8", "replace")],
            )
        stager(con, [tmp])
        con.execute("create or replace temp table _staged as select * exclude (_path) from _stage")
        rows_in, records_read = con.execute(
            f"select count(*), coalesce({_units_sql(layout)}, 0) from _staged"
        ).fetchone()
        rows_in += len(scan.bad_lines)
        records_read += len(scan.bad_lines)
        loaded = con.execute(
            f"select count(*) from {table} where _file = ?", [r.file.rel]
        ).fetchone()[0]
        quarantined = con.execute(
            "select count(*) from raw.quarantine where source = ? and _file = ?",
            [r.file.source, r.file.rel],
        ).fetchone()[0]
        con.execute(
            "update raw.load_manifest set checksum = ?, size_bytes = ?, rows_in = ?, "
            "rows_loaded = ?, rows_quarantined = ?, rows_duplicate = ?, status = 'loaded', "
            "records_in_file = ?, records_read = ? where path = ?",
            [
                scan.checksum,
                tmp.stat().st_size,
                rows_in,
                loaded,
                quarantined,
                rows_in - loaded - quarantined,
                scan.records,
                records_read,
                r.file.rel,
            ],
        )


def commit_files(rewrites: list[Rewrite]) -> None:
    """Rename each new version over its original (after the warehouse committed)."""
    for r in rewrites:
        os.replace(_tmp(r.file.path), r.file.path)


def discard_files(rewrites: list[Rewrite]) -> None:
    for r in rewrites:
        _tmp(r.file.path).unlink(missing_ok=True)
