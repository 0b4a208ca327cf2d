"""Fixtures of the collector tests: a real uvicorn server on 127.0.0.1 in a thread, its landing
folder in tmp_path, and the providers' signing keys generated here (nothing is fetched)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from orchestration.collect.app import create_app
from orchestration.collect.collector import Collector
from orchestration.collect.settings import CollectorSettings
from orchestration.collect.signatures import sns_string_to_sign

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "formats" / "landing"
WRITE_KEY = "wk_test_3f9a"
MAILGUN_KEY = "key-mailgun-test-8c1d"
TYPEFORM_SECRET = "typeform-test-secret"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-events"
CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Keys:
    """Signing keys made for one test session, and how each provider signs with them."""

    sendgrid: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    sns: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def sendgrid_public(self) -> str:
        """As SendGrid's UI shows it: base64 DER SubjectPublicKeyInfo."""
        der = self.sendgrid.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def sendgrid_headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.sendgrid.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        }

    @property
    def sns_certificate(self) -> bytes:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.sns.public_key())
            .serial_number(1)
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(self.sns, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM)

    def sns_sign(self, message: dict, version: str = "2", cert_url: str = CERT_URL) -> dict:
        signed = {**message, "SignatureVersion": version, "SigningCertURL": cert_url}
        algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
        signature = self.sns.sign(sns_string_to_sign(signed), padding.PKCS1v15(), algorithm)
        signed["Signature"] = base64.b64encode(signature).decode()
        return signed


def mailgun_sign(body: dict, timestamp: int | None = None, token: str | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    token = token or hashlib.sha256(f"{stamp}{time.perf_counter_ns()}".encode()).hexdigest()[:50]
    digest = hmac.new(MAILGUN_KEY.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {**body, "signature": {"timestamp": stamp, "token": token, "signature": digest}}


def typeform_headers(body: bytes, secret: str = TYPEFORM_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "Typeform-Signature": "sha256=" + base64.b64encode(digest).decode(),
    }


@dataclass
class RunningCollector:
    url: str
    landing: Path
    collector: Collector
    server: uvicorn.Server
    thread: threading.Thread
    certificate_fetches: list[str]
    confirmations: list[str]

    def stop(self) -> None:
        """Graceful shutdown: every open landing file is closed and published."""
        if self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(timeout=30)

    def landed(self) -> dict[str, list[str]]:
        """Published landing files (relative path → lines), hidden/temporary ones excluded."""
        out = {}
        for path in sorted(self.landing.glob("*/dt=*/*")):
            if not path.name.startswith("."):
                out[path.relative_to(self.landing).as_posix()] = path.read_text().splitlines()
        return out

    def all_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.landing).as_posix()
            for p in self.landing.rglob("*")
            if p.is_file() and p.name != ".collector.lock"
        )


def start_collector(landing: Path, keys: Keys, **overrides: object) -> RunningCollector:
    fetches: list[str] = []
    confirmations: list[str] = []
    certificate = keys.sns_certificate

    def fetch(url: str) -> bytes:  # the local certificate stands in for SNS's; no network
        fetches.append(url)
        return certificate

    values: dict = {
        "landing_dir": landing,
        "write_key": WRITE_KEY,
        "sendgrid_public_key": keys.sendgrid_public,
        "mailgun_signing_key": MAILGUN_KEY,
        "typeform_secret": TYPEFORM_SECRET,
        "sns_topic_arns": (TOPIC,),
        "min_free_bytes": 0,
    }
    settings = CollectorSettings(**{**values, **overrides})
    collector = Collector(settings, sns_fetch_certificate=fetch, sns_confirm=confirmations.append)
    port = free_port()
    config = uvicorn.Config(
        create_app(collector), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("collector did not start")
        time.sleep(0.02)
    return RunningCollector(
        f"http://127.0.0.1:{port}", landing, collector, server, thread, fetches, confirmations
    )


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@pytest.fixture
def collector(tmp_path, keys):
    # files stay open until stop() (no age rotation mid-test): one file per stream
    running = start_collector(tmp_path / "landing", keys, max_file_age=3600)
    yield running
    running.stop()


def fixture_lines(name: str) -> list[str]:
    """The lines of a format fixture (tests/fixtures/formats/landing/*/dt=2024-05-01/<name>)."""
    (path,) = FIXTURES.glob(f"*/dt=2024-05-01/{name}")
    return [line for line in path.read_text().splitlines() if line.strip()]


def post_json(url: str, doc: object, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(url, data=json.dumps(doc).encode(), headers=headers or {}, timeout=10)
