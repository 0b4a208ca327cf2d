"""What every destination implements, and the errors it raises.

A destination turns one batch into one API call (``write``) and answers per record.
Whole-call failures are classified so the sender knows what to do with them:
:class:`RetryableError` (429, 5xx, timeouts), :class:`BatchRejectedError` (400: bisect),
:class:`TerminalError` (auth / configuration: fail the run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from orchestration.activation.planner import PlannedRecord


class DestinationError(Exception):
    """A call failed as a whole."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class RetryableError(DestinationError):
    """429, 5xx or a timeout: try again later."""


class BatchRejectedError(DestinationError):
    """The destination refused the whole batch (400): bisect to find the bad records."""


class TerminalError(DestinationError):
    """Authentication or configuration error: stop the run."""


@dataclass(frozen=True)
class RecordResult:
    """The destination's answer for one record."""

    status: str  # success | rejected
    dest_record_id: str | None = None
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None


class Destination(Protocol):
    """One CRM object (or file / webhook) to write to."""

    def prepare(self, columns: dict[str, str]) -> int:
        """One-off setup before the first batch (e.g. custom properties); returns API calls made."""

    def write(self, records: list[PlannedRecord], operation: str) -> list[RecordResult]:
        """Send one batch in one call; one result per record, in order."""


class BulkDestination(Destination, Protocol):
    """A destination that can also send many records in one bulk job (Salesforce Bulk API)."""

    def write_bulk(self, records: list[PlannedRecord]) -> list[RecordResult]:
        """Send every record in one job; one result per record, in order."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form; HTTP dates are ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def classify_status(
    status: int, message: str, *, retry_after: float | None = None, code: str | None = None
) -> DestinationError:
    """Map a failed call's HTTP status to the error class the sender acts on."""
    if status == 429 or status >= 500 or status in (408,):
        return RetryableError(message, status=status, code=code, retry_after=retry_after)
    if status == 400 or status == 413 or status == 422:
        return BatchRejectedError(message, status=status, code=code)
    return TerminalError(message, status=status, code=code)
