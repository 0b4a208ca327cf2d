"""Email event webhooks: SendGrid, Mailgun, Amazon SES through SNS.

Every request is authenticated before anything is parsed or written (401 otherwise):

- ``POST /webhooks/sendgrid``: the Signed Event Webhook's ECDSA signature over
  ``timestamp + body``. Lands the array's events, one a line, in
  ``email_events/dt=<today>/sendgrid-<n>.json`` (a JSON array file).
- ``POST /webhooks/mailgun``: the body's ``signature`` block (HMAC-SHA256 of
  ``timestamp + token`` with the signing key, in the replay window, token never seen).
  Lands the body as one line of ``mailgun-<n>.jsonl``.
- ``POST /webhooks/ses``: an SNS delivery, signature checked against the certificate at
  ``SigningCertURL`` (SNS hosts only), topic in ``LEADHOUSE_SNS_TOPIC_ARNS``. A
  ``SubscriptionConfirmation`` is confirmed (GET ``SubscribeURL``, an SNS host only) and
  not landed; a ``Notification`` lands as one line of ``ses-<n>.jsonl``.

Events the providers send that ingestion cannot use (unknown types, oversize events) are
still landed: ingestion quarantines them with a reason, the provider does not retry forever.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from orchestration.collect.collector import Collector
from orchestration.collect.http_io import Reject, compact, parse_json, read_body
from orchestration.collect.signatures import Unauthorized, trusted_sns_url
from orchestration.collect.spool import Stream

log = logging.getLogger(__name__)

SENDGRID = Stream("email_events", "sendgrid", "json")
MAILGUN = Stream("email_events", "mailgun", "jsonl")
SES = Stream("email_events", "ses", "jsonl")


def _not_enabled(name: str, variable: str) -> Reject:
    return Reject(404, "not_enabled", f"{name} webhook not enabled ({variable} unset)")


async def _land_or_forget(
    collector: Collector, replay_key: str | None, stream: Stream, records: list[bytes]
) -> None:
    """Land; if that fails, forget the replay key so the provider's retry is accepted."""
    try:
        await collector.land(stream, records)
    except BaseException:
        if replay_key:
            collector.guard.forget(replay_key)
        raise


async def sendgrid(collector: Collector, request: Request) -> JSONResponse:
    if collector.sendgrid is None:
        raise _not_enabled("SendGrid", "LEADHOUSE_SENDGRID_PUBLIC_KEY")
    body = await read_body(request, collector.settings.max_webhook_body_bytes)
    headers = {k.lower(): v for k, v in request.headers.items()}
    key = collector.sendgrid.verify(headers, body)
    try:
        events = parse_json(body)
        if not isinstance(events, list):
            raise Reject(400, "invalid_json", "body must be a JSON array of events")
    except Reject:
        collector.guard.forget(key)
        raise
    await _land_or_forget(collector, key, SENDGRID, [compact(e) for e in events])
    return JSONResponse({"success": True, "events": len(events)})


async def mailgun(collector: Collector, request: Request) -> JSONResponse:
    if collector.mailgun is None:
        raise _not_enabled("Mailgun", "LEADHOUSE_MAILGUN_SIGNING_KEY")
    body = await read_body(request, collector.settings.max_webhook_body_bytes)
    doc = parse_json(body)
    if not isinstance(doc, dict):
        raise Unauthorized("missing_signature", "no signature block")
    key = collector.mailgun.verify(doc)
    await _land_or_forget(collector, key, MAILGUN, [compact(doc)])
    return JSONResponse({"success": True})


async def ses(collector: Collector, request: Request) -> JSONResponse:
    if collector.sns is None:
        raise _not_enabled("SES (SNS)", "LEADHOUSE_SNS_TOPIC_ARNS")
    body = await read_body(request, collector.settings.max_webhook_body_bytes)
    doc = parse_json(body)  # SNS posts JSON as text/plain
    if not isinstance(doc, dict):
        raise Unauthorized("bad_signature", "not an SNS message")
    key = await asyncio.to_thread(collector.sns.verify, doc)  # may fetch the certificate
    kind = doc.get("Type")
    if kind == "SubscriptionConfirmation":
        url = str(doc.get("SubscribeURL", ""))
        if not trusted_sns_url(url):
            collector.guard.forget(key)
            raise Unauthorized("untrusted_url", "SubscribeURL is not on an SNS host")
        if collector.settings.sns_auto_confirm:
            try:
                await asyncio.to_thread(collector.sns_confirm, url)
            except Exception as exc:  # noqa: BLE001 - SNS resends the confirmation
                collector.guard.forget(key)
                log.error(
                    "collector: confirming SNS subscription %s failed: %s", doc.get("TopicArn"), exc
                )
                raise Reject(
                    502, "confirmation_failed", "could not confirm the subscription"
                ) from None
            log.info("collector: confirmed SNS subscription to %s", doc.get("TopicArn"))
        else:
            log.warning(
                "collector: SNS subscription to %s awaits manual confirmation", doc.get("TopicArn")
            )
        return JSONResponse({"success": True, "confirmed": collector.settings.sns_auto_confirm})
    if kind == "UnsubscribeConfirmation":
        log.warning("collector: SNS unsubscribed from %s", doc.get("TopicArn"))
        return JSONResponse({"success": True})
    await _land_or_forget(collector, key, SES, [compact(doc)])
    return JSONResponse({"success": True})
