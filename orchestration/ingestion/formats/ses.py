"""Amazon SES events, one SNS notification a line (``Message`` = the SES event as a string).

Raw SES events and EventBridge envelopes (``detail``) on a line are accepted too. The
stored payload is the notification with ``Message`` parsed into an object, so staging can
navigate it. ``provider_event_id`` = the SNS ``MessageId`` (required on a notification);
for a raw SES or EventBridge event, sha256(mail.messageId|eventType|event timestamp).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import load_json_lines
from orchestration.ingestion.formats.email_common import stage_email

_SNS = "['$.Type', '$.MessageId', '$.Message', '$.eventType', '$.notificationType', '$.detail']"
_EVENT = (
    "['$.eventType', '$.notificationType', '$.mail.messageId', "
    "'$.bounce.bouncedRecipients[0].emailAddress', "
    "'$.complaint.complainedRecipients[0].emailAddress', '$.mail.destination[0]', "
    "'$.open.timestamp', '$.click.timestamp', '$.bounce.timestamp', '$.complaint.timestamp', "
    "'$.delivery.timestamp', '$.deliveryDelay.timestamp', '$.subscription.timestamp', "
    "'$.mail.timestamp', '$.bounce.bounceType', '$.click.link', '$.open.userAgent', "
    "'$.click.userAgent', '$.open.ipAddress', '$.click.ipAddress', '$.mail.tags.campaign[0]']"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the email_events columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` → ``_stage``."""
    con.execute(
        f"""
        create or replace temp view _ses as
        select _path, _line, _text, _ok, _payload, s,
               case
                   when not _ok then null
                   when s[3] is not null then s[3]                      -- SNS: Message string
                   when coalesce(s[4], s[5]) is not null then _text    -- raw SES event
                   when s[6] is not null then s[6]                      -- EventBridge detail
               end as event_text
        from (select *, case when _ok then json_extract_string(_text, {_SNS}) end as s
              from _records)
        """
    )
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok,
               case
                   when not _ok then null
                   when s[3] is not null and event_ok
                       then json_merge_patch(_payload, json_object('Message', event_text::json))
                   else _payload
               end as payload,
               case
                   when s[3] is not null then s[2]
                   when e[3] is not null then sha256(
                       e[3] || '|' || coalesce(e[1], e[2], '') || '|' || coalesce(ts_text, ''))
               end as provider_event_id,
               coalesce(e[1], e[2]) as event_name,
               coalesce(e[4], e[5], e[6]) as email,
               ts_text,
               case when s[3] is not null then 'MessageId' else 'mail.messageId' end
                   as id_field,
               'eventType' as event_field,
               case
                   when s[1] in ('SubscriptionConfirmation', 'UnsubscribeConfirmation')
                       then 'unknown_event_type'
                   when event_text is not null and not event_ok then 'malformed_json'
               end as pre_reason,
               e[3] as message_id, e[15] as bounce_type, e[16] as url,
               coalesce(e[17], e[18]) as user_agent, coalesce(e[19], e[20]) as ip,
               e[21] as campaign, false as provider_machine_open
        from (
            select *, coalesce(e[7], e[8], e[9], e[10], e[11], e[12], e[13], e[14]) as ts_text
            from (
                select *,
                       case when event_ok then json_extract_string(event_text, {_EVENT}) end as e
                from (select *,
                             coalesce(case when json_valid(event_text)
                                 then json_type(event_text) = 'OBJECT' end, false) as event_ok
                      from _ses)
            )
        )
        """
    )
    stage_email(con, "ses")
