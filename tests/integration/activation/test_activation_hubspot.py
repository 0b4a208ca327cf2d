"""HubSpot sync against a local server speaking the CRM v3 batch contract."""

from __future__ import annotations

import pytest

from orchestration.activation.resources import HubSpotResource, SalesforceResource, make_destination
from orchestration.activation.runner import SyncFailed, run_sync
from tests.integration.activation.conftest import TIMEOUT_RETRY, spec_from
from tests.integration.activation.mart import execute

N = 250


def sync(spec, warehouse, fake, wrap=None, **kw):
    res = HubSpotResource(base_url=fake.base_url)

    def factory(run_id):
        dest = make_destination(
            spec, run_id, output_dir=warehouse.parent, hubspot=res, salesforce=SalesforceResource()
        )
        return wrap(dest) if wrap else dest

    return run_sync(spec, warehouse=warehouse, destination_factory=factory, **kw)


def emails(warehouse, where="true"):
    return [
        r[0]
        for r in execute(
            warehouse,
            f"select email from marts.mart_lead_activation where {where} order by lead_id",
        )
    ]


def test_first_sync_creates_all_then_nothing_then_only_changes(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    first = sync(spec, warehouse, hubspot)
    assert first.status == "succeeded"
    assert len(hubspot.contacts) == N and set(hubspot.writes.values()) == {1}
    assert [c[2] for c in hubspot.write_calls()] == [100, 100, 50]
    # the dw_* properties were created with the right types (1 list, 1 group, 9 creates)
    assert hubspot.properties["dw_lead_tier"]["type"] == "enumeration"
    assert len(hubspot.properties["dw_lead_tier"]["options"]) == 16
    assert hubspot.properties["dw_lead_score"]["type"] == "number"
    assert hubspot.properties["dw_lead_scored_at"]["type"] == "datetime"
    assert first.counts["api_calls"] == 3 + 1 + 1 + 9
    contact = hubspot.contacts["lead0001@example.com"]["properties"]
    assert contact["dw_lead_tier"] == "A2" and contact["dw_lead_score"] == "11"
    assert contact["dw_lead_scored_at"] == "2026-03-01T12:01:00.000Z"

    calls_before = len(hubspot.calls)
    second = sync(spec, warehouse, hubspot)
    assert len(hubspot.calls) == calls_before
    assert second.counts["api_calls"] == 0 and second.counts["unchanged_rows"] == N

    changed = emails(warehouse, "tier <> 'A1'")[:10]
    execute(
        warehouse,
        "update marts.mart_lead_activation set tier = 'A1' where email in "
        f"({', '.join(repr(e) for e in changed)})",
    )
    third = sync(spec, warehouse, hubspot)
    assert third.counts["planned_updates"] == 10 and third.counts["sent_rows"] == 10
    assert hubspot.write_calls()[-1][2] == 10
    assert {e for e, n in hubspot.writes.items() if n == 2} == set(changed)
    assert all(hubspot.contacts[e]["properties"]["dw_lead_tier"] == "A1" for e in changed)
    # every write is audited
    rows = execute(
        warehouse,
        "select status, count(*) from retl.sync_record_log "
        "where sync_id = 'hubspot_contacts' group by status",
    )
    assert dict(rows) == {"success": N + 10}


class CrashAfter:
    """Wraps a destination; raises after ``n`` confirmed batches (before sending the next)."""

    def __init__(self, dest, n, exc=RuntimeError):
        self.dest, self.left, self.exc = dest, n, exc

    def prepare(self, columns):
        return self.dest.prepare(columns)

    def write(self, records, operation):
        if self.left == 0:
            raise self.exc("injected crash")
        result = self.dest.write(records, operation)
        self.left -= 1
        return result


def test_faults_and_crash_then_rerun_writes_each_record_once(warehouse, hubspot):
    spec = spec_from("hubspot_contacts", batch_size=20)
    hubspot.faults.rate = 0.2
    with pytest.raises(SyncFailed, match="injected crash"):
        sync(spec, warehouse, hubspot, wrap=lambda d: CrashAfter(d, 4))
    assert len(hubspot.contacts) == 80
    done = sync(spec, warehouse, hubspot)
    assert done.status == "succeeded" and done.counts["sent_rows"] == N - 80
    assert sum(hubspot.faults.injected.values()) >= 3
    assert len(hubspot.contacts) == N
    assert set(hubspot.writes.values()) == {1}  # nothing lost, nothing extra
    assert sync(spec, warehouse, hubspot).counts["api_calls"] == 0
    runs = execute(warehouse, "select status from retl.sync_runs order by started_at")
    assert [r[0] for r in runs] == ["failed", "succeeded", "succeeded"]


class Killed(BaseException):
    """Stands for the process dying: not caught by the runner."""


def test_killed_run_is_marked_interrupted_and_resumed(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    with pytest.raises(Killed):
        sync(spec, warehouse, hubspot, wrap=lambda d: CrashAfter(d, 1, Killed))
    assert execute(warehouse, "select status from retl.sync_runs") == [("running",)]
    done = sync(spec, warehouse, hubspot)
    assert done.counts["sent_rows"] == N - 100
    first = execute(
        warehouse, "select status, error_message from retl.sync_runs order by started_at limit 1"
    )[0]
    assert first[0] == "failed" and first[1].startswith("interrupted")
    assert set(hubspot.writes.values()) == {1} and len(hubspot.contacts) == N


def test_timeout_and_429_are_retried(warehouse, hubspot):
    spec = spec_from("hubspot_contacts", retry=TIMEOUT_RETRY)
    hubspot.faults.queue = ["timeout", "429", "503"]
    report = sync(spec, warehouse, hubspot)
    assert report.status == "succeeded" and len(hubspot.contacts) == N
    assert report.counts["api_calls"] == 3 + 3 + 11
    assert set(hubspot.writes.values()) == {1}


def test_rejected_record_is_logged_and_not_retried_until_it_changes(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    bad = emails(warehouse)[5]
    hubspot.reject_207[bad] = 'Property values were not valid: "dw_lead_tier"'
    report = sync(spec, warehouse, hubspot)
    assert report.status == "partial"
    assert report.counts["rejected_rows"] == 1 and report.counts["succeeded_rows"] == N - 1
    assert bad not in hubspot.contacts and len(hubspot.contacts) == N - 1
    log = execute(
        warehouse,
        "select error_code, error_message, http_status from "
        "retl.sync_record_log where status = 'rejected'",
    )
    assert log == [("VALIDATION_ERROR", 'Property values were not valid: "dw_lead_tier"', 207)]
    calls = len(hubspot.calls)
    assert sync(spec, warehouse, hubspot).counts["sent_rows"] == 0
    assert len(hubspot.calls) == calls
    del hubspot.reject_207[bad]
    retried = sync(spec, warehouse, hubspot, retry_rejected=True)
    assert retried.counts["sent_rows"] == 1 and bad in hubspot.contacts


def _expected_calls(n, idx):
    """Calls to isolate record ``idx`` of a batch of ``n`` by halving."""
    if n == 1:
        return 1
    mid = n // 2
    return 1 + (
        _expected_calls(mid, idx) + 1 if idx < mid else 1 + _expected_calls(n - mid, idx - mid)
    )


def test_400_batch_is_bisected(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    all_emails = emails(warehouse)
    bad = all_emails[37]
    hubspot.reject_400.add(bad)
    report = sync(spec, warehouse, hubspot)
    assert report.counts["rejected_rows"] == 1 and len(hubspot.contacts) == N - 1
    assert len(hubspot.write_calls()) == _expected_calls(100, 37) + 2
    row = execute(
        warehouse,
        "select primary_key, http_status, error_code, error_message "
        "from retl.sync_record_log where status = 'rejected'",
    )[0]
    assert row[1:] == (400, "VALIDATION_ERROR", f"Property values were not valid: {bad}")


def test_rejection_threshold_stops_the_sync(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    for e in emails(warehouse)[:30]:
        hubspot.reject_207[e] = "INVALID_EMAIL"
    with pytest.raises(SyncFailed, match=r"rejections 30/100 \(30%\) passed the threshold 20%"):
        sync(spec, warehouse, hubspot)
    assert len(hubspot.write_calls()) == 1
    assert execute(warehouse, "select status, rejected_rows, sent_rows from retl.sync_runs") == [
        ("failed", 30, 100)
    ]


def test_dry_run_makes_no_request_and_logs_the_plan(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    report = sync(spec, warehouse, hubspot, dry_run=True)
    assert hubspot.calls == [] and report.status == "planned"
    assert report.counts["planned_inserts"] == N and report.samples[0]["fields"]["dw_lead_tier"]
    assert execute(warehouse, "select status, count(*) from retl.sync_record_log group by 1") == [
        ("planned", N)
    ]
    assert execute(warehouse, "select dry_run, status, api_calls from retl.sync_runs") == [
        (True, "planned", 0)
    ]
    assert execute(warehouse, "select count(*) from retl.sync_state") == [(0,)]


def test_validation_and_suppression(warehouse, hubspot):
    spec = spec_from("hubspot_contacts")
    e = emails(warehouse)
    execute(
        warehouse,
        f"update marts.mart_lead_activation set consent_to_process = false where email = '{e[0]}'",
    )
    execute(
        warehouse,
        f"update marts.mart_lead_activation set is_unsubscribed = true where email = '{e[1]}'",
    )
    execute(warehouse, f"update marts.mart_lead_activation set tier = 'Z9' where email = '{e[2]}'")
    execute(
        warehouse,
        f"update marts.mart_lead_activation set email = 'not-an-email' where email = '{e[3]}'",
    )
    report = sync(spec, warehouse, hubspot)
    assert report.counts["invalid_rows"] == 3 and report.counts["suppressed_rows"] == 1
    assert e[0] not in hubspot.contacts and e[2] not in hubspot.contacts
    stripped = hubspot.contacts[e[1]]["properties"]
    assert "dw_lead_tier" not in stripped and "dw_lead_score" in stripped
    log = dict(
        execute(
            warehouse,
            "select error_code, error_message from retl.sync_record_log "
            "where status = 'invalid' or error_code = 'suppressed_fields'",
        )
    )
    assert log == {
        "suppressed": "no_consent",
        "enum_out_of_range": "enum_out_of_range:tier",
        "invalid_email": "invalid_email:email",
        "suppressed_fields": "unsubscribed",
    }
    # an unchanged suppressed lead is not logged again
    sync(spec, warehouse, hubspot)
    assert execute(
        warehouse, "select count(*) from retl.sync_record_log where error_code = 'suppressed'"
    ) == [(1,)]


def test_mirror_deletes_removed_leads(warehouse, hubspot):
    spec = spec_from("hubspot_contacts", mode="mirror", delete_behavior="delete")
    sync(spec, warehouse, hubspot)
    gone = emails(warehouse)[:5]
    execute(
        warehouse,
        "delete from marts.mart_lead_activation where email in "
        f"({', '.join(repr(x) for x in gone)})",
    )
    report = sync(spec, warehouse, hubspot)
    assert report.counts["planned_deletes"] == 5 and report.counts["succeeded_rows"] == 5
    assert len(hubspot.contacts) == N - 5 and not set(gone) & set(hubspot.contacts)
    assert hubspot.calls[-1][1].endswith("/batch/archive")
    assert execute(warehouse, "select count(*) from retl.sync_state") == [(N - 5,)]
