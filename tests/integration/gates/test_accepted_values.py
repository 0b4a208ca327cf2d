"""Issue 11 item 3: one list of accepted values, read by the dbt accepted_values tests, the
staging model and the great-expectations suites; an unknown-but-well-formed event name is a
WARN and an ``other`` mapping, never a block.

Real path: the email format fixtures plus two documented events — SendGrid's
``group_resubscribe`` (SendGrid Event Webhook reference, "Group Resubscribe") and Mailgun's
``rejected`` (Mailgun Events API, event types) — are ingested, ``dbt build`` builds and tests
``stg_email__events``, then the staging suites run on it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.transform.dbt_runner import run_dbt

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "formats" / "landing" / "email_events"

# SendGrid Event Webhook reference: the group_resubscribe example (ids shortened)
SENDGRID_RESUBSCRIBE = {
    "email": "example@test.com",
    "timestamp": 1714560000,
    "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
    "event": "group_resubscribe",
    "category": "cat facts",
    "sg_event_id": "cmVzdWJzY3JpYmUtMQ==",
    "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    "useragent": "Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322)",
    "ip": "255.255.255.255",
    "url": "http://www.sendgrid.com/",
    "asm_group_id": 10,
}
# Mailgun Events API: a "rejected" event (Mailgun refused to send the message)
MAILGUN_REJECTED = {
    "signature": {"timestamp": "1714560100", "token": "tok", "signature": "sig"},
    "event-data": {
        "event": "rejected",
        "id": "rej-7a2f9c",
        "timestamp": 1714560100.25,
        "recipient": "bob@globex.com",
        "reject": {"reason": "Sandbox subdomains are for test purposes only"},
        "message": {"headers": {"message-id": "20240501110000.1.REJ@mg.acme.io"}},
        "tags": ["launch"],
    },
}


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """raw.email_events loaded from the fixtures + the two documented events, then
    ``dbt build --select stg_email__events`` (the view and its dbt tests)."""
    from orchestration.ingestion.ingest import ingest_source

    base = tmp_path_factory.mktemp("accepted")
    landing = base / "landing"
    shutil.copytree(FIXTURES, landing / "email_events")
    day = landing / "email_events" / "dt=2024-05-02"
    day.mkdir()
    (day / "sendgrid-001.json").write_text(json.dumps([SENDGRID_RESUBSCRIBE]))
    (day / "mailgun-001.jsonl").write_text(json.dumps(MAILGUN_REJECTED) + "\n")
    warehouse = base / "wh.duckdb"
    report = ingest_source("email_events", landing_dir=landing, warehouse_path=warehouse)
    assert not report.failed
    dbt = run_dbt(
        ["build", "--select", "stg_email__events", "--exclude-resource-type", "unit_test"],
        base,
        warehouse,
        check=False,
    )
    return warehouse, dbt


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_dbt_accepts_the_documented_events_and_maps_unknown_ones_to_other(staged):
    warehouse, dbt = staged
    assert dbt.returncode == 0, dbt.tail(60)
    accepted = {
        node: status
        for node, status in dbt.statuses().items()
        if node.startswith("test.leadhouse.accepted_values_stg_email__events_event_type")
    }
    assert list(accepted.values()) == ["pass"], accepted
    rows = _rows(
        warehouse,
        "select provider, source_event_name, event_type from staging.stg_email__events "
        "where provider_event_id in ('cmVzdWJzY3JpYmUtMQ==', 'rej-7a2f9c') order by 1",
    )
    assert rows == [
        ("mailgun", "rejected", "other"),
        ("sendgrid", "group_resubscribe", "group_resubscribe"),
    ]


def test_great_expectations_accepts_them_and_warns_about_the_unknown_name(staged):
    from orchestration.quality.runner import run_check
    from orchestration.quality.suites import all_checks
    from orchestration.quality.thresholds import load_thresholds

    warehouse, _dbt = staged
    specs = {
        s.name: s for s in all_checks(load_thresholds()) if s.asset_key == ("stg_email__events",)
    }
    valid = run_check(specs["staging_valid"], warehouse)
    assert valid.passed, valid.message
    unmapped = run_check(specs["staging_unmapped"], warehouse)
    assert specs["staging_unmapped"].severity == "WARN"
    assert not unmapped.passed
    assert "every source_event_name maps to a canonical event_type" in unmapped.message
    assert unmapped.failures[0]["unexpected_count"] == 1
    sample = unmapped.failures[0]["sample"]
    assert [(r["source_event_name"], r["events"]) for r in sample] == [("rejected", 1)]


def test_one_list_for_dbt_great_expectations_and_ingestion():
    """The dbt test's values, the GX value set and the dbt var are the same list, and every
    SendGrid event name ingestion accepts has a canonical type in it."""
    import yaml

    from orchestration.ingestion.formats.email_common import EVENT_NAMES
    from orchestration.quality.thresholds import dbt_vars, load_thresholds

    listed = dbt_vars()["email_event_types"]
    gx = load_thresholds().tables.staging["email_events"].event_type.values
    assert gx == listed
    model_yml = yaml.safe_load(
        (REPO / "dbt_project/models/staging/email/stg_email__events.yml").read_text()
    )
    column = next(c for c in model_yml["models"][0]["columns"] if c["name"] == "event_type")
    tests = [t for t in column["data_tests"] if isinstance(t, dict) and "accepted_values" in t]
    assert tests[0]["accepted_values"]["arguments"]["values"] == "{{ var('email_event_types') }}"
    renamed = {"bounce": "bounce_hard", "spamreport": "spam_report"}
    for name in EVENT_NAMES["sendgrid"]:
        assert renamed.get(name, name) in listed, name
