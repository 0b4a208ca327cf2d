"""What BI can read holds no email, name, phone or IP (docs/privacy.md, "Which columns are
personal"): on the ``tiny`` sample built through every dbt model, every relation of the
``marts``, ``analytics`` and ``semantic`` schemas but the activation mart, and every table of a
file published with the shipped ``published.yml``, is scanned column by column:

- no text column is named like an email, a person's name, a phone number or an IP address;
- no text value contains an ``@``, equals a first or last name or a phone number that the
  warehouse knows of a person, contains one of their full names or IP addresses, or has the shape
  of an IPv4 address or an international phone number;
- no column of those dbt models is declared ``meta.pii_kind: direct``.

The activation mart (``marts.mart_lead_activation``, what the CRM syncs read) is the one
exception; the same scan finds its emails and names, so the scan is shown to see them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.activation.spec import shipped_specs
from orchestration.publish.duckdb_file import publish
from orchestration.publish.spec import default_spec

BI_SCHEMAS = ("marts", "analytics", "semantic")
#: the mart the CRM syncs read: emails and names on purpose, never published
ACTIVATION = ("marts", "mart_lead_activation")
ACTIVATION_KEY = 'wh."marts"."mart_lead_activation"'
PERSONAL_COLUMN = re.compile(
    r"(^|_)(e_?mail|email_address|first_name|last_name|full_name|given_name|family_name"
    r"|phone|phone_number|mobile|ip|ip_address)$"
)
IPV4 = r"(^|[^0-9.])([0-9]{1,3}\.){3}[0-9]{1,3}([^0-9.]|$)"
INTERNATIONAL_PHONE = r"^\+[0-9][0-9 ().-]{6,}$"


def personal_values(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables ``known(kind, value)`` (exact values) and ``full_names(value)`` of the people
    in the warehouse ``wh``: from the intermediate and staging layers, which may hold them."""
    con.execute(
        """
        create or replace temp table known as
        select distinct kind, value from (
            select 'email' as kind, lower(trim(email)) as value
                from wh.intermediate.int_identity__leads
            union all select 'first_name', lower(trim(first_name))
                from wh.intermediate.int_identity__profile_observations
            union all select 'last_name', lower(trim(last_name))
                from wh.intermediate.int_identity__profile_observations
            union all select 'phone', lower(trim(phone))
                from wh.intermediate.int_identity__profile_observations
            union all select 'ip', trim(ip) from wh.staging.stg_segment__web_events
            union all select 'ip', trim(ip) from wh.staging.stg_email__events
        ) as v
        -- two-letter names would match codes (region NA, country iso2), not people
        where value is not null and length(value) >= 3
        """
    )
    con.execute(
        """
        create or replace temp table full_names as
        select distinct lower(trim(first_name) || ' ' || trim(last_name)) as value
        from wh.intermediate.int_identity__lead_contacts
        where first_name is not null and last_name is not null
        """
    )


def findings(con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]):
    """[(column, what was found)] in ``relation`` (a qualified name ``con`` can read)."""
    out = []
    for column, data_type in columns:
        if not data_type.upper().startswith("VARCHAR"):
            continue  # flags like has_phone or is_free_email are not personal data
        if PERSONAL_COLUMN.search(column.lower()):
            out.append((column, "named like personal data"))
        col = f'"{column}"'
        values = f"(select distinct {col} as v from {relation} where {col} is not null)"
        at, ipv4, phone = con.execute(
            f"select count(*) filter (where v like '%@%'), "
            f"count(*) filter (where regexp_matches(v, '{IPV4}')), "
            f"count(*) filter (where regexp_matches(trim(v), '{INTERNATIONAL_PHONE}')) "
            f"from {values}"
        ).fetchone()
        kinds = con.execute(
            f"select distinct k.kind from {values} as d "
            "join known as k on k.value = lower(trim(d.v)) order by 1"
        ).fetchall()
        inside = con.execute(
            f"select count(*) from {values} as d where exists (select 1 from known as k "
            "where k.kind = 'ip' and contains(d.v, k.value)) or exists (select 1 from "
            "full_names as n where contains(lower(d.v), n.value))"
        ).fetchone()[0]
        for count, what in ((at, "'@'"), (ipv4, "an IPv4 address"), (phone, "a phone number")):
            if count:
                out.append((column, f"{count} value(s) with {what}"))
        out += [(column, f"values equal to a known {kind}") for (kind,) in kinds]
        if inside:
            out.append((column, f"{inside} value(s) containing a full name or IP"))
    return out


@pytest.fixture(scope="module")
def scan(built, tmp_path_factory):
    """{relation: findings} over the warehouse's BI schemas and a published file."""
    warehouse = built.core.warehouse
    published = tmp_path_factory.mktemp("published") / "analytics.duckdb"
    publish(warehouse, published, default_spec(), "pii-scan")
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    con.execute(f"attach '{published}' as pub (read_only)")
    personal_values(con)
    columns: dict[str, list[tuple[str, str]]] = {}
    for catalog, schema, table, column, data_type in con.execute(
        "select table_catalog, table_schema, table_name, column_name, data_type "
        "from information_schema.columns where (table_catalog = 'wh' and table_schema in "
        f"{BI_SCHEMAS}) or table_catalog = 'pub' order by all"
    ).fetchall():
        columns.setdefault(f'{catalog}."{schema}"."{table}"', []).append((column, data_type))
    result = {rel: findings(con, rel, cols) for rel, cols in columns.items()}
    known = dict(con.execute("select kind, count(*) from known group by 1").fetchall())
    con.close()
    return {"result": result, "known": known, "published": published}


def test_bi_relations_and_the_published_file_hold_no_personal_data(scan):
    result = scan["result"]
    # the scan covered what BI reads: the marts, the analytics views, the whole published file
    assert {'wh."marts"."dim_leads"', 'wh."analytics"."lead_scores"'} <= set(result)
    assert 'wh."analytics"."lead_handoffs"' in result and 'pub."main"."lead_scores"' in result
    published = {r for r in result if r.startswith("pub.")}
    assert len(published) == len(default_spec().tables) + 2  # + the two version tables
    # it knows the people it looks for
    assert scan["known"]["email"] >= 400 and scan["known"]["ip"] >= 100
    assert scan["known"]["first_name"] >= 50 and scan["known"]["last_name"] >= 50
    leaks = {rel: found for rel, found in result.items() if found and rel != ACTIVATION_KEY}
    assert leaks == {}


def test_the_scan_sees_the_activation_mart_personal_columns(scan):
    """The one exception holds what the syncs send, and the scan would catch it anywhere else."""
    found = scan["result"][ACTIVATION_KEY]
    assert {column for column, _ in found} == {"email", "first_name", "last_name"}
    assert ("email", "named like personal data") in found
    assert ("email", "500 value(s) with '@'") in found  # one per lead of tiny
    assert ("first_name", "values equal to a known first_name") in found
    assert ("last_name", "values equal to a known last_name") in found


def test_the_activation_mart_is_what_the_syncs_read_and_is_not_published():
    assert {spec.model for spec in shipped_specs().values()} == {"marts.mart_lead_activation"}
    assert "marts.mart_lead_activation" not in {str(t) for t in default_spec().tables}


def test_no_bi_model_declares_a_direct_identifier(built):
    """Every column of a model in a BI schema (but the activation mart) or in published.yml that
    is declared personal (``meta.pii: true``) is a pseudonymous key or an online identifier."""
    manifest = json.loads((Path(built.root) / "target" / "manifest.json").read_text())
    published = {str(t) for t in default_spec().tables}
    declared, checked = [], 0
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        relation = (node["schema"], node.get("alias") or node["name"])
        if relation == ACTIVATION:
            continue
        if node["schema"] not in BI_SCHEMAS and ".".join(relation) not in published:
            continue
        for name, column in node["columns"].items():
            meta = {**(column.get("config") or {}).get("meta", {}), **(column.get("meta") or {})}
            checked += 1
            if meta.get("pii") is True and meta.get("pii_kind") not in (
                "pseudonymous_key",
                "online_identifier",
            ):
                declared.append(f"{'.'.join(relation)}.{name}: {meta}")
    assert checked > 150
    assert declared == []
