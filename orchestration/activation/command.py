"""``leadhouse sync SYNC_ID [--dry-run] [--retry-rejected]``: run one reverse-ETL sync.

SYNC_ID is a shipped spec (orchestration/activation/specs/<id>.yml) or a path to a spec
file. A HubSpot/Salesforce sync without its token in the environment is refused unless
``--dry-run`` is given. Exit status: 0 done (succeeded, partial or planned), 1 failed,
2 bad spec or missing credentials.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from orchestration.config import settings

if TYPE_CHECKING:
    from orchestration.activation.runner import SyncReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sync_id",
        help="a shipped sync id (file_leads, hubspot_contacts, "
        "salesforce_leads) or a path to a spec .yml",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="plan and validate only: log the plan, make no API call",
    )
    parser.add_argument(
        "--retry-rejected",
        action="store_true",
        help="resend records the destination rejected even if unchanged",
    )
    parser.add_argument("--samples", type=int, default=3, help="sample payloads to print")


def _print_report(report: SyncReport, samples: int) -> None:
    c = report.counts
    mode = "DRY RUN (no API call)" if report.dry_run else report.status
    print(f"sync {report.sync_id}  run {report.sync_run_id}  {mode}")
    if report.dry_run_reason:
        print(f"  dry run because {report.dry_run_reason}")
    print(f"  source rows     {c.get('source_rows', 0)}")
    print(f"  invalid         {c.get('invalid_rows', 0) - c.get('suppressed_rows', 0)}")
    print(f"  suppressed      {c.get('suppressed_rows', 0)}")
    print(f"  unchanged       {c.get('unchanged_rows', 0)}")
    print(f"  to insert       {c.get('planned_inserts', 0)}")
    print(f"  to update       {c.get('planned_updates', 0)}")
    print(f"  to delete       {c.get('planned_deletes', 0)}")
    if not report.dry_run:
        print(f"  sent            {c.get('sent_rows', 0)}")
        print(f"  succeeded       {c.get('succeeded_rows', 0)}")
        print(f"  rejected        {c.get('rejected_rows', 0)}")
        print(f"  failed          {c.get('failed_rows', 0)}")
        print(f"  api calls       {c.get('api_calls', 0)}")
    for key, reason in report.invalid_samples[:samples]:
        print(f"  invalid sample  {key}: {reason}")
    for sample in report.samples[:samples]:
        print("  payload sample  " + json.dumps(sample, sort_keys=True, default=str))
    if report.error:
        print(f"  error: {report.error}")


def run(args: argparse.Namespace) -> int:
    from orchestration.activation.resources import (
        default_hubspot,
        default_salesforce,
        make_destination,
        missing_credentials,
    )
    from orchestration.activation.runner import SyncFailed, run_sync
    from orchestration.activation.spec import SpecError, find_spec

    cfg = settings()
    try:
        spec = find_spec(args.sync_id)
    except SpecError as exc:
        print(f"error: {exc}")
        return 2
    hubspot, salesforce = default_hubspot(), default_salesforce()
    missing = missing_credentials(spec, hubspot, salesforce)
    if missing and not args.dry_run:
        print(f"error: {spec.sync_id} cannot send: {missing}. Set it, or pass --dry-run.")
        return 2
    try:
        report = run_sync(
            spec,
            warehouse=cfg.warehouse_path,
            dry_run=args.dry_run,
            retry_rejected=args.retry_rejected,
            destination_factory=lambda run_id: make_destination(
                spec, run_id, output_dir=cfg.output_dir, hubspot=hubspot, salesforce=salesforce
            ),
        )
    except SpecError as exc:
        print(f"error: {exc}")
        return 2
    except SyncFailed as exc:
        _print_report(exc.report, args.samples)
        return 1
    _print_report(report, args.samples)
    return 0
