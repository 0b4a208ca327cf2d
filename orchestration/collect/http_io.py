"""Request plumbing shared by the endpoints: bounded body reads, gzip, JSON, errors."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from starlette.requests import Request


class Reject(Exception):
    """An error answer: ``{"success": false, "code": ..., "message": ...}`` with ``status``.

    ``code`` is also the ``reason`` label of the rejections metric. The body's
    ``code``/``message`` are what Segment's libraries read from an error response.
    """

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, gunzipped when ``Content-Encoding: gzip``; 413 above ``limit``
    bytes (as sent or once decompressed), without reading further than the limit."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise Reject(413, "body_too_large", f"body over {limit} bytes")
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise Reject(413, "body_too_large", f"body over {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    request.state.raw_bytes = total
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise Reject(415, "unsupported_encoding", f"Content-Encoding {encoding} not supported")
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise Reject(400, "invalid_gzip", "body is not valid gzip") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise Reject(413, "body_too_large", f"decompressed body over {limit} bytes")
    if not inflater.eof:
        raise Reject(400, "invalid_gzip", "gzip body is truncated")
    return out


def parse_json(body: bytes) -> object:
    """The JSON document of a body, or 400."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Reject(400, "invalid_json", "body is not valid JSON") from None


def compact(doc: object) -> bytes:
    """One line of JSON (newlines inside strings are escaped, so a record is one line)."""
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso_ms(moment: datetime) -> str:
    """``2026-05-01T10:00:03.120Z``: the form Segment uses for ``receivedAt``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
