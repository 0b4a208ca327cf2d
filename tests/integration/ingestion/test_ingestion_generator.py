"""Generator ``tiny`` → ingestion: every file's counts match the generator's dirty manifest."""

import json

import pytest

from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.reconcile import reconcile
from orchestration.ingestion.warehouse import connect

QUARANTINED_KINDS = (
    "malformed_json",
    "malformed_csv_row",
    "missing_required_field:",
    "invalid_email",
    "unknown_event_type",
    "oversized_payload",
    "invalid_timestamp",
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, tiny_seed1_landing):
    root = tmp_path_factory.mktemp("gen_tiny")
    landing = tiny_seed1_landing
    warehouse = root / "wh.duckdb"
    reports = ingest_all(landing_dir=landing, warehouse_path=warehouse)
    truth = json.loads((landing / "_truth" / "dirty_manifest.json").read_text())
    return landing, warehouse, reports, truth


@pytest.mark.slow
def test_every_file_matches_the_dirty_manifest(tiny):
    _, warehouse, _, truth = tiny
    with connect(warehouse, read_only=True) as con:
        manifest = {
            r[0]: r[1:]
            for r in con.execute(
                "select path, rows_in, rows_duplicate, rows_quarantined, status "
                "from raw.load_manifest"
            ).fetchall()
        }
        quarantine: dict[str, dict[str, int]] = {}
        for path, reason, n in con.execute(
            "select _file, reason, count(*) from raw.quarantine group by all"
        ).fetchall():
            quarantine.setdefault(path, {})[reason] = n
    assert set(manifest) == set(truth["files"])
    for path, stats in truth["files"].items():
        expected_q = {k: v for k, v in stats["dirty"].items() if k.startswith(QUARANTINED_KINDS)}
        rows_in, dup, quarantined, status = manifest[path]
        assert (path, rows_in, status) == (path, stats["rows"], "loaded")
        assert (path, quarantine.get(path, {})) == (path, expected_q)
        # lead lists are keyed on (_file, _line): a repeated list row is loaded (staging
        # dedupes it), so the generator's list "duplicate" is not a raw duplicate
        expected_dup = 0 if path.startswith("lead_lists/") else stats["dirty"].get("duplicate", 0)
        assert (path, dup) == (path, expected_dup)
        assert (path, quarantined) == (path, sum(expected_q.values()))


@pytest.mark.slow
def test_totals_and_reconciliation(tiny):
    landing, warehouse, reports, truth = tiny
    for source, report in reports.items():
        totals = truth["totals"][source]
        assert report.rows_in == totals["rows"]
        if source != "lead_lists":
            assert report.rows_duplicate == totals.get("duplicate", 0)
        assert (
            report.rows_loaded == report.rows_in - report.rows_duplicate - report.rows_quarantined
        )
    with connect(warehouse, read_only=True) as con:
        assert all(reconcile(con, s).passed for s in reports)
    again = ingest_all(landing_dir=landing, warehouse_path=warehouse)
    assert sum(r.rows_in for r in again.values()) == 0
