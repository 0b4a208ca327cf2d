"""A sync that rides out a bad CRM, against real HTTP servers on 127.0.0.1 with the official
clients: set-up retried, Retry-After capped, the warehouse free while waiting, credentials
never stored, https required, queued erasures sent and audited."""

from __future__ import annotations

import json
import subprocess
import sys

import dagster as dg
import duckdb
import pytest
from werkzeug.wrappers import Response

from orchestration.activation import store
from orchestration.activation.destinations.base import TerminalError
from orchestration.activation.destinations.hubspot import HubSpotDestination
from orchestration.activation.runner import SyncFailed
from orchestration.activation.secrets import redact, require_https
from tests.integration.activation.conftest import FakeHubSpot, spec_from
from tests.integration.activation.mart import execute
from tests.integration.activation.test_activation_hubspot import sync

N = 250


class FlakyHubSpot(FakeHubSpot):
    """FakeHubSpot whose properties API fails too, and which implements the GDPR delete."""

    def __init__(self, server):
        super().__init__(server)
        self.setup_faults: list[tuple[int, dict]] = []
        self.purged: list[str] = []
        server.expect_request(
            "/crm/v3/objects/contacts/gdpr-delete", method="POST"
        ).respond_with_handler(self.gdpr_delete)

    def _setup_fault(self):
        if self.setup_faults:
            status, headers = self.setup_faults.pop(0)
            return self._json({"status": "error", "message": "try later"}, status, headers)
        return None

    def list_properties(self, request):
        return self._setup_fault() or super().list_properties(request)

    def create_property(self, request):
        return self._setup_fault() or super().create_property(request)

    def gdpr_delete(self, request):
        if (denied := self._guard(request)) is not None:
            return denied
        if (fault := self._fault()) is not None:
            return fault
        object_id = request.get_json()["objectId"]
        match = [e for e, c in self.contacts.items() if c["id"] == object_id]
        if not match:
            return self._json({"status": "error", "message": "not found"}, 404)
        del self.contacts[match[0]]
        self.purged.append(object_id)
        return Response(status=204)


@pytest.fixture
def flaky(httpserver, monkeypatch) -> FlakyHubSpot:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", FakeHubSpot.TOKEN)
    return FlakyHubSpot(httpserver)


def test_property_setup_rides_out_429_500_and_dropped_connections(warehouse, flaky):
    flaky.setup_faults = [(429, {"Retry-After": "0.01"}), (500, {}), (503, {}), (502, {})]
    waits: list[float] = []
    report = sync(spec_from("hubspot_contacts"), warehouse, flaky, sleep=waits.append)
    assert report.status == "succeeded"
    assert len(flaky.contacts) == N and set(flaky.writes.values()) == {1}
    assert flaky.setup_faults == []  # all four injected failures were met and retried
    assert len(waits) == 4 and waits[0] == 0.01  # the first wait is the server's Retry-After
    assert "dw_lead_tier" in flaky.properties


def test_retry_after_is_capped(warehouse, flaky):
    spec = spec_from(
        "hubspot_contacts",
        retry={"base_seconds": 0.001, "cap_seconds": 0.01, "max_tries": 4,
               "timeout_seconds": 5, "retry_after_cap_seconds": 0.05},
    )  # fmt: skip
    flaky.setup_faults = [(429, {"Retry-After": "3600"})] * 2
    waits: list[float] = []
    assert sync(spec, warehouse, flaky, sleep=waits.append).status == "succeeded"
    assert waits == [0.05, 0.05]  # asked for an hour twice, waited the cap


def test_warehouse_is_free_while_the_sync_waits(warehouse, flaky):
    """During every backoff another process opens the warehouse read-write and writes."""
    flaky.faults.queue = ["429", "500", "503"]
    probe = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
        "con.execute('create table if not exists main.probe(i int)'); "
        "con.execute('insert into main.probe values (1)'); con.close()"
    )

    def wait(_seconds: float) -> None:
        subprocess.run([sys.executable, "-c", probe, str(warehouse)], check=True, timeout=60)

    report = sync(spec_from("hubspot_contacts"), warehouse, flaky, sleep=wait)
    assert report.status == "succeeded" and len(flaky.contacts) == N
    assert execute(warehouse, "select count(*) from main.probe") == [(3,)]


def test_down_for_a_whole_run_then_rerun_sends_exactly_the_unconfirmed(warehouse, flaky):
    spec = spec_from("hubspot_contacts", batch_size=50)
    first = sync(spec, warehouse, flaky)  # 250 confirmed
    assert first.counts["succeeded_rows"] == N
    changed = execute(
        warehouse, "select count(*) from marts.mart_lead_activation where tier <> 'D4'"
    )[0][0]
    execute(warehouse, "update marts.mart_lead_activation set tier = 'D4' where tier <> 'D4'")
    flaky.faults.queue = ["500"] * 6  # the whole first batch of the second run fails
    with pytest.raises(SyncFailed, match="still failing after 6 tries"):
        sync(spec, warehouse, flaky)
    state = execute(
        warehouse,
        "select count(*) from retl.sync_state s join marts.mart_lead_activation m "
        "on m.lead_id = s.primary_key where s.last_sync_run_id = ?",
        [first.sync_run_id],
    )[0][0]
    assert state == N  # nothing confirmed by the failed run moved
    writes_before = sum(flaky.writes.values())
    again = sync(spec, warehouse, flaky)
    unchanged = N - changed
    assert again.counts["sent_rows"] == changed and again.counts["unchanged_rows"] == unchanged
    assert sum(flaky.writes.values()) - writes_before == changed
    assert sync(spec, warehouse, flaky).counts["api_calls"] == 0


def test_planted_token_never_stored_logged_or_raised(warehouse, httpserver, monkeypatch, capfd):
    token = "pat-na1-PLANTED-0123456789abcdef"
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", token)
    monkeypatch.setenv("HUBSPOT_BASE_URL", httpserver.url_for("").rstrip("/"))

    def echo(request):  # a 401 that echoes the request's headers in its body and headers
        return Response(
            json.dumps(
                {
                    "status": "error",
                    "category": "INVALID_AUTHENTICATION",
                    "message": f"bad credentials: Authorization: {request.headers['Authorization']}"
                    f" headers={dict(request.headers)}",
                }
            ),
            status=401,
            headers={"X-Echo-Authorization": request.headers["Authorization"]},
            content_type="application/json",
        )

    httpserver.expect_request("/crm/v3/properties/contacts").respond_with_handler(echo)
    from orchestration.activation.defs import build_sync_asset
    from orchestration.activation.resources import default_hubspot, default_salesforce
    from orchestration.activation.spec import shipped_specs

    home = warehouse.parent / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        result = dg.materialize(
            [build_sync_asset(shipped_specs()["hubspot_contacts"])],
            resources={"retl_hubspot": default_hubspot(), "retl_salesforce": default_salesforce()},
            instance=instance,
            raise_on_error=False,
        )
        assert not result.success
        events = [str(e) for e in instance.all_logs(result.run_id)]
    failure = [e for e in result.all_events if e.is_step_failure][0]
    assert "401" in str(failure.step_failure_data.error) and "[redacted]" in str(
        failure.step_failure_data.error
    )
    assert not any(token in e for e in events)
    out, err = capfd.readouterr()
    assert token not in out and token not in err
    for path in home.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    with duckdb.connect(str(warehouse)) as con:
        tables = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON')"
        ).fetchall()
        for schema, table, column in tables:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" where "{column}"::varchar like ?',
                [f"%{token}%"],
            ).fetchone()[0]
            assert hits == 0, (schema, table, column)
        message = con.execute("select error_message from retl.sync_runs").fetchone()[0]
    assert "401" in message and "[redacted]" in message


def test_redact_and_https_rules(monkeypatch):
    monkeypatch.setenv("SOME_SERVICE_TOKEN", "tok-1234567890")
    assert redact("x tok-1234567890 y") == "x [redacted] y"
    assert "abc.def" not in redact('{"Authorization": "Bearer abc.def.ghi"}')
    assert "s3cr3t" not in redact("https://x/?hapikey=s3cr3t&a=1")
    assert require_https("https://api.hubapi.com")
    assert require_https("http://127.0.0.1:8080")
    assert require_https("http://localhost:1")
    for bad in ("http://api.hubapi.com", "ftp://x", "api.hubapi.com"):
        with pytest.raises(TerminalError, match="https://"):
            require_https(bad)
    with pytest.raises(TerminalError, match="https://"):
        HubSpotDestination(spec_from("hubspot_contacts"), "r", access_token="t",
                           base_url="http://api.hubapi.com")  # fmt: skip


def test_queued_erasures_are_sent_first_and_audited(warehouse, flaky):
    spec = spec_from("hubspot_contacts")
    sync(spec, warehouse, flaky)
    victims = ["lead0001@example.com", "lead0002@example.com"]
    ids = [flaky.contacts[e]["id"] for e in victims]
    with store.connect(warehouse) as con:
        for i in ids:
            store.queue_erasure(con, request_id="req-1", sync_id="hubspot_contacts",
                                dest_record_id=i)  # fmt: skip
        store.queue_erasure(con, request_id="req-1", sync_id="hubspot_contacts",
                            dest_record_id="999999")  # fmt: skip
    flaky.faults.queue = ["429"]  # the first delete is rate limited, then retried
    report = sync(spec, warehouse, flaky)
    assert report.status == "succeeded"
    assert flaky.purged == ids and not set(victims) & set(flaky.contacts)
    rows = execute(
        warehouse,
        "select dest_record_id, status, error_code from retl.erasure_requests order by 1",
    )
    assert rows == [(ids[0], "sent", None), (ids[1], "sent", None),
                    ("999999", "sent", "already_absent")]  # fmt: skip
    log = execute(
        warehouse,
        "select primary_key, status, payload from retl.sync_record_log where operation = 'erase'",
    )
    assert log == [("req-1", "success", None)] * 3
    assert sync(spec, warehouse, flaky).counts["api_calls"] == 0  # nothing left queued


def test_salesforce_erasure_deletes_by_id_and_is_audited(warehouse, salesforce):
    from tests.integration.activation.test_activation_salesforce import sync as sf_sync

    fake, ca = salesforce
    spec = spec_from("salesforce_leads")
    assert sf_sync(spec, warehouse, ca).status == "succeeded"
    victim_ext, victim = next(iter(fake.leads.items()))
    deletes: list[tuple[str, str]] = []
    original = fake.handle

    def handle(method, path, headers, body):
        if method == "DELETE" and path.endswith("/composite/sobjects"):
            deletes.append((method, path))
            for ext, lead in list(fake.leads.items()):
                if lead["Id"] == victim["Id"]:
                    del fake.leads[ext]
            return 200, {}, [{"id": victim["Id"], "success": True, "errors": []}]
        return original(method, path, headers, body)

    fake.handle = handle
    with store.connect(warehouse) as con:
        store.queue_erasure(con, request_id="req-sf", sync_id="salesforce_leads",
                            dest_record_id=victim["Id"])  # fmt: skip
    assert sf_sync(spec, warehouse, ca).status == "succeeded"
    assert deletes == [("DELETE", "/services/data/v59.0/composite/sobjects")]
    assert victim_ext not in fake.leads
    assert execute(warehouse, "select status from retl.erasure_requests") == [("sent",)]
