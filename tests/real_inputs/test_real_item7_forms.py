"""Item 7: Typeform answers by ref/type/title, and forms missing from the catalog still score
and are listed in the run summary."""

from __future__ import annotations

from tests.real_inputs.conftest import UNKNOWN_HUBSPOT_DEMO_FORM, UNKNOWN_HUBSPOT_FORM, lead_id


def test_typeform_documented_example_finds_email_and_name(real):
    assert real.rows(
        "select email, first_name from intermediate.int_identity__lead_contacts where lead_id = ?",
        [lead_id("laura@example.com")],
    ) == [("laura@example.com", "Laura")]


def test_unknown_forms_are_typed_and_scored_never_zero(real):
    rows = real.rows(
        "select i.form_type, i.interaction_detail, e.rule_id, e.points "
        "from marts.fct_interactions i join intermediate.int_scoring_engagement__events e "
        "using (interaction_id) where e.model_id = 'default' and i.lead_id in (?, ?, ?) "
        "order by i.interaction_detail",
        [
            lead_id("laura@example.com"),
            lead_id("example@example.com"),
            lead_id("ravi.demo@example.com"),
        ],
    )
    assert rows == [
        ("demo_request", UNKNOWN_HUBSPOT_DEMO_FORM, "form_demo", 30.0),
        ("other", UNKNOWN_HUBSPOT_FORM, "form_other", 8.0),
        ("other", "lT4Z3j", "form_other", 8.0),
    ]


def test_unknown_forms_are_listed_in_the_run_summary(real):
    section = real.summary[real.summary.index("Forms not in seeds/form_catalog.csv") :]
    section = section[: section.index("Track events")]
    for form_id in ("lT4Z3j", UNKNOWN_HUBSPOT_FORM, UNKNOWN_HUBSPOT_DEMO_FORM):
        assert form_id in section
    assert "Webhooks example" in section and "Request a demo" in section
