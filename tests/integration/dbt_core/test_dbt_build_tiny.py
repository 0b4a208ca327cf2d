"""End to end on generated data: generate tiny, ingest through the ingestion API, dbt build the core
models into a temporary warehouse, and check the marts against the generator's truth file."""

from __future__ import annotations

import csv

import pytest

from tests.integration.dbt_core.conftest import DbtCore, ingested_sample

pytestmark = pytest.mark.slow

COLUMNS = """interaction_id, lead_id, occurred_at, source, interaction_type, interaction_detail,
    content_category, form_type, channel, utm_source, utm_medium, utm_campaign, url, anonymous_id,
    session_id, is_machine_open, is_bot, is_stitched"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("dbt_core_tiny")
    landing, warehouse = ingested_sample(root)
    core = DbtCore(warehouse, root)
    core.build()
    with open(landing / "_truth" / "leads.csv", newline="") as f:
        truth = {row["email"]: row["lead_id"] for row in csv.DictReader(f)}
    return core, truth


def test_leads_are_the_truth_emails_seen(tiny):
    core, truth = tiny
    leads = dict(
        core.query(
            "select i.email, d.lead_id from marts.dim_leads as d "
            "join intermediate.int_identity__leads as i using (lead_id)"
        )
    )
    # every lead is a generated person, with the same lead_id as the generator's
    assert set(leads) <= set(truth)
    assert all(truth[email] == lead_id for email, lead_id in leads.items())
    # a truth email missing from dim_leads never reached the raw layer
    missing = sorted(set(truth) - set(leads))
    if missing:
        values = ", ".join(f"('{e}')" for e in missing)
        seen = core.scalar(
            f"""select count(*) from (values {values}) as m(email)
                where exists (select 1 from raw.web_events w where lower(w.payload::varchar) like '%' || m.email || '%')
                   or exists (select 1 from raw.email_events e where lower(e.email) = m.email)
                   or exists (select 1 from raw.form_submissions f where lower(trim(f.email)) = m.email)
                   or exists (select 1 from raw.lead_lists l where lower(trim(l.email)) = m.email)
                   or exists (select 1 from raw.crm_deals c where lower(trim(c.email)) = m.email)"""
        )
        assert seen == 0
    assert len(leads) >= 0.95 * len(truth)


def test_interactions_are_complete_and_consistent(tiny):
    core, _ = tiny
    assert (
        core.scalar(
            "select count(*) from marts.fct_interactions f left join marts.dim_leads d using (lead_id) "
            "where d.lead_id is null"
        )
        == 0
    )
    types = {
        r[0] for r in core.query("select distinct interaction_type from marts.fct_interactions")
    }
    assert {
        "page_view",
        "cta_click",
        "form_submission",
        "email_delivered",
        "email_open",
        "email_click",
        "list_import",
        "crm_activity",
    } <= types
    # anonymous page views are stitched to leads, some of them before the lead identified
    assert core.scalar("select count(*) from marts.fct_interactions where is_stitched") > 1000
    assert (
        core.scalar(
            """select count(*) from marts.fct_interactions f join marts.dim_leads d using (lead_id)
           where f.is_stitched and f.occurred_at < d.created_at"""
        )
        > 0
    )
    assert core.scalar("select count(*) from marts.fct_interactions where is_machine_open") > 0
    # every form submission of a known form is typed; page views all categorised
    assert (
        core.scalar(
            "select count(*) from marts.fct_interactions where interaction_type = 'page_view' and content_category is null"
        )
        == 0
    )
    # opportunities all belong to leads
    assert core.scalar("select count(*) from marts.fct_opportunities") == core.scalar(
        "select count(*) from staging.stg_crm__deals where email is not null"
    )


def test_incremental_rerun_equals_full_refresh(tiny):
    core, _ = tiny
    before = core.query(f"select {COLUMNS} from marts.fct_interactions order by interaction_id")
    core.run("run", "--select", "+fct_interactions")
    incremental = core.query(
        f"select {COLUMNS} from marts.fct_interactions order by interaction_id"
    )
    core.run("run", "--full-refresh", "--select", "fct_interactions")
    full = core.query(f"select {COLUMNS} from marts.fct_interactions order by interaction_id")
    assert incremental == before == full
