"""Signed SendGrid, Mailgun, SES-over-SNS and Typeform posts against a real collector.

Accepted payloads are the real-shaped format fixtures, signed here with keys generated for
the test: what the collector lands must ingest to exactly the raw rows the fixture files
themselves give. Tampered, mis-signed, stale and replayed requests get 401 and land nothing.
"""

from __future__ import annotations

import json
import shutil
import time

import requests

from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.warehouse import connect
from tests.integration.collect.conftest import (
    CERT_URL,
    FIXTURES,
    TOPIC,
    fixture_lines,
    mailgun_sign,
    post_json,
    typeform_headers,
)

EMAIL_SQL = (
    "select provider, provider_event_id, event_name, email, occurred_at, payload->>'$.url' "
    "from raw.email_events order by provider, provider_event_id"
)
FORM_SQL = (
    "select provider, form_id, submission_id, email, submitted_at "
    "from raw.form_submissions order by provider, submission_id"
)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def query(warehouse, sql):
    with connect(warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


def fixture_warehouse(tmp_path, names):
    """Ingest only the named fixture files: the expected raw rows."""
    landing = tmp_path / "expected"
    for name in names:
        (src,) = FIXTURES.glob(f"*/dt=2024-05-01/{name}")
        dst = landing / src.relative_to(FIXTURES)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
    warehouse = tmp_path / "expected.duckdb"
    ingest_all(["email_events", "form_submissions"], landing_dir=landing, warehouse_path=warehouse)
    return warehouse


def test_signed_webhooks_land_what_ingestion_reads(collector, keys, tmp_path):
    url = collector.url
    # SendGrid: the fixture's array, as one signed POST
    body = json.dumps(json.loads("\n".join(fixture_lines("sendgrid-001.json")))).encode()
    r = requests.post(f"{url}/webhooks/sendgrid", data=body, headers=keys.sendgrid_headers(body))
    assert (r.status_code, r.json()) == (200, {"success": True, "events": 4})
    # Mailgun: each fixture body, re-signed now
    for line in fixture_lines("mailgun-001.jsonl"):
        r = post_json(f"{url}/webhooks/mailgun", mailgun_sign(json.loads(line)))
        assert r.status_code == 200, r.text
    # SES through SNS: a subscription confirmation, then the fixture notifications
    confirm = keys.sns_sign(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": "c0nf-0001",
            "Token": "2336412f37fb687f5d51e6e2425f004aed",
            "TopicArn": TOPIC,
            "Message": "You have chosen to subscribe to the topic.",
            "SubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336",
            "Timestamp": now_iso(),
        }
    )
    r = post_json(f"{url}/webhooks/ses", confirm, {"Content-Type": "text/plain"})
    assert (r.status_code, r.json()) == (200, {"success": True, "confirmed": True})
    assert collector.confirmations == [confirm["SubscribeURL"]]
    for version, line in zip(("1", "2"), fixture_lines("ses-001.jsonl"), strict=True):
        message = {**json.loads(line), "Timestamp": now_iso()}
        r = post_json(f"{url}/webhooks/ses", keys.sns_sign(message, version))
        assert r.status_code == 200, r.text
    # Typeform
    (line,) = fixture_lines("typeform-001.jsonl")
    r = requests.post(
        f"{url}/webhooks/typeform", data=line.encode(), headers=typeform_headers(line.encode())
    )
    assert r.status_code == 200, r.text
    collector.stop()

    assert collector.certificate_fetches == [CERT_URL]  # fetched once, then cached
    landed = collector.landed()
    by_kind = {path.split("/")[-1].split("-")[0]: lines for path, lines in landed.items()}
    assert sorted(by_kind) == ["mailgun", "sendgrid", "ses", "typeform"]
    sendgrid_file = next(p for p in landed if "/sendgrid-" in p)
    assert len(json.loads((collector.landing / sendgrid_file).read_text())) == 4  # one JSON array
    assert (
        len(by_kind["mailgun"]) == 2 and len(by_kind["ses"]) == 2 and len(by_kind["typeform"]) == 1
    )
    assert all(p.split("/")[1].startswith("dt=") for p in landed)

    warehouse = tmp_path / "collected.duckdb"
    reports = ingest_all(
        ["email_events", "form_submissions"],
        landing_dir=collector.landing,
        warehouse_path=warehouse,
    )
    assert reports["email_events"].summary()["rows_loaded"] == 8
    assert reports["email_events"].rows_quarantined == 0
    assert reports["form_submissions"].rows_loaded == 1
    expected = fixture_warehouse(
        tmp_path, ["sendgrid-001.json", "mailgun-001.jsonl", "ses-001.jsonl", "typeform-001.jsonl"]
    )
    assert query(warehouse, EMAIL_SQL) == query(expected, EMAIL_SQL)
    assert query(warehouse, FORM_SQL) == query(expected, FORM_SQL)
    assert len(query(warehouse, EMAIL_SQL)) == 8


def _refused(response, code):
    assert response.status_code == 401, response.text
    assert response.json()["code"] == code


def test_sendgrid_tampered_stale_foreign_and_replayed_are_refused(collector, keys):
    from orchestration.collect.signatures import SendGridVerifier  # noqa: F401 - module loads

    url = f"{collector.url}/webhooks/sendgrid"
    body = json.dumps(
        [{"email": "a@b.example", "timestamp": 1714557000, "event": "open", "sg_event_id": "e1"}]
    ).encode()
    headers = keys.sendgrid_headers(body)
    tampered = body.replace(b"a@b.example", b"x@b.example")
    _refused(requests.post(url, data=tampered, headers=headers), "bad_signature")
    _refused(
        requests.post(url, data=body, headers={"Content-Type": "application/json"}),
        "missing_signature",
    )
    stale = keys.sendgrid_headers(body, timestamp=int(time.time()) - 3600)
    _refused(requests.post(url, data=body, headers=stale), "stale_timestamp")
    from cryptography.hazmat.primitives.asymmetric import ec

    other = type(keys)(sendgrid=ec.generate_private_key(ec.SECP256R1()), sns=keys.sns)
    _refused(requests.post(url, data=body, headers=other.sendgrid_headers(body)), "bad_signature")
    assert requests.post(url, data=body, headers=headers).status_code == 200
    _refused(requests.post(url, data=body, headers=headers), "replayed")
    metrics = requests.get(f"{collector.url}/metrics").text
    assert 'leadhouse_collector_rejections_total{reason="bad_signature"} 2' in metrics
    assert 'leadhouse_collector_requests_total{route="sendgrid",status="401"} 5' in metrics
    collector.stop()
    (lines,) = collector.landed().values()  # only the one accepted request
    assert lines == [
        "[",
        '{"email":"a@b.example","timestamp":1714557000,"event":"open","sg_event_id":"e1"}',
        "]",
    ]


def test_mailgun_tampered_foreign_stale_and_replayed_are_refused(collector):
    url = f"{collector.url}/webhooks/mailgun"
    event = json.loads(fixture_lines("mailgun-001.jsonl")[0])
    good = mailgun_sign(event)
    # Mailgun signs timestamp + token (not the event): tampering shows in those fields
    for name, value in (("token", "f" * 50), ("timestamp", str(int(time.time()) + 1))):
        tampered = {**good, "signature": {**good["signature"], name: value}}
        _refused(post_json(url, tampered), "bad_signature")
    forged = {**good, "signature": {**good["signature"], "signature": "0" * 64}}
    _refused(post_json(url, forged), "bad_signature")
    _refused(post_json(url, {"event-data": event["event-data"]}), "missing_signature")
    _refused(
        post_json(url, mailgun_sign(event, timestamp=int(time.time()) - 3600)), "stale_timestamp"
    )
    assert post_json(url, good).status_code == 200
    _refused(post_json(url, good), "replayed")
    collector.stop()
    (lines,) = collector.landed().values()
    assert [json.loads(line) for line in lines] == [good]


def test_typeform_tampered_unsigned_and_replayed_are_refused(collector):
    url = f"{collector.url}/webhooks/typeform"
    (line,) = fixture_lines("typeform-001.jsonl")
    body = line.encode()
    headers = typeform_headers(body)
    _refused(
        requests.post(url, data=body.replace(b"raj@", b"eve@"), headers=headers), "bad_signature"
    )
    _refused(
        requests.post(url, data=body, headers=typeform_headers(body, "other-secret")),
        "bad_signature",
    )
    _refused(requests.post(url, data=body), "missing_signature")
    assert requests.post(url, data=body, headers=headers).status_code == 200
    _refused(requests.post(url, data=body, headers=headers), "replayed")
    collector.stop()
    (lines,) = collector.landed().values()
    assert [json.loads(x) for x in lines] == [json.loads(line)]


def test_sns_tampered_untrusted_certificate_foreign_topic_and_replay_are_refused(collector, keys):
    url = f"{collector.url}/webhooks/ses"
    message = {**json.loads(fixture_lines("ses-001.jsonl")[0]), "Timestamp": now_iso()}
    good = keys.sns_sign(message)
    _refused(
        post_json(url, {**good, "Message": good["Message"].replace("liu@", "eve@")}),
        "bad_signature",
    )
    for cert_url in (
        "https://evil.example.com/SimpleNotificationService-x.pem",
        "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem",
    ):
        _refused(post_json(url, keys.sns_sign(message, cert_url=cert_url)), "untrusted_certificate")
    _refused(
        post_json(url, keys.sns_sign({**message, "TopicArn": TOPIC + "-other"})), "unknown_topic"
    )
    stale = keys.sns_sign({**message, "Timestamp": "2024-05-01T09:05:01.000Z"})
    _refused(post_json(url, stale), "stale_timestamp")
    confirm_elsewhere = keys.sns_sign(
        {
            "Type": "SubscriptionConfirmation",
            "MessageId": "c0nf-0002",
            "Token": "t",
            "TopicArn": TOPIC,
            "Message": "subscribe",
            "SubscribeURL": "https://evil.example.com/?Action=ConfirmSubscription",
            "Timestamp": now_iso(),
        }
    )
    _refused(post_json(url, confirm_elsewhere), "untrusted_url")
    assert post_json(url, good).status_code == 200
    _refused(post_json(url, good), "replayed")
    collector.stop()
    assert collector.certificate_fetches == [CERT_URL]  # untrusted URLs were never fetched
    assert collector.confirmations == []
    (lines,) = collector.landed().values()
    assert [json.loads(x) for x in lines] == [good]
