"""The tiny sample: determinism, formats, dirty manifest, truth file, extra day."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest

from orchestration.config import SEEDS_DIR
from orchestration.sample_data import generate
from orchestration.sample_data.render_tables import HUBSPOT_HEADER, LIST_HEADER, SALESFORCE_HEADER

SOURCES = {"web_events", "email_events", "form_submissions", "lead_lists", "crm_deals"}


def _json_lines(path: Path):
    """Yield (parsed or None) per line of a JSONL file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            yield None


def _scan(root: Path) -> dict[str, dict]:
    """Parse every landed file in its declared format: rows, malformed lines, ids."""
    found: dict[str, dict] = {}
    for path in sorted(root.glob("*/dt=*/*")):
        rel = str(path.relative_to(root))
        name = path.name
        info = {"rows": 0, "malformed": 0, "ids": []}
        if name.startswith("sendgrid-"):
            events = json.loads(path.read_text())  # one JSON array; must parse whole
            assert isinstance(events, list)
            info["rows"] = len(events)
            info["ids"] = [e.get("sg_event_id") for e in events]
        elif name.endswith(".jsonl"):
            for obj in _json_lines(path):
                if obj is None:
                    info["rows"] += 1
                    info["malformed"] += 1
                elif "batch" in obj:
                    assert 2 <= len(obj["batch"]) <= 100
                    info["rows"] += len(obj["batch"])
                    info["ids"] += [m.get("messageId") for m in obj["batch"]]
                else:
                    info["rows"] += 1
                    if name.startswith("segment-"):
                        info["ids"].append(obj.get("messageId"))
                    elif name.startswith("typeform-"):
                        info["ids"].append(obj["form_response"]["token"])
                    elif name.startswith("ses-"):
                        inner = json.loads(obj["Message"])  # Message is a JSON *string*
                        assert "eventType" in inner and "mail" in inner
                        info["ids"].append(obj.get("MessageId"))
                    elif name.startswith("mailgun-"):
                        assert set(obj) == {"signature", "event-data"}
                        info["ids"].append(obj["event-data"].get("id"))
                    elif name.startswith("hubspot__"):
                        assert obj["submittedAt"].isdigit() and "fields" in obj
                        info["ids"].append(line_key(obj))
        elif name.endswith(".txt"):
            for line in path.read_text().splitlines():
                fields = parse_qs(line, keep_blank_values=True)
                assert "anonymous_id" in fields and "submitted_at" in fields
                info["rows"] += 1
                info["ids"].append(line)
        elif name.endswith(".csv"):
            with path.open(newline="") as handle:
                rows = list(csv.reader(handle))
            header, body = rows[0], rows[1:]
            info["rows"] = len(body)
            info["malformed"] = sum(1 for r in body if len(r) != len(header))
            info["ids"] = [tuple(r) for r in body]
        else:
            pytest.fail(f"unexpected file {rel}")
        found[rel] = info
    return found


def line_key(obj: dict) -> str:
    return json.dumps(obj, sort_keys=True)


@pytest.fixture(scope="module")
def scanned(tiny):
    return _scan(tiny[0])


@pytest.fixture(scope="module")
def manifest(tiny):
    return json.loads((tiny[0] / "_truth" / "dirty_manifest.json").read_text())


def test_layout_and_report(tiny):
    root, report = tiny
    assert {p.name for p in root.iterdir()} == SOURCES | {"_truth"}
    days = sorted(p.name for p in (root / "web_events").iterdir())
    assert len(days) == 90 and days[0] == "dt=2026-08-03" and days[-1] == "dt=2026-10-31"
    assert report.leads == 500 and report.truth_written
    assert 20_000 <= report.rows["web_events"] <= 50_000
    assert set(report.rows) == SOURCES
    assert all(report.rows[s] > 0 for s in SOURCES)


def test_same_seed_same_bytes_other_seed_differs(tiny, tmp_path, checksum_of):
    checksums = checksum_of
    again = tmp_path / "again"
    generate("tiny", 42, again)
    assert checksums(again) == checksums(tiny[0])
    other = tmp_path / "other"
    generate("tiny", 7, other)
    a, b = checksums(other), checksums(tiny[0])
    assert a["_truth/leads.csv"] != b["_truth/leads.csv"]
    common = set(a) & set(b)
    assert sum(a[k] != b[k] for k in common) > 0.9 * len(common)


def test_every_file_parses_and_rows_match_manifest(scanned, manifest):
    assert set(scanned) == set(manifest["files"])
    for rel, info in scanned.items():
        entry = manifest["files"][rel]
        assert info["rows"] == entry["rows"], rel
        expected_bad = entry["dirty"].get("malformed_json", 0) + entry["dirty"].get(
            "malformed_csv_row", 0
        )
        assert info["malformed"] == expected_bad, rel
    total_malformed = sum(i["malformed"] for i in scanned.values())
    assert total_malformed == sum(
        v.get("malformed_json", 0) + v.get("malformed_csv_row", 0)
        for v in manifest["totals"].values()
    )
    assert total_malformed > 0


def test_duplicates_match_manifest(scanned, manifest):
    """Resent duplicates share the id of an earlier record of the same day and source."""
    by_day: dict[tuple[str, str], list] = {}
    expected: Counter = Counter()
    for rel, info in scanned.items():
        _source, day, name = rel.split("/")
        if name.startswith(("segment-", "sendgrid-", "typeform-", "mailgun-", "ses-")):
            fmt = name.split("-")[0]
            by_day.setdefault((fmt, day), []).extend(i for i in info["ids"] if i is not None)
            expected[fmt] += manifest["files"][rel]["dirty"].get("duplicate", 0)
    found: Counter = Counter()
    for (fmt, _), ids in by_day.items():
        found[fmt] += sum(n - 1 for n in Counter(ids).values() if n > 1)
    for fmt in ("segment", "sendgrid"):
        assert expected[fmt] > 0
    # missing messageIds are excluded above; a resent message may itself lack nothing else
    assert found == +expected


def test_dirty_kinds_present(manifest):
    web = manifest["totals"]["web_events"]
    for kind in (
        "malformed_json",
        "duplicate",
        "late_event",
        "clock_skew",
        "bot_user_agent",
        "unknown_event_type",
        "oversized_payload",
        "missing_required_field:messageId",
    ):
        assert web.get(kind, 0) > 0, kind
    dirty = sum(v for k, v in web.items() if k != "rows")
    assert 0.005 < dirty / web["rows"] < 0.02  # ~1 % by default


def test_oversized_and_unknown_types_are_real(tiny):
    root = tiny[0]
    big = types = 0
    for path in (root / "web_events").rglob("*.jsonl"):
        for line in path.read_text().splitlines():
            big += len(line.encode()) > 32 * 1024
            types += '"type":"screen"' in line or '"type":"group"' in line
    m = json.loads((root / "_truth" / "dirty_manifest.json").read_text())["totals"]["web_events"]
    assert big == m["oversized_payload"]
    assert types == m["unknown_event_type"]


def test_truth_file(tiny):
    root = tiny[0]
    truth = pd.read_csv(root / "_truth" / "leads.csv")
    assert list(truth.columns) == [
        "email",
        "lead_id",
        "propensity",
        "persona",
        "became_opportunity",
        "opportunity_at",
        "became_customer",
        "customer_at",
        "journey_phase",
    ]
    assert len(truth) == 500 and truth.email.is_unique
    assert set(truth.journey_phase) == {"awareness", "consideration", "decision"}
    assert truth.propensity.between(0, 1).all()
    assert (
        truth.lead_id
        == truth.email.map(lambda e: hashlib.sha256(e.strip().lower().encode()).hexdigest())
    ).all()
    assert set(truth.persona) >= {"student", "competitor", "revenue_leader"}
    assert not truth[truth.persona.isin(["student", "competitor"])].became_opportunity.any()
    # customers are a subset of opportunities, dated after them
    cust = truth[truth.became_customer]
    assert cust.became_opportunity.all()
    assert (pd.to_datetime(cust.customer_at) > pd.to_datetime(cust.opportunity_at)).all()


def test_higher_propensity_converts_more(tiny):
    truth = pd.read_csv(tiny[0] / "_truth" / "leads.csv")
    q = pd.qcut(truth.propensity, 5, labels=False)
    rate = truth.groupby(q).became_opportunity.mean()
    assert rate[4] > rate[0] + 0.15
    assert rate[4] > rate[1] and rate[3] > rate[0]


def test_behaviour_reveals_propensity(tiny):
    """Leads who ask for a demo / sales / trial have a higher propensity than the rest."""
    root = tiny[0]
    catalog = pd.read_csv(SEEDS_DIR / "form_catalog.csv")
    bofu = set(
        catalog[catalog.form_type.isin(["demo_request", "contact_sales", "free_trial"])].form_id
    )
    truth = pd.read_csv(root / "_truth" / "leads.csv").set_index("email")
    emails = set()
    for path in (root / "form_submissions").rglob("hubspot__*.jsonl"):
        guid = path.name[len("hubspot__") : -len("-001.jsonl")]
        if guid in bofu:
            for obj in _json_lines(path):
                if obj:
                    emails |= {f["value"] for f in obj["fields"] if f["name"] == "email"}
    known = [e for e in emails if e in truth.index]
    assert len(known) >= 20
    assert truth.loc[known].propensity.mean() > truth.propensity.mean() + 0.1


def test_forms_follow_seed_catalog(tiny):
    root = tiny[0]
    catalog = pd.read_csv(SEEDS_DIR / "form_catalog.csv")
    hub = set(catalog[catalog.provider == "hubspot"].form_id)
    post = set(catalog[catalog.provider == "post"].form_id)
    tf = set(catalog[catalog.provider == "typeform"].form_id)
    for path in (root / "form_submissions").rglob("*"):
        if path.name.startswith("hubspot__"):
            assert path.name[9:-10] in hub
        elif path.name.startswith("post__"):
            assert path.name[6:-8] in post
    for path in (root / "form_submissions").rglob("typeform-*.jsonl"):
        for obj in _json_lines(path):
            if obj:
                assert obj["form_response"]["form_id"] in tf
                assert obj["form_response"]["hidden"]["anonymous_id"]


def test_csv_headers_follow_contract(tiny):
    root = tiny[0]
    for path in (root / "crm_deals").rglob("*.csv"):
        header = path.read_text().splitlines()[0].split(",")
        assert header == (HUBSPOT_HEADER if path.name.startswith("hubspot") else SALESFORCE_HEADER)
    kinds = set()
    for path in (root / "lead_lists").rglob("*.csv"):
        kinds.add(path.name.split("__")[0])
        assert path.read_text().splitlines()[0].split(",")[: len(LIST_HEADER)] == LIST_HEADER
    assert kinds == {"purchased", "tradeshow", "referral"}


def test_crm_mixed_case_emails_resolve_to_truth(tiny):
    root = tiny[0]
    truth = set(pd.read_csv(root / "_truth" / "leads.csv").email)
    emails = []
    for path in (root / "crm_deals").rglob("hubspot_deals-*.csv"):
        emails += list(pd.read_csv(path).contact_email)
    for path in (root / "crm_deals").rglob("salesforce_opportunities-*.csv"):
        emails += list(pd.read_csv(path).Lead_Email__c)
    assert emails and all(e.strip().lower() in truth for e in emails)
    assert any(e != e.lower() for e in emails)


def test_extra_day_writes_only_that_day(tiny, tmp_path, checksum_of):
    checksums = checksum_of
    root = tmp_path / "landing"
    shutil.copytree(tiny[0], root)
    before = checksums(root)
    report = generate("tiny", 42, root, days=1, start_date=date(2026, 11, 1))
    after = checksums(root)
    changed = {k for k in after if before.get(k) != after[k]}
    assert not report.truth_written
    assert changed - {"_truth/dirty_manifest.json"} == set(report.files)
    assert report.files and all("/dt=2026-11-01/" in f for f in report.files)
    assert {f.split("/")[0] for f in report.files} >= {"web_events", "form_submissions"}
    manifest = json.loads((root / "_truth" / "dirty_manifest.json").read_text())
    assert set(report.files) <= set(manifest["files"])


def test_one_window_day_alone_reproduces_the_full_run(tiny, tmp_path, checksum_of):
    checksums = checksum_of
    generate("tiny", 42, tmp_path, days=1, start_date=date(2026, 9, 15))
    alone = {k: v for k, v in checksums(tmp_path).items() if "/dt=" in k}
    full = checksums(tiny[0])
    assert alone and all(full[k] == v for k, v in alone.items())
    assert len(alone) == sum(1 for k in full if "/dt=2026-09-15/" in k)


def test_chunked_block_order_gives_the_same_bytes(tmp_path, monkeypatch, checksum_of):
    """The large-scale path (several chunks, no cache, days in blocks) writes the same files
    as the cached day-by-day path."""
    from orchestration.sample_data import engine, scales

    spec = scales.SCALES["tiny"].model_copy(update={"chunk_leads": 180})
    monkeypatch.setitem(scales.SCALES, "tiny", spec)
    monkeypatch.setattr(engine, "SCALES", scales.SCALES)
    generate("tiny", 5, tmp_path / "a", days=5, start_date=date(2026, 10, 1))
    monkeypatch.setattr(engine, "CACHE_LEADS", 0)
    monkeypatch.setattr(engine, "DAYS_PER_BLOCK", 3)
    generate("tiny", 5, tmp_path / "b", days=5, start_date=date(2026, 10, 1))
    a, b = checksum_of(tmp_path / "a"), checksum_of(tmp_path / "b")
    assert len(a) > 20 and a == b
