"""Salesforce sync through simple-salesforce against a local HTTPS sObject Collections server."""

from __future__ import annotations

import pytest

from orchestration.activation.resources import HubSpotResource, SalesforceResource, make_destination
from orchestration.activation.runner import SyncFailed, run_sync
from tests.integration.activation.conftest import TIMEOUT_RETRY, spec_from
from tests.integration.activation.mart import execute

N = 250


def sync(spec, warehouse, ca, **kw):
    res = SalesforceResource(ca_bundle=ca)
    return run_sync(
        spec,
        warehouse=warehouse,
        destination_factory=lambda run_id: make_destination(
            spec, run_id, output_dir=warehouse.parent, hubspot=HubSpotResource(), salesforce=res
        ),
        **kw,
    )


def lead_ids(warehouse):
    return [
        r[0]
        for r in execute(
            warehouse, "select lead_id from marts.mart_lead_activation order by lead_id"
        )
    ]


def test_upsert_creates_then_skips_then_updates(warehouse, salesforce):
    fake, ca = salesforce
    spec = spec_from("salesforce_leads")
    first = sync(spec, warehouse, ca)
    assert first.status == "succeeded" and first.counts["api_calls"] == 2
    assert [c[2] for c in fake.calls] == [200, 50]
    assert fake.calls[0][:2] == (
        "PATCH",
        "/services/data/v59.0/composite/sobjects/Lead/DW_Lead_Id__c",
    )
    assert len(fake.leads) == N and set(fake.writes.values()) == {1}
    some = lead_ids(warehouse)[0]
    assert fake.leads[some]["LastName"].startswith("Last") and "Lead_Tier__c" in fake.leads[some]
    state = execute(
        warehouse, "select dest_record_id from retl.sync_state where primary_key = ?", [some]
    )
    assert state == [(fake.leads[some]["Id"],)]

    assert sync(spec, warehouse, ca).counts["api_calls"] == 0 and len(fake.calls) == 2
    changed = lead_ids(warehouse)[:10]
    execute(
        warehouse,
        "update marts.mart_lead_activation set lead_score = lead_score + 1 "
        f"where lead_id in ({', '.join(repr(x) for x in changed)})",
    )
    third = sync(spec, warehouse, ca)
    assert third.counts["sent_rows"] == 10 and fake.calls[-1][2] == 10
    assert {k for k, n in fake.writes.items() if n == 2} == set(changed)


def test_per_record_errors_faults_and_bisect(warehouse, salesforce):
    fake, ca = salesforce
    spec = spec_from("salesforce_leads", batch_size=50, retry=TIMEOUT_RETRY)
    ids = lead_ids(warehouse)
    fake.reject[ids[3]] = ("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]")
    fake.malformed.add(ids[120])
    fake.faults.queue = ["429", "503", "timeout"]
    report = sync(spec, warehouse, ca)
    assert report.status == "partial"
    assert report.counts["rejected_rows"] == 2 and report.counts["succeeded_rows"] == N - 2
    assert len(fake.leads) == N - 2 and set(fake.writes.values()) == {1}
    log = dict(
        execute(
            warehouse,
            "select primary_key, error_code from retl.sync_record_log where status = 'rejected'",
        )
    )
    assert log == {ids[3]: "REQUIRED_FIELD_MISSING", ids[120]: "JSON_PARSER_ERROR"}


def test_crash_mid_run_then_rerun(warehouse, salesforce):
    fake, ca = salesforce
    spec = spec_from("salesforce_leads", batch_size=25)
    fake.faults.rate = 0.2
    calls = {"n": 0}
    real = make_destination

    def factory(run_id):
        dest = real(
            spec,
            run_id,
            output_dir=warehouse.parent,
            hubspot=HubSpotResource(),
            salesforce=SalesforceResource(ca_bundle=ca),
        )
        original = dest.write

        def write(records, operation):
            calls["n"] += 1
            if calls["n"] == 5:
                raise RuntimeError("injected crash")
            return original(records, operation)

        dest.write = write
        return dest

    with pytest.raises(SyncFailed, match="injected crash"):
        run_sync(spec, warehouse=warehouse, destination_factory=factory)
    assert 0 < len(fake.leads) < N
    sync(spec, warehouse, ca)
    assert len(fake.leads) == N and set(fake.writes.values()) == {1}


def test_expired_session_fails_the_run(warehouse, salesforce, monkeypatch):
    fake, ca = salesforce
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", "wrong")
    with pytest.raises(SyncFailed, match="session refused"):
        sync(spec_from("salesforce_leads"), warehouse, ca)
    assert len(fake.calls) == 1 and fake.leads == {}
    assert execute(warehouse, "select count(*) from retl.sync_state") == [(0,)]
