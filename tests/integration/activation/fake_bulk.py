"""The Bulk API 2.0 ingest contract (FORMATS §4.2) for the fake Salesforce of the tests.

``POST …/jobs/ingest`` (JSON: object, operation upsert, externalIdFieldName, contentType CSV,
lineEnding LF) → ``PUT …/jobs/ingest/<id>/batches`` (``text/csv``, 201 Created) →
``PATCH …/jobs/ingest/<id>`` ``{"state": "UploadComplete"}`` → ``GET …/jobs/ingest/<id>``
polled (InProgress, then JobComplete; or Failed) → ``GET …/successfulResults``
(``sf__Id, sf__Created`` + the uploaded columns), ``failedResults`` (``sf__Id, sf__Error``
+ columns) and ``unprocessedrecords`` (the columns). CSV cells: empty = leave the field
unchanged, ``#N/A`` = set it to null. Records are applied to the parent fake's leads when
the job completes; the parent's ``reject`` map makes rows fail with ``CODE:message:fields --``.
"""

from __future__ import annotations

import csv
import io
import json

NUMBER_FIELDS = {"Lead_Score__c"}
JOB_FIELDS = {
    "object": "Lead",
    "operation": "upsert",
    "externalIdFieldName": "DW_Lead_Id__c",
    "contentType": "CSV",
    "lineEnding": "LF",
    "columnDelimiter": "COMMA",
}


def _csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


class FakeBulkApi:
    """Ingest jobs of one fake Salesforce org (``parent``: leads, reject map, faults, calls)."""

    API = "/services/data/v59.0/jobs/ingest"

    def __init__(self, parent):
        self.parent = parent
        self.jobs: dict[str, dict] = {}
        self.polls_before_complete = 2  # GETs answering InProgress before JobComplete
        self.fail_after: int | None = None  # the next job fails after this many rows
        self.uploads: list[str] = []  # raw CSV bodies, in order

    def _error(self, status: int, code: str, message: str):
        return status, {}, [{"errorCode": code, "message": message}]

    def _info(self, job: dict) -> dict:
        return {
            "id": job["id"],
            "operation": "upsert",
            "object": "Lead",
            "externalIdFieldName": "DW_Lead_Id__c",
            "state": job["state"],
            "contentType": "CSV",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
            "apiVersion": 59.0,
            "jobType": "V2Ingest",
            "concurrencyMode": "Parallel",
            "contentUrl": f"services/data/v59.0/jobs/ingest/{job['id']}/batches",
            "numberRecordsProcessed": job["processed"],
            "numberRecordsFailed": len(job["failed"]),
            **({"errorMessage": job["error"]} if job.get("error") else {}),
        }

    def handle(self, method: str, path: str, headers, body: bytes):
        rest = path.removeprefix(self.API).strip("/")
        parts = rest.split("/") if rest else []
        n = body.count(b"\n") - 1 if method == "PUT" else 0
        with self.parent.lock:
            self.parent.calls.append((method, path, n))
        if method == "POST" and not parts:
            fault = self.parent.faults.next()
            if fault in ("500", "503"):
                return self._error(int(fault), "SERVER_UNAVAILABLE", "down")
            if fault == "429":
                return (
                    429,
                    {"Retry-After": "0.01"},
                    [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}],
                )
            return self._create(json.loads(body))
        job = self.jobs.get(parts[0]) if parts else None
        if job is None:
            return self._error(404, "NOT_FOUND", f"no job {parts[:1]}")
        if method == "PUT" and parts[1:] == ["batches"]:
            if not headers.get("Content-Type", "").startswith("text/csv"):
                return self._error(400, "INVALIDCONTENTTYPE", "expected text/csv")
            if job["state"] != "Open":
                return self._error(409, "INVALIDJOBSTATE", f"job is {job['state']}")
            text = body.decode("utf-8")
            self.uploads.append(text)
            job["data"] += text if not job["data"] else text.split("\n", 1)[1]
            return 201, {}, None
        if method == "PATCH" and len(parts) == 1:
            state = json.loads(body).get("state")
            if state == "UploadComplete" and job["state"] == "Open" and job["data"]:
                job["state"] = "UploadComplete"
            elif state == "Aborted" and job["state"] in ("Open", "UploadComplete", "InProgress"):
                job["state"] = "Aborted"
            else:
                return self._error(400, "INVALIDJOBSTATE", f"{job['state']} -> {state}")
            return 200, {}, self._info(job)
        if method == "GET" and len(parts) == 1:
            if job["state"] in ("UploadComplete", "InProgress"):
                job["polls"] += 1
                job["state"] = "InProgress"
                if job["polls"] > self.polls_before_complete:
                    self._process(job)
            return 200, {}, self._info(job)
        if (
            method == "GET"
            and len(parts) == 2
            and parts[1] in ("successfulResults", "failedResults", "unprocessedrecords")
        ):
            if job["state"] not in ("JobComplete", "Failed", "Aborted"):
                return self._error(400, "INVALIDJOBSTATE", f"job is {job['state']}")
            header = job["header"]
            if parts[1] == "successfulResults":
                return 200, {}, _csv(["sf__Id", "sf__Created", *header], job["succeeded"])
            if parts[1] == "failedResults":
                return 200, {}, _csv(["sf__Id", "sf__Error", *header], job["failed"])
            return 200, {}, _csv(header, job["unprocessed"])
        return self._error(405, "METHOD_NOT_ALLOWED", f"{method} {path}")

    def _create(self, body: dict):
        wrong = {k: body.get(k) for k, v in JOB_FIELDS.items() if body.get(k) != v}
        if wrong:
            return self._error(400, "INVALIDJOB", f"unexpected job fields {wrong}")
        job_id = f"750{len(self.jobs) + 1:012d}"
        self.jobs[job_id] = {
            "id": job_id,
            "state": "Open",
            "data": "",
            "polls": 0,
            "processed": 0,
            "header": [],
            "succeeded": [],
            "failed": [],
            "unprocessed": [],
            "fail_after": self.fail_after,
        }
        self.fail_after = None
        return 200, {}, self._info(self.jobs[job_id])

    def _process(self, job: dict) -> None:
        """Apply the uploaded rows (upsert by DW_Lead_Id__c) and build the result sets."""
        reader = csv.reader(io.StringIO(job["data"]), lineterminator="\n")
        header = next(reader)
        job["header"] = header
        if "DW_Lead_Id__c" not in header:
            job.update(state="Failed", error="InvalidBatch : Field name not found : DW_Lead_Id__c")
            return
        for i, row in enumerate(reader):
            if job["fail_after"] is not None and i >= job["fail_after"]:
                job["unprocessed"].append(row)
                job.update(state="Failed", error="InternalServerError : processing stopped")
                continue
            job["processed"] += 1
            rec = dict(zip(header, row, strict=True))
            ext = rec["DW_Lead_Id__c"]
            if ext in self.parent.reject:
                code, msg = self.parent.reject[ext]
                job["failed"].append(["", f"{code}:{msg}:LastName --", *row])
                continue
            fields = {}
            for name, cell in rec.items():
                if cell == "":
                    continue  # an empty cell leaves the field as it is
                if cell == "#N/A":
                    fields[name] = None
                else:
                    fields[name] = float(cell) if name in NUMBER_FIELDS else cell
            lead_id, created = self.parent.apply(ext, fields)
            job["succeeded"].append([lead_id, "true" if created else "false", *row])
        if job["state"] == "InProgress":
            job["state"] = "JobComplete"
