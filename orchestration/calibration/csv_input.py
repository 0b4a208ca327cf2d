"""Load a user's lead CSV into DuckDB with ingestion's own CSV reader.

``calibrate --input`` and ``score --input`` read files the way ingestion reads lead lists
(:func:`orchestration.ingestion.formats.csv_common.read_records`: BOM, quoting, quoted fields
across lines, a malformed row skipped with its line number instead of derailing the file), so a
list that ingests also calibrates and scores. Every value stays text; blanks are ''.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.calibration.errors import CalibrationInputError
from orchestration.ingestion.formats.csv_common import read_records


@dataclass
class LoadedCsv:
    """Columns of the loaded table (header order), its row count and the malformed lines."""

    columns: list[str]
    rows: int
    malformed_lines: list[int] = field(default_factory=list)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str = "input_rows") -> LoadedCsv:
    """Table `table` (one varchar column per header name, ``_row`` = file order) from `path`."""
    path = Path(path)
    if not path.exists():
        raise CalibrationInputError(f"input file not found: {path}")
    if path.stat().st_size == 0:
        raise CalibrationInputError(f"input file is empty: {path}")
    con.execute("set enable_progress_bar = false")
    lines, _texts, payloads, reason = read_records(path)
    if reason:
        raise CalibrationInputError(f"cannot read {path}: {reason.replace('_', ' ')}")
    good = [p for p in payloads if p is not None]
    malformed = [n for n, p in zip(lines, payloads, strict=True) if p is None]
    if not good:
        raise CalibrationInputError(
            f"input file has a header but no rows: {path}"
            if not malformed
            else f"no readable row in {path}: {len(malformed)} malformed line(s), first at "
            f"line {malformed[0]}"
        )
    header = list(json.loads(good[0]))
    # a trailing delimiter gives a blank header name: dropped when its cells are all blank
    blank_values = "" in header and all(not json.loads(p).get("") for p in good)
    columns = [c for c in header if c or not blank_values]
    if any(not c for c in columns):
        raise CalibrationInputError(f"the header of {path} has a blank column name over data")
    con.execute(
        "create or replace temp table _csv_payloads as "
        "select unnest(range(?)) as _row, unnest(?::varchar[])::json as j",
        [len(good), good],
    )
    select = ", ".join(
        f"coalesce(json_extract_string(j, {_path(c)}), '') as {quote_ident(c)}" for c in columns
    )
    con.execute(
        f"create or replace table {quote_ident(table)} as "
        f"select _row, {select} from _csv_payloads order by _row"
    )
    con.execute("drop table _csv_payloads")
    return LoadedCsv(columns, len(good), malformed)


def _path(column: str) -> str:
    """A DuckDB JSON path literal for one top-level key (any characters)."""
    return "'$." + json.dumps(column, ensure_ascii=False).replace("'", "''") + "'"
