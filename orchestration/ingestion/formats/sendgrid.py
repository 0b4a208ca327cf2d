"""SendGrid Event Webhook bodies (one JSON array a file) → email_events."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import load_json_array
from orchestration.ingestion.formats.email_common import stage_email

_PATHS = (
    "['$.sg_event_id', '$.event', '$.email', '$.timestamp', '$.sg_message_id', '$.type', "
    "'$.url', '$.useragent', '$.ip', '$.marketing_campaign_name', '$.category[0]', "
    "'$.category', '$.sg_machine_open']"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the email_events columns; ``_line`` = position in the array."""
    load_json_array(con, paths)
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` → ``_stage``."""
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok,
               _payload as payload,
               f[1] as provider_event_id, f[2] as event_name, f[3] as email, f[4] as ts_text,
               'sg_event_id' as id_field, 'event' as event_field, null::varchar as pre_reason,
               f[5] as message_id, f[6] as bounce_type, f[7] as url, f[8] as user_agent,
               f[9] as ip, coalesce(f[10], f[11], f[12]) as campaign,
               lower(f[13]) = 'true' as provider_machine_open
        from (select *, case when _ok then json_extract_string(_text, {_PATHS}) end as f
              from _records)
        """
    )
    stage_email(con, "sendgrid")
