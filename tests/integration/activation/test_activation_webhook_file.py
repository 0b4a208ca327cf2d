"""Webhook destination against a real local HTTP server (pytest-httpserver); CSV file sync."""

from __future__ import annotations

import csv
import json

import pytest
from werkzeug.wrappers import Response

from orchestration.activation.destinations.base import TerminalError
from orchestration.activation.resources import HubSpotResource, SalesforceResource, make_destination
from orchestration.activation.runner import SyncFailed, run_sync
from tests.integration.activation.conftest import spec_from
from tests.integration.activation.mart import execute
from tests.integration.activation.test_activation_salesforce import lead_ids

N = 250
TOKEN = "hook-secret"
FIELDS = [
    "company",
    "dw_buying_stage",
    "dw_engagement_score",
    "dw_fit_grade",
    "dw_fit_score",
    "dw_lead_score",
    "dw_lead_scored_at",
    "dw_lead_temperature",
    "dw_lead_tier",
    "dw_lifecycle_stage",
    "dw_score_model_version",
    "email",
    "first_name",
    "last_name",
]


def expected_fields(warehouse) -> dict[str, dict]:
    """The mapped fields of every lead, computed from the mart (JSON types)."""
    rows = execute(
        warehouse,
        """
        select lead_id, company_name, buying_stage,
               -- the shipped specs send whole-number scores (decimals: 0)
               cast(round(engagement_score::double) as bigint), fit_grade,
               cast(round(fit_score::double) as bigint), cast(round(lead_score::double) as bigint),
               strftime(timezone('UTC', scored_at), '%Y-%m-%dT%H:%M:%S.%gZ'), temperature, tier,
               lifecycle_stage, model_version, email, first_name, last_name
        from marts.mart_lead_activation""",
    )
    return {r[0]: dict(zip(FIELDS, r[1:], strict=True)) for r in rows}


def run(spec, warehouse, **kw):
    return run_sync(
        spec,
        warehouse=warehouse,
        destination_factory=lambda run_id: make_destination(
            spec,
            run_id,
            output_dir=warehouse.parent / "output",
            hubspot=HubSpotResource(),
            salesforce=SalesforceResource(),
        ),
        **kw,
    )


class Hook:
    """A webhook receiver: records every call; ``answers`` scripts the next responses."""

    def __init__(self, httpserver):
        self.server = httpserver
        self.calls: list[dict] = []  # {"status", "body", "auth", "content_type"}
        self.answers: list[tuple[int, dict]] = []  # (status, headers) for the next calls
        self.fail_with_400: set[str] = set()  # keys that make a batch invalid as a whole
        self.reject: dict[str, str] = {}  # keys answered success: false with this error
        self.omit: set[str] = set()  # keys left out of the results
        self.delivered: dict[str, int] = {}  # key -> times accepted
        httpserver.expect_request("/hook", method="POST").respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for("/hook")

    def handle(self, request):
        body = request.get_json()
        call = {
            "body": body,
            "auth": request.headers.get("Authorization"),
            "content_type": request.headers.get("Content-Type"),
        }
        self.calls.append(call)
        if call["auth"] != f"Bearer {TOKEN}":
            call["status"] = 401
            return Response("unauthorized", status=401)
        if self.answers:
            status, headers = self.answers.pop(0)
            call["status"] = status
            return Response(
                json.dumps({"error": "busy"}),
                status=status,
                headers=headers,
                content_type="application/json",
            )
        keys = [r["key"] for r in body["records"]]
        if self.fail_with_400 & set(keys):
            call["status"] = 400
            return Response(
                json.dumps({"error": "invalid record in batch"}),
                status=400,
                content_type="application/json",
            )
        call["status"] = 200
        results = []
        for key in keys:
            if key in self.omit:
                continue
            if key in self.reject:
                results.append(
                    {
                        "key": key,
                        "success": False,
                        "code": "invalid_field",
                        "error": self.reject[key],
                    }
                )
                continue
            self.delivered[key] = self.delivered.get(key, 0) + 1
            results.append({"key": key, "success": True, "id": f"ext-{key[:8]}"})
        answer = {"results": results} if (self.reject or self.omit) else {"ok": True}
        return Response(json.dumps(answer), status=200, content_type="application/json")

    def accepted(self) -> list[dict]:
        return [c for c in self.calls if c["status"] == 200]


@pytest.fixture
def hook(httpserver, monkeypatch) -> Hook:
    monkeypatch.setenv("RETL_HOOK_TOKEN", TOKEN)
    return Hook(httpserver)


def hook_spec(hook: Hook, **overrides):
    return spec_from(
        "file_leads",
        sync_id="hook_leads",
        destination="webhook",
        batch_size=100,
        webhook={"url": hook.url, "token_env": "RETL_HOOK_TOKEN"},
        **overrides,
    )


def test_webhook_payload_shape_batching_and_rerun(warehouse, hook):
    spec = hook_spec(hook)
    report = run(spec, warehouse)
    assert report.status == "succeeded" and report.counts["api_calls"] == 3
    assert [len(c["body"]["records"]) for c in hook.calls] == [100, 100, 50]
    first = hook.calls[0]
    assert first["auth"] == f"Bearer {TOKEN}" and first["content_type"] == "application/json"
    assert {k: v for k, v in first["body"].items() if k != "records"} == {
        "sync_id": "hook_leads",
        "sync_run_id": report.sync_run_id,
        "object": "lead",
        "operation": "upsert",
    }
    ids = lead_ids(warehouse)
    expected = expected_fields(warehouse)
    sent = [r for c in hook.calls for r in c["body"]["records"]]
    assert [r["key"] for r in sent] == ids  # sorted by key, each once
    assert sent[0] == {"key": ids[0], "match": {"lead_id": ids[0]}, "fields": expected[ids[0]]}
    assert all(r["fields"] == expected[r["key"]] for r in sent)
    # a 2xx without per-record results confirms the whole batch; the key is the id
    state = dict(
        execute(
            warehouse,
            "select primary_key, dest_record_id from retl.sync_state where last_status = 'success'",
        )
    )
    assert state == {k: k for k in ids}

    again = run(spec, warehouse)
    assert again.counts["api_calls"] == 0 and len(hook.calls) == 3
    execute(
        warehouse,
        "update marts.mart_lead_activation set tier = 'A1' where lead_id in (?, ?)",
        [ids[0], ids[1]],
    )
    third = run(spec, warehouse)
    assert third.counts["planned_updates"] == 2 and len(hook.calls) == 4
    assert [(r["key"], r["fields"]["dw_lead_tier"]) for r in hook.calls[-1]["body"]["records"]] == [
        (ids[0], "A1"),
        (ids[1], "A1"),
    ]


def test_webhook_retries_5xx_and_429_then_fails_after_max_tries(warehouse, hook):
    spec = hook_spec(hook)
    hook.answers = [(503, {}), (429, {"Retry-After": "0.01"})]  # then normal answers
    slept: list[float] = []
    report = run(spec, warehouse, sleep=slept.append)
    assert report.status == "succeeded" and report.counts["api_calls"] == 5
    assert [c["status"] for c in hook.calls] == [503, 429, 200, 200, 200]
    assert hook.calls[0]["body"] == hook.calls[2]["body"]  # the same batch, resent
    assert 0.01 in slept  # Retry-After honoured
    assert len(hook.delivered) == N and set(hook.delivered.values()) == {1}

    execute(warehouse, "update marts.mart_lead_activation set lead_score = lead_score + 1")
    hook.answers = [(500, {})] * 6
    with pytest.raises(SyncFailed, match="still failing after 6 tries"):
        run(spec, warehouse, sleep=slept.append)
    assert len(hook.calls) == 5 + 6
    failed = execute(
        warehouse,
        "select status, error_code, count(*) from retl.sync_record_log "
        "where status = 'failed' group by all",
    )
    assert failed == [("failed", "retries_exhausted", 100)]
    # failed rows keep their old state: the next run resends all 250 changes
    assert run(spec, warehouse).counts["planned_updates"] == N


def test_webhook_per_record_rejections_and_bisected_400(warehouse, hook):
    ids = lead_ids(warehouse)
    hook.reject[ids[2]] = "dw_lead_tier: unknown option"
    hook.omit.add(ids[150])
    hook.fail_with_400.add(ids[60])
    report = run(hook_spec(hook), warehouse)
    assert report.status == "partial"
    assert (report.counts["succeeded_rows"], report.counts["rejected_rows"]) == (N - 3, 3)
    # batch 2 (keys 100-199) is fine; batch 1 (0-99) gets a 400 and is bisected to key 60:
    # 0-99 ✗ → 0-49 ✓, 50-99 ✗ → 50-74 ✗ (75-99 ✓) → 50-61 ✗ (62-74 ✓) → 50-55 ✓, 56-61 ✗
    # → 56-58 ✓, 59-61 ✗ → 59 ✓, 60-61 ✗ → 60 ✗ (rejected), 61 ✓
    assert [len(c["body"]["records"]) for c in hook.calls[:3]] == [100, 50, 50]
    assert sum(c["status"] == 400 for c in hook.calls) == 8
    assert report.counts["api_calls"] == 1 + 14 + 2
    log = {
        r[0]: r[1:]
        for r in execute(
            warehouse,
            "select primary_key, status, http_status, error_code, error_message "
            "from retl.sync_record_log where status <> 'success'",
        )
    }
    assert log == {
        ids[2]: ("rejected", 200, "invalid_field", "dw_lead_tier: unknown option"),
        ids[60]: ("rejected", 400, "http_400", '{"error": "invalid record in batch"}'),
        ids[150]: ("rejected", 200, "missing_result", "no result for this record"),
    }
    state = dict(
        execute(
            warehouse,
            "select primary_key, dest_record_id from retl.sync_state "
            "where last_status = 'success' and primary_key in (?, ?)",
            [ids[0], ids[149]],
        )
    )
    # results[].id becomes the destination id
    assert state == {ids[0]: f"ext-{ids[0][:8]}", ids[149]: f"ext-{ids[149][:8]}"}
    assert len(hook.delivered) == N - 3 and set(hook.delivered.values()) == {1}
    assert execute(
        warehouse, "select count(*) from retl.sync_state where last_status = 'rejected'"
    ) == [(3,)]


def test_webhook_refused_token_fails_the_run(warehouse, hook, monkeypatch):
    monkeypatch.setenv("RETL_HOOK_TOKEN", "wrong")
    with pytest.raises(SyncFailed, match="TerminalError"):
        run(hook_spec(hook), warehouse)
    assert len(hook.calls) == 1
    assert execute(warehouse, "select count(*) from retl.sync_state") == [(0,)]
    monkeypatch.delenv("RETL_HOOK_TOKEN")
    with pytest.raises(TerminalError, match="RETL_HOOK_TOKEN is not set"):
        make_destination(
            hook_spec(hook),
            "r1",
            output_dir=warehouse.parent,
            hubspot=HubSpotResource(),
            salesforce=SalesforceResource(),
        )


def test_file_sync_csv_exact_header_and_rows(warehouse):
    ids = lead_ids(warehouse)
    # one lead without consent (skipped), one unsubscribed (marketing fields stripped)
    execute(
        warehouse,
        "update marts.mart_lead_activation set consent_to_process = false where lead_id = ?",
        [ids[3]],
    )
    execute(
        warehouse,
        "update marts.mart_lead_activation set is_unsubscribed = true where lead_id = ?",
        [ids[4]],
    )
    spec = spec_from("file_leads", file={"format": "csv"}, batch_size=100)
    report = run(spec, warehouse)
    assert report.status == "succeeded" and report.counts["succeeded_rows"] == N - 1
    out = warehouse.parent / "output" / "syncs" / "file_leads"
    assert [p.name for p in out.iterdir()] == [f"{report.sync_run_id}.csv"]
    with (out / f"{report.sync_run_id}.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["operation", "key", "lead_id", *FIELDS]  # once, over three batches
    expected = expected_fields(warehouse)

    def line(key, stripped=False):
        fields = expected[key]  # the latest ``expected`` (rebound after the update below)
        return [
            "upsert",
            key,
            key,
            *(
                ""
                if stripped and f in ("dw_buying_stage", "dw_lead_temperature", "dw_lead_tier")
                else str(fields[f])
                for f in FIELDS
            ),
        ]

    assert rows[1:] == [line(k, stripped=k == ids[4]) for k in ids if k != ids[3]]
    assert rows[1][FIELDS.index("dw_lead_score") + 3] == str(expected[ids[0]]["dw_lead_score"])
    assert rows[1][FIELDS.index("dw_lead_scored_at") + 3].endswith(".000Z")

    execute(
        warehouse,
        "update marts.mart_lead_activation set lifecycle_stage = 'sql' where lead_id = ?",
        [ids[0]],
    )
    second = run(spec, warehouse)
    expected = expected_fields(warehouse)
    assert expected[ids[0]]["dw_lifecycle_stage"] == "sql"
    with (out / f"{second.sync_run_id}.csv").open(newline="") as fh:
        assert list(csv.reader(fh)) == [rows[0], line(ids[0])]
