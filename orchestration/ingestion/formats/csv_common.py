"""CSV exports read record by record with their source line numbers.

DuckDB's CSV reader does not expose the line number of accepted rows, and the contract
keys lead lists on ``(_file, _line)``, so CSV files (lists and CRM exports: thousands of
rows, not millions) are split in Python with :mod:`csv`. A quoted field may span lines;
a row whose field count differs from the header's (or with broken quoting) goes to
quarantine as ``malformed_csv_row`` with its first physical line only, and parsing
resumes on the next line, so one stray quote never swallows the rest of the file.

The delimiter is detected from the header: ``,``, ``;`` or tab, whichever splits it into
the most columns (ties: that order). A header that none of them splits and that is not one
plain column name (``email``) is in an unknown dialect: every row is quarantined as
``unrecognized_delimiter`` instead of being read as one column. Files with invalid UTF-8
lines are read from the loader's cleaned text (those lines blanked and quarantined apart).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.file_scan import landing_bytes
from orchestration.ingestion.formats.common import cleaned_contents, load_python_records

#: delimiters tried on the header, in order of preference on a tie
DELIMITERS = (",", ";", "\t")
#: a header that is one plain column name (a one-column list)
_ONE_COLUMN = re.compile(r"^[\w .\-]+$")


def _fields(text: str, delimiter: str = ",") -> list[str] | None:
    try:
        rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def detect_delimiter(header: str) -> str | None:
    """The delimiter that splits ``header`` into the most columns, or None when none splits
    it and it is not a single plain column name."""
    best, width = ",", 1
    for delimiter in DELIMITERS:
        n = len(_fields(header, delimiter) or [])
        if n > width:
            best, width = delimiter, n
    if width == 1 and not _ONE_COLUMN.match(header.strip().strip('"')):
        return None
    return best


def read_records(
    path: Path, text: str | None = None
) -> tuple[list[int], list[str], list[str | None], str | None]:
    """``(lines, texts, payloads, reason)``: one entry a data row; payload = JSON object or
    None; ``reason`` is set for every row when the file's dialect is not recognised."""
    if text is None:
        text = landing_bytes(path).decode("utf-8", errors="replace")
    lines = text.removeprefix("\ufeff").split("\n")
    lines = [line.rstrip("\r") for line in lines]
    out_lines: list[int] = []
    texts: list[str] = []
    payloads: list[str | None] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        return out_lines, texts, payloads, None
    delimiter = detect_delimiter(lines[i])
    if delimiter is None:
        rows = [(n + 1, line) for n, line in enumerate(lines) if n > i and line.strip()]
        return (
            [n for n, _ in rows],
            [t for _, t in rows],
            [None] * len(rows),
            ("unrecognized_delimiter"),
        )
    header = [name.strip() for name in (_fields(lines[i], delimiter) or [])]
    i += 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start, buf = i, lines[i]
        while buf.count('"') % 2 == 1 and i + 1 < len(lines):
            i += 1
            buf += "\n" + lines[i]
        values = _fields(buf, delimiter)
        if values is not None and len(values) == len(header) and buf.count('"') % 2 == 0:
            out_lines.append(start + 1)
            texts.append(buf)
            payloads.append(json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False))
        else:
            out_lines.append(start + 1)
            texts.append(lines[start])
            payloads.append(None)
            i = start  # resume right after the bad line
        i += 1
    return out_lines, texts, payloads, None


def load_csv_records(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Temp table ``_records(_path, _line, _text, _ok, _json, _pre_reason)`` from CSV files
    with a header."""
    cleaned = cleaned_contents(con, paths)
    names: list[str] = []
    lines: list[int] = []
    texts: list[str] = []
    payloads: list[str | None] = []
    reasons: list[str | None] = []
    for path in paths:
        text = None
        if str(path) in cleaned:
            text = con.execute(
                "select content from _cleaned where filename = ?", [str(path)]
            ).fetchone()[0]
        file_lines, file_texts, file_payloads, reason = read_records(path, text)
        names += [str(path)] * len(file_lines)
        lines += file_lines
        texts += file_texts
        payloads += file_payloads
        reasons += [reason] * len(file_lines)
    load_python_records(con, names, lines, texts, payloads, reasons)
