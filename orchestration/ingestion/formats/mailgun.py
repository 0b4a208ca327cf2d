"""Mailgun webhook bodies (``{"signature":..,"event-data":..}`` a line) → email_events."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import lit, load_json_lines
from orchestration.ingestion.formats.email_common import stage_email

# The wrapped shape first; a bare event-data object is tolerated too.
_FIELDS = (
    "id",
    "event",
    "recipient",
    "timestamp",
    'message.headers."message-id"',
    "severity",
    "url",
    '"client-info"."user-agent"',
    "ip",
    '"user-variables".campaign',
    "tags[0]",
)
#: each field inside "event-data" (f[1..11]), then at the top level (f[12..22])
_PATHS = (
    "["
    + ", ".join(lit(f'$."event-data".{f}') for f in _FIELDS)
    + ", "
    + ", ".join(lit(f"$.{f}") for f in _FIELDS)
    + "]"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the email_events columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` → ``_stage``."""
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok,
               _payload as payload,
               coalesce(f[1], f[12]) as provider_event_id, coalesce(f[2], f[13]) as event_name,
               coalesce(f[3], f[14]) as email, coalesce(f[4], f[15]) as ts_text,
               'id' as id_field, 'event' as event_field,
               null::varchar as pre_reason,
               coalesce(f[5], f[16]) as message_id, coalesce(f[6], f[17]) as bounce_type,
               coalesce(f[7], f[18]) as url, coalesce(f[8], f[19]) as user_agent,
               coalesce(f[9], f[20]) as ip,
               coalesce(f[10], f[11], f[22]) as campaign,
               false as provider_machine_open
        from (select *, case when _ok then json_extract_string(_text, {_PATHS}) end as f
              from _records)
        """
    )
    stage_email(con, "mailgun")
