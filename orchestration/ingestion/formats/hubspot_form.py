"""HubSpot Forms API v3 submit bodies (one a line; form GUID in the name) → form_submissions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import lit, load_json_lines
from orchestration.ingestion.formats.form_common import (
    EXTRAS,
    array_lookup,
    first_of,
    form_id_from_name,
    stage_form,
)

#: column -> the ``fields[]`` names tried in order (HubSpot internal property names)
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname",),
    "last_name": ("lastname",),
    "company_name": ("company",),
    "job_title": ("jobtitle",),
    "company_size": ("numemployees",),
    "industry": ("industry",),
    "country": ("country",),
    "phone": ("phone",),
    "hidden_utm_source": ("utm_source",),
    "hidden_utm_medium": ("utm_medium",),
    "hidden_utm_campaign": ("utm_campaign",),
    "anonymous_id": ("anonymous_id",),
    "stated_budget": ("budget",),
    "stated_timeline": ("timeline", "purchase_timeline"),
    "stated_need": ("need", "pain_point"),
    "stated_authority": ("authority", "decision_role"),
}
#: column -> JSON path of the body (outside ``fields[]``)
PATHS: dict[str, str] = {
    "consent": "$.legalConsentOptions.consent.consentToProcess",
    "marketing_opt_in": "$.legalConsentOptions.consent.communications[0].value",
    "consent_text": "$.legalConsentOptions.consent.text",
    "page_url": "$.context.pageUri",
    "hutk": "$.context.hutk",
    "form_title": "$.context.pageName",
}


def _column(name: str) -> str:
    if name in FIELD_NAMES:
        return first_of(
            [array_lookup("_form_fields", "$.name", n, ("$.value",)) for n in FIELD_NAMES[name]]
        )
    if name in PATHS:
        return f"json_extract_string(_text, {lit(PATHS[name])})"
    return "null::varchar"


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the form_submissions columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` → ``_stage``."""
    extras = ", ".join(f"case when _ok then {_column(c)} end as {c}" for c in EXTRAS)
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok,
               _payload as payload,
               coalesce({form_id_from_name("hubspot")},
                        case when _ok then json_extract_string(_text, '$.formGuid') end)
                   as form_id,
               null::varchar as submission_id,
               case when _ok then
                   [json_extract_string(f, '$.value') for f in _form_fields
                    if json_extract_string(f, '$.name') = 'email'][1]
               end as email,
               case when _ok then json_extract_string(_text, '$.submittedAt') end as ts_text,
               'submittedAt' as ts_field,
               null::varchar as pre_reason,
               {extras}
        from (select *,
                     case when _ok then coalesce(json_extract(_text, '$.fields[*]'), []) end
                         as _form_fields
              from _records)
        """
    )
    stage_form(con, "hubspot")
