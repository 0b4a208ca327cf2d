"""The collector's shared state: settings, the landing spool, verifiers, counters.

:meth:`Collector.land` is the one way an endpoint writes: it applies the back-pressure
rules (429 with ``Retry-After`` when the write queue is over its bound or the disk is
nearly full) and returns only once the records are fsynced.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable

from orchestration.collect.http_io import Reject, now_utc
from orchestration.collect.metrics import Metrics
from orchestration.collect.settings import CollectorSettings
from orchestration.collect.signatures import (
    MailgunVerifier,
    ReplayGuard,
    SendGridVerifier,
    SnsVerifier,
    TypeformVerifier,
    fetch_certificate,
)
from orchestration.collect.spool import QueueFull, Spool, SpoolClosed, Stream

log = logging.getLogger(__name__)


class Collector:
    def __init__(
        self,
        settings: CollectorSettings,
        *,
        sns_fetch_certificate: Callable[[str], bytes] = fetch_certificate,
        sns_confirm: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.guard = ReplayGuard(settings.replay_window)
        self.spool = Spool(
            settings.landing_dir,
            max_file_bytes=settings.max_file_bytes,
            max_file_age=settings.max_file_age,
            max_queue_bytes=settings.max_queue_bytes,
            on_file_closed=lambda source, _n: self.metrics.inc(
                "files_written_total", source=source
            ),
            on_fsync=lambda n: self.metrics.inc("fsyncs_total", n),
        )
        s = settings
        self.sendgrid = (
            SendGridVerifier(s.sendgrid_public_key, self.guard) if s.sendgrid_public_key else None
        )
        self.mailgun = (
            MailgunVerifier(s.mailgun_signing_key, self.guard) if s.mailgun_signing_key else None
        )
        self.typeform = (
            TypeformVerifier(s.typeform_secret, self.guard) if s.typeform_secret else None
        )
        self.sns = (
            SnsVerifier(self.guard, topic_arns=s.sns_topic_arns, fetch=sns_fetch_certificate)
            if s.sns_topic_arns
            else None
        )
        self.sns_confirm = sns_confirm or _visit
        self._free_checked = 0.0
        self._disk_full = False

    def start(self) -> None:
        recovered = self.spool.start()
        if recovered:
            log.warning("collector: published %d file(s) left by a previous run", len(recovered))
        enabled = [
            name
            for name, on in (
                ("segment", bool(self.settings.write_key)),
                ("sendgrid", bool(self.sendgrid)),
                ("mailgun", bool(self.mailgun)),
                ("ses", bool(self.sns)),
                ("typeform", bool(self.typeform)),
                ("forms", True),
            )
            if on
        ]
        log.info(
            "collector: writing to %s; enabled: %s", self.settings.landing_dir, ", ".join(enabled)
        )

    def stop(self) -> None:
        self.spool.close()

    def _check_disk(self) -> None:
        now = time.monotonic()
        if now - self._free_checked > 1.0:
            self._free_checked = now
            free = shutil.disk_usage(self.settings.landing_dir).free
            self._disk_full = free < self.settings.min_free_bytes
        if self._disk_full:
            raise Reject(429, "disk_full", "landing disk is nearly full", {"Retry-After": "30"})

    async def land(self, stream: Stream, records: list[bytes]) -> None:
        """Append ``records`` to today's (UTC) file of ``stream``; return once fsynced."""
        if not records:
            return
        self._check_disk()
        try:
            future = self.spool.append(stream, now_utc().strftime("%Y-%m-%d"), records)
        except QueueFull as exc:
            raise Reject(429, "queue_full", str(exc), {"Retry-After": "1"}) from None
        except SpoolClosed as exc:
            raise Reject(503, "shutting_down", str(exc), {"Retry-After": "5"}) from None
        try:
            await asyncio.wrap_future(future)
        except OSError as exc:
            raise Reject(
                503, "write_failed", f"landing write failed: {exc.strerror}", {"Retry-After": "5"}
            ) from None
        self.metrics.inc("events_total", len(records), source=stream.source)


def _visit(url: str) -> None:
    """Confirm an SNS subscription (GET its SubscribeURL)."""
    import requests

    requests.get(url, timeout=10).raise_for_status()
