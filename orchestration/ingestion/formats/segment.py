"""Segment / RudderStack messages (NDJSON, ``{"batch": [...]}`` envelopes unnested) → web_events."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import (
    email_ok,
    load_json_lines,
    missing,
    oversized,
    reason_case,
)

ACCEPTED_TYPES = ("page", "track", "identify", "alias")

_PATHS = (
    "['$.type', '$.messageId', '$.anonymousId', '$.userId', "
    "'$.timestamp', '$.originalTimestamp', '$.receivedAt', '$.traits.email']"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the web_events columns for every record of ``paths``."""
    load_json_lines(con, paths, unnest_batch=True)
    types = ", ".join(f"'{t}'" for t in ACCEPTED_TYPES)
    event_text = "coalesce(nullif(f[5], ''), nullif(f[6], ''), nullif(f[7], ''))"
    reason = reason_case(
        [
            (oversized(), "oversized_payload"),
            ("not _ok", "malformed_json"),
            (missing("f[1]"), "missing_required_field:type"),
            (f"f[1] not in ({types})", "unknown_event_type"),
            (missing("f[2]"), "missing_required_field:messageId"),
            (f"{missing('f[3]')} and {missing('f[4]')}", "missing_required_field:anonymousId"),
            (f"{event_text} is null", "missing_required_field:timestamp"),
            (f"try_cast({event_text} as timestamptz) is null", "invalid_timestamp"),
            (
                "nullif(f[7], '') is not null and try_cast(f[7] as timestamptz) is null",
                "invalid_timestamp",
            ),
            # an identify call's traits.email, when given, must pass the basic check
            (
                f"f[1] = 'identify' and not {missing('f[8]')} and not {email_ok('f[8]')}",
                "invalid_email",
            ),
        ]
    )
    con.execute(
        f"""
        create or replace temp view _stage as
        select _path, _line, _text,
               case when _ok then _text::json end as payload,
               {reason} as reason,
               f[2] as message_id,
               f[1] as event_type,
               nullif(f[3], '') as anonymous_id,
               nullif(f[4], '') as user_id,
               try_cast({event_text} as timestamptz) as event_at,
               try_cast(nullif(f[7], '') as timestamptz) as received_at
        from (
            select *, case when _ok then json_extract_string(_text, {_PATHS}) end as f
            from _records
        )
        """
    )
