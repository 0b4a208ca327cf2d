"""CRM deal exports (HubSpot-deals-like and Salesforce-opportunity-like CSVs) → crm_deals.

``updated_at`` = the export's last-modified column when present
(``hs_lastmodifieddate`` / ``LastModifiedDate``), else the later of created and close date.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.formats.common import (
    Sql,
    email_ok,
    lit,
    missing,
    reason_case,
)
from orchestration.ingestion.formats.csv_common import load_csv_records

#: provider -> (id column, email column, created column, close column, modified column)
COLUMNS = {
    "hubspot": ("deal_id", "contact_email", "createdate", "closedate", "hs_lastmodifieddate"),
    "salesforce": ("Id", "Lead_Email__c", "CreatedDate", "CloseDate", "LastModifiedDate"),
}
#: provider -> (contact id, deal name, stage, amount) columns
DETAILS = {
    "hubspot": ("hubspot_contact_id", "dealname", "dealstage", "amount"),
    "salesforce": ("ContactId", "Name", "StageName", "Amount"),
}


def _stage(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], provider: str) -> None:
    """Leave ``_stage`` with the crm_deals columns for every data row of ``paths``."""
    load_csv_records(con, paths)
    extract(con, provider)


def extract(con: duckdb.DuckDBPyConnection, provider: str) -> None:
    """``_records`` (``_json`` = the row as a JSON object) → ``_stage``."""
    id_col, email_col, created_col, close_col, modified_col = COLUMNS[provider]
    paths = ", ".join(
        lit(f'$."{c}"')
        for c in (id_col, email_col, created_col, close_col, modified_col, *DETAILS[provider])
    )

    def ts(i: int) -> str:
        return f"try_cast(nullif(trim(f[{i}]), '') as timestamptz)"

    def bad_ts(i: int) -> str:
        return f"(nullif(trim(f[{i}]), '') is not null and {ts(i)} is null)"

    reason = reason_case(
        [
            ("_pre_reason is not null", Sql("_pre_reason")),
            ("not _ok", "malformed_csv_row"),
            (missing("f[1]"), f"missing_required_field:{id_col}"),
            (missing("f[2]"), "missing_required_field:email"),
            (f"not {email_ok('f[2]')}", "invalid_email"),
            (missing("f[3]"), f"missing_required_field:{created_col}"),
            (f"{bad_ts(3)} or {bad_ts(4)} or {bad_ts(5)}", "invalid_timestamp"),
        ]
    )
    con.execute(
        f"""
        create or replace temp view _stage as
        select _path, _line, _text, payload, {reason} as reason,
               {lit(provider)} as provider, f[1] as deal_id, f[2] as email,
               coalesce({ts(5)}, greatest({ts(3)}, {ts(4)})) as updated_at,
               f[6] as crm_contact_id, f[7] as deal_name, f[8] as provider_stage,
               f[9] as amount, f[3] as created_on, f[4] as closed_on
        from (select *, _json::json as payload,
                     json_extract_string(_json, [{paths}]) as f
              from _records)
        """
    )


def stage_hubspot(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """HubSpot-deals-like export."""
    _stage(con, paths, "hubspot")


def stage_salesforce(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Salesforce-opportunity-like export."""
    _stage(con, paths, "salesforce")
