"""HubSpot Forms API v3 submit bodies (one a line; form GUID in the name) → form_submissions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import load_json_lines
from orchestration.ingestion.formats.form_common import form_id_from_name, stage_form


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the form_submissions columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok,
               case when _ok then _text::json end as payload,
               coalesce({form_id_from_name("hubspot")},
                        case when _ok then json_extract_string(_text, '$.formGuid') end)
                   as form_id,
               null::varchar as submission_id,
               case when _ok then
                   [json_extract_string(f, '$.value')
                    for f in coalesce(json_extract(_text, '$.fields[*]'), [])
                    if json_extract_string(f, '$.name') = 'email'][1]
               end as email,
               case when _ok then json_extract_string(_text, '$.submittedAt') end as ts_text,
               'submittedAt' as ts_field,
               null::varchar as pre_reason
        from _records
        """
    )
    stage_form(con, "hubspot")
