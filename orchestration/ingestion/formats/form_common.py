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

#: columns every form adapter adds to ``_fields`` for staging (null when it has none)
EXTRAS = (
    "first_name",
    "last_name",
    "company_name",
    "job_title",
    "company_size",
    "industry",
    "country",
    "phone",
    "consent",
    "marketing_opt_in",
    "consent_text",
    "page_url",
    "hidden_utm_source",
    "hidden_utm_medium",
    "hidden_utm_campaign",
    "anonymous_id",
    "hutk",
    "stated_budget",
    "stated_timeline",
    "stated_need",
    "stated_authority",
    "form_title",
)


def first_of(values: list[str]) -> str:
    """SQL: the first non-null of ``values`` (one value as is)."""
    return values[0] if len(values) == 1 else f"coalesce({', '.join(values)})"


def array_lookup(array: str, key_path: str, key: str, value_paths: tuple[str, ...]) -> str:
    """SQL: in the JSON list ``array``, the first element whose ``key_path`` is ``key``, then
    the first non-null of ``value_paths`` in it (text). HubSpot ``fields[]`` by name,
    Typeform ``answers[]`` by ``field.ref``."""
    element = (
        f"list_filter({array}, lambda el: json_extract_string(el, {lit(key_path)}) = {lit(key)})[1]"
    )
    return first_of([f"json_extract_string({element}, {lit(vp)})" for vp in value_paths])


def form_id_from_name(prefix: str) -> str:
    """SQL: ``.../hubspot__<guid>-001.jsonl`` → ``<guid>`` (the id the submit URL carried)."""
    return f"nullif(regexp_extract(_path, '/{prefix}__([^/]+)-[0-9]+\\.[a-z]+(\\.gz)?$', 1), '')"


def stage_form(con: duckdb.DuckDBPyConnection, provider: str) -> None:
    """Turn ``_fields`` into ``_stage`` with a quarantine reason.

    ``_fields`` has ``_path, _line, _text, _ok, payload, form_id, submission_id (nullable), email,
    ts_text, ts_field, pre_reason`` and the :data:`EXTRAS`.
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
               email, {submitted} as submitted_at, {", ".join(EXTRAS)}
        from _fields
        """
    )
