"""Segment's official Python library, analytics.js-style posts and the limits, against a real
collector; form posts; health and metrics."""

from __future__ import annotations

import base64
import gzip
import json
from urllib.parse import parse_qsl

import requests
from segment.analytics.client import Client

from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.warehouse import connect
from tests.integration.collect.conftest import WRITE_KEY, fixture_lines, start_collector

AUTH = (WRITE_KEY, "")


def segment_client(url: str, write_key: str = WRITE_KEY, errors: list | None = None) -> Client:
    return Client(
        write_key,
        host=url,
        gzip=True,
        max_retries=0,
        upload_interval=0.05,
        on_error=(lambda exc, batch: errors.append((exc, batch))) if errors is not None else None,
    )


def test_official_client_calls_land_and_ingest(collector, tmp_path):
    client = segment_client(collector.url)
    client.page(
        anonymous_id="anon-7", name="Pricing", properties={"path": "/pricing"}, message_id="m-1"
    )
    client.track(
        anonymous_id="anon-7", event="CTA Clicked", properties={"cta": "demo"}, message_id="m-2"
    )
    client.identify(anonymous_id="anon-7", traits={"email": "jane@acme.example"}, message_id="m-3")
    client.alias(previous_id="anon-7", user_id="jane@acme.example", message_id="m-4")
    client.flush()
    client.join()
    collector.stop()

    ((path, lines),) = collector.landed().items()
    assert path.startswith("web_events/dt=") and path.split("/")[-1].startswith("segment-")
    assert path.endswith(".jsonl")
    messages = [json.loads(line) for line in lines]
    assert [(m["messageId"], m["type"]) for m in messages] == [
        ("m-1", "page"),
        ("m-2", "track"),
        ("m-3", "identify"),
        ("m-4", "alias"),
    ]
    assert all(m["receivedAt"].endswith("Z") and m["sentAt"] for m in messages)
    text = (collector.landing / path).read_text()
    assert WRITE_KEY not in text and "writeKey" not in text  # the key is never written

    warehouse = tmp_path / "wh.duckdb"
    report = ingest_all(["web_events"], landing_dir=collector.landing, warehouse_path=warehouse)
    assert (report["web_events"].rows_loaded, report["web_events"].rows_quarantined) == (4, 0)
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select message_id, event_type, anonymous_id, user_id from raw.web_events order by 1"
        ).fetchall()
    assert rows == [
        ("m-1", "page", "anon-7", None),
        ("m-2", "track", "anon-7", None),
        ("m-3", "identify", "anon-7", None),
        ("m-4", "alias", None, "jane@acme.example"),
    ]


def test_bad_write_key_is_refused_and_nothing_written(collector):
    errors: list = []
    client = segment_client(collector.url, write_key="wrong-key", errors=errors)
    client.track(anonymous_id="anon-1", event="Signed Up")
    client.flush()
    client.join()
    assert [(e.status, e.code) for e, _ in errors] == [(401, "invalid_write_key")]
    r = requests.post(f"{collector.url}/v1/track", json={"anonymousId": "a", "event": "x"})
    assert (r.status_code, r.json()["code"]) == (401, "invalid_write_key")
    collector.stop()
    assert collector.all_files() == []


def test_analytics_js_style_posts_with_write_key_in_body(collector):
    """analytics.js posts text/plain bodies carrying writeKey to /v1/<t|p|i|a|b>."""
    body = {
        "writeKey": WRITE_KEY,
        "anonymousId": "anon-js",
        "event": "CTA Clicked",
        "messageId": "js-1",
    }
    r = requests.post(
        f"{collector.url}/v1/t",
        data=json.dumps(body),
        headers={"Content-Type": "text/plain", "Origin": "https://acme.example"},
    )
    assert r.status_code == 200 and r.json() == {"success": True}
    assert r.headers["access-control-allow-origin"] == "*"
    batch = {
        "writeKey": WRITE_KEY,
        "sentAt": "2026-05-01T10:00:00.000Z",
        "batch": [
            {
                "type": "page",
                "anonymousId": "anon-js",
                "messageId": "js-2",
                "properties": {"path": "/"},
            }
        ],
    }
    assert requests.post(f"{collector.url}/v1/b", data=json.dumps(batch)).status_code == 200
    pre = requests.options(
        f"{collector.url}/v1/batch",
        headers={"Origin": "https://acme.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200
    collector.stop()
    ((_, lines),) = collector.landed().items()
    messages = [json.loads(line) for line in lines]
    assert [(m["messageId"], m["type"]) for m in messages] == [("js-1", "track"), ("js-2", "page")]
    assert messages[1]["sentAt"] == "2026-05-01T10:00:00.000Z"
    assert all("writeKey" not in m for m in messages)


def test_limits_answer_400_413_and_nothing_is_written(collector):
    url = f"{collector.url}/v1/batch"
    big_event = {
        "type": "track",
        "anonymousId": "a",
        "event": "x",
        "properties": {"blob": "x" * 33_000},
    }
    r = requests.post(url, json={"batch": [big_event]}, auth=AUTH)
    assert (r.status_code, r.json()["code"]) == (400, "event_too_large")
    many = [
        {"type": "track", "anonymousId": "a", "event": "x", "properties": {"b": "y" * 20_000}}
    ] * 30
    r = requests.post(url, json={"batch": many}, auth=AUTH)  # ~600 KB
    assert (r.status_code, r.json()["code"]) == (400, "batch_too_large")
    r = requests.post(url, data=b"x" * (1024 * 1024 + 1), auth=AUTH)
    assert (r.status_code, r.json()["code"]) == (413, "body_too_large")
    bomb = gzip.compress(b" " * (2 * 1024 * 1024))  # 2 MB once inflated
    r = requests.post(url, data=bomb, headers={"Content-Encoding": "gzip"}, auth=AUTH)
    assert (r.status_code, r.json()["code"]) == (413, "body_too_large")
    r = requests.post(url, data=b"{not json", auth=AUTH)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_json")
    r = requests.post(url, json={"batch": "nope"}, auth=AUTH)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_batch")
    collector.stop()
    assert collector.all_files() == []


def test_queue_and_disk_bounds_answer_429_with_retry_after(tmp_path, keys):
    event = {"batch": [{"type": "track", "anonymousId": "a", "event": "x", "messageId": "q-1"}]}
    small_queue = start_collector(tmp_path / "q", keys, max_queue_bytes=16)
    try:
        r = requests.post(f"{small_queue.url}/v1/batch", json=event, auth=AUTH)
        assert (r.status_code, r.json()["code"], r.headers["retry-after"]) == (
            429,
            "queue_full",
            "1",
        )
    finally:
        small_queue.stop()
    assert small_queue.all_files() == []
    full_disk = start_collector(tmp_path / "d", keys, min_free_bytes=10**18)
    try:
        r = requests.post(f"{full_disk.url}/v1/batch", json=event, auth=AUTH)
        assert (r.status_code, r.json()["code"], r.headers["retry-after"]) == (
            429,
            "disk_full",
            "30",
        )
        metrics = requests.get(f"{full_disk.url}/metrics").text
        assert 'leadhouse_collector_rejections_total{reason="disk_full"} 1' in metrics
    finally:
        full_disk.stop()
    assert full_disk.all_files() == []


def test_form_posts_land_and_ingest(collector, tmp_path):
    (hubspot_line,) = fixture_lines("hubspot__c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04-001.jsonl")
    guid = "c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04"
    r = requests.post(
        f"{collector.url}/submissions/v3/integration/submit/123456/{guid}",
        data=hubspot_line,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200 and "inlineMessage" in r.json()
    # what a plain <form method="post"> sends: no timestamp, a multi-select, a checkbox
    form = "email=ana%40vandelay.example&first_name=Ana&interest=pricing&interest=demo&consent=on"
    r = requests.post(
        f"{collector.url}/forms/contact-us",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200
    r = requests.post(f"{collector.url}/forms/contact-us", json={"email": "bo@globex.example"})
    assert r.status_code == 200
    r = requests.post(f"{collector.url}/forms/..%2Fetc", data="email=x%40y.example")
    assert r.status_code in (400, 404)
    collector.stop()

    landed = collector.landed()
    assert sorted(p.split("/")[-1].rsplit("-", 1)[0] for p in landed) == [
        f"hubspot__{guid}",
        "post__contact-us",
    ]
    post_lines = next(lines for p, lines in landed.items() if "/post__" in p)
    fields = dict(parse_qsl(post_lines[0]))
    assert fields["email"] == "ana@vandelay.example" and fields["submitted_at"].endswith("Z")
    assert json.loads(post_lines[1])["email"] == "bo@globex.example"

    warehouse = tmp_path / "wh.duckdb"
    report = ingest_all(
        ["form_submissions"], landing_dir=collector.landing, warehouse_path=warehouse
    )
    assert (
        report["form_submissions"].rows_loaded,
        report["form_submissions"].rows_quarantined,
    ) == (3, 0)
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select provider, form_id, email from raw.form_submissions order by email"
        ).fetchall()
    assert rows == [
        ("post", "contact-us", "ana@vandelay.example"),
        ("post", "contact-us", "bo@globex.example"),
        ("hubspot", guid, "jane@acme.com"),
    ]


def test_health_and_metrics(collector):
    assert requests.get(f"{collector.url}/health").json() == {
        "status": "ok",
        "open_files": 0,
        "queue_bytes": 0,
    }
    auth = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    batch = {
        "batch": [
            {"type": "track", "anonymousId": "a", "event": "e", "messageId": f"h-{i}"}
            for i in range(3)
        ]
    }
    body = json.dumps(batch).encode()
    r = requests.post(f"{collector.url}/v1/batch", data=body, headers={"Authorization": auth})
    assert r.status_code == 200
    assert requests.get(f"{collector.url}/health").json()["open_files"] == 1
    r = requests.get(f"{collector.url}/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    lines = set(r.text.splitlines())
    assert 'leadhouse_collector_requests_total{route="segment",status="200"} 1' in lines
    assert f'leadhouse_collector_request_bytes_total{{route="segment"}} {len(body)}' in lines
    assert 'leadhouse_collector_events_total{source="web_events"} 3' in lines
    assert "# TYPE leadhouse_collector_files_written_total counter" in lines
    collector.stop()
    assert collector.collector.metrics.value("files_written_total", source="web_events") == 1
