"""Sends one batch with retries, backoff, rate limiting and bisection.

- 429 / 5xx / timeouts / connection errors: wait ``Retry-After`` when given (at most
  ``retry_after_cap_seconds``), else capped exponential backoff with jitter, up to
  ``max_tries`` calls; then :class:`RetriesExhausted`. :func:`call_with_retries` applies
  the same policy to any other CRM call (e.g. HubSpot property set-up).
- 400 on a batch: split it in halves and send each, down to single records, which are
  then marked ``rejected`` with the destination's error.
- Per-record rejections pass through unchanged. Terminal errors propagate.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from orchestration.activation.destinations.base import (
    BatchRejectedError,
    Destination,
    RecordResult,
    RetryableError,
)
from orchestration.activation.planner import PlannedRecord
from orchestration.activation.ratelimit import TokenBucket
from orchestration.activation.spec import RetryPolicy

T = TypeVar("T")


class RetriesExhausted(RuntimeError):
    """A batch still failed with a retryable error after every try."""


@dataclass(frozen=True)
class Sent:
    """A record with the destination's answer and the number of calls it took."""

    record: PlannedRecord
    result: RecordResult
    attempt: int


def backoff_delay(
    attempt: int, policy: RetryPolicy, rng: random.Random, retry_after: float | None = None
) -> float:
    """Seconds to wait before try ``attempt + 1``: Retry-After (capped), else equal-jitter
    backoff."""
    if retry_after is not None:
        return min(retry_after, policy.retry_after_cap_seconds)
    ceiling = min(policy.cap_seconds, policy.base_seconds * (2 ** (attempt - 1)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    what: str = "call",
) -> tuple[T, int]:
    """``call()`` retried on :class:`RetryableError`; its result and the tries it took."""
    rng = rng or random.Random()
    for attempt in range(1, policy.max_tries + 1):
        try:
            return call(), attempt
        except RetryableError as exc:
            if attempt == policy.max_tries:
                raise RetriesExhausted(
                    f"{what} still failing after {attempt} tries: {exc.status or 'timeout'} {exc}"
                ) from exc
            sleep(backoff_delay(attempt, policy, rng, exc.retry_after))
    raise AssertionError("unreachable")


class BatchSender:
    """Wraps a destination; counts every API call it makes."""

    def __init__(
        self,
        destination: Destination,
        policy: RetryPolicy,
        bucket: TokenBucket,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.destination = destination
        self.policy = policy
        self.bucket = bucket
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.api_calls = 0
        self.retries = 0
        self.bisections = 0

    def send(self, records: list[PlannedRecord], operation: str) -> list[Sent]:
        """Send ``records``; bisect on a batch rejection."""
        try:
            results, attempt = self._call(records, operation)
        except BatchRejectedError as exc:
            if len(records) == 1:
                result = RecordResult(
                    "rejected",
                    http_status=exc.status,
                    error_code=exc.code or f"http_{exc.status}",
                    error_message=str(exc),
                )
                return [Sent(records[0], result, 1)]
            self.bisections += 1
            mid = len(records) // 2
            return self.send(records[:mid], operation) + self.send(records[mid:], operation)
        return [Sent(r, res, attempt) for r, res in zip(records, results, strict=True)]

    def _call(self, records: list[PlannedRecord], operation: str) -> tuple[list[RecordResult], int]:
        for attempt in range(1, self.policy.max_tries + 1):
            self.bucket.acquire()
            self.api_calls += 1
            try:
                results = self.destination.write(records, operation)
            except RetryableError as exc:
                if attempt == self.policy.max_tries:
                    raise RetriesExhausted(
                        f"batch of {len(records)} still failing after {attempt} tries: "
                        f"{exc.status or 'timeout'} {exc}"
                    ) from exc
                self.retries += 1
                self.sleep(backoff_delay(attempt, self.policy, self.rng, exc.retry_after))
                continue
            if len(results) != len(records):
                raise RuntimeError(
                    f"destination answered {len(results)} results for {len(records)} records"
                )
            return results, attempt
        raise AssertionError("unreachable")
