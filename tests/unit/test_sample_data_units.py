"""Unit tests of the generator's building blocks (fast, no full generation)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np

from orchestration import cli
from orchestration.sample_data import clock, dirty
from orchestration.sample_data.catalog import load_catalog
from orchestration.sample_data.population import PopulationChunk, company_identity
from orchestration.sample_data.writer import RotatingWriter


def test_iso_formats_and_rolls_over_days():
    o = date(2026, 10, 31).toordinal()
    assert clock.iso(o, 0) == "2026-10-31T00:00:00.000Z"
    assert clock.iso(o, 3_723_004) == "2026-10-31T01:02:03.004Z"
    assert clock.iso(o, 86_400_000 + 1) == "2026-11-01T00:00:00.001Z"
    assert clock.iso(o, -1) == "2026-10-30T23:59:59.999Z"
    assert clock.epoch_s(o, 0) == 1793404800
    assert clock.ip_str(0x0A000001) == "10.0.0.1"


def test_dirty_email_helpers():
    picker = dirty.DirtyPicker(1.0, np.random.default_rng(1))
    for _ in range(20):
        bad = dirty.invalid_email("jane.doe@acme.com", picker)
        _local, at, domain = bad.partition("@")
        assert not (at and "." in domain)  # fails a basic x@y.tld check
        mixed = dirty.mixed_case_email("jane.doe@acme.com", picker)
        assert mixed != "jane.doe@acme.com" and mixed.strip().lower() == "jane.doe@acme.com"


def test_picker_rate_and_determinism():
    a = dirty.DirtyPicker(0.1, np.random.default_rng(5))
    b = dirty.DirtyPicker(0.1, np.random.default_rng(5))
    kinds_a = [a.pick("segment") for _ in range(20_000)]
    assert kinds_a == [b.pick("segment") for _ in range(20_000)]
    share = sum(k is not None for k in kinds_a) / len(kinds_a)
    assert 0.09 < share < 0.11
    assert {k for k in kinds_a if k} <= {k for k, _ in dirty.KINDS["segment"]}
    assert dirty.DirtyPicker(0.0, np.random.default_rng(5)).pick("segment") is None


def test_malformed_line_never_parses():
    picker = dirty.DirtyPicker(1.0, np.random.default_rng(2))
    line = json.dumps({"type": "page", "messageId": "x", "properties": {"a": [1, 2]}}).encode()
    for _ in range(200):
        cut = dirty.malformed(line, picker)
        try:
            json.loads(cut)
        except json.JSONDecodeError:
            continue
        raise AssertionError(cut)


def test_writer_rotates_and_keeps_arrays_valid(tmp_path):
    manifest: dict = {}
    w = RotatingWriter(
        tmp_path, "email_events/dt=2026-10-31", "sendgrid", "json", "array", 3, manifest
    )
    for k in range(7):
        w.write(json.dumps({"n": k}).encode(), 1, "duplicate" if k == 4 else None)
    w.close()
    files = sorted((tmp_path / "email_events" / "dt=2026-10-31").iterdir())
    assert [f.name for f in files] == [
        "sendgrid-001.json",
        "sendgrid-002.json",
        "sendgrid-003.json",
    ]
    assert [len(json.loads(f.read_text())) for f in files] == [3, 3, 1]
    stats = {k: v.as_dict() for k, v in manifest.items()}
    assert stats["email_events/dt=2026-10-31/sendgrid-002.json"]["dirty"] == {"duplicate": 1}


def test_batch_rows_count_towards_rotation(tmp_path):
    manifest: dict = {}
    w = RotatingWriter(
        tmp_path, "web_events/dt=2026-10-31", "segment", "jsonl", "lines", 5, manifest
    )
    w.write(b'{"batch":[1,2,3,4]}', 4)
    w.write(b'{"a":1}', 1)
    w.write(b'{"a":2}', 1)
    w.close()
    assert {k: v.rows for k, v in manifest.items()} == {
        "web_events/dt=2026-10-31/segment-001.jsonl": 5,
        "web_events/dt=2026-10-31/segment-002.jsonl": 1,
    }


def test_catalog_reads_both_seeds():
    cat = load_catalog()
    assert {"demo_request", "newsletter", "pricing_question"} <= set(cat.forms_by_type)
    assert cat.paths["pricing"] == ["/pricing"]
    assert all(p.startswith("/blog/") for p in cat.paths["blog"])
    assert "careers" in cat.categories and len(cat.category_weights) == len(cat.categories)


def test_company_domains_are_unique():
    domains = [company_identity(g)[1] for g in range(60_000)]
    assert len(set(domains)) == len(domains)


def test_population_chunk_is_deterministic_and_plausible():
    a = PopulationChunk(3, 0, 0, 2000, 90)
    b = PopulationChunk(3, 0, 0, 2000, 90)
    assert a.email == b.email and np.array_equal(a.propensity, b.propensity)
    assert len(set(a.email)) == 2000
    assert ((a.propensity >= 0) & (a.propensity <= 1)).all()
    students = a.kind == 1
    assert students.any() and a.is_free[students].all()
    assert a.propensity[students].mean() < 0.05
    purchased = a.origin == 1
    assert a.propensity[purchased].mean() < a.propensity[a.origin == 0].mean()


def test_cli_generates_one_day(tmp_path, capsys):
    rc = cli.main(
        [
            "generate",
            "--scale",
            "tiny",
            "--seed",
            "3",
            "--out",
            str(tmp_path),
            "--end-date",
            "2026-10-31",
            "--only-day",
            "2026-11-03",
        ]
    )
    assert rc == 0
    assert "web_events" in capsys.readouterr().out
    dirs = {p.parent.name for p in tmp_path.rglob("*.json*") if p.parent.name.startswith("dt=")}
    assert dirs == {"dt=2026-11-03"}
    assert not (tmp_path / "_truth" / "leads.csv").exists()
