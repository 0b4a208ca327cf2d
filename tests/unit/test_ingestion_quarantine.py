"""Every kind of dirty record lands in raw.quarantine with its reason and original text;
rows in = loaded + duplicate + quarantined for each file."""

import json
from pathlib import Path

import pytest

from orchestration.ingestion.ingest import ingest_source
from orchestration.ingestion.reconcile import reconcile
from orchestration.ingestion.warehouse import connect

TS = '"timestamp":"2024-05-02T08:00:00Z"'


def write(landing: Path, rel: str, text: str) -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def quarantined(warehouse: Path, source: str) -> list[tuple]:
    with connect(warehouse, read_only=True) as con:
        return con.execute(
            "select _file, _line, reason from raw.quarantine where source = ? order by _file, _line",
            [source],
        ).fetchall()


def manifest(warehouse: Path, path: str) -> tuple:
    with connect(warehouse, read_only=True) as con:
        return con.execute(
            "select rows_in, rows_loaded, rows_duplicate, rows_quarantined, status "
            "from raw.load_manifest where path = ?",
            [path],
        ).fetchone()


@pytest.fixture
def paths(tmp_path):
    return tmp_path / "landing", tmp_path / "wh.duckdb"


def test_web_event_reasons_and_first_arrival(paths):
    landing, wh = paths
    big = "x" * 40_000
    lines = [
        '{"type":"page","messageId":"m1","anonymousId":"a",' + TS,  # 1 truncated
        '{"type":"screen","messageId":"m2","anonymousId":"a",' + TS + "}",
        '{"type":"group","messageId":"m3","anonymousId":"a",' + TS + "}",
        '{"type":"page","anonymousId":"a",' + TS + "}",
        '{"type":"page","messageId":"m5",' + TS + "}",
        '{"type":"page","messageId":"m6","anonymousId":"a"}',
        '{"type":"page","messageId":"m7","anonymousId":"a","timestamp":"yesterday"}',
        '{"type":"page","messageId":"m8","anonymousId":"a",'
        + TS
        + ',"properties":{"b":"'
        + big
        + '"}}',
        '{"type":"page","messageId":"m9","anonymousId":"a",'
        + TS
        + ',"receivedAt":"2024-05-02T08:00:09Z"}',
        '{"type":"page","messageId":"m9","anonymousId":"a",'
        + TS
        + ',"receivedAt":"2024-05-02T08:00:01Z"}',
        '{"batch":[{"type":"track","event":"x","messageId":"m11","userId":"u",' + TS + "},"
        '{"type":"screen","messageId":"m12","userId":"u",' + TS + "}]}",
        "garbage",
        "[1,2]",
        '{"messageId":"m14","anonymousId":"a",' + TS + "}",
        '{"type":"identify","messageId":"m15","userId":"u",'
        + TS
        + ',"traits":{"email":"jane.acme.com"}}',
        '{"type":"identify","messageId":"m16","userId":"u",'
        + TS
        + ',"traits":{"email":" Jane@ACME.Com "}}',
        "",  # blank lines are not records
    ]
    rel = "web_events/dt=2024-05-02/segment-009.jsonl"
    write(landing, rel, "\n".join(lines) + "\n")
    report = ingest_source("web_events", landing_dir=landing, warehouse_path=wh)
    assert quarantined(wh, "web_events") == [
        (rel, 1, "malformed_json"),
        (rel, 2, "unknown_event_type"),
        (rel, 3, "unknown_event_type"),
        (rel, 4, "missing_required_field:messageId"),
        (rel, 5, "missing_required_field:anonymousId"),
        (rel, 6, "missing_required_field:timestamp"),
        (rel, 7, "invalid_timestamp"),
        (rel, 8, "oversized_payload"),
        (rel, 11, "unknown_event_type"),
        (rel, 12, "malformed_json"),
        (rel, 13, "malformed_json"),
        (rel, 14, "missing_required_field:type"),
        (rel, 15, "invalid_email"),
    ]
    assert manifest(wh, rel) == (17, 3, 1, 13, "loaded")
    assert report.quarantine_by_reason["unknown_event_type"] == 3
    with connect(wh, read_only=True) as con:
        kept = con.execute(
            "select message_id, _line from raw.web_events order by message_id"
        ).fetchall()
        payload = con.execute("select payload from raw.quarantine where _line = 12").fetchone()[0]
    # the earliest receivedAt wins among duplicates of one file
    assert kept == [("m11", 11), ("m16", 16), ("m9", 10)]
    assert payload == "garbage"  # the original text


def test_email_reasons_with_a_broken_sendgrid_array(paths):
    landing, wh = paths
    ev = '"timestamp":1714600000,"event":"open"'
    sendgrid = "\n".join(
        [
            '[{"email":"a@b.co",' + ev + ',"sg_event_id":"s1"},',
            '{"email":"not-an-email",' + ev + ',"sg_event_id":"s2"},',
            '{"email":"a@b.co","timestamp":"soon","event":"open","sg_event_id":"s3"},',
            '{"email":"a@b.co",' + ev + "},",
            '{"email":" a@b.co ",' + ev + ',"sg_event_id":"s1"},',
            '{"email":"a@b.co",' + ev + ',"sg_event_id":"s6"',
            '{"email":"a@b.co","timestamp":1714600000,"event":"weird_event","sg_event_id":"s7"}',
            "]",
        ]
    )
    sns_bad = {"Type": "Notification", "MessageId": "n2", "Message": "{not json"}
    sub = {"Type": "SubscriptionConfirmation", "MessageId": "n3", "Message": "You have chosen..."}
    no_id = {
        "Type": "Notification",
        "Message": json.dumps(
            {
                "eventType": "Open",
                "mail": {"messageId": "m", "destination": ["x@y.io"]},
                "open": {"timestamp": "2024-05-02T08:00:00Z"},
            }
        ),
    }
    write(landing, "email_events/dt=2024-05-02/sendgrid-009.json", sendgrid)
    write(
        landing,
        "email_events/dt=2024-05-02/ses-009.jsonl",
        "\n".join(json.dumps(n) for n in (sns_bad, sub, no_id)),
    )
    write(
        landing,
        "email_events/dt=2024-05-02/mailgun-009.jsonl",
        '{"signature":{"token":"t"}}\n{"event-data":{"id":"g1","event":"opened","recipient":"z@y.io","timestamp":1714600000.5}}\n',
    )
    ingest_source("email_events", landing_dir=landing, warehouse_path=wh)
    assert quarantined(wh, "email_events") == [
        ("email_events/dt=2024-05-02/mailgun-009.jsonl", 1, "missing_required_field:id"),
        ("email_events/dt=2024-05-02/sendgrid-009.json", 2, "invalid_email"),
        ("email_events/dt=2024-05-02/sendgrid-009.json", 3, "invalid_timestamp"),
        ("email_events/dt=2024-05-02/sendgrid-009.json", 4, "missing_required_field:sg_event_id"),
        ("email_events/dt=2024-05-02/sendgrid-009.json", 6, "malformed_json"),
        ("email_events/dt=2024-05-02/sendgrid-009.json", 7, "unknown_event_type"),
        ("email_events/dt=2024-05-02/ses-009.jsonl", 1, "malformed_json"),
        ("email_events/dt=2024-05-02/ses-009.jsonl", 2, "unknown_event_type"),
        ("email_events/dt=2024-05-02/ses-009.jsonl", 3, "missing_required_field:MessageId"),
    ]
    assert manifest(wh, "email_events/dt=2024-05-02/sendgrid-009.json") == (7, 1, 1, 5, "loaded")
    assert manifest(wh, "email_events/dt=2024-05-02/mailgun-009.jsonl") == (2, 1, 0, 1, "loaded")


def test_form_reasons_and_duplicates(paths):
    landing, wh = paths
    hubspot = '{"submittedAt":"1714600000000","fields":[{"name":"firstname","value":"No"}]}\n'
    tf = (
        '{"event_type":"form_response","form_response":{"form_id":"Kd92mXvR","token":"tok1",'
        '"submitted_at":"2024-05-02T08:00:00Z","answers":[{"type":"email","email":"q@r.io"}]}}'
    )
    write(
        landing,
        "form_submissions/dt=2024-05-02/hubspot__3f1c2a8e-5b6d-4c1e-9a7f-0d2b4e6a8c01-009.jsonl",
        hubspot,
    )
    write(landing, "form_submissions/dt=2024-05-02/typeform-009.jsonl", tf + "\n" + tf + "\n")
    write(
        landing,
        "form_submissions/dt=2024-05-02/post__newsletter-footer-009.txt",
        "email=bad&submitted_at=2024-05-02T08:00:00Z\n{broken\n"
        "email=ok%40x.io&submitted_at=2024-05-02T08:00:00Z\n"
        "email=ok%40x.io&submitted_at=2024-05-02T08:00:00Z\n",
    )
    ingest_source("form_submissions", landing_dir=landing, warehouse_path=wh)
    assert [(Path(f).name, line, r) for f, line, r in quarantined(wh, "form_submissions")] == [
        (
            "hubspot__3f1c2a8e-5b6d-4c1e-9a7f-0d2b4e6a8c01-009.jsonl",
            1,
            "missing_required_field:email",
        ),
        ("post__newsletter-footer-009.txt", 1, "invalid_email"),
        ("post__newsletter-footer-009.txt", 2, "malformed_json"),
    ]
    assert manifest(wh, "form_submissions/dt=2024-05-02/typeform-009.jsonl") == (
        2,
        1,
        1,
        0,
        "loaded",
    )
    # same form, email and time → same hashed submission_id → duplicate
    assert manifest(wh, "form_submissions/dt=2024-05-02/post__newsletter-footer-009.txt") == (
        4,
        1,
        1,
        2,
        "loaded",
    )


def test_csv_reasons(paths):
    landing, wh = paths
    rel = "lead_lists/dt=2024-05-02/purchased__q2_fintech.csv"
    write(
        landing,
        rel,
        "email,first_name,company\n"
        "ok@x.co,A,X\n"
        ",B,Y\n"
        "bad-email,C,Z\n"
        'd@x.co,D,"Unclosed\n'
        'e@x.co,E,"Multi\n'
        'line co"\n'
        "f@x.co,F\n",
    )
    write(
        landing,
        "crm_deals/dt=2024-05-02/hubspot_deals-009.csv",
        "deal_id,contact_email,dealstage,createdate,closedate\n"
        ",a@b.co,closedwon,2024-04-01,2024-04-02\n"
        "7,a@b.co,closedwon,2024-04-01,not-a-date\n"
        "8,a@b.co,closedwon,2024-04-01,2024-04-02\n"
        "8,a@b.co,closedwon,2024-04-01,2024-04-02\n"
        "8,a@b.co,closedlost,2024-04-01,2024-04-03\n",
    )
    ingest_source("lead_lists", landing_dir=landing, warehouse_path=wh)
    ingest_source("crm_deals", landing_dir=landing, warehouse_path=wh)
    assert quarantined(wh, "lead_lists") == [
        (rel, 3, "missing_required_field:email"),
        (rel, 4, "invalid_email"),
        (rel, 5, "malformed_csv_row"),
        (rel, 8, "malformed_csv_row"),
    ]
    with connect(wh, read_only=True) as con:
        listed = con.execute(
            "select email, _line, payload->>'$.company' from raw.lead_lists order by _line"
        ).fetchall()
        deals = con.execute("select deal_id, payload->>'$.dealstage' from raw.crm_deals").fetchall()
    assert listed == [("ok@x.co", 2, "X"), ("e@x.co", 6, "Multi\nline co")]
    assert [r[2] for r in quarantined(wh, "crm_deals")] == [
        "missing_required_field:deal_id",
        "invalid_timestamp",
    ]
    # an identical re-export row is a duplicate; a changed version of the deal is kept
    assert sorted(deals) == [("8", "closedlost"), ("8", "closedwon")]
    assert manifest(wh, "crm_deals/dt=2024-05-02/hubspot_deals-009.csv") == (5, 2, 1, 2, "loaded")
    with connect(wh, read_only=True) as con:
        assert reconcile(con, "lead_lists").passed
        assert reconcile(con, "crm_deals").passed
