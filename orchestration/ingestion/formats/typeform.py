"""Typeform ``form_response`` webhook bodies (one a line) → form_submissions.

``submission_id`` = ``form_response.token``; the email is the first answer of type
``email`` (else a hidden field ``email``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import load_json_lines
from orchestration.ingestion.formats.form_common import stage_form

_PATHS = (
    "['$.event_type', '$.form_response.form_id', '$.form_response.token', "
    "'$.form_response.submitted_at', '$.form_response.hidden.email']"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the form_submissions columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok, payload,
               f[2] as form_id, f[3] as submission_id,
               coalesce(case when _ok then
                   [json_extract_string(a, '$.email')
                    for a in coalesce(json_extract(_text, '$.form_response.answers[*]'), [])
                    if json_extract_string(a, '$.type') = 'email'][1] end,
                   f[5]) as email,
               f[4] as ts_text, 'submitted_at' as ts_field,
               case when f[1] is not null and f[1] <> 'form_response'
                    then 'unknown_event_type' end as pre_reason
        from (select *, case when _ok then _text::json end as payload,
                     case when _ok then json_extract_string(_text, {_PATHS}) end as f
              from _records)
        """
    )
    stage_form(con, "typeform")
