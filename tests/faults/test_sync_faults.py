"""A sync against a bad CRM (a real HTTP server on 127.0.0.1, the official HubSpot client):
SIGKILL in the middle of a run, 30 % of calls failing with 429/500/503, then the CRM down for
a whole run. Each time the final CRM contents and ``retl.sync_state`` are those of an
uninterrupted run, and no record is written twice."""

from __future__ import annotations

import os
import time

import pytest

from orchestration.activation.runner import SyncFailed
from tests.faults.conftest import FakeHubSpot, data_env, kill_when
from tests.integration.activation.conftest import spec_from
from tests.integration.activation.mart import build_mart, execute
from tests.integration.activation.test_activation_hubspot import sync

pytestmark = pytest.mark.faults
N = 250


class StallingHubSpot(FakeHubSpot):
    """Answers normally, except that the ``stall_on``-th batch upsert hangs (not applied)."""

    def __init__(self, server, stall_on: int | None = None):
        super().__init__(server)
        self.stall_on = stall_on
        self.upserts = 0
        self.stalled = False

    def upsert(self, request):
        self.upserts += 1
        if self.upserts == self.stall_on:
            self.stalled = True
            time.sleep(3)  # the client is killed while waiting for this answer
            return self._json({"status": "error", "message": "too late"}, 503)
        return super().upsert(request)


def state(warehouse) -> list[tuple]:
    return execute(
        warehouse,
        "select primary_key, fingerprint, dest_record_id, last_status from retl.sync_state "
        "where sync_id = 'hubspot_contacts' order by 1",
    )


def test_sigkill_during_sync_then_rerun_equals_uninterrupted(tmp_path, httpserver):
    # the uninterrupted reference
    ref_wh = build_mart(tmp_path / "ref.duckdb", N)
    os.environ["HUBSPOT_ACCESS_TOKEN"] = FakeHubSpot.TOKEN
    try:
        ref = StallingHubSpot(httpserver)
        assert sync(spec_from("hubspot_contacts"), ref_wh, ref).status == "succeeded"
        expected_contacts = {e: c["properties"] for e, c in ref.contacts.items()}
        expected_state = state(ref_wh)
        httpserver.clear()

        # the killed run: a real `leadhouse sync` process, killed during its second batch
        base = tmp_path / "killed"
        env = data_env(base)
        (base / "wh").mkdir(parents=True)
        wh = build_mart(base / "wh" / "leadhouse.duckdb", N)
        fake = StallingHubSpot(httpserver, stall_on=2)
        env |= {"HUBSPOT_ACCESS_TOKEN": FakeHubSpot.TOKEN, "HUBSPOT_BASE_URL": fake.base_url}
        kill_when(["sync", "hubspot_contacts"], env, lambda _out, _pid: fake.stalled, timeout=300)
        assert sum(fake.writes.values()) == 100  # batch 1 applied, batch 2 never
        runs = execute(wh, "select status from retl.sync_runs")
        assert runs == [("running",)]  # died mid-run

        rerun = sync(spec_from("hubspot_contacts"), wh, fake)
    finally:
        os.environ.pop("HUBSPOT_ACCESS_TOKEN", None)
    assert rerun.status == "succeeded"
    assert rerun.counts["sent_rows"] == N - 100  # exactly the unconfirmed records
    assert set(fake.writes.values()) == {1}  # nothing written twice
    assert {e: c["properties"] for e, c in fake.contacts.items()} == expected_contacts
    assert state(wh) == expected_state
    statuses = execute(wh, "select status, error_message from retl.sync_runs order by started_at")
    assert statuses == [
        ("failed", "interrupted: the process stopped mid-run"),
        ("succeeded", None),
    ]


def test_thirty_percent_failures_then_down_for_a_whole_run(warehouse, hubspot):
    spec = spec_from("hubspot_contacts", batch_size=25)
    hubspot.faults.rate = 0.3
    waits: list[float] = []
    report = sync(spec, warehouse, hubspot, sleep=waits.append)
    injected = sum(hubspot.faults.injected.values())
    assert report.status == "succeeded" and report.counts["succeeded_rows"] == N
    assert injected >= 2 and len(waits) == injected  # every failure waited, then retried
    assert report.counts["api_calls"] >= 10 + injected
    assert len(hubspot.contacts) == N and set(hubspot.writes.values()) == {1}

    # the CRM goes down for a whole run after the marts changed
    changed = execute(
        warehouse, "select count(*) from marts.mart_lead_activation where tier <> 'A1'"
    )[0][0]
    execute(warehouse, "update marts.mart_lead_activation set tier = 'A1'")
    hubspot.faults.rate = 1.0
    with pytest.raises(SyncFailed, match="still failing after 6 tries"):
        sync(spec, warehouse, hubspot, sleep=lambda _s: None)
    assert set(hubspot.writes.values()) == {1}  # nothing applied while down
    failed_log = execute(
        warehouse,
        "select count(*) from retl.sync_record_log where status = 'failed' "
        "and error_code = 'retries_exhausted'",
    )[0][0]
    assert failed_log == 25  # the one batch tried, logged as failed, state untouched

    hubspot.faults.rate = 0.0
    recovered = sync(spec, warehouse, hubspot)
    assert (
        recovered.counts["sent_rows"] == changed
        and recovered.counts["unchanged_rows"] == N - changed
    )
    assert sum(n == 2 for n in hubspot.writes.values()) == changed
    assert all(c["properties"]["dw_lead_tier"] == "A1" for c in hubspot.contacts.values())
    assert sync(spec, warehouse, hubspot).counts["api_calls"] == 0
