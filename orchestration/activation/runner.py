"""Runs one sync end to end: plan, (dry run | send in batches), audit.

The warehouse is never held while the CRM is called: the plan is read and the connection
closed, then each confirmed batch is recorded on a short connection of its own. State moves
per confirmed batch, in its own transaction (:func:`store.record_batch`), so a crash mid-run
loses nothing: the next run's plan still contains every unconfirmed record. Deletions queued
by ``leadhouse forget`` (``retl.erasure_requests``) are sent first, with the same retries.
The run stops with :class:`SyncFailed` when the rejected share passes
``reject_abort_threshold``, when a batch exhausts its retries, or on an
authentication/configuration error.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.activation import store
from orchestration.activation.destinations.base import BulkDestination
from orchestration.activation.planner import Plan, PlannedRecord, build_plan, log_unsent
from orchestration.activation.ratelimit import TokenBucket
from orchestration.activation.secrets import mask, redact
from orchestration.activation.sender import (
    BatchSender,
    RetriesExhausted,
    Sent,
    call_with_retries,
)
from orchestration.activation.spec import SyncSpec


class SyncFailed(RuntimeError):
    """The sync stopped; ``report`` holds what was done before it stopped."""

    def __init__(self, message: str, report: SyncReport):
        super().__init__(message)
        self.report = report


@dataclass
class SyncReport:
    """The outcome of one run (what ``sync_runs`` holds, plus samples)."""

    sync_id: str
    sync_run_id: str
    dry_run: bool
    status: str = "running"
    counts: dict[str, int] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)
    invalid_samples: list[tuple[str | None, str]] = field(default_factory=list)
    error: str | None = None
    dry_run_reason: str | None = None

    @property
    def rejected_share(self) -> float:
        sent = self.counts.get("sent_rows", 0)
        return self.counts.get("rejected_rows", 0) / sent if sent else 0.0


def new_sync_run_id(sync_id: str) -> str:
    return f"{sync_id}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _outcomes(sent: list[Sent]) -> list[store.RecordOutcome]:
    return [
        store.RecordOutcome(
            primary_key=s.record.primary_key,
            operation=s.record.operation,
            fingerprint=s.record.fingerprint,
            payload=s.record.payload,
            status=s.result.status,
            dest_record_id=s.result.dest_record_id,
            http_status=s.result.http_status,
            error_code=s.result.error_code or ("suppressed_fields" if s.record.note else None),
            error_message=s.result.error_message
            or (s.record.note.partition(":")[2] if s.record.note else None),
            attempt=s.attempt,
        )
        for s in sent
    ]


def _batches(records: list[PlannedRecord], size: int):
    for op in ("insert", "update", "delete"):
        chosen = [r for r in records if r.operation == op]
        for start in range(0, len(chosen), size):
            yield op, chosen[start : start + size]


def run_sync(
    spec: SyncSpec,
    *,
    warehouse: Path,
    destination_factory: Callable[[str], object] | None = None,
    dry_run: bool = False,
    retry_rejected: bool = False,
    dagster_run_id: str | None = None,
    dry_run_reason: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> SyncReport:
    """Plan and run ``spec``; ``destination_factory(sync_run_id)`` builds the destination.

    The warehouse is opened three ways, each time briefly: to plan (the records to send are
    then in memory), after each confirmed batch to record it, and to close the run. No
    connection is open while a CRM call or a backoff wait is under way, so ingestion or dbt
    in another process are never locked out by a slow or failing CRM.
    """
    run_id = new_sync_run_id(spec.sync_id)
    report = SyncReport(spec.sync_id, run_id, dry_run, dry_run_reason=dry_run_reason)
    with store.connect(warehouse) as con:
        store.start_run(
            con,
            sync_run_id=run_id,
            sync_id=spec.sync_id,
            dagster_run_id=dagster_run_id,
            mode=spec.mode,
            dry_run=dry_run,
        )
        try:
            plan: Plan = build_plan(con, spec, retry_rejected=retry_rejected)
        except Exception as exc:
            store.update_run(
                con, run_id, {}, status="failed", error_message=redact(exc), finished=True
            )
            raise
        log_unsent(con, spec, run_id, dry_run=dry_run)
        erasures = [] if dry_run else store.pending_erasures(con, spec.sync_id)
        report.counts = {
            **plan.counts,
            "sent_rows": 0,
            "succeeded_rows": 0,
            "rejected_rows": 0,
            "failed_rows": 0,
            "api_calls": 0,
        }
        report.samples = [
            {
                "key": r.primary_key,
                "operation": r.operation,
                "match": mask(spec.match_key, r.match_value),
                "fields": {k: mask(k, v) for k, v in r.payload.items()},
            }
            for r in plan.records[:3]
        ]
        report.invalid_samples = plan.invalid_samples
        idle = not plan.records and not erasures
        status = "planned" if dry_run else ("succeeded" if idle else None)
        store.update_run(con, run_id, report.counts, status=status, finished=status is not None)
    if dry_run or idle:
        report.status = status
        return report
    return _send(
        warehouse,
        spec,
        run_id,
        report,
        plan,
        erasures,
        destination_factory=destination_factory,
        sleep=sleep,
        clock=clock,
        rng=rng,
    )


def _send(
    warehouse: Path,
    spec: SyncSpec,
    run_id: str,
    report: SyncReport,
    plan: Plan,
    erasures: list[tuple[str, str]],
    *,
    destination_factory: Callable[[str], object],
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    rng: random.Random | None,
) -> SyncReport:
    """Send the plan (and queued erasures); record each confirmed batch on a fresh connection."""
    counts = report.counts

    def persist(fn: Callable[..., None], *args: object) -> None:
        with store.connect(warehouse) as con:
            fn(con, spec, run_id, counts, *args)

    try:
        destination = destination_factory(run_id)
        if erasures:
            _erase(warehouse, spec, run_id, counts, destination, erasures, sleep=sleep, rng=rng)
        if plan.records:
            calls, tries = call_with_retries(
                lambda: destination.prepare(plan.columns),
                spec.retry,
                sleep=sleep,
                rng=rng,
                what=f"{spec.destination} set-up",
            )
            counts["api_calls"] += calls + tries - 1
        bucket = TokenBucket(spec.rate_limit, clock=clock, sleep=sleep)
        sender = BatchSender(destination, spec.retry, bucket, sleep=sleep, rng=rng)
        total = len(plan.records)
        bulk_ops = set()
        if hasattr(destination, "write_bulk") and spec.mode in ("upsert", "mirror"):
            upserts = [r for r in plan.records if r.operation != "delete"]
            if len(upserts) > spec.bulk_threshold:
                bulk_ops = {"insert", "update"}
                persist(_persist, _bulk(destination, upserts, counts))
        for op, batch in _batches(plan.records, spec.effective_batch_size):
            if op in bulk_ops:
                continue
            before = sender.api_calls
            try:
                sent = sender.send(batch, op)
            except RetriesExhausted as exc:
                counts["api_calls"] += sender.api_calls - before
                persist(_persist_failed, batch, redact(exc))
                raise
            counts["api_calls"] += sender.api_calls - before
            persist(_persist, sent)
            checked = counts["sent_rows"]
            if (
                checked >= min(total, spec.effective_batch_size)
                and counts["rejected_rows"] > spec.reject_abort_threshold * checked
            ):
                raise _Abort(
                    f"rejections {counts['rejected_rows']}/{checked} "
                    f"({counts['rejected_rows'] / checked:.0%}) passed the threshold "
                    f"{spec.reject_abort_threshold:.0%}; stopped with "
                    f"{total - checked} records unsent"
                )
    except Exception as exc:
        report.status = "failed"
        report.error = redact(f"{type(exc).__name__}: {exc}")
        with store.connect(warehouse) as con:
            store.update_run(
                con, run_id, counts, status="failed", error_message=report.error, finished=True
            )
        raise SyncFailed(report.error, report) from None
    report.status = "partial" if counts["rejected_rows"] or counts["failed_rows"] else "succeeded"
    with store.connect(warehouse) as con:
        store.update_run(con, run_id, counts, status=report.status, finished=True)
    return report


def _erase(
    warehouse: Path,
    spec: SyncSpec,
    run_id: str,
    counts: dict[str, int],
    destination: object,
    erasures: list[tuple[str, str]],
    *,
    sleep: Callable[[float], None],
    rng: random.Random | None,
) -> None:
    """Send the deletions ``leadhouse forget`` queued; each one is recorded as it is confirmed
    (a failure is kept queued and retried by the next run)."""
    if not hasattr(destination, "erase"):
        return
    for request_id, dest_id in erasures:
        try:
            result, tries = call_with_retries(
                lambda d=dest_id: destination.erase(d),
                spec.retry,
                sleep=sleep,
                rng=rng,
                what="erasure",
            )
        except RetriesExhausted as exc:
            outcome = store.RecordOutcome(
                request_id, "erase", None, None, "failed", dest_id, None,
                "retries_exhausted", str(exc), spec.retry.max_tries,
            )  # fmt: skip
            with store.connect(warehouse) as con:
                store.record_erasures(
                    con, sync_id=spec.sync_id, sync_run_id=run_id, outcomes=[(request_id, outcome)]
                )
            raise
        counts["api_calls"] += tries
        outcome = store.RecordOutcome(
            request_id, "erase", None, None, result.status, dest_id, result.http_status,
            result.error_code, result.error_message, tries,
        )  # fmt: skip
        with store.connect(warehouse) as con:
            store.record_erasures(
                con, sync_id=spec.sync_id, sync_run_id=run_id, outcomes=[(request_id, outcome)]
            )


class _Abort(RuntimeError):
    """The rejected share passed the spec's threshold."""


def _bulk(
    destination: BulkDestination, records: list[PlannedRecord], counts: dict[str, int]
) -> list[Sent]:
    results = destination.write_bulk(records)
    counts["api_calls"] += 1
    return [Sent(r, res, 1) for r, res in zip(records, results, strict=True)]


def _persist_failed(
    con: duckdb.DuckDBPyConnection,
    spec: SyncSpec,
    run_id: str,
    counts: dict[str, int],
    batch: list[PlannedRecord],
    error: str,
) -> None:
    """Log a batch that exhausted its retries; its state stays put (resent next run)."""
    counts["sent_rows"] += len(batch)
    counts["failed_rows"] += len(batch)
    outcomes = [
        store.RecordOutcome(
            r.primary_key,
            r.operation,
            r.fingerprint,
            r.payload,
            "failed",
            error_code="retries_exhausted",
            error_message=error,
            attempt=spec.retry.max_tries,
        )
        for r in batch
    ]
    store.record_batch(con, sync_id=spec.sync_id, sync_run_id=run_id, outcomes=outcomes)
    store.update_run(con, run_id, counts)


def _persist(
    con: duckdb.DuckDBPyConnection,
    spec: SyncSpec,
    run_id: str,
    counts: dict[str, int],
    sent: list[Sent],
) -> None:
    """Log the confirmed batch, move state, update the run's counters."""
    counts["sent_rows"] += len(sent)
    counts["succeeded_rows"] += sum(s.result.status == "success" for s in sent)
    counts["rejected_rows"] += sum(s.result.status == "rejected" for s in sent)
    store.record_batch(con, sync_id=spec.sync_id, sync_run_id=run_id, outcomes=_outcomes(sent))
    store.update_run(con, run_id, counts)
