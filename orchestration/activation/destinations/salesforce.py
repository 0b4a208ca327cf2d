"""Salesforce through ``simple-salesforce``: sObject Collections, Bulk API 2.0 for big runs.

- upsert / mirror: ``PATCH composite/sobjects/<Object>/<ExternalIdField>``, ``allOrNone=false``,
  up to 200 records; the answer is one ``{id, success, created, errors}`` per record, in order;
- update_only: ``PATCH composite/sobjects`` by ``Id`` (the match value); insert_only: ``POST``;
- mirror deletes: ``DELETE composite/sobjects?ids=…`` or a clear (``PATCH`` with nulls) by Id;
- more changed rows than ``bulk_threshold``: one Bulk API 2.0 upsert job (``write_bulk``):
  ``POST jobs/ingest`` → ``PUT …/batches`` (CSV, null = ``#N/A``) → ``PATCH`` UploadComplete
  → poll → ``successfulResults`` / ``failedResults`` / ``unprocessedrecords``.
simple-salesforce hard-codes https; tests give it a ``requests.Session`` that trusts a
self-signed certificate. Retry-After (if a proxy sends one) is read from a response hook.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable

import requests

from orchestration.activation.destinations.base import (
    RecordResult,
    RetryableError,
    TerminalError,
    classify_status,
    parse_retry_after,
)
from orchestration.activation.planner import PlannedRecord
from orchestration.activation.sender import backoff_delay
from orchestration.activation.spec import SyncSpec

API_VERSION = "59.0"
BULK_NULL = "#N/A"  # Bulk API 2.0 CSV: sets a field to null


def _message(content: object) -> tuple[str | None, str]:
    """(error code, message) of an error body, credentials redacted."""
    from orchestration.activation.secrets import redact

    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("errorCode"), redact(content[0].get("message", ""))[:500]
    return None, redact(content)[:500]


class SalesforceDestination:
    """Writes batches of one sObject type."""

    def __init__(
        self,
        spec: SyncSpec,
        sync_run_id: str,
        *,
        access_token: str,
        instance_url: str,
        api_version: str = API_VERSION,
        session: requests.Session | None = None,
        bulk_poll_seconds: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        from simple_salesforce import Salesforce

        from orchestration.activation.secrets import require_https

        if not access_token or not instance_url:
            raise TerminalError("no Salesforce access token / instance URL")
        require_https(instance_url, "Salesforce instance URL")
        self.spec = spec
        self.sync_run_id = sync_run_id
        self.session = session or requests.Session()
        self._last_retry_after: float | None = None
        self.session.hooks["response"].append(self._remember)
        self.sf = Salesforce(
            session_id=access_token,
            instance_url=instance_url,
            session=self.session,
            version=api_version,
        )
        self.timeout = spec.retry.timeout_seconds
        # first wait before polling a bulk job (then simple-salesforce backs off to 2 s)
        self.bulk_poll_seconds = (
            bulk_poll_seconds
            if bulk_poll_seconds is not None
            else min(spec.retry.base_seconds, 5.0)
        )
        self.sleep = sleep

    def _remember(
        self, response: requests.Response, *args: object, **kwargs: object
    ) -> requests.Response:
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
                raise RetryableError(
                    msg, status=403, code=code, retry_after=self._last_retry_after
                ) from None
            if exc.status == 401:
                raise TerminalError(
                    f"Salesforce session refused: {msg}", status=401, code=code
                ) from None
            raise classify_status(
                exc.status, msg, code=code, retry_after=self._last_retry_after
            ) from None
        except requests.exceptions.SSLError as exc:
            raise TerminalError(f"TLS error talking to Salesforce: {exc}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(type(exc).__name__) from None

    def erase(self, dest_record_id: str) -> RecordResult:
        """Delete one record by Salesforce Id (queued by ``leadhouse forget``); an id that
        is already gone (``ENTITY_IS_DELETED`` / ``INVALID_CROSS_REFERENCE_KEY``) is a success."""
        answer = self._restful(
            "composite/sobjects",
            "DELETE",
            params={"ids": str(dest_record_id), "allOrNone": "false"},
        )
        item = (answer or [{}])[0] if isinstance(answer, list) else {}
        if item.get("success"):
            return RecordResult("success", dest_record_id, 200)
        err = (item.get("errors") or [{}])[0]
        code = err.get("statusCode") or "ERROR"
        if code in ("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"):
            return RecordResult("success", dest_record_id, 200, "already_absent")
        return RecordResult("rejected", dest_record_id, 200, code, str(err.get("message", "")))

    def write(self, records: list[PlannedRecord], operation: str) -> list[RecordResult]:
        obj = self.spec.object
        if operation == "delete" and self.spec.delete_behavior == "delete":
            ids = ",".join(r.dest_record_id or "" for r in records)
            answer = self._restful(
                "composite/sobjects", "DELETE", params={"ids": ids, "allOrNone": "false"}
            )
        elif operation == "delete" or self.spec.mode == "update_only":
            answer = self._restful(
                "composite/sobjects",
                "PATCH",
                json={"allOrNone": False, "records": [self._record(r, True) for r in records]},
            )
        elif self.spec.mode == "insert_only":
            answer = self._restful(
                "composite/sobjects",
                "POST",
                json={"allOrNone": False, "records": [self._record(r, False) for r in records]},
            )
        else:
            answer = self._restful(
                f"composite/sobjects/{obj}/{self.spec.match_key}",
                "PATCH",
                json={"allOrNone": False, "records": [self._record(r, False) for r in records]},
            )
        if not isinstance(answer, list) or len(answer) != len(records):
            raise RetryableError(f"unexpected Salesforce answer: {str(answer)[:200]}")
        out = []
        for item in answer:
            if item.get("success"):
                out.append(RecordResult("success", dest_record_id=item.get("id"), http_status=200))
            else:
                err = (item.get("errors") or [{}])[0]
                fields = err.get("fields") or []
                out.append(
                    RecordResult(
                        "rejected",
                        http_status=200,
                        error_code=err.get("statusCode") or "ERROR",
                        error_message=(
                            str(err.get("message", ""))
                            + (f" (fields: {', '.join(fields)})" if fields else "")
                        )[:1000],
                    )
                )
        return out

    # -- Bulk API 2.0 ----------------------------------------------------------------------
    def _bulk_value(self, value: object) -> str:
        """A CSV cell: ``#N/A`` empties the field (an empty cell leaves it unchanged)."""
        if value is None:
            return BULK_NULL
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def _bulk_rows(self, records: list[PlannedRecord]) -> list[dict[str, str]]:
        """One CSV row per record; a field absent from a payload (stripped) stays empty."""
        key = self.spec.match_key
        fields = sorted({f for r in records for f in r.payload} | {key})
        return [
            {f: "" for f in fields}
            | {k: self._bulk_value(v) for k, v in r.payload.items()}
            | {key: str(r.match_value)}
            for r in records
        ]

    def _bulk_job(self, rows: list[dict[str, str]]) -> tuple[str, list[str], list[str]]:
        """Run the upsert to completion; its job id(s) and the successful and failed CSVs.

        simple-salesforce makes one job, or several when the CSV passes ~100 MB.

        ``unprocessedrecords`` is not read: a completed job has none, and a record absent
        from both result sets is treated as unprocessed anyway (simple-salesforce 1.12 asks
        for ``unprocessedRecords``, not the documented lower-case path).
        """
        from simple_salesforce.exceptions import SalesforceError, SalesforceOperationError

        bulk = getattr(self.sf.bulk2, self.spec.object)
        self._last_retry_after = None
        try:
            jobs = bulk.upsert(
                records=rows, external_id_field=self.spec.match_key, wait=self.bulk_poll_seconds
            )
            ids = [job["job_id"] for job in jobs]
            return (
                ",".join(ids),
                [bulk.get_successful_records(i) for i in ids],
                [bulk.get_failed_records(i) for i in ids],
            )
        except SalesforceError as exc:
            code, msg = _message(exc.content)
            if exc.status == 401:
                raise TerminalError(
                    f"Salesforce session refused: {msg}", status=401, code=code
                ) from None
            if exc.status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
                raise RetryableError(
                    msg, status=403, code=code, retry_after=self._last_retry_after
                ) from None
            err = classify_status(
                exc.status, f"Bulk API: {msg}", code=code, retry_after=self._last_retry_after
            )
            raise (
                err
                if isinstance(err, RetryableError)
                else TerminalError(str(err), status=exc.status, code=code)
            ) from None
        except SalesforceOperationError as exc:  # the job ended Failed or Aborted
            raise TerminalError(f"Bulk API job did not complete: {exc}"[:1000]) from None
        except requests.exceptions.SSLError as exc:
            raise TerminalError(f"TLS error talking to Salesforce: {exc}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(type(exc).__name__) from None

    def write_bulk(self, records: list[PlannedRecord]) -> list[RecordResult]:
        """One Bulk API 2.0 upsert job for a large change set (upsert/mirror modes only).

        Results come from the job's ``successfulResults`` (``sf__Id``: the new record's Id)
        and ``failedResults`` (``sf__Error`` = ``CODE:message``: the record is rejected).
        A record in neither was not processed: the call raises, nothing is confirmed, and the
        next run resends the whole change set (a keyed upsert, so harmless). A retryable
        failure (429, 5xx, timeout) reruns the whole job, up to ``retry.max_tries`` times,
        with the spec's backoff.
        """
        rows = self._bulk_rows(records)
        rng = random.Random()
        for attempt in range(1, self.spec.retry.max_tries + 1):
            try:
                job_id, ok_csv, failed_csv = self._bulk_job(rows)
                break
            except RetryableError as exc:
                if attempt == self.spec.retry.max_tries:
                    raise
                self.sleep(backoff_delay(attempt, self.spec.retry, rng, exc.retry_after))
        key = self.spec.match_key
        succeeded = {
            row.get(key, ""): row.get("sf__Id") or None
            for text in ok_csv
            for row in csv.DictReader(io.StringIO(text or ""))
        }
        failed: dict[str, tuple[str, str]] = {}
        for row in (row for text in failed_csv for row in csv.DictReader(io.StringIO(text or ""))):
            err = (row.get("sf__Error") or "").strip()
            code, sep, msg = err.partition(":")
            failed[row.get(key, "")] = (
                (code.strip() or "ERROR") if sep else "ERROR",
                (msg if sep else err).removesuffix("--").strip(),
            )
        missing = [
            r
            for r in records
            if str(r.match_value) not in succeeded and str(r.match_value) not in failed
        ]
        if missing:
            raise TerminalError(
                f"Bulk API job {job_id}: {len(missing)} of {len(records)} records are in neither "
                "successfulResults nor failedResults (unprocessed); nothing confirmed, "
                "the next run resends them"
            )
        out = []
        for r in records:
            match = str(r.match_value)
            if match in failed:
                code, msg = failed[match]
                out.append(
                    RecordResult(
                        "rejected", http_status=200, error_code=code, error_message=msg[:1000]
                    )
                )
            else:
                out.append(
                    RecordResult(
                        "success",
                        dest_record_id=succeeded[match] or r.dest_record_id,
                        http_status=200,
                    )
                )
        return out
