"""Salesforce Bulk API 2.0 path: simple-salesforce against the local HTTPS fake (fake_bulk.py)."""

from __future__ import annotations

import csv
import io

import pytest

from orchestration.activation.runner import SyncFailed
from tests.integration.activation.conftest import spec_from
from tests.integration.activation.mart import execute
from tests.integration.activation.test_activation_salesforce import lead_ids, sync

N = 250
JOBS = "/services/data/v59.0/jobs/ingest"


def expected_leads(warehouse, keys) -> dict[str, dict]:
    """What Salesforce must hold for ``keys``, computed from the mart (Id aside)."""
    rows = execute(
        warehouse,
        f"""
        select lead_id, email, first_name, last_name, company_name, lead_score::double, tier,
               temperature, lifecycle_stage,
               strftime(timezone('UTC', scored_at), '%Y-%m-%dT%H:%M:%S.%gZ')
        from marts.mart_lead_activation
        where lead_id in ({", ".join(repr(k) for k in keys)})""",
    )
    return {
        r[0]: {
            "DW_Lead_Id__c": r[0],
            "Email": r[1],
            "FirstName": r[2],
            "LastName": r[3],
            "Company": r[4],
            "Lead_Score__c": r[5],
            "Lead_Tier__c": r[6],
            "Lead_Temperature__c": r[7],
            "Lead_Lifecycle_Stage__c": r[8],
            "Lead_Scored_At__c": r[9],
        }
        for r in rows
    }


def without_ids(leads: dict[str, dict]) -> dict[str, dict]:
    return {k: {f: v for f, v in rec.items() if f != "Id"} for k, rec in leads.items()}


def bulk_calls(fake) -> list[tuple[str, str]]:
    return [(m, p.removeprefix(JOBS)) for m, p, _ in fake.calls]


def test_bulk_job_above_threshold_rejections_state_and_rerun(warehouse, salesforce):
    fake, ca = salesforce
    ids = lead_ids(warehouse)
    fake.reject[ids[5]] = ("REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]")
    fake.reject[ids[77]] = ("INVALID_EMAIL_ADDRESS", "Email: invalid email address")
    spec = spec_from("salesforce_leads", bulk_threshold=100)

    first = sync(spec, warehouse, ca)
    assert first.status == "partial"
    assert (
        first.counts["sent_rows"],
        first.counts["succeeded_rows"],
        first.counts["rejected_rows"],
    ) == (N, N - 2, 2)
    # one job, no sObject Collections call: create, upload, close, poll…, results
    calls = bulk_calls(fake)
    job = next(iter(fake.bulk.jobs))
    assert calls[:3] == [("POST", ""), ("PUT", f"/{job}/batches"), ("PATCH", f"/{job}")]
    assert calls[-2:] == [("GET", f"/{job}/successfulResults"), ("GET", f"/{job}/failedResults")]
    # polled: InProgress twice, then JobComplete; simple-salesforce reads the job once more
    assert set(calls[3:-2]) == {("GET", f"/{job}")} and len(calls) == 3 + 4 + 2
    assert [c for c in fake.calls if "composite" in c[1]] == []
    upload = list(csv.DictReader(io.StringIO(fake.bulk.uploads[0])))
    assert len(upload) == N and upload[0]["DW_Lead_Id__c"] == ids[0]

    ok = [k for k in ids if k not in (ids[5], ids[77])]
    assert without_ids(fake.leads) == expected_leads(warehouse, ok)
    assert set(fake.writes.values()) == {1}

    log = {
        r[0]: r[1:]
        for r in execute(
            warehouse,
            "select primary_key, status, error_code, error_message, dest_record_id "
            "from retl.sync_record_log where sync_run_id = ?",
            [first.sync_run_id],
        )
    }
    assert len(log) == N
    assert log[ids[5]] == (
        "rejected",
        "REQUIRED_FIELD_MISSING",
        "Required fields are missing: [Company]:LastName",
        None,
    )
    assert log[ids[77]] == (
        "rejected",
        "INVALID_EMAIL_ADDRESS",
        "Email: invalid email address:LastName",
        None,
    )
    assert {log[k][:2] for k in ok} == {("success", None)}

    state = {
        r[0]: r[1:]
        for r in execute(
            warehouse, "select primary_key, last_status, dest_record_id from retl.sync_state"
        )
    }
    assert len(state) == N
    assert state[ids[5]] == ("rejected", None) and state[ids[77]] == ("rejected", None)
    # the new records' Salesforce Ids come from successfulResults (sf__Id)
    assert {k: state[k] for k in ok} == {k: ("success", fake.leads[k]["Id"]) for k in ok}

    second = sync(spec, warehouse, ca)
    assert second.status == "succeeded" and second.counts["api_calls"] == 0
    # the two rejected records are held (counted unchanged) until they change
    assert second.counts["sent_rows"] == 0 and second.counts["unchanged_rows"] == N
    assert len(fake.calls) == len(calls) and len(fake.bulk.jobs) == 1


def test_bulk_update_clears_nulls_and_keeps_ids(warehouse, salesforce):
    fake, ca = salesforce
    spec = spec_from("salesforce_leads", bulk_threshold=100)
    sync(spec, warehouse, ca)
    ids = lead_ids(warehouse)
    before = {k: rec["Id"] for k, rec in fake.leads.items()}
    changed = ids[:20]
    execute(
        warehouse,
        "update marts.mart_lead_activation set lead_score = lead_score + 1, "
        "lifecycle_stage = null "
        f"where lead_id in ({', '.join(repr(x) for x in changed)})",
    )
    third = sync(spec_from("salesforce_leads", bulk_threshold=10), warehouse, ca)
    assert third.status == "succeeded" and third.counts["planned_updates"] == 20
    assert len(fake.bulk.jobs) == 2 and fake.bulk.uploads[1].count("#N/A") == 20
    assert without_ids(fake.leads) == expected_leads(warehouse, ids)
    assert all(fake.leads[k]["Lead_Lifecycle_Stage__c"] is None for k in changed)
    assert {k: rec["Id"] for k, rec in fake.leads.items()} == before
    assert {k for k, n in fake.writes.items() if n == 2} == set(changed)
    state = dict(execute(warehouse, "select primary_key, dest_record_id from retl.sync_state"))
    assert state == before


def test_bulk_retries_a_5xx_and_a_failed_job_confirms_nothing(warehouse, salesforce):
    fake, ca = salesforce
    spec = spec_from("salesforce_leads", bulk_threshold=100)
    fake.bulk.fail_after = 100  # the first job stops after 100 rows
    with pytest.raises(SyncFailed, match="did not complete.*processing stopped"):
        sync(spec, warehouse, ca)
    assert len(fake.leads) == 100
    assert execute(warehouse, "select count(*) from retl.sync_state") == [(0,)]
    assert execute(warehouse, "select status from retl.sync_runs") == [("failed",)]

    fake.faults.queue = ["503", "429"]  # the next two job creations fail, the third works
    report = sync(spec, warehouse, ca)
    assert report.status == "succeeded" and report.counts["succeeded_rows"] == N
    assert [c[:2] for c in fake.calls if c[0] == "POST"] == [("POST", JOBS)] * 4
    assert len(fake.bulk.jobs) == 2 and len(fake.leads) == N
    assert without_ids(fake.leads) == expected_leads(warehouse, lead_ids(warehouse))
    assert execute(
        warehouse,
        "select count(*) from retl.sync_state "
        "where last_status = 'success' and dest_record_id like '00Q%'",
    ) == [(N,)]
