"""CSV exports read record by record with their source line numbers.

DuckDB's CSV reader does not expose the line number of accepted rows, and the contract
keys lead lists on ``(_file, _line)``, so CSV files (lists and CRM exports: thousands of
rows, not millions) are split in Python with :mod:`csv`. A quoted field may span lines;
a row whose field count differs from the header's (or with broken quoting) goes to
quarantine as ``malformed_csv_row`` with its first physical line only, and parsing
resumes on the next line, so one stray quote never swallows the rest of the file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import load_python_records


def _fields(text: str) -> list[str] | None:
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def read_records(path: Path) -> tuple[list[int], list[str], list[str | None]]:
    """``(lines, texts, payloads)``: one entry a data row; payload = JSON object or None."""
    lines = path.read_text(encoding="utf-8-sig", errors="replace").split("\n")
    lines = [line.rstrip("\r") for line in lines]
    out_lines: list[int] = []
    texts: list[str] = []
    payloads: list[str | None] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        return out_lines, texts, payloads
    header = [name.strip() for name in (_fields(lines[i]) or [])]
    i += 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start, buf = i, lines[i]
        while buf.count('"') % 2 == 1 and i + 1 < len(lines):
            i += 1
            buf += "\n" + lines[i]
        values = _fields(buf)
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
    return out_lines, texts, payloads


def load_csv_records(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Temp table ``_records(_path, _line, _text, _ok, _json)`` from CSV files with a header."""
    names: list[str] = []
    lines: list[int] = []
    texts: list[str] = []
    payloads: list[str | None] = []
    for path in paths:
        file_lines, file_texts, file_payloads = read_records(path)
        names += [str(path)] * len(file_lines)
        lines += file_lines
        texts += file_texts
        payloads += file_payloads
    load_python_records(con, names, lines, texts, payloads)
