"""Form submissions: HubSpot Forms v3 bodies, Typeform webhooks, plain HTML form posts.

- ``POST /submissions/v3/integration/submit/{portal_id}/{form_guid}`` (and ``/secure/``):
  a HubSpot v3 body (``fields[]``), landed as one line of
  ``form_submissions/dt=<today>/hubspot__<form_guid>-<n>.jsonl``; ``submittedAt`` (epoch
  ms) is added when the body has none.
- ``POST /webhooks/typeform``: ``Typeform-Signature`` checked (401 otherwise), a replayed
  ``event_id`` refused; landed as one line of ``typeform-<n>.jsonl``.
- ``POST /forms/{form_id}``: an ``application/x-www-form-urlencoded`` body (what a plain
  ``<form method="post">`` sends) or a flat JSON object, landed as one line of
  ``post__<form_id>-<n>.txt``; ``submitted_at`` (ISO-8601, UTC) is added when absent.

Form ids and GUIDs become part of a file name, so only ``[A-Za-z0-9_-]`` is accepted.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from orchestration.collect.collector import Collector
from orchestration.collect.http_io import Reject, compact, iso_ms, now_utc, parse_json, read_body
from orchestration.collect.spool import Stream

TYPEFORM = Stream("form_submissions", "typeform", "jsonl")
_FORM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


def _form_id(value: str) -> str:
    if not _FORM_ID.match(value):
        raise Reject(400, "invalid_form_id", "form id must be letters, digits, '-' or '_'")
    return value


async def hubspot(collector: Collector, request: Request) -> JSONResponse:
    form_guid = _form_id(request.path_params["form_guid"])
    body = await read_body(request, collector.settings.max_body_bytes)
    doc = parse_json(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("fields"), list):
        raise Reject(400, "invalid_form", "body must be a HubSpot v3 submission with fields[]")
    if not doc.get("submittedAt"):
        doc["submittedAt"] = str(int(now_utc().timestamp() * 1000))
    stream = Stream("form_submissions", f"hubspot__{form_guid}", "jsonl")
    await collector.land(stream, [compact(doc)])
    return JSONResponse({"inlineMessage": "Thanks for submitting the form."})


async def typeform(collector: Collector, request: Request) -> JSONResponse:
    if collector.typeform is None:
        raise Reject(
            404, "not_enabled", "Typeform webhook not enabled (LEADHOUSE_TYPEFORM_SECRET unset)"
        )
    body = await read_body(request, collector.settings.max_webhook_body_bytes)
    try:
        doc = parse_json(body)
    except Reject:
        doc = None
    event_id = doc.get("event_id") if isinstance(doc, dict) else None
    headers = {k.lower(): v for k, v in request.headers.items()}
    key = collector.typeform.verify(headers, body, str(event_id) if event_id else None)
    if not isinstance(doc, dict):
        if key:
            collector.guard.forget(key)
        raise Reject(400, "invalid_json", "body must be a JSON object")
    try:
        await collector.land(TYPEFORM, [compact(doc)])
    except BaseException:
        if key:
            collector.guard.forget(key)
        raise
    return JSONResponse({"success": True})


def _urlencoded_line(body: bytes) -> bytes:
    try:
        text = body.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise Reject(400, "invalid_form", "form body is not UTF-8") from None
    if "\n" in text or "\r" in text:
        raise Reject(400, "invalid_form", "form body is not x-www-form-urlencoded")
    keys = {key for key, _ in parse_qsl(text, keep_blank_values=True)}
    if not keys:
        raise Reject(400, "invalid_form", "empty form")
    if "submitted_at" not in keys:
        text += ("&" if text else "") + urlencode({"submitted_at": iso_ms(now_utc())})
    return text.encode()


async def form_post(collector: Collector, request: Request) -> JSONResponse:
    form_id = _form_id(request.path_params["form_id"])
    body = await read_body(request, collector.settings.max_body_bytes)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        doc = parse_json(body)
        if not isinstance(doc, dict):
            raise Reject(400, "invalid_form", "a JSON form post must be an object")
        doc.setdefault("submitted_at", iso_ms(now_utc()))
        line = compact(doc)
    elif content_type in ("application/x-www-form-urlencoded", "text/plain", ""):
        line = _urlencoded_line(body)
    else:
        raise Reject(415, "unsupported_media_type", "send x-www-form-urlencoded or JSON")
    await collector.land(Stream("form_submissions", f"post__{form_id}", "txt"), [line])
    return JSONResponse({"success": True})
