"""``kill -9`` of the collector under load loses no acknowledged event.

A real ``leadhouse collect`` process takes batches from several keep-alive clients and is
killed with SIGKILL mid-load. Restarting it publishes the files it left open; then every
acknowledged messageId is in a landing file and in raw.web_events after ingestion. The only
records beyond the acknowledged ones belong to requests that were in flight at the kill
(sent, never answered): a client retries those, and ingestion dedupes on messageId.
"""

from __future__ import annotations

import threading
import time

import pytest

from benchmarks.collector_load import CollectorProcess, landed_message_ids, run_load
from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.warehouse import connect

pytestmark = pytest.mark.slow


def test_kill_9_under_load_loses_no_acknowledged_event(tmp_path):
    landing = tmp_path / "landing"
    collector = CollectorProcess(landing, max_file_age=30).start()  # files stay open until the kill
    results = []
    load = threading.Thread(
        target=lambda: results.append(
            run_load(collector.url, seconds=120, workers=4, batch_size=50, keep_ids=True)
        )
    )
    load.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(landing.glob("web_events/dt=*/.segment-*.tmp")):
        time.sleep(0.05)
    time.sleep(1.0)  # let acknowledged batches pile up in the open files
    collector.kill()
    load.join(timeout=120)
    (result,) = results
    assert result.acked_events > 0 and result.errors > 0  # load was running when it died
    assert len(result.acked_ids) == result.acked_events
    left_open = sorted(p.name for p in landing.glob("web_events/dt=*/.*.tmp"))
    assert left_open  # the kill left unpublished files behind

    CollectorProcess(landing).start().stop()  # restart: recovery publishes them; clean stop
    assert not list(landing.glob("web_events/dt=*/.*"))
    landed = landed_message_ids(landing)
    assert len(landed) == len(set(landed))
    landed_ids = set(landed)
    assert result.acked_ids <= landed_ids  # every acknowledged event is on disk
    assert landed_ids - result.acked_ids <= result.in_flight_ids  # extras were in flight only

    warehouse = tmp_path / "wh.duckdb"
    report = ingest_all(["web_events"], landing_dir=landing, warehouse_path=warehouse)["web_events"]
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (
        len(landed),
        len(landed),
        0,
    )
    with connect(warehouse, read_only=True) as con:
        ingested = {r[0] for r in con.execute("select message_id from raw.web_events").fetchall()}
    assert ingested == landed_ids
    print(
        f"acked {result.acked_events}, in flight {len(result.in_flight_ids)}, "
        f"landed {len(landed)}, ingested {len(ingested)}, files left open {len(left_open)}"
    )
    assert result.acked_ids <= ingested
