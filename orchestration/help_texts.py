"""``leadhouse <command> --help``: one paragraph on what each command does, and an example.

Kept in one place so every command reads the same way; ``cli.build_parser`` applies them.
A command module may still add its own argument help.
"""

from __future__ import annotations

import argparse

#: command -> (paragraph, example)
HELP: dict[str, tuple[str, str]] = {
    "generate": (
        "Write a realistic synthetic landing folder: 90 days of web events (Segment), email "
        "events (SendGrid, Mailgun, SES), form posts (HubSpot, Typeform), lead lists and CRM "
        "deals, with about 1% deliberately dirty records and the hidden truth in _truth/. The "
        "same scale and seed always write the same files.",
        "leadhouse generate --scale tiny --seed 7 --out data/landing",
    ),
    "ingest": (
        "Load the new files of the landing folder into raw.* without Dagster, then reconcile "
        "(rows in = loaded + duplicates + quarantined). Files already loaded are skipped; a file "
        "changed after it was loaded is reported, not reloaded. Exit code 1 if a file failed.",
        "leadhouse ingest --source web_events",
    ),
    "run": (
        "Materialize every asset through Dagster: ingest new landing files, build and test the "
        "dbt models, run the quality checks and the CRM syncs; then print a summary and write "
        "data/output/report.html. The terminal shows one line per step and progress bars; the "
        "full Dagster and dbt logs go to data/output/logs/. Safe to re-run.",
        "leadhouse run            (leadhouse run -v: the full logs on the terminal)",
    ),
    "summary": (
        "Print what the warehouse holds now, without running anything: rows per layer, "
        "quarantined rows by reason, leads by stage and tier, why the top leads scored as they "
        "did, check results per layer and the last CRM syncs.",
        "leadhouse summary",
    ),
    "sync": (
        "Run one reverse-ETL sync (a YAML spec in orchestration/activation/specs/): plan the "
        "changes against the last sync, validate, send only new or changed records, record "
        "every rejection. --dry-run plans and validates with zero API calls.",
        "leadhouse sync hubspot_contacts --dry-run",
    ),
    "calibrate": (
        "Learn every scoring rule's points from which leads became opportunities, backtest the "
        "current points against the calibrated ones on later data, and write a new version "
        "with its report under data/output/calibration/ (the seeds stay as they are until you "
        "--adopt a version). Also calibrates any CSV with an outcome column.",
        "leadhouse calibrate --as-of auto --horizon 30 --capacity 50",
    ),
    "what-if": (
        "Replay the last weeks through the dbt models under the current and a proposed rule "
        "set, and report how tiers, MQLs and hand-offs would have changed, before adopting it.",
        "leadhouse what-if --rules data/output/calibration/<version> --days 28",
    ),
    "score": (
        "Score a CSV lead list with the same fit rules (the same SQL) as the warehouse models, "
        "without loading it: one output row per input row with fit score, persona and grade.",
        "leadhouse score --input list.csv --id email --out scored.csv",
    ),
    "report": (
        "Write one self-contained HTML file a marketer can open without a server or internet: "
        "the funnel with conversion and velocity by source and campaign, score distributions "
        "per persona, the fit x engagement tier matrix, conversion by tier and decile, today's "
        "hand-offs with their top reasons, data quality per layer and source freshness.",
        "leadhouse report && xdg-open data/output/report.html",
    ),
    "score-as-of": (
        "Replay scoring as the warehouse would have been at an instant: leads created by then, "
        "attribute values as last observed by then, consent and suppression as of then. The "
        "replay writes its own schema (replay_<date>) and never touches the production marts, "
        "their incremental state or the hand-off history.",
        "leadhouse score-as-of 2026-10-15",
    ),
    "publish": (
        "Show which version of the read-only analytics database BI tools read "
        "(data/warehouse/analytics.duckdb), when it was published and from which run, or put the "
        "previous version back atomically with --rollback. Publishing itself happens at the end "
        "of every run whose blocking checks all passed.",
        "leadhouse publish --rollback",
    ),
    "forget": (
        "Erase people (right to erasure): every row that names them or their cookie ids in every "
        "warehouse table, their records in the landing files (manifest kept consistent), the "
        "output folder and Dagster's storage; queue a deletion in every CRM a sync wrote them "
        "to; keep a salted-hash tombstone so a re-ingested file never brings them back.",
        "leadhouse forget jane@acme.com   (or: leadhouse forget --file erasures.txt)",
    ),
    "collect": (
        "Serve the HTTP collector: Segment-compatible tracking calls (/v1/batch, track, page, "
        "identify, alias), signed SendGrid, Mailgun, SES (SNS) and Typeform webhooks and form "
        "posts, each written durably (fsync before the answer) into the landing folder in the "
        "formats ingestion reads. Secrets come from the environment (docs/collector.md).",
        "leadhouse collect --host 127.0.0.1 --port 8787   (with LEADHOUSE_WRITE_KEY set)",
    ),
}


def apply(name: str, parser: argparse.ArgumentParser) -> None:
    """Set the command's paragraph and example on its parser."""
    if name in HELP:
        paragraph, example = HELP[name]
        parser.description = paragraph
        parser.epilog = f"example: {example}"
