"""Salesforce through ``simple-salesforce``: sObject Collections, Bulk API 2.0 for big runs.

- upsert / mirror: ``PATCH composite/sobjects/<Object>/<ExternalIdField>``, ``allOrNone=false``,
  up to 200 records; the answer is one ``{id, success, created, errors}`` per record, in order;
- update_only: ``PATCH composite/sobjects`` by ``Id`` (the match value); insert_only: ``POST``;
- mirror deletes: ``DELETE composite/sobjects?ids=…`` or a clear (``PATCH`` with nulls) by Id;
- more changed rows than ``bulk_threshold``: one Bulk API 2.0 upsert job (``write_bulk``).
simple-salesforce hard-codes https; tests give it a ``requests.Session`` that trusts a
self-signed certificate. Retry-After (if a proxy sends one) is read from a response hook.
"""

from __future__ import annotations

import csv
import io

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

API_VERSION = "59.0"


def _message(content: object) -> tuple[str | None, str]:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("errorCode"), str(content[0].get("message", ""))[:500]
    return None, str(content)[:500]


class SalesforceDestination:
    """Writes batches of one sObject type."""

    def __init__(self, spec: SyncSpec, sync_run_id: str, *, access_token: str, instance_url: str,
                 api_version: str = API_VERSION, session: requests.Session | None = None):
        from simple_salesforce import Salesforce

        if not access_token or not instance_url:
            raise TerminalError("no Salesforce access token / instance URL")
        self.spec = spec
        self.sync_run_id = sync_run_id
        self.session = session or requests.Session()
        self._last_retry_after: float | None = None
        self.session.hooks["response"].append(self._remember)
        self.sf = Salesforce(session_id=access_token, instance_url=instance_url,
                             session=self.session, version=api_version)
        self.timeout = spec.retry.timeout_seconds

    def _remember(self, response, *args, **kwargs):
        self._last_retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return response

    def prepare(self, columns: dict[str, str]) -> int:
        return 0

    def _record(self, r: PlannedRecord, by_id: bool) -> dict:
        rec = {"attributes": {"type": self.spec.object}, **r.payload}
        if by_id:
            rec["Id"] = r.dest_record_id or r.match_value
        else:
            rec[self.spec.match_key] = r.match_value
        return rec

    def _restful(self, path: str, method: str, **kw):
        from simple_salesforce.exceptions import SalesforceError

        self._last_retry_after = None
        try:
            return self.sf.restful(path, method=method, timeout=self.timeout, **kw)
        except SalesforceError as exc:
            code, msg = _message(exc.content)
            if exc.status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
                raise RetryableError(msg, status=403, code=code,
                                     retry_after=self._last_retry_after) from None
            if exc.status == 401:
                raise TerminalError(f"Salesforce session refused: {msg}", status=401,
                                    code=code) from None
            raise classify_status(exc.status, msg, code=code,
                                  retry_after=self._last_retry_after) from None
        except requests.exceptions.SSLError as exc:
            raise TerminalError(f"TLS error talking to Salesforce: {exc}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(type(exc).__name__) from None

    def write(self, records: list[PlannedRecord], operation: str) -> list[RecordResult]:
        obj = self.spec.object
        if operation == "delete" and self.spec.delete_behavior == "delete":
            ids = ",".join(r.dest_record_id or "" for r in records)
            answer = self._restful("composite/sobjects", "DELETE",
                                   params={"ids": ids, "allOrNone": "false"})
        elif operation == "delete" or self.spec.mode == "update_only":
            answer = self._restful("composite/sobjects", "PATCH", json={
                "allOrNone": False, "records": [self._record(r, True) for r in records]})
        elif self.spec.mode == "insert_only":
            answer = self._restful("composite/sobjects", "POST", json={
                "allOrNone": False, "records": [self._record(r, False) for r in records]})
        else:
            answer = self._restful(f"composite/sobjects/{obj}/{self.spec.match_key}", "PATCH",
                                   json={"allOrNone": False,
                                         "records": [self._record(r, False) for r in records]})
        if not isinstance(answer, list) or len(answer) != len(records):
            raise RetryableError(f"unexpected Salesforce answer: {str(answer)[:200]}")
        out = []
        for item in answer:
            if item.get("success"):
                out.append(RecordResult("success", dest_record_id=item.get("id"), http_status=200))
            else:
                err = (item.get("errors") or [{}])[0]
                fields = err.get("fields") or []
                out.append(RecordResult(
                    "rejected", http_status=200, error_code=err.get("statusCode") or "ERROR",
                    error_message=(str(err.get("message", "")) +
                                   (f" (fields: {', '.join(fields)})" if fields else ""))[:1000]))
        return out

    def write_bulk(self, records: list[PlannedRecord]) -> list[RecordResult]:
        """One Bulk API 2.0 upsert job for a large change set (upsert/mirror modes only)."""
        key = self.spec.match_key
        fields = sorted({f for r in records for f in r.payload} | {key})
        rows = [{f: "" for f in fields} | {k: "" if v is None else str(v)
                                           for k, v in r.payload.items()} | {key: r.match_value}
                for r in records]
        bulk = getattr(self.sf.bulk2, self.spec.object)
        try:
            results = bulk.upsert(records=rows, external_id_field=key, wait=1)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(type(exc).__name__) from None
        failed: dict[str, tuple[str, str]] = {}
        for job in results:
            text = bulk.get_failed_records(job["job_id"])
            for row in csv.DictReader(io.StringIO(text or "")):
                err = row.get("sf__Error", "")
                code, _, msg = err.partition(":")
                failed[row.get(key, "")] = (code or "ERROR", msg or err)
        out = []
        for r in records:
            if r.match_value in failed:
                code, msg = failed[r.match_value]
                out.append(RecordResult("rejected", http_status=200, error_code=code,
                                        error_message=msg[:1000]))
            else:
                out.append(RecordResult("success", dest_record_id=r.dest_record_id, http_status=200))
        return out
