"""Webhook authentication: SendGrid ECDSA, Mailgun and Typeform HMAC, SNS certificates.

Each verifier raises :class:`Unauthorized` with a short reason code (it becomes the 401
body and a ``rejections_total{reason=...}`` metric); nothing is written for such a request.
Replays are refused: a timestamp outside the window, or a signature, token or message id
seen before within it (kept in memory: a restart forgets them, the window bounds the risk).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

#: SNS signing certificates and subscription URLs are only trusted on these hosts.
SNS_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")


class Unauthorized(Exception):
    """Bad or missing credentials, signature or replay: HTTP 401, nothing written."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ReplayGuard:
    """Remembers the ids seen in the last ``window`` seconds (bounded; thread-safe)."""

    def __init__(self, window: float, max_entries: int = 1_000_000) -> None:
        self.window = window
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_time(self, timestamp: float, now: float | None = None) -> None:
        """Refuse a timestamp further than the window from now (either way)."""
        now = time.time() if now is None else now
        if abs(now - timestamp) > self.window:
            raise Unauthorized("stale_timestamp", "timestamp outside the replay window")

    def remember(self, key: str, now: float | None = None) -> None:
        """Record ``key``; refuse it if it was seen within the window."""
        now = time.time() if now is None else now
        with self._lock:
            while self._seen:
                oldest_key, seen_at = next(iter(self._seen.items()))
                if now - seen_at <= self.window and len(self._seen) < self.max_entries:
                    break
                del self._seen[oldest_key]
            if key in self._seen:
                raise Unauthorized("replayed", "this request was already received")
            self._seen[key] = now

    def forget(self, key: str) -> None:
        """Drop ``key`` (its request failed after the check, so a retry must pass)."""
        with self._lock:
            self._seen.pop(key, None)


def _timestamp(text: str | None) -> float:
    try:
        return float(text or "")
    except ValueError:
        raise Unauthorized("bad_signature", "missing or invalid timestamp") from None


def load_ec_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """SendGrid's verification key: base64 DER (as its UI shows it) or PEM."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
    else:
        key = serialization.load_der_public_key(base64.b64decode(text))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("the SendGrid verification key is not an EC public key")
    return key


class SendGridVerifier:
    """Signed Event Webhook: ECDSA P-256/SHA-256 over ``timestamp + body``, base64 DER."""

    SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
    TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"

    def __init__(self, public_key: str, guard: ReplayGuard) -> None:
        self.key = load_ec_public_key(public_key)
        self.guard = guard

    def verify(self, headers: dict[str, str], body: bytes) -> str:
        """Check a request; return its replay key (to :meth:`ReplayGuard.forget` on failure)."""
        signature, stamp = headers.get(self.SIGNATURE.lower()), headers.get(self.TIMESTAMP.lower())
        if not signature or not stamp:
            raise Unauthorized("missing_signature", "signature headers are missing")
        try:
            self.key.verify(
                base64.b64decode(signature), stamp.encode() + body, ec.ECDSA(hashes.SHA256())
            )
        except (InvalidSignature, binascii.Error, ValueError):
            raise Unauthorized("bad_signature", "signature does not match") from None
        self.guard.check_time(_timestamp(stamp))
        self.guard.remember("sendgrid:" + signature)
        return "sendgrid:" + signature


class MailgunVerifier:
    """Mailgun webhooks: hex HMAC-SHA256 of ``timestamp + token`` with the signing key."""

    def __init__(self, signing_key: str, guard: ReplayGuard) -> None:
        self.key = signing_key.encode()
        self.guard = guard

    def verify(self, body: dict) -> str:
        block = body.get("signature") if isinstance(body, dict) else None
        if not isinstance(block, dict):
            raise Unauthorized("missing_signature", "no signature block")
        stamp, token, signature = (
            str(block.get(k) or "") for k in ("timestamp", "token", "signature")
        )
        if not (stamp and token and signature):
            raise Unauthorized("missing_signature", "incomplete signature block")
        expected = hmac.new(self.key, (stamp + token).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise Unauthorized("bad_signature", "signature does not match")
        self.guard.check_time(_timestamp(stamp))
        self.guard.remember("mailgun:" + token)
        return "mailgun:" + token


class TypeformVerifier:
    """Typeform webhooks: ``Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)>``.

    Typeform sends no timestamp; a replay is the same ``event_id`` again within the window.
    """

    HEADER = "typeform-signature"

    def __init__(self, secret: str, guard: ReplayGuard) -> None:
        self.key = secret.encode()
        self.guard = guard

    def verify(self, headers: dict[str, str], body: bytes, event_id: str | None) -> str | None:
        given = headers.get(self.HEADER, "")
        if not given.startswith("sha256="):
            raise Unauthorized("missing_signature", "Typeform-Signature header is missing")
        expected = (
            "sha256=" + base64.b64encode(hmac.new(self.key, body, hashlib.sha256).digest()).decode()
        )
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise Unauthorized("bad_signature", "signature does not match")
        if event_id:
            self.guard.remember("typeform:" + event_id)
            return "typeform:" + event_id
        return None


# -- Amazon SNS ---------------------------------------------------------------------------------

_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_SIGNED_FIELDS["UnsubscribeConfirmation"] = _SIGNED_FIELDS["SubscriptionConfirmation"]


def sns_string_to_sign(message: dict) -> bytes:
    """The canonical string SNS signs: ``name\\nvalue\\n`` for each signed field present."""
    kind = message.get("Type")
    if kind not in _SIGNED_FIELDS:
        raise Unauthorized("bad_signature", f"unknown SNS message type {kind!r}")
    parts = []
    for name in _SIGNED_FIELDS[kind]:
        if name in message and message[name] is not None:
            parts.append(f"{name}\n{message[name]}\n")
    return "".join(parts).encode()


def trusted_sns_url(url: str) -> bool:
    """An https URL on an SNS host (certificates, subscription confirmations)."""
    parts = urlsplit(url or "")
    return parts.scheme == "https" and bool(SNS_HOST.match(parts.hostname or ""))


def fetch_certificate(url: str) -> bytes:
    """Download an SNS signing certificate (production default; tests pass their own)."""
    import requests

    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.content


class SnsVerifier:
    """SNS HTTP(S) deliveries: RSA signature (version 1 SHA-1, 2 SHA-256) with the
    certificate at ``SigningCertURL``, which must be an https URL on an SNS host."""

    def __init__(
        self,
        guard: ReplayGuard,
        *,
        topic_arns: tuple[str, ...] = (),
        fetch: Callable[[str], bytes] = fetch_certificate,
    ) -> None:
        self.guard = guard
        self.topic_arns = topic_arns
        self.fetch = fetch
        self._certs: dict[str, rsa.RSAPublicKey] = {}
        self._lock = threading.Lock()

    def _key(self, url: str) -> rsa.RSAPublicKey:
        if not trusted_sns_url(url) or not urlsplit(url).path.endswith(".pem"):
            raise Unauthorized("untrusted_certificate", "certificate URL is not on an SNS host")
        with self._lock:
            key = self._certs.get(url)
        if key is None:
            try:
                cert = x509.load_pem_x509_certificate(self.fetch(url))
            except Exception:  # noqa: BLE001 - any fetch or parse failure is a refusal
                raise Unauthorized("untrusted_certificate", "certificate unavailable") from None
            key = cert.public_key()
            if not isinstance(key, rsa.RSAPublicKey):
                raise Unauthorized("untrusted_certificate", "certificate key is not RSA")
            with self._lock:
                self._certs[url] = key
        return key

    def verify(self, message: dict) -> str:
        if self.topic_arns and message.get("TopicArn") not in self.topic_arns:
            raise Unauthorized("unknown_topic", "topic is not configured")
        version = str(message.get("SignatureVersion", ""))
        algorithm = {"1": hashes.SHA1(), "2": hashes.SHA256()}.get(version)
        if algorithm is None:
            raise Unauthorized("bad_signature", "unsupported SignatureVersion")
        key = self._key(str(message.get("SigningCertURL", "")))
        try:
            key.verify(
                base64.b64decode(str(message.get("Signature", ""))),
                sns_string_to_sign(message),
                padding.PKCS1v15(),
                algorithm,
            )
        except (InvalidSignature, binascii.Error, ValueError):
            raise Unauthorized("bad_signature", "signature does not match") from None
        self.guard.check_time(_iso_seconds(str(message.get("Timestamp", ""))))
        self.guard.remember("sns:" + str(message.get("MessageId", "")))
        return "sns:" + str(message.get("MessageId", ""))


def _iso_seconds(text: str) -> float:
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise Unauthorized("bad_signature", "invalid Timestamp") from None
