"""The validation shared by the email adapters: from ``_fields`` to ``_stage``."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.formats.common import (
    Sql,
    email_ok,
    lit,
    missing,
    oversized,
    reason_case,
    ts_from,
)

#: The event names each provider documents (docs/formats.md §2); anything else is quarantined.
EVENT_NAMES: dict[str, tuple[str, ...]] = {
    "sendgrid": (
        "processed",
        "dropped",
        "delivered",
        "deferred",
        "bounce",
        "open",
        "click",
        "spamreport",
        "unsubscribe",
        "group_unsubscribe",
        "group_resubscribe",
    ),
    "mailgun": (
        "accepted",
        "rejected",
        "delivered",
        "failed",
        "opened",
        "clicked",
        "unsubscribed",
        "complained",
        "stored",
    ),
    "ses": (
        "Bounce",
        "Complaint",
        "Delivery",
        "Send",
        "Reject",
        "Open",
        "Click",
        "Rendering Failure",
        "DeliveryDelay",
        "Subscription",
    ),
}


#: columns every email adapter adds to ``_fields`` for staging (null when it has none)
EXTRAS = (
    "message_id",
    "bounce_type",
    "url",
    "user_agent",
    "ip",
    "campaign",
    "provider_machine_open",
)


def stage_email(con: duckdb.DuckDBPyConnection, provider: str) -> None:
    """Turn ``_fields`` (one row a record) into ``_stage`` with a quarantine reason.

    ``_fields`` has ``_path, _line, _text, _ok, payload, provider_event_id, event_name, email,
    ts_text, id_field, event_field, pre_reason`` and the :data:`EXTRAS`; ``pre_reason`` (set
    by an adapter, e.g. an SNS message that is not an SES event) wins right after JSON validity.
    """
    reason = reason_case(
        [
            (oversized(), "oversized_payload"),
            ("not _ok", "malformed_json"),
            ("pre_reason is not null", Sql("pre_reason")),
            (missing("provider_event_id"), Sql("'missing_required_field:' || id_field")),
            (missing("event_name"), Sql("'missing_required_field:' || event_field")),
            (
                f"event_name not in ({', '.join(lit(e) for e in EVENT_NAMES[provider])})",
                "unknown_event_type",
            ),
            (missing("email"), "missing_required_field:email"),
            (f"not {email_ok('email')}", "invalid_email"),
            (missing("ts_text"), "missing_required_field:timestamp"),
            (f"{ts_from('ts_text')} is null", "invalid_timestamp"),
        ]
    )
    con.execute(
        f"""
        create or replace temp view _stage as
        select _path, _line, _text, payload, {reason} as reason,
               {lit(provider)} as provider, provider_event_id, event_name, email,
               {ts_from("ts_text")} as occurred_at, {", ".join(EXTRAS)}
        from _fields
        """
    )
