"""The columns of the ``raw`` tables, defined once.

Every raw table has the load columns, then the typed columns its format adapters extract
(ingestion/formats: each provider's JSON paths and CSV headers are written there and only
there). Staging models read these columns and never parse ``payload``, which keeps the
original record for audit, reprocessing (:mod:`~orchestration.ingestion.reprocess`) and
erasure. The DDL of every engine is generated from :data:`RAW_COLUMNS` (types are the
portable names ``varchar``, ``integer``, ``boolean``, ``timestamptz``, ``json``).

A column an adapter does not produce stays null (e.g. ``bounce_type`` of a Mailgun
``opened`` event, ``consent_text`` of a Typeform response).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One raw column: its name and portable type."""

    name: str
    type: str = "varchar"
    #: DuckDB's storage compression for the column (``using compression``), if forced
    compression: str | None = None


def _cols(spec: str) -> tuple[Column, ...]:
    """``"a, b timestamptz, c"`` → columns (type varchar unless given)."""
    out = []
    for part in spec.split(","):
        name, *typ = part.split()
        out.append(Column(name, typ[0] if typ else "varchar"))
    return tuple(out)


#: Load columns every raw table carries (docs/data-contracts.md §2). ``payload`` is stored
#: zstd-compressed on DuckDB: JSON text compresses several times over, and DuckDB's default
#: analysis spends more CPU than the compression itself only to store it uncompressed.
LOAD_COLUMNS: tuple[Column, ...] = (
    *_cols("_file, _line integer, _loaded_at timestamptz, _batch_id, _row_hash"),
    Column("payload", "json", compression="zstd"),
)

#: Typed columns of each raw table, after the load columns; the first ones are the keys
#: and the columns the ingestion validates, the rest what staging needs.
RAW_COLUMNS: dict[str, tuple[Column, ...]] = {
    "web_events": _cols(
        """message_id, event_type, anonymous_id, user_id, event_at timestamptz,
        received_at timestamptz, previous_id, event_name, page_url, page_path, page_referrer,
        page_title, campaign_source, campaign_medium, campaign_name, user_agent, ip,
        traits_email, traits_given_name, traits_family_name, traits_full_name,
        traits_job_title, traits_company_name, traits_company_size, traits_industry,
        traits_phone, traits_country"""
    ),
    "email_events": _cols(
        """provider, provider_event_id, event_name, email, occurred_at timestamptz,
        message_id, bounce_type, url, user_agent, ip, campaign,
        provider_machine_open boolean"""
    ),
    "form_submissions": _cols(
        """provider, form_id, submission_id, email, submitted_at timestamptz, first_name,
        last_name, company_name, job_title, company_size, industry, country, phone, consent,
        marketing_opt_in, consent_text, page_url, hidden_utm_source, hidden_utm_medium,
        hidden_utm_campaign, anonymous_id, hutk, stated_budget, stated_timeline, stated_need,
        stated_authority, form_title"""
    ),
    "lead_lists": _cols(
        """list_kind, list_name, email, first_name, last_name, company_name, job_title, phone,
        country, industry, company_size"""
    ),
    "crm_deals": _cols(
        """provider, deal_id, email, updated_at timestamptz, crm_contact_id, deal_name,
        provider_stage, amount, created_on, closed_on"""
    ),
}


def column_names(table: str) -> tuple[str, ...]:
    """The typed columns of ``raw.<table>`` (without the load columns), in table order."""
    return tuple(c.name for c in RAW_COLUMNS[table])


def ddl_columns(table: str) -> str:
    """``name type, ...`` of every column of ``raw.<table>`` (load columns first), in DuckDB's
    terms (``using compression``; :func:`~orchestration.ingestion.warehouse.ddl_for` drops it
    for other engines)."""
    return ", ".join(
        f"{c.name} {c.type}" + (f" using compression {c.compression}" if c.compression else "")
        for c in (*LOAD_COLUMNS, *RAW_COLUMNS[table])
    )
