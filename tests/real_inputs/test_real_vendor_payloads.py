"""The event examples of SendGrid's, Mailgun's and SES's documentation: every record accounted
for and each event owned by its recipient's lead."""

from __future__ import annotations

from tests.real_inputs.conftest import lead_id


def _types(real, email: str) -> list[str]:
    return [
        r[0]
        for r in real.rows(
            "select interaction_type from marts.fct_interactions where lead_id = ? "
            "order by interaction_type",
            [lead_id(email)],
        )
    ]


def _manifest(real, name: str) -> tuple:
    return real.one(
        "select (rows_in, rows_loaded, rows_duplicate, rows_quarantined) from raw.load_manifest "
        "where path = ?",
        [f"email_events/dt={real.days['vendors'].isoformat()}/{name}"],
    )


def test_sendgrid_event_webhook_example(real):
    assert _manifest(real, "sendgrid-001.json") == (11, 11, 0, 0)
    assert _types(real, "example@test.com") == [
        "email_bounce_hard",
        "email_click",
        "email_delivered",
        "email_open",
        "email_spam_report",
        "email_unsubscribe",
        "email_unsubscribe",
    ]


def test_mailgun_webhook_examples(real):
    assert _manifest(real, "mailgun-001.jsonl") == (3, 3, 0, 0)
    assert _types(real, "alice@example.com") == ["email_click", "email_delivered", "email_open"]


def test_ses_via_sns_examples(real):
    assert _manifest(real, "ses-001.jsonl") == (4, 4, 0, 0)
    assert _types(real, "recipient@example.com") == [
        "email_bounce_hard",
        "email_click",
        "email_delivered",
        "email_open",
    ]
