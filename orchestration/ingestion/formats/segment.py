"""Segment / RudderStack messages (NDJSON, ``{"batch": [...]}`` envelopes unnested) → web_events."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import (
    email_ok,
    lit,
    load_json_lines,
    missing,
    oversized,
    reason_case,
    url_path,
)

ACCEPTED_TYPES = ("page", "track", "identify", "alias")

#: (column, JSON paths tried in order) for everything staging reads (docs/formats.md §1)
FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("previous_id", ("$.previousId",)),
    ("event_name", ("$.event",)),
    ("page_url", ("$.properties.url", "$.context.page.url")),
    # "path:" = the path of the URL at that JSON path ('/' when it has none)
    ("page_path", ("$.properties.path", "$.context.page.path", "path:$.context.page.url")),
    ("page_referrer", ("$.properties.referrer", "$.context.page.referrer")),
    ("page_title", ("$.properties.title", "$.context.page.title", "$.name")),
    ("campaign_source", ("$.context.campaign.source",)),
    ("campaign_medium", ("$.context.campaign.medium",)),
    ("campaign_name", ("$.context.campaign.name",)),
    ("user_agent", ("$.context.userAgent",)),
    ("ip", ("$.context.ip",)),
    ("traits_email", ("$.traits.email", "$.context.traits.email")),
    ("traits_given_name", ("$.traits.firstName", "$.traits.first_name")),
    ("traits_family_name", ("$.traits.lastName", "$.traits.last_name")),
    ("traits_full_name", ("$.traits.name",)),
    ("traits_job_title", ("$.traits.title", "$.traits.job_title", "$.traits.jobTitle")),
    ("traits_company_name", ("$.traits.company.name", "$.traits.company_name")),
    (
        "traits_company_size",
        (
            "$.traits.company.employee_count",
            "$.traits.company.employeeCount",
            "$.traits.company_size",
        ),
    ),
    ("traits_industry", ("$.traits.company.industry", "$.traits.industry")),
    ("traits_phone", ("$.traits.phone",)),
    ("traits_country", ("$.traits.address.country", "$.traits.country")),
)

#: the validated fields first (f[1]..f[8]), then every path of FIELDS
_CORE = (
    "$.type",
    "$.messageId",
    "$.anonymousId",
    "$.userId",
    "$.timestamp",
    "$.originalTimestamp",
    "$.receivedAt",
    "$.traits.email",
)


def stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Leave ``_stage`` with the web_events columns for every record of ``paths``."""
    load_json_lines(con, paths, unnest_batch=True)
    extract(con)


def extract(con: duckdb.DuckDBPyConnection) -> None:
    """``_records`` → ``_stage``: every column parsed from one ``json_extract_string`` call."""
    all_paths = [*_CORE, *(p.removeprefix("path:") for _, ps in FIELDS for p in ps)]
    fields, i = [], len(_CORE)
    for column, ps in FIELDS:
        items = [
            url_path(f"f[{i + k + 1}]") if p.startswith("path:") else f"f[{i + k + 1}]"
            for k, p in enumerate(ps)
        ]
        fields.append(
            f"{items[0] if len(items) == 1 else 'coalesce(' + ', '.join(items) + ')'} as {column}"
        )
        i += len(ps)
    path_list = "[" + ", ".join(lit(p) for p in all_paths) + "]"
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
               _payload as payload,
               {reason} as reason,
               f[2] as message_id,
               f[1] as event_type,
               nullif(f[3], '') as anonymous_id,
               nullif(f[4], '') as user_id,
               try_cast({event_text} as timestamptz) as event_at,
               try_cast(nullif(f[7], '') as timestamptz) as received_at,
               {", ".join(fields)}
        from (
            select *, case when _ok then json_extract_string(_text, {path_list}) end as f
            from _records
        )
        """
    )
