"""Item 1: an urlencoded form post with an email and no cookie id identifies its lead."""

from __future__ import annotations

from tests.real_inputs.conftest import lead_id

EMAIL = "pat.nocookie@northwind-example.com"


def test_a_form_post_without_cookie_creates_the_lead_that_owns_it(real):
    lead = lead_id(EMAIL)
    assert real.rows(
        "select c.email, l.lead_source, c.first_name, l.company_name from marts.dim_leads l "
        "join intermediate.int_identity__lead_contacts c using (lead_id) where lead_id = ?",
        [lead],
    ) == [(EMAIL, "form", "Pat", "Northwind Traders")]
    assert real.rows(
        "select interaction_type, form_type, interaction_detail from marts.fct_interactions "
        "where lead_id = ?",
        [lead],
    ) == [("form_submission", "contact_sales", "contact-us-html")]
    # the blocking relationships test holds: every interaction's lead exists
    assert (
        real.one(
            "select count(*) from marts.fct_interactions i "
            "where not exists (select 1 from marts.dim_leads l where l.lead_id = i.lead_id)"
        )
        == 0
    )
