"""Mailgun webhook bodies (``{"signature":..,"event-data":..}`` a line) → email_events."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import load_json_lines
from orchestration.ingestion.formats.email_common import stage_email

# The wrapped shape first; a bare event-data object is tolerated too.
_PATHS = (
    "['$.\"event-data\".id', '$.\"event-data\".event', '$.\"event-data\".recipient', "
    "'$.\"event-data\".timestamp', '$.id', '$.event', '$.recipient', '$.timestamp']"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the email_events columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok,
               case when _ok then _text::json end as payload,
               coalesce(f[1], f[5]) as provider_event_id, coalesce(f[2], f[6]) as event_name,
               coalesce(f[3], f[7]) as email, coalesce(f[4], f[8]) as ts_text,
               'id' as id_field, 'event' as event_field,
               null::varchar as pre_reason
        from (select *, case when _ok then json_extract_string(_text, {_PATHS}) end as f
              from _records)
        """
    )
    stage_email(con, "mailgun")
