"""Each real-shaped fixture of tests/fixtures/formats parses to the expected raw values."""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.warehouse import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "landing"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    landing = root / "landing"
    shutil.copytree(FIXTURES, landing)
    warehouse = root / "wh.duckdb"
    reports = ingest_all(landing_dir=landing, warehouse_path=warehouse)
    assert all(r.rows_quarantined == 0 for r in reports.values())
    return warehouse


def rows(db, sql, params=None):
    with connect(db, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_segment_messages_and_batch_envelope(db):
    got = {
        r[0]: r[1:]
        for r in rows(
            db,
            "select message_id, event_type, anonymous_id, user_id, event_at, received_at, _line "
            "from raw.web_events",
        )
    }
    assert set(got) == {
        "ajs-022bb90c-bbac",
        "ajs-5c1e0f3a-77d2",
        "ajs-9d2f6b81-1c4e",
        "ajs-3b7a1e90-aa01",
        "ajs-b1-0001",
        "ajs-b1-0002",
        "rudder-7e1f-0001",
    }
    assert got["ajs-022bb90c-bbac"] == (
        "page",
        "507f191e810c19729de860ea",
        None,
        utc(2024, 5, 1, 10, 0, 3, 120000),
        utc(2024, 5, 1, 10, 0, 3, 410000),
        1,
    )
    # timestamp with an offset is converted to UTC
    assert got["ajs-5c1e0f3a-77d2"][0] == "track"
    assert got["ajs-5c1e0f3a-77d2"][3] == utc(2024, 5, 1, 10, 0, 5)
    assert got["ajs-9d2f6b81-1c4e"][:3] == ("identify", "507f191e810c19729de860ea", "u-1001")
    assert got["ajs-3b7a1e90-aa01"][:3] == ("alias", None, "u-1001")
    # batch members keep the envelope's line; event_at falls back to originalTimestamp, then receivedAt
    assert got["ajs-b1-0001"][3:] == (utc(2024, 5, 1, 11, 15), utc(2024, 5, 1, 11, 15, 1), 5)
    assert got["ajs-b1-0002"][3:] == (utc(2024, 5, 1, 11, 16), utc(2024, 5, 1, 11, 16), 5)
    assert got["rudder-7e1f-0001"][3] == utc(2024, 5, 1, 9, 30)
    # payload is one event (a member, not the envelope)
    payload = rows(db, "select payload from raw.web_events where message_id = 'ajs-b1-0002'")[0][0]
    assert json.loads(payload)["event"] == "CTA Clicked"


def test_load_metadata_columns(db):
    file_, line, loaded_at, batch, row_hash = rows(
        db,
        "select _file, _line, _loaded_at, _batch_id, _row_hash from raw.web_events "
        "where message_id = 'ajs-3b7a1e90-aa01'",
    )[0]
    assert file_ == "web_events/dt=2024-05-01/segment-001.jsonl"
    assert line == 4
    assert loaded_at.tzinfo is not None and batch
    # the key dedupes web events: no hash of the whole record is computed
    assert row_hash is None
    # a CRM export's key includes the record's hash (a changed re-export is a new version)
    hashes = rows(db, "select _row_hash from raw.crm_deals")
    assert hashes and all(len(h) == 64 for (h,) in hashes)


def test_sendgrid_array(db):
    got = rows(
        db,
        "select provider_event_id, event_name, email, occurred_at, _line, "
        "payload->>'$.sg_machine_open', json_array_length(payload->'$.category') "
        "from raw.email_events where provider = 'sendgrid' order by _line",
    )
    assert [g[:2] for g in got] == [
        ("ZGVsaXZlcmVkLTAtMTIz", "delivered"),
        ("b3Blbi0wLTEyMw==", "open"),
        ("kCAi1KttyQdEKHhdC-nuEA==", "click"),
        ("Ym91bmNlLTEtNDU2", "bounce"),
    ]
    assert got[1][5] == "true"  # sg_machine_open survives in the payload
    assert got[2][2:5] == ("jane@acme.com", utc(2024, 5, 1, 10, 0), 3)
    assert got[2][6] == 2  # category array kept as an array
    assert got[3][2] == "bob@globex.example"


def test_mailgun(db):
    got = rows(
        db,
        "select provider_event_id, event_name, email, occurred_at from raw.email_events "
        "where provider = 'mailgun' order by _line",
    )
    assert got == [
        (
            "-laxIqj9QWubsjY_3pTq_g",
            "opened",
            "mia@initech.example",
            utc(2024, 5, 1, 10, 1, 40, 512000),
        ),
        ("Ase7i2zsRYeDXztHGENqRA", "clicked", "mia@initech.example", utc(2024, 5, 1, 10, 3, 20)),
    ]


def test_ses_in_sns(db):
    got = rows(
        db,
        "select provider_event_id, event_name, email, occurred_at, "
        "payload->>'$.Message.mail.messageId' from raw.email_events "
        "where provider = 'ses' order by _line",
    )
    assert [g[1:] for g in got] == [
        ("Open", "liu@umbrella.example", utc(2024, 5, 1, 9, 5), "0100018f2b7c-ses-0001"),
        ("Bounce", "ghost@umbrella.example", utc(2024, 5, 1, 9, 0, 2), "0100018f2b7c-ses-0002"),
    ]
    # the SNS MessageId is the provider's event id
    assert [g[0] for g in got] == [
        "5a1b2c3d-0001-5e6f-8a9b-000000000001",
        "5a1b2c3d-0002-5e6f-8a9b-000000000002",
    ]


def test_forms(db):
    got = {
        r[0]: r[1:]
        for r in rows(
            db,
            "select provider, form_id, submission_id, email, submitted_at from raw.form_submissions",
        )
    }
    import hashlib

    hs_id = hashlib.sha256(
        b"c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04|jane@acme.com|1714557600000"
    ).hexdigest()
    assert got["hubspot"] == (
        "c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04",
        hs_id,
        "jane@acme.com",
        utc(2024, 5, 1, 10, 0),
    )
    assert got["typeform"] == (
        "g8hcyeXS",
        "x71for1wr6irs2rx",
        "raj@hooli.example",
        utc(2024, 5, 1, 10, 1, 10),
    )
    assert got["post"][0] == "contact-us-html"
    assert got["post"][2:] == ("ana@vandelay.example", utc(2024, 5, 1, 9, 31))
    payload = json.loads(
        rows(db, "select payload from raw.form_submissions where provider='post'")[0][0]
    )
    assert payload["company"] == "Vandelay Industries"
    assert payload["interest"] == ["pricing", "demo"]  # multi-select keeps both values
    assert payload["consent"] == "on"


def test_lead_list_csv(db):
    got = rows(
        db,
        "select list_kind, list_name, email, _line, payload->>'$.booth_notes' "
        "from raw.lead_lists order by _line",
    )
    assert got == [
        ("tradeshow", "saastr_2024", "tom@wayne.example", 2, "Asked about SSO, SCIM"),
        ("tradeshow", "saastr_2024", "lee@stark.example", 3, ""),
    ]


def test_crm_exports(db):
    got = rows(
        db,
        "select provider, deal_id, email, updated_at from raw.crm_deals order by provider, deal_id",
    )
    assert got == [
        ("hubspot", "9001", "jane@acme.com", utc(2024, 4, 28, 16, 0)),
        ("hubspot", "9002", "raj@hooli.example", utc(2024, 4, 20, 9, 30)),
        ("salesforce", "0065g00000AbCdEAAV", "tom@wayne.example", utc(2024, 3, 15, 10, 0)),
        ("salesforce", "0065g00000AbCdFAAV", "ana@vandelay.example", utc(2024, 4, 10)),
    ]
    stage = rows(
        db, "select payload->>'$.StageName' from raw.crm_deals where deal_id = '0065g00000AbCdFAAV'"
    )
    assert stage == [("Closed Lost",)]


def test_typed_columns_staging_reads(db):
    """Each provider's paths are read once, at load: the columns staging selects as they are."""
    web = dict(
        (r[0], r[1:])
        for r in rows(
            db,
            "select message_id, page_path, page_title, traits_email, traits_given_name "
            "from raw.web_events",
        )
    )
    assert web["ajs-022bb90c-bbac"] == ("/pricing", "Pricing | Acme", None, None)
    assert web["ajs-9d2f6b81-1c4e"] == (None, None, "Jane.Doe@Acme.com", "Jane")
    # a batch member's path from properties.path; a RudderStack page's from context.page
    assert web["ajs-b1-0001"][0] == "/blog/lead-scoring-101"
    assert web["rudder-7e1f-0001"][0] == "/demo"
    email = {
        (r[0], r[1]): r[2:]
        for r in rows(
            db,
            "select provider, provider_event_id, message_id, bounce_type, campaign, "
            "provider_machine_open from raw.email_events",
        )
    }
    assert email[("sendgrid", "b3Blbi0wLTEyMw==")] == (
        "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        None,
        "nurture",
        True,
    )
    assert email[("ses", "5a1b2c3d-0002-5e6f-8a9b-000000000002")] == (
        "0100018f2b7c-ses-0002",
        "Permanent",
        None,
        False,
    )
    assert email[("mailgun", "Ase7i2zsRYeDXztHGENqRA")][0] == "20240501100000.1.ABC@mg.acme.io"
    forms = {
        r[0]: r[1:]
        for r in rows(
            db,
            "select provider, first_name, company_name, consent, page_url, hidden_utm_source, "
            "form_title from raw.form_submissions",
        )
    }
    assert forms["hubspot"] == ("Jane", "Acme", "true", "https://acme.io/demo", None, "Book a demo")
    assert forms["post"] == ("Ana", "Vandelay Industries", "on", None, "google", None)
    assert forms["typeform"][-2:] == ("linkedin", "State of RevOps survey")
    crm = rows(
        db,
        "select deal_id, provider_stage, amount, created_on, closed_on from raw.crm_deals "
        "where deal_id in ('9001', '0065g00000AbCdFAAV') order by 1",
    )
    assert crm == [
        ("0065g00000AbCdFAAV", "Closed Lost", "5000", "2024-02-01T10:00:00Z", "2024-04-10"),
        ("9001", "closedwon", "24000", "2024-04-01T08:00:00Z", "2024-04-28T16:00:00Z"),
    ]


def test_reprocess_reproduces_the_load(db, tmp_path):
    """The stored payloads give back every typed column the load extracted (a warehouse made
    before a column existed gets it this way)."""
    from orchestration.ingestion.raw_columns import RAW_COLUMNS
    from orchestration.ingestion.reprocess import reprocess
    from orchestration.ingestion.sources import SOURCES

    copy = tmp_path / "wh.duckdb"
    shutil.copy(db, copy)
    with connect(copy) as con:
        before = {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in SOURCES}
        for table, columns in RAW_COLUMNS.items():
            blank = [c.name for c in columns if c.name not in SOURCES[table].key]
            con.execute(f"update raw.{table} set {', '.join(f'{c} = null' for c in blank)}")
        updated = reprocess(con)
        after = {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in SOURCES}
    assert updated == {t: len(before[t]) for t in SOURCES}
    assert after == before
