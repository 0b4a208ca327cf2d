"""Fixtures of the reverse-ETL tests: a scratch warehouse with the activation mart, a fake
HubSpot (pytest-httpserver, plain HTTP) and a fake Salesforce (HTTPS on 127.0.0.1 with a
self-signed certificate made at test time), both implementing the contracts of FORMATS §4.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import random
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from werkzeug.wrappers import Response

from orchestration.activation.spec import SPECS_DIR, SyncSpec, parse_spec
from tests.integration.activation.fake_bulk import FakeBulkApi
from tests.integration.activation.mart import build_mart

# A generous client timeout, so a loaded machine never times out a write the server applied
# (tests of timeouts lower it with TIMEOUT_RETRY and the server sleeps past it).
FAST_RETRY = {"base_seconds": 0.001, "cap_seconds": 0.01, "max_tries": 6, "timeout_seconds": 5}
# 2 s: even on a loaded 2-core CI machine a normal write answers well within it (0.4 s did
# not: a write the server applied timed out and was written twice).
TIMEOUT_RETRY = {**FAST_RETRY, "timeout_seconds": 2.0}
SERVER_STALL = 3.0
API = "/services/data/v59.0"


def spec_from(name: str, **overrides) -> SyncSpec:
    """A shipped spec with test overrides (tiny backoff, high rate limit by default)."""
    data = yaml.safe_load((SPECS_DIR / f"{name}.yml").read_text())
    data.update({"rate_limit": 1000, "retry": FAST_RETRY})
    data.update(overrides)
    return parse_spec(data, name)


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = build_mart(tmp_path / "warehouse.duckdb", 250)
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(path))
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("LEADHOUSE_LANDING", str(tmp_path / "landing"))
    return path


class Faults:
    """Decides, per write call, whether to fail it (not applied server-side)."""

    def __init__(self):
        self.rate = 0.0
        self.rng = random.Random(7)
        self.queue: list[str] = []
        self.injected = Counter()

    def next(self) -> str | None:
        if self.queue:
            fault = self.queue.pop(0)
        elif self.rate and self.rng.random() < self.rate:
            fault = self.rng.choice(["429", "503", "500"])
        else:
            return None
        self.injected[fault] += 1
        return fault


# --------------------------------------------------------------------------------- HubSpot
class FakeHubSpot:
    """CRM v3 contacts batch upsert/archive + properties API, in memory."""

    TOKEN = "hs-test-token"

    def __init__(self, server):
        self.server = server
        self.contacts: dict[str, dict] = {}
        self.writes: Counter = Counter()
        self.calls: list[tuple[str, str, int]] = []
        self.faults = Faults()
        self.reject_207: dict[str, str] = {}
        self.reject_400: set[str] = set()
        self.properties: dict[str, dict] = {"email": {"name": "email", "type": "string"}}
        self.groups: set[str] = set()
        self.next_id = 1000
        base = "/crm/v3"
        server.expect_request(
            f"{base}/objects/contacts/batch/upsert", method="POST"
        ).respond_with_handler(self.upsert)
        server.expect_request(
            f"{base}/objects/contacts/batch/archive", method="POST"
        ).respond_with_handler(self.archive)
        server.expect_request(
            f"{base}/properties/contacts/groups", method="POST"
        ).respond_with_handler(self.create_group)
        server.expect_request(f"{base}/properties/contacts", method="GET").respond_with_handler(
            self.list_properties
        )
        server.expect_request(f"{base}/properties/contacts", method="POST").respond_with_handler(
            self.create_property
        )

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def write_calls(self) -> list[tuple[str, str, int]]:
        return [c for c in self.calls if "/batch/" in c[1]]

    def _json(self, body, status=200, headers=None):
        return Response(
            json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
        )

    def _guard(self, request, n=0):
        self.calls.append((request.method, request.path, n))
        if request.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return self._json(
                {
                    "status": "error",
                    "category": "INVALID_AUTHENTICATION",
                    "message": "Authentication credentials not found.",
                },
                401,
            )
        return None

    def _fault(self):
        fault = self.faults.next()
        if fault == "429":
            return self._json(
                {
                    "status": "error",
                    "errorType": "RATE_LIMIT",
                    "policyName": "TEN_SECONDLY_ROLLING",
                    "message": "You have reached your ten_secondly_rolling limit.",
                },
                429,
                {"Retry-After": "0.01"},
            )
        if fault in ("500", "503"):
            return self._json({"status": "error", "message": "internal error"}, int(fault))
        if fault == "timeout":
            time.sleep(SERVER_STALL)
            return self._json({"status": "error", "message": "too late"}, 504)
        return None

    def upsert(self, request):
        inputs = request.get_json()["inputs"]
        if (denied := self._guard(request, len(inputs))) is not None:
            return denied
        if len(inputs) > 100:
            return self._json(
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "Batch size limit 100 exceeded",
                },
                400,
            )
        if (fault := self._fault()) is not None:
            return fault
        bad = [i["id"] for i in inputs if i["id"] in self.reject_400]
        if bad:
            return self._json(
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"Property values were not valid: {bad[0]}",
                },
                400,
            )
        results, errors = [], []
        for item in inputs:
            if item.get("idProperty") != "email":
                return self._json({"status": "error", "message": "idProperty must be unique"}, 400)
            email = item["id"]
            if email in self.reject_207:
                errors.append(
                    {
                        "status": "error",
                        "category": "VALIDATION_ERROR",
                        "message": self.reject_207[email],
                        "context": {"objectWriteTraceId": [item["objectWriteTraceId"]]},
                    }
                )
                continue
            new = email not in self.contacts
            if new:
                self.next_id += 1
                self.contacts[email] = {"id": str(self.next_id), "properties": {"email": email}}
            self.contacts[email]["properties"].update(item["properties"])
            self.writes[email] += 1
            results.append(
                {
                    "id": self.contacts[email]["id"],
                    "new": new,
                    "objectWriteTraceId": item["objectWriteTraceId"],
                    "properties": {"email": email, **item["properties"]},
                }
            )
        body = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": "2026-03-01T00:00:00Z",
            "completedAt": "2026-03-01T00:00:01Z",
        }
        if errors:
            body.update(errors=errors, numErrors=len(errors))
        return self._json(body, 207 if errors else 200)

    def archive(self, request):
        inputs = request.get_json()["inputs"]
        if (denied := self._guard(request, len(inputs))) is not None:
            return denied
        ids = {i["id"] for i in inputs}
        for email in [e for e, c in self.contacts.items() if c["id"] in ids]:
            del self.contacts[email]
        return Response(status=204)

    def list_properties(self, request):
        if (denied := self._guard(request)) is not None:
            return denied
        return self._json(
            {
                "results": [
                    {
                        "name": p["name"],
                        "label": p.get("label", p["name"]),
                        "type": p["type"],
                        "fieldType": p.get("fieldType", "text"),
                        "groupName": p.get("groupName", "x"),
                        "description": "",
                        "options": p.get("options", []),
                    }
                    for p in self.properties.values()
                ]
            }
        )

    def create_group(self, request):
        if (denied := self._guard(request)) is not None:
            return denied
        body = request.get_json()
        if body["name"] in self.groups:
            return self._json({"status": "error", "message": "exists"}, 409)
        self.groups.add(body["name"])
        return self._json(
            {"name": body["name"], "label": body["label"], "displayOrder": -1, "archived": False},
            201,
        )

    def create_property(self, request):
        if (denied := self._guard(request)) is not None:
            return denied
        body = request.get_json()
        if body.get("groupName") not in self.groups:
            return self._json({"status": "error", "message": "group not found"}, 400)
        self.properties[body["name"]] = body
        return self._json({**body, "description": "", "options": body.get("options", [])}, 201)


@pytest.fixture
def hubspot(httpserver, monkeypatch) -> FakeHubSpot:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", FakeHubSpot.TOKEN)
    return FakeHubSpot(httpserver)


# ------------------------------------------------------------------------------ Salesforce
class FakeSalesforce:
    """sObject Collections upsert/update on Lead, per-record errors, faults; in memory."""

    TOKEN = "sf-test-token"

    def __init__(self):
        self.leads: dict[str, dict] = {}
        self.writes: Counter = Counter()
        self.calls: list[tuple[str, str, int]] = []
        self.faults = Faults()
        self.reject: dict[str, tuple[str, str]] = {}
        self.malformed: set[str] = set()
        self.lock = threading.Lock()
        self.next_id = 1
        self.bulk = FakeBulkApi(self)

    def apply(self, ext: str, fields: dict) -> tuple[str, bool]:
        """Upsert one Lead by external id; its Id and whether it was created."""
        with self.lock:
            created = ext not in self.leads
            if created:
                self.leads[ext] = {"Id": f"00Q{self.next_id:012d}"}
                self.next_id += 1
            self.leads[ext].update(fields)
            self.writes[ext] += 1
            return self.leads[ext]["Id"], created

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict, object]:
        if headers.get("Authorization") != f"Bearer {self.TOKEN}":
            with self.lock:
                self.calls.append((method, path, 0))
            return 401, {}, [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}]
        if path.startswith(f"{API}/jobs/ingest"):
            return self.bulk.handle(method, path, headers, body)
        data = json.loads(body) if body else None
        n = len(data.get("records", [])) if isinstance(data, dict) else 0
        with self.lock:
            self.calls.append((method, path, n))
        if not path.startswith("/services/data/v59.0/composite/sobjects"):
            return 404, {}, [{"errorCode": "NOT_FOUND", "message": path}]
        if n > 200:
            return 400, {}, [{"errorCode": "EXCEEDED_ID_LIMIT", "message": "record limit 200"}]
        fault = self.faults.next()
        if fault == "429":
            return (
                429,
                {"Retry-After": "0.01"},
                [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "slow down"}],
            )
        if fault in ("500", "503"):
            return int(fault), {}, [{"errorCode": "SERVER_UNAVAILABLE", "message": "down"}]
        if fault == "timeout":
            time.sleep(SERVER_STALL)
            return 503, {}, [{"errorCode": "SERVER_UNAVAILABLE", "message": "late"}]
        key = path.rsplit("/", 1)[-1]
        if method != "PATCH" or key != "DW_Lead_Id__c":
            return 400, {}, [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"{method} {path}"}]
        if data.get("allOrNone") is not False:
            return 400, {}, [{"errorCode": "INVALID_FIELD", "message": "allOrNone expected"}]
        if any(r.get("DW_Lead_Id__c") in self.malformed for r in data["records"]):
            return 400, {}, [{"errorCode": "JSON_PARSER_ERROR", "message": "Malformed record"}]
        out = []
        for rec in data["records"]:
            ext = rec["DW_Lead_Id__c"]
            if ext in self.reject:
                code, msg = self.reject[ext]
                out.append(
                    {
                        "id": None,
                        "success": False,
                        "errors": [{"statusCode": code, "message": msg, "fields": ["LastName"]}],
                    }
                )
                continue
            lead_id, created = self.apply(ext, {k: v for k, v in rec.items() if k != "attributes"})
            out.append({"id": lead_id, "success": True, "created": created, "errors": []})
        return 200, {}, out


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "sf.crt", tmp / "sf.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def _sf_server(tmp_path_factory):
    cert, key = _self_signed(tmp_path_factory.mktemp("tls"))
    holder: dict[str, FakeSalesforce] = {}

    class Handler(BaseHTTPRequestHandler):
        def _any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = holder["fake"].handle(
                self.command, self.path.split("?")[0], self.headers, body
            )
            if payload is None:  # e.g. 201 Created of a Bulk API upload
                raw, ctype = b"", "application/json"
            elif isinstance(payload, str):  # Bulk API results
                raw, ctype = payload.encode(), "text/csv"
            else:
                raw, ctype = json.dumps(payload).encode(), "application/json"
            self.send_response(status)
            for k, v in {"Content-Type": ctype, **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, cert, holder
    server.shutdown()


@pytest.fixture
def salesforce(_sf_server, monkeypatch) -> tuple[FakeSalesforce, str]:
    """A fresh fake Salesforce; returns it and the CA file to trust."""
    server, cert, holder = _sf_server
    holder["fake"] = FakeSalesforce()
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", FakeSalesforce.TOKEN)
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", f"https://127.0.0.1:{server.server_address[1]}")
    return holder["fake"], str(cert)
