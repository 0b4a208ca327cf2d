"""Lead-list CSVs (``<kind>__<name>.csv``, header row) → lead_lists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import (
    Sql,
    email_ok,
    missing,
    reason_case,
)
from orchestration.ingestion.formats.csv_common import load_csv_records

#: SQL: the file's base name without ``.csv`` (``.csv.gz``); ``purchased__q2_fintech`` → kind, name
_BASE = "regexp_extract(_path, '([^/]*)\\.csv(\\.gz)?$', 1)"


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the lead_lists columns for every data row of ``paths``."""
    load_csv_records(con, paths)
    extract(con)


#: column -> the CSV header it comes from
HEADERS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "company_name": "company",
    "job_title": "job_title",
    "phone": "phone",
    "country": "country",
    "industry": "industry",
    "company_size": "company_size",
}


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` (``_json`` = the row as a JSON object) → ``_stage``."""
    extras = ", ".join(
        f"json_extract_string(_json, '$.{header}') as {column}"
        for column, header in HEADERS.items()
    )
    reason = reason_case(
        [
            ("_pre_reason is not null", Sql("_pre_reason")),
            ("not _ok", "malformed_csv_row"),
            (missing("email"), "missing_required_field:email"),
            (f"not {email_ok('email')}", "invalid_email"),
        ]
    )
    con.execute(
        f"""
        create or replace temp view _stage as
        select _path, _line, _text, payload, {reason} as reason,
               split_part({_BASE}, '__', 1) as list_kind,
               substr({_BASE}, strpos({_BASE}, '__') + 2) as list_name,
               email, {extras}
        from (select *, _json::json as payload,
                     coalesce(json_extract_string(_json, '$.email'),
                              json_extract_string(_json, '$.Email'),
                              json_extract_string(_json, '$."Email Address"'),
                              json_extract_string(_json, '$."E-mail"')) as email
              from _records)
        """
    )
