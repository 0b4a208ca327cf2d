"""Counters of the collector, rendered in the Prometheus text exposition format (0.0.4)."""

from __future__ import annotations

import threading
from collections import defaultdict

PREFIX = "leadhouse_collector_"

#: counter name -> help text
COUNTERS = {
    "requests_total": "HTTP requests answered, by route and status code",
    "request_bytes_total": "Request body bytes received (as sent, before decompression), by route",
    "events_total": "Records appended durably to landing files, by source",
    "rejections_total": "Requests refused, by reason",
    "files_written_total": "Landing files closed and published, by source",
    "fsyncs_total": "fsync calls on landing files",
}


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    body = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels
    )
    return "{" + body + "}"


class Metrics:
    """Thread-safe counters (the spool's writer thread counts files and fsyncs)."""

    def __init__(self) -> None:
        self._values: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)
        self._lock = threading.Lock()

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        key = tuple(sorted((k, str(v)) for k, v in labels.items()))
        with self._lock:
            series = self._values[name]
            series[key] = series.get(key, 0) + amount

    def value(self, name: str, **labels: str) -> float:
        key = tuple(sorted((k, str(v)) for k, v in labels.items()))
        with self._lock:
            return self._values.get(name, {}).get(key, 0)

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        """The exposition text; ``gauges`` maps name -> (help, value)."""
        lines = []
        with self._lock:
            for name, help_text in COUNTERS.items():
                lines += [f"# HELP {PREFIX}{name} {help_text}", f"# TYPE {PREFIX}{name} counter"]
                for labels, value in sorted(self._values.get(name, {}).items()):
                    lines.append(f"{PREFIX}{name}{_labels(labels)} {value:g}")
        for name, (help_text, value) in gauges.items():
            lines += [
                f"# HELP {PREFIX}{name} {help_text}",
                f"# TYPE {PREFIX}{name} gauge",
                f"{PREFIX}{name} {value:g}",
            ]
        return "\n".join(lines) + "\n"
