"""A real dbt build of the core models on the hand-made raw fixture: concrete expected values."""

from __future__ import annotations

import hashlib

import pytest

pytestmark = pytest.mark.slow


def lead(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def test_one_lead_per_valid_email(fixture_warehouse):
    emails = [
        r[0]
        for r in fixture_warehouse.query(
            "select i.email from marts.dim_leads as d "
            "join intermediate.int_identity__leads as i using (lead_id) order by i.email"
        )
    ]
    assert emails == [
        "bob@globex.com",
        "carol@gmail.com",
        "dave@umbrella.co",
        "erin@wayne.com",
        "frank@hooli.com",
        "gina@pied-piper.com",
        "jane@acme.com",
        "k1@initech.com",
        "k2@initech.com",
        "k3@initech.com",
        "k4@initech.com",
    ]
    assert fixture_warehouse.scalar(
        "select lead_id from intermediate.int_identity__leads where email = 'jane@acme.com'"
    ) == lead("Jane@Acme.com ")


def test_retroactive_stitching_attaches_earlier_visits(fixture_warehouse):
    rows = fixture_warehouse.query(
        f"""select interaction_type, interaction_detail, content_category, is_stitched
            from marts.fct_interactions where lead_id = '{lead("jane@acme.com")}' and source = 'web'
            order by occurred_at"""
    )
    assert rows == [
        ("page_view", "/blog/why-crm", "blog", True),
        ("page_view", "/pricing", "pricing", True),
        ("cta_click", "CTA Clicked", None, True),
    ]
    # first seen at the anonymous blog visit, a day before she identified
    assert (
        str(
            fixture_warehouse.scalar(
                f"select first_seen_at from marts.dim_leads where lead_id = '{lead('jane@acme.com')}'"
            )
        )
        == "2024-05-01 10:00:00"
    )


def test_shared_device_flagged_and_unstitched(fixture_warehouse):
    assert fixture_warehouse.query(
        "select lead_id, email_count, is_shared_device from intermediate.int_identity__anonymous_to_lead "
        "where anonymous_id = 'anon-3'"
    ) == [(None, 4, True)]
    assert (
        fixture_warehouse.scalar(
            "select count(*) from marts.fct_interactions where anonymous_id = 'anon-3'"
        )
        == 0
    )


def test_alias_hutk_and_tagged_click_edges(fixture_warehouse):
    resolved = dict(
        fixture_warehouse.query(
            "select anonymous_id, resolved_by from intermediate.int_identity__anonymous_to_lead "
            "where not is_shared_device"
        )
    )
    assert resolved == {
        "anon-1": "form",
        "anon-2": "alias",
        "anon-5": "identify",
        "anon-6": "email_click",
        "hutk-erin": "form_hutk",
        "anon-8": "form",
    }


def test_sessions_split_at_thirty_minutes(fixture_warehouse):
    rows = fixture_warehouse.query(
        "select page_count, duration_seconds, landing_page, referrer from marts.fct_web_sessions "
        "where anonymous_id = 'anon-5' order by started_at"
    )
    assert rows == [
        (2, 1799, "/docs/api", "https://news.ycombinator.com/"),
        (1, 0, "/pricing", None),
    ]
    assert fixture_warehouse.query(
        "select utm_source, utm_medium, utm_campaign, page_count, duration_seconds from marts.fct_web_sessions "
        "where anonymous_id = 'anon-1'"
    ) == [("google", "cpc", "brand", 2, 660)]


def test_bot_traffic_flagged_not_dropped(fixture_warehouse):
    assert fixture_warehouse.query(
        "select is_bot, lead_id from marts.fct_web_sessions where anonymous_id = 'anon-4'"
    ) == [(True, None)]
    assert (
        fixture_warehouse.scalar(
            "select count(*) from staging.stg_segment__web_events where is_bot"
        )
        == 1
    )


def test_email_taxonomy_and_machine_opens(fixture_warehouse):
    rows = fixture_warehouse.query(
        "select provider, event_type, count(*), count(*) filter (where is_machine_open) "
        "from intermediate.int_email__events group by all order by 1, 2"
    )
    assert rows == [
        ("mailgun", "bounce_hard", 1, 0),
        ("mailgun", "delivered", 1, 0),
        ("mailgun", "open", 1, 1),
        ("mailgun", "unsubscribe", 1, 0),
        ("sendgrid", "bounce_soft", 1, 0),
        ("sendgrid", "click", 1, 0),
        ("sendgrid", "delivered", 2, 0),
        ("sendgrid", "open", 2, 1),
        ("ses", "click", 1, 0),
        ("ses", "delivered", 1, 0),
        ("ses", "open", 1, 1),
        ("ses", "spam_report", 1, 0),
    ]


def test_dim_leads_attributes(fixture_warehouse):
    row = fixture_warehouse.query(
        f"""select seniority, job_function, company_size_bucket, employee_count, country_iso2, region, has_phone,
                  enrichment_level, origin, lead_source, first_touch_utm_source, consent_to_process,
                  marketing_opt_in, crm_id, stated_budget, stated_timeline
           from marts.dim_leads where lead_id = '{lead("erin@wayne.com")}'"""
    )
    assert row == [
        (
            "c_level",
            "engineering",
            "1001-5000",
            1500,
            "US",
            "NA",
            True,
            "full",
            "inbound",
            "form",
            "google",
            True,
            True,
            "501",
            "50k-100k",
            "this_quarter",
        )
    ]
    bob = fixture_warehouse.query(
        "select origin, lead_source, is_unsubscribed, marketing_opt_in, seniority, job_function, region "
        f"from marts.dim_leads where lead_id = '{lead('bob@globex.com')}'"
    )
    assert bob == [("outbound", "tradeshow", True, False, "director", "sales", "EMEA")]
    carol = fixture_warehouse.query(
        "select is_free_email, company_domain, is_spam_reported from marts.dim_leads "
        f"where lead_id = '{lead('carol@gmail.com')}'"
    )
    assert carol == [(True, None, True)]
    assert (
        fixture_warehouse.scalar(
            f"select is_hard_bounced from marts.dim_leads where lead_id = '{lead('frank@hooli.com')}'"
        )
        is True
    )


def test_opportunities_and_companies(fixture_warehouse):
    rows = fixture_warehouse.query(
        "select opportunity_id, stage, amount, is_won, won_at is not null, lost_at is not null "
        "from marts.fct_opportunities order by 1"
    )
    assert rows == [
        ("hubspot-hd-1", "closed_won", 48000, True, True, False),
        ("salesforce-006A1", "proposal", 12000.5, False, False, False),
        ("salesforce-006B1", "closed_lost", 30000, False, False, True),
    ]
    assert fixture_warehouse.query(
        "select lead_count, company_name from marts.dim_companies where company_domain = 'initech.com'"
    ) == [(4, None)]


def test_no_orphans_and_form_types(fixture_warehouse):
    assert (
        fixture_warehouse.scalar(
            "select count(*) from marts.fct_interactions f left join marts.dim_leads d using (lead_id) "
            "where d.lead_id is null"
        )
        == 0
    )
    assert fixture_warehouse.query(
        "select form_type, count(*) from marts.fct_interactions where source = 'form' group by 1 order by 1"
    ) == [("content_download", 1), ("demo_request", 1), ("newsletter", 1)]
