"""The collector's settings: secrets and limits from the environment (through
``orchestration/config.py``), paths from the CLI.

An endpoint whose secret is not configured answers 404 (it is not enabled): the collector
never accepts unauthenticated tracking calls or unsigned webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orchestration.config import secret
from orchestration.config import settings as leadhouse_settings

KB = 1024


@dataclass(frozen=True)
class CollectorSettings:
    landing_dir: Path
    #: Segment HTTP API write key (Basic-auth user name, or ``writeKey`` in the body)
    write_key: str | None = None
    #: SendGrid "Signed Event Webhook" verification key (base64 DER or PEM)
    sendgrid_public_key: str | None = None
    #: Mailgun HTTP webhook signing key
    mailgun_signing_key: str | None = None
    #: Typeform webhook secret
    typeform_secret: str | None = None
    #: SNS topics whose SES notifications are accepted (the SES endpoint is off when empty)
    sns_topic_arns: tuple[str, ...] = ()
    #: confirm SNS subscriptions by visiting their SubscribeURL (an SNS host only)
    sns_auto_confirm: bool = True
    #: seconds a webhook timestamp may differ from now; replays are refused within it
    replay_window: float = 300.0
    #: Segment limits (docs/formats.md §1.1): an event, a batch → 400
    max_event_bytes: int = 32 * KB
    max_batch_bytes: int = 500 * KB
    #: bodies above this (raw or decompressed) are refused with 413
    max_body_bytes: int = 1024 * KB
    max_webhook_body_bytes: int = 8 * 1024 * KB
    #: landing files close at this size or age (seconds), and on shutdown
    max_file_bytes: int = 64 * 1024 * KB
    max_file_age: float = 5.0
    #: bytes accepted but not yet on disk above which requests get 429
    max_queue_bytes: int = 64 * 1024 * KB
    #: free disk space under which requests get 429
    min_free_bytes: int = 256 * 1024 * KB
    #: origins allowed to post from a browser (analytics.js, forms)
    cors_origins: tuple[str, ...] = field(default=("*",))

    @classmethod
    def from_env(cls, landing_dir: Path | None = None, **overrides: object) -> CollectorSettings:
        cfg = leadhouse_settings()
        values: dict[str, object] = {
            "landing_dir": Path(landing_dir) if landing_dir else cfg.landing_dir,
            "write_key": secret("LEADHOUSE_WRITE_KEY"),
            "sendgrid_public_key": secret("LEADHOUSE_SENDGRID_PUBLIC_KEY"),
            "mailgun_signing_key": secret("LEADHOUSE_MAILGUN_SIGNING_KEY"),
            "typeform_secret": secret("LEADHOUSE_TYPEFORM_SECRET"),
            "sns_topic_arns": cfg.collect_sns_topic_arns,
            "sns_auto_confirm": cfg.collect_sns_auto_confirm,
            "replay_window": cfg.collect_replay_window,
            "max_queue_bytes": cfg.collect_max_queue_bytes,
            "min_free_bytes": cfg.collect_min_free_bytes,
            "cors_origins": cfg.collect_cors_origins,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
