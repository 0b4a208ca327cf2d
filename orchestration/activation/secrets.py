"""Keeping credentials (and personal data) out of everything the sync stores or prints.

:func:`redact` removes, from any text about to be logged, stored or raised: the values of
the environment variables that hold secrets (``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``,
``*_KEY``), and anything that looks like a credential in an echoed header or body
(``Authorization: Bearer …``, ``"access_token": "…"``, ``?hapikey=…``). Error messages of
CRM calls go through it before they reach ``retl.*``, a Dagster event or the terminal.
:func:`require_https` refuses a plain-HTTP CRM URL unless it points at this machine.
:func:`mask` hides personal values in the sample payloads shown in run metadata and the CLI.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from orchestration.activation.destinations.base import TerminalError
from orchestration.config import secret_values as _env_secret_values

REDACTED = "[redacted]"
SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY)$", re.IGNORECASE)
#: header / JSON / query echoes of a credential
PATTERNS = [
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|basic|token)?\s*[^\s'\",}]+"),
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=!-]{8,}"),
    re.compile(
        r"(?i)((?:access_?token|refresh_?token|client_?secret|api_?key|hapikey|session_?id|"
        r"password)['\"]?\s*[:=]\s*['\"]?)[^\s'\"&,}]+"
    ),
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def secret_values() -> list[str]:
    """Values of the environment variables that hold secrets (8 characters or more)."""
    values = _env_secret_values(SECRET_ENV)
    return sorted(values, key=len, reverse=True)


def redact(text: object, extra: tuple[str, ...] = ()) -> str:
    """``text`` with every known secret and credential-looking echo replaced."""
    out = "" if text is None else str(text)
    for value in (*extra, *secret_values()):
        if value:
            out = out.replace(value, REDACTED)
    for pattern in PATTERNS:
        out = pattern.sub(lambda m: m.group(1) + REDACTED, out)
    return out


def require_https(url: str, what: str = "CRM base URL") -> str:
    """``url`` if it is https (or plain http to this machine, for tests); else TerminalError."""
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return url
    raise TerminalError(
        f"{what} must start with https:// (plain http only to 127.0.0.1/localhost): "
        f"{parts.scheme or 'no scheme'}://{parts.hostname or ''}"
    )


#: field names whose values are personal data: masked in samples shown to people
PERSONAL_FIELD = re.compile(r"(?i)e-?mail|name|phone|mobile|address|(^|_)ip(_|$)|user_?id")


def mask(field_name: str, value: object) -> object:
    """``value`` for display (run metadata, CLI samples): personal fields are masked
    (``j***@e***.com``, ``J***``), everything else is shown as is."""
    if value is None or not PERSONAL_FIELD.search(field_name or ""):
        return value
    text = str(value)
    if "@" in text:
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return f"{text[:1]}***"
