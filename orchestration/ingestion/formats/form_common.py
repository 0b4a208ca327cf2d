"""The validation shared by the form adapters: from ``_fields`` to ``_stage``.

``submission_id`` is the provider's own id (Typeform ``token``) when there is one, else
``sha256(form_id || '|' || lower(trim(email)) || '|' || epoch_ms(submitted_at))``.
"""

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


def form_id_from_name(prefix: str) -> str:
    """SQL: ``.../hubspot__<guid>-001.jsonl`` → ``<guid>`` (the id the submit URL carried)."""
    return f"nullif(regexp_extract(_path, '/{prefix}__([^/]+)-[0-9]+\\.[a-z]+$', 1), '')"


def stage_form(con: duckdb.DuckDBPyConnection, provider: str) -> None:
    """Turn ``_fields`` into ``_stage`` with a quarantine reason.

    ``_fields`` has ``_path, _line, _text, _ok, payload, form_id, submission_id (nullable), email,
    ts_text, ts_field, pre_reason``.
    """
    submitted = ts_from("ts_text")
    reason = reason_case(
        [
            (oversized(), "oversized_payload"),
            ("not _ok", "malformed_json"),
            ("pre_reason is not null", Sql("pre_reason")),
            (missing("form_id"), "missing_required_field:form_id"),
            (missing("email"), "missing_required_field:email"),
            (f"not {email_ok('email')}", "invalid_email"),
            (missing("ts_text"), Sql("'missing_required_field:' || ts_field")),
            (f"{submitted} is null", "invalid_timestamp"),
        ]
    )
    con.execute(
        f"""
        create or replace temp view _stage as
        select _path, _line, _text, payload, {reason} as reason,
               {lit(provider)} as provider, form_id,
               coalesce(nullif(submission_id, ''),
                        sha256(form_id || '|' || lower(trim(email)) || '|'
                               || epoch_ms({submitted})::varchar)) as submission_id,
               email, {submitted} as submitted_at
        from _fields
        """
    )
