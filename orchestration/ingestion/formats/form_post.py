"""Generic HTML form posts (one x-www-form-urlencoded body a line) → form_submissions.

Bodies are parsed with :mod:`urllib.parse` (forms are few, so per-record Python is fine);
a repeated key (multi-select) becomes a list. A line starting with ``{`` is taken as a
flat-JSON post. The timestamp is ``submitted_at`` (else ``submittedAt``/``timestamp``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qsl

import duckdb

from orchestration.ingestion.formats.common import load_lines, load_python_records
from orchestration.ingestion.formats.form_common import (
    EXTRAS,
    first_of,
    form_id_from_name,
    stage_form,
)

#: column -> the body's keys tried in order
KEYS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name", "firstname"),
    "last_name": ("last_name", "lastname"),
    "company_name": ("company",),
    "job_title": ("job_title", "jobtitle"),
    "company_size": ("company_size",),
    "industry": ("industry",),
    "country": ("country",),
    "phone": ("phone",),
    "consent": ("consent", "consent_to_process"),
    "marketing_opt_in": ("marketing_opt_in",),
    "consent_text": ("consent_text",),
    "page_url": ("page_url", "pageUri"),
    "hidden_utm_source": ("utm_source",),
    "hidden_utm_medium": ("utm_medium",),
    "hidden_utm_campaign": ("utm_campaign",),
    "anonymous_id": ("anonymous_id",),
    "hutk": ("hutk",),
    "stated_budget": ("budget",),
    "stated_timeline": ("timeline",),
    "stated_need": ("need", "message"),
    "stated_authority": ("authority",),
    "form_title": ("form_name", "page_title"),
}


def parse_body(text: str) -> dict | None:
    """One post body → a dict, or None when a JSON-looking body does not parse."""
    body = text.strip()
    if body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    fields: dict[str, str | list[str]] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        if key in fields:
            previous = fields[key]
            fields[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[key] = value
    return fields


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the form_submissions columns for every line of ``paths``."""
    load_lines(con, paths)
    rows = con.execute("select _path, _line, _text from _lines order by _path, _line").fetchall()
    parsed = [parse_body(text) for _, _, text in rows]
    load_python_records(
        con,
        [path for path, _, _ in rows],
        [line for _, line, _ in rows],
        [text for _, _, text in rows],
        [json.dumps(p, ensure_ascii=False) if p is not None else None for p in parsed],
    )
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` (``_json`` = the body as a JSON object) → ``_stage``."""
    extras = ", ".join(
        first_of([f"json_extract_string(_json, '$.{k}')" for k in KEYS[c]]) + f" as {c}"
        for c in EXTRAS
    )
    con.execute(
        f"""
        create or replace temp view _fields as
        select _path, _line, _text, _ok, _json::json as payload,
               coalesce({form_id_from_name("post")}, f[1]) as form_id,
               f[2] as submission_id, f[3] as email,
               coalesce(f[4], f[5], f[6]) as ts_text, 'submitted_at' as ts_field,
               null::varchar as pre_reason, {extras}
        from (select *, json_extract_string(_json,
                  ['$.form_id', '$.submission_id', '$.email', '$.submitted_at',
                   '$.submittedAt', '$.timestamp']) as f
              from _records)
        """
    )
    stage_form(con, "post")
