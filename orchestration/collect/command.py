"""``leadhouse collect``: serve the HTTP collector (uvicorn) until SIGINT/SIGTERM.

Secrets come from the environment (docs/collector.md): ``LEADHOUSE_WRITE_KEY``,
``LEADHOUSE_SENDGRID_PUBLIC_KEY``, ``LEADHOUSE_MAILGUN_SIGNING_KEY``,
``LEADHOUSE_TYPEFORM_SECRET``, ``LEADHOUSE_SNS_TOPIC_ARNS``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--landing", type=Path, help="landing folder (default: LEADHOUSE_LANDING)")
    parser.add_argument(
        "--max-file-age", type=float, default=5.0, help="seconds before a landing file is closed"
    )
    parser.add_argument(
        "--max-file-mb", type=float, default=64.0, help="size at which a landing file is closed"
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from orchestration.collect.app import create_app
    from orchestration.collect.collector import Collector
    from orchestration.collect.settings import CollectorSettings

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s"
    )
    settings = CollectorSettings.from_env(
        args.landing.expanduser().resolve() if args.landing else None,
        max_file_age=args.max_file_age,
        max_file_bytes=int(args.max_file_mb * 1024 * 1024),
    )
    app = create_app(Collector(settings))
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    return 0
