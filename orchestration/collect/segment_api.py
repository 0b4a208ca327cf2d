"""Segment's HTTP Tracking API: ``/v1/batch|track|page|identify|alias|screen|group``.

Also the short paths analytics.js (analytics-next) posts to when its ``apiHost`` points
here: ``/v1/b`` (batch), ``/v1/t``, ``/v1/p``, ``/v1/i``, ``/v1/a``, ``/v1/s``, ``/v1/g``.

Authentication as Segment's: the write key is the Basic-auth user name (server libraries)
or the body's ``writeKey`` (analytics.js, which posts ``text/plain`` to avoid a CORS
pre-flight). The key is never written. Limits as Segment's: an event over 32 KB or a
request over 500 KB → 400 with ``{"code", "message"}``; an invalid JSON body → 400.
Field-level problems (no ``userId``/``anonymousId``, unknown type, bad timestamp) are not
refused here: ingestion quarantines those records with a reason.

Each message is landed as one line of ``web_events/dt=<today>/segment-<n>.jsonl`` with
``receivedAt`` (server clock, the dedupe order of ingestion), ``sentAt`` from the batch
when the message has none, and ``type`` from the path for single calls.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse

from orchestration.collect.collector import Collector
from orchestration.collect.http_io import Reject, compact, iso_ms, now_utc, parse_json, read_body
from orchestration.collect.spool import Stream

STREAM = Stream("web_events", "segment", "jsonl")

#: path → message type (None = a batch)
CALLS: dict[str, str | None] = {
    "batch": None,
    "import": None,
    "b": None,
    "track": "track",
    "t": "track",
    "page": "page",
    "p": "page",
    "identify": "identify",
    "i": "identify",
    "alias": "alias",
    "a": "alias",
    "screen": "screen",
    "s": "screen",
    "group": "group",
    "g": "group",
}


def _basic_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.split(":", 1)[0]


def _authorize(collector: Collector, request: Request, doc: dict) -> None:
    expected = collector.settings.write_key or ""
    given = _basic_user(request) or doc.get("writeKey")
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Reject(401, "invalid_write_key", "missing or invalid write key")


async def handle(collector: Collector, request: Request) -> JSONResponse:
    call = request.path_params["call"]
    if call not in CALLS:
        raise Reject(404, "not_found", f"unknown call /v1/{call}")
    settings = collector.settings
    if not settings.write_key:
        raise Reject(404, "not_enabled", "tracking API not enabled (LEADHOUSE_WRITE_KEY unset)")
    body = await read_body(request, settings.max_body_bytes)
    if len(body) > settings.max_batch_bytes:
        raise Reject(400, "batch_too_large", f"request over {settings.max_batch_bytes} bytes")
    doc = parse_json(body)
    if not isinstance(doc, dict):
        raise Reject(400, "invalid_json", "body must be a JSON object")
    _authorize(collector, request, doc)
    kind = CALLS[call]
    if kind is None:
        messages = doc.get("batch")
        if not isinstance(messages, list):
            raise Reject(400, "invalid_batch", 'body must be {"batch": [...]}')
    else:
        messages = [doc]
    received = iso_ms(now_utc())
    sent_at = doc.get("sentAt") if kind is None else None
    shared_context = (
        doc.get("context") if kind is None and isinstance(doc.get("context"), dict) else None
    )
    lines = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise Reject(400, "invalid_message", f"batch[{index}] is not an object")
        message.pop("writeKey", None)
        if kind is not None:
            message.setdefault("type", kind)
        if not message.get("messageId"):
            message["messageId"] = f"api-{uuid.uuid4()}"
        if sent_at is not None and "sentAt" not in message:
            message["sentAt"] = sent_at
        if shared_context and not isinstance(message.get("context"), dict):
            message["context"] = shared_context
        message["receivedAt"] = received
        line = compact(message)
        if len(line) > settings.max_event_bytes:
            raise Reject(
                400,
                "event_too_large",
                f"message {index} is {len(line)} bytes (limit {settings.max_event_bytes})",
            )
        lines.append(line)
    await collector.land(STREAM, lines)
    return JSONResponse({"success": True})
