"""The collector's ASGI application (Starlette): routes, error answers, health, metrics."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from orchestration.collect import email_webhooks, form_posts, segment_api
from orchestration.collect.collector import Collector
from orchestration.collect.http_io import Reject
from orchestration.collect.signatures import Unauthorized

log = logging.getLogger(__name__)

Handler = Callable[[Collector, Request], Awaitable[Response]]


def _endpoint(collector: Collector, route: str, handler: Handler) -> Callable:
    """Wrap a handler: count the request, its bytes and status; turn refusals into JSON."""
    metrics = collector.metrics

    async def endpoint(request: Request) -> Response:
        try:
            response = await handler(collector, request)
        except Unauthorized as exc:
            response = _error(401, exc.reason, str(exc), {})
        except Reject as exc:
            response = _error(exc.status, exc.code, exc.message, exc.headers)
        if response.status_code >= 400:
            metrics.inc("rejections_total", reason=response.headers.get("x-reject-reason", "other"))
        metrics.inc("requests_total", route=route, status=str(response.status_code))
        metrics.inc("request_bytes_total", getattr(request.state, "raw_bytes", 0), route=route)
        return response

    return endpoint


def _error(status: int, code: str, message: str, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(
        {"success": False, "code": code, "message": message},
        status_code=status,
        headers={**headers, "X-Reject-Reason": code},
    )


def create_app(collector: Collector) -> Starlette:
    """The app; the lifespan starts the spool (recovery, lock) and closes it on shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        collector.start()
        try:
            yield
        finally:
            collector.stop()

    async def health(_request: Request) -> JSONResponse:
        spool = collector.spool
        return JSONResponse(
            {
                "status": "ok" if spool.alive else "down",
                "open_files": spool.open_files,
                "queue_bytes": spool.pending_bytes,
            },
            status_code=200 if spool.alive else 503,
        )

    async def metrics(_request: Request) -> PlainTextResponse:
        text = collector.metrics.render(
            {
                "queue_bytes": (
                    "Bytes accepted and not yet fsynced",
                    collector.spool.pending_bytes,
                ),
                "open_files": ("Landing files open (temporary names)", collector.spool.open_files),
            }
        )
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    def post(path: str, route: str, handler: Handler) -> Route:
        return Route(path, _endpoint(collector, route, handler), methods=["POST"])

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        post("/v1/{call}", "segment", segment_api.handle),
        post("/webhooks/sendgrid", "sendgrid", email_webhooks.sendgrid),
        post("/webhooks/mailgun", "mailgun", email_webhooks.mailgun),
        post("/webhooks/ses", "ses", email_webhooks.ses),
        post("/webhooks/typeform", "typeform", form_posts.typeform),
        post(
            "/submissions/v3/integration/submit/{portal_id}/{form_guid}",
            "hubspot_form",
            form_posts.hubspot,
        ),
        post(
            "/submissions/v3/integration/secure/submit/{portal_id}/{form_guid}",
            "hubspot_form",
            form_posts.hubspot,
        ),
        post("/forms/{form_id}", "form_post", form_posts.form_post),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(collector.settings.cors_origins),
            allow_methods=["POST"],
            allow_headers=["*"],
            max_age=3600,
        )
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
