"""Webhook destination: each batch is one JSON POST.

Body ``{"sync_id", "sync_run_id", "object", "operation", "records": [{"key", "match",
"fields"}]}``. A 2xx answer confirms the batch; if its JSON body has ``results``
(``[{"key", "success", "id", "error"}]``) records are confirmed one by one.
"""

from __future__ import annotations

import requests

from orchestration.activation.destinations.base import (
    RecordResult,
    RetryableError,
    TerminalError,
    classify_status,
    parse_retry_after,
)
from orchestration.activation.planner import PlannedRecord
from orchestration.activation.spec import SyncSpec
from orchestration.config import secret


class WebhookDestination:
    """POSTs batches to ``spec.webhook.url`` (bearer token from ``spec.webhook.token_env``)."""

    def __init__(self, spec: SyncSpec, sync_run_id: str, session: requests.Session | None = None):
        from orchestration.activation.secrets import require_https

        assert spec.webhook is not None
        require_https(spec.webhook.url, "webhook URL")
        self.spec = spec
        self.sync_run_id = sync_run_id
        self.session = session or requests.Session()
        self.headers = {"Content-Type": "application/json"}
        if spec.webhook.token_env:
            token = secret(spec.webhook.token_env)
            if not token:
                raise TerminalError(f"environment variable {spec.webhook.token_env} is not set")
            self.headers["Authorization"] = f"Bearer {token}"

    def prepare(self, columns: dict[str, str]) -> int:
        return 0

    def write(self, records: list[PlannedRecord], operation: str) -> list[RecordResult]:
        body = {
            "sync_id": self.spec.sync_id,
            "sync_run_id": self.sync_run_id,
            "object": self.spec.object,
            "operation": "delete" if operation == "delete" else self.spec.mode,
            "records": [
                {
                    "key": r.primary_key,
                    "match": {self.spec.match_key: r.match_value or r.dest_record_id},
                    "fields": r.payload,
                }
                for r in records
            ],
        }
        try:
            resp = self.session.post(
                self.spec.webhook.url,
                json=body,
                headers=self.headers,
                timeout=self.spec.retry.timeout_seconds,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(f"{type(exc).__name__}") from None
        if resp.status_code >= 300:
            raise classify_status(
                resp.status_code,
                resp.text[:500],
                retry_after=parse_retry_after(resp.headers.get("Retry-After")),
            )
        try:
            answer = resp.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            return [
                RecordResult("success", dest_record_id=r.primary_key, http_status=resp.status_code)
                for r in records
            ]
        by_key = {
            str(item.get("key")): item for item in answer["results"] if isinstance(item, dict)
        }
        out = []
        for r in records:
            item = by_key.get(r.primary_key)
            if item is None:
                out.append(
                    RecordResult(
                        "rejected",
                        http_status=resp.status_code,
                        error_code="missing_result",
                        error_message="no result for this record",
                    )
                )
            elif item.get("success", True):
                out.append(
                    RecordResult(
                        "success",
                        dest_record_id=str(item.get("id") or r.primary_key),
                        http_status=resp.status_code,
                    )
                )
            else:
                out.append(
                    RecordResult(
                        "rejected",
                        http_status=resp.status_code,
                        error_code=str(item.get("code") or "rejected"),
                        error_message=str(item.get("error") or "")[:1000],
                    )
                )
        return out
