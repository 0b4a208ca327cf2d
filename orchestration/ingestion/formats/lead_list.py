"""Lead-list CSVs (``<kind>__<name>.csv``, header row) → lead_lists."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import (
    email_ok,
    lit,
    missing,
    reason_case,
)
from orchestration.ingestion.formats.csv_common import load_csv_records


def kind_and_name(path: Path) -> tuple[str, str]:
    """``purchased__q2_fintech.csv`` → ``("purchased", "q2_fintech")``."""
    kind, sep, name = path.stem.partition("__")
    return (kind, name) if sep else ("unknown", path.stem)


def stage(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Leave ``_stage`` with the lead_lists columns for every data row of ``path``."""
    load_csv_records(con, path)
    kind, name = kind_and_name(path)
    reason = reason_case(
        [
            ("not _ok", "malformed_csv_row"),
            (missing("email"), "missing_required_field:email"),
            (f"not {email_ok('email')}", "invalid_email"),
        ]
    )
    con.execute(
        f"""
        create or replace temp table _stage as
        select _line, _text, payload, {reason} as reason,
               {lit(kind)} as list_kind, {lit(name)} as list_name, email
        from (select *, _json::json as payload,
                     json_extract_string(_json, '$.email') as email
              from _records)
        """
    )
