"""Typeform ``form_response`` webhook bodies (one a line) → form_submissions.

``submission_id`` = ``form_response.token``; the email is the first answer of type
``email`` (else a hidden field ``email``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import lit, load_json_lines
from orchestration.ingestion.formats.form_common import EXTRAS, array_lookup, first_of, stage_form

#: what an answer holds, by its type (the first non-null)
_ANSWER_VALUES = (
    "$.email",
    "$.text",
    "$.choice.label",
    "$.choice.other",
    "$.choices.labels[0]",
    "$.number",
    "$.phone_number",
    "$.boolean",
    "$.url",
    "$.date",
)


def _by_ref(ref: str) -> str:
    """The answer to the field whose ``ref`` is ``ref``."""
    return array_lookup("_answers", "$.field.ref", ref, _ANSWER_VALUES)


def _by_type(field_type: str) -> str:
    """The first answer of a field of type ``field_type`` (email, phone_number)."""
    return array_lookup(
        "_answers", "$.field.type", field_type, ("$.email", "$.text", "$.phone_number", "$.url")
    )


def _by_title(pattern: str, field_types: tuple[str, ...]) -> str:
    """The first answer to a question of one of ``field_types`` whose title (in
    ``definition.fields``) matches ``pattern``: forms built in the UI have random refs."""
    types = "[" + ", ".join(lit(t) for t in field_types) + "]"
    value = first_of(
        [
            f"json_extract_string(a, {lit(p)})"
            for p in (
                "$.text",
                "$.choice.label",
                "$.choices.labels[0]",
                "$.email",
                "$.phone_number",
            )
        ]
    )
    question = (
        "lambda d: json_extract_string(d, '$.id') = json_extract_string(a, '$.field.id') "
        f"and list_contains({types}, json_extract_string(d, '$.type')) "
        f"and regexp_matches(lower(json_extract_string(d, '$.title')), {lit(pattern)})"
    )
    return f"[{value} for a in _answers if len(list_filter(_questions, {question})) > 0][1]"


_TEXT = ("short_text", "dropdown")
_CHOICE = ("multiple_choice", "dropdown", "short_text")

#: column -> SQL over ``_answers``, ``_questions`` and the body ``_text`` (answers by field
#: ref first, else by field type, else by the question's title; never by position)
COLUMNS: dict[str, str] = {
    "first_name": first_of([_by_ref("first_name"), _by_title("(first|given) ?name", _TEXT[:1])]),
    "last_name": first_of([_by_ref("last_name"), _by_title("(last|family|sur) ?name", _TEXT[:1])]),
    "company_name": first_of(
        [
            _by_ref("company"),
            _by_ref("company_name"),
            _by_title("(company|organi[sz]ation|employer)", _TEXT),
        ]
    ),
    "job_title": first_of(
        [
            _by_ref("job_title"),
            _by_title("(job title|role|position)", ("short_text", "dropdown", "multiple_choice")),
        ]
    ),
    "company_size": first_of(
        [
            _by_ref("company_size"),
            _by_title(
                "(company size|employees|team size)",
                ("multiple_choice", "dropdown", "short_text", "number"),
            ),
        ]
    ),
    "industry": first_of([_by_ref("industry"), _by_title("industry", _CHOICE)]),
    "country": first_of([_by_ref("country"), _by_title("country", _CHOICE)]),
    "phone": first_of([_by_ref("phone"), _by_type("phone_number")]),
    "consent": first_of([_by_ref("consent"), _by_ref("consent_to_process")]),
    "marketing_opt_in": _by_ref("marketing_opt_in"),
    "hidden_utm_source": "json_extract_string(_text, '$.form_response.hidden.utm_source')",
    "hidden_utm_medium": "json_extract_string(_text, '$.form_response.hidden.utm_medium')",
    "hidden_utm_campaign": "json_extract_string(_text, '$.form_response.hidden.utm_campaign')",
    "anonymous_id": "json_extract_string(_text, '$.form_response.hidden.anonymous_id')",
    "hutk": "json_extract_string(_text, '$.form_response.hidden.hutk')",
    "stated_budget": _by_ref("budget"),
    "stated_timeline": first_of([_by_ref("timeline"), _by_ref("purchase_timeline")]),
    "stated_need": first_of([_by_ref("need"), _by_ref("pain_point")]),
    "stated_authority": first_of([_by_ref("authority"), _by_ref("decision_role")]),
    "form_title": "json_extract_string(_text, '$.form_response.definition.title')",
}

_PATHS = (
    "['$.event_type', '$.form_response.form_id', '$.form_response.token', "
    "'$.form_response.submitted_at', '$.form_response.hidden.email']"
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the form_submissions columns for every line of ``paths``."""
    load_json_lines(con, paths, unnest_batch=False)
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` → ``_stage``."""
    extras = ", ".join(
        f"case when _ok then {COLUMNS[c]} end as {c}" if c in COLUMNS else f"null::varchar as {c}"
        for c in EXTRAS
    )
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok, payload,
               f[2] as form_id, f[3] as submission_id,
               coalesce(case when _ok then
                   [json_extract_string(a, '$.email') for a in _answers
                    if json_extract_string(a, '$.type') = 'email'][1] end,
                   f[5]) as email,
               f[4] as ts_text, 'submitted_at' as ts_field,
               case when f[1] is not null and f[1] <> 'form_response'
                    then 'unknown_event_type' end as pre_reason,
               {extras}
        from (select *, _payload as payload,
                     case when _ok then json_extract_string(_text, {_PATHS}) end as f,
                     case when _ok then
                         coalesce(json_extract(_text, '$.form_response.answers[*]'), [])
                     end as _answers,
                     case when _ok then
                         coalesce(json_extract(_text, '$.form_response.definition.fields[*]'), [])
                     end as _questions
              from _records)
        """
    )
    stage_form(con, "typeform")
