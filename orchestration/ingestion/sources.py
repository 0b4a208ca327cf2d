"""The five sources: which adapter reads which file, and how each raw table dedupes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingestion.formats import (
    crm_export,
    form_post,
    hubspot_form,
    lead_list,
    mailgun,
    segment,
    sendgrid,
    ses,
    typeform,
)
from orchestration.ingestion.raw_columns import column_names

#: stage(con, paths): leaves temp table ``_stage`` for the records of ``paths``
Stager = Callable[[duckdb.DuckDBPyConnection, Sequence[Path]], None]
#: extract(con): ``_records`` → ``_stage`` (the part of a stager after reading the files)
Extractor = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Source:
    """How one landing folder becomes one raw table."""

    name: str
    #: the dedupe key (docs/data-contracts.md §2)
    key: tuple[str, ...]
    #: which record of a key is kept inside one load (``_ord`` = the file's arrival rank)
    order_by: str
    #: (file-name pattern, adapter), first match wins
    formats: tuple[tuple[str, Stager], ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Typed columns, in table order (after the load columns; raw_columns.py)."""
        return column_names(self.name)

    def adapter_for(self, path: Path) -> Stager | None:
        """The adapter for a landing file, or None when its name matches no format. A gzip
        file is named as the plain one plus ``.gz`` (``segment-001.jsonl.gz``)."""
        name = path.name.removesuffix(".gz")
        for pattern, stager in self.formats:
            if re.fullmatch(pattern, name):
                return stager
        return None


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "web_events",
            key=("message_id",),
            order_by="received_at nulls last, _ord, _line",
            formats=((r"segment-.*\.(jsonl|ndjson)", segment.stage),),
        ),
        Source(
            "email_events",
            key=("provider", "provider_event_id"),
            order_by="_ord, _line",
            formats=(
                (r"sendgrid-.*\.json", sendgrid.stage),
                (r"mailgun-.*\.(jsonl|ndjson)", mailgun.stage),
                (r"ses-.*\.(jsonl|ndjson)", ses.stage),
            ),
        ),
        Source(
            "form_submissions",
            key=("submission_id",),
            order_by="_ord, _line",
            formats=(
                (r"hubspot__.+\.(jsonl|ndjson)", hubspot_form.stage),
                (r"typeform-.*\.(jsonl|ndjson)", typeform.stage),
                (r"post__.+\.txt", form_post.stage),
            ),
        ),
        Source(
            "lead_lists",
            key=("_file", "_line"),
            order_by="_ord, _line",
            formats=((r".+__.+\.csv", lead_list.stage),),
        ),
        Source(
            "crm_deals",
            # an identical re-export of a deal is a duplicate; a changed version is kept
            key=("provider", "deal_id", "_row_hash"),
            order_by="_ord, _line",
            formats=(
                (r"hubspot_deals.*\.csv", crm_export.stage_hubspot),
                (r"salesforce_opportunities.*\.csv", crm_export.stage_salesforce),
            ),
        ),
    )
}


#: how the file scan counts a format's records (file_scan: lines | csv | json_array)
_LAYOUTS: dict[Stager, str] = {
    sendgrid.stage: "json_array",
    lead_list.stage: "csv",
    crm_export.stage_hubspot: "csv",
    crm_export.stage_salesforce: "csv",
}


def layout_of(stager: Stager) -> str:
    """The record layout of an adapter's files (``lines`` unless listed in ``_LAYOUTS``)."""
    return _LAYOUTS.get(stager, "lines")


#: each stager's extraction from ``_records``, for reprocessing stored payloads
EXTRACTORS: dict[Stager, Extractor] = {
    segment.stage: segment.extract,
    sendgrid.stage: sendgrid.extract,
    mailgun.stage: mailgun.extract,
    ses.stage: ses.extract,
    hubspot_form.stage: hubspot_form.extract,
    typeform.stage: typeform.extract,
    form_post.stage: form_post.extract,
    lead_list.stage: lead_list.extract,
    crm_export.stage_hubspot: lambda con: crm_export.extract(con, "hubspot"),
    crm_export.stage_salesforce: lambda con: crm_export.extract(con, "salesforce"),
}

#: stagers whose ``_records`` carry the record as a JSON object in ``_json`` (CSV rows,
#: form posts) rather than the original JSON text
JSON_OBJECT_RECORDS = frozenset(
    {form_post.stage, lead_list.stage, crm_export.stage_hubspot, crm_export.stage_salesforce}
)
