"""Collector load test: ``python -m benchmarks.collector_load [--seconds 15] [--workers 4]``.

Starts ``leadhouse collect`` on 127.0.0.1 (its own landing folder under
``data/bench/collector/``), posts ``/v1/batch`` requests of realistic Segment page/track
events from keep-alive client threads for a bounded time and number of events, stops the
collector (SIGTERM: every file closed), checks that every acknowledged event is in the
landing files, and appends the sustained events/s and latency percentiles to
``benchmarks/results/collector.md``. Measured, never asserted.

:func:`run_load` and :class:`CollectorProcess` are also used by the crash test
(``tests/integration/collect/test_collect_crash.py``).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration.config import REPO_ROOT

RESULTS = Path(__file__).with_name("results") / "collector.md"
WRITE_KEY = "bench-write-key"
_PAGE = (
    '{"type":"page","messageId":"%s","anonymousId":"anon-%d","timestamp":"%s",'
    '"name":"Pricing","properties":{"path":"/pricing","url":"https://acme.example/pricing'
    '?utm_source=google&utm_medium=cpc","referrer":"https://www.google.com/","title":"Pricing"},'
    '"context":{"ip":"203.0.113.7","userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) '
    'AppleWebKit/605.1.15 Safari/605.1.15","library":{"name":"analytics.js","version":"5.2.0"},'
    '"page":{"path":"/pricing","url":"https://acme.example/pricing"}}}'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CollectorProcess:
    """``leadhouse collect`` as a child process (so it can be killed like a real one)."""

    def __init__(
        self, landing: Path, port: int | None = None, *, max_file_age: float = 5.0
    ) -> None:
        self.landing = landing
        self.port = port or free_port()
        self.max_file_age = max_file_age
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> CollectorProcess:
        exe = Path(sys.executable).with_name("leadhouse")
        env = {
            **os.environ,
            "LEADHOUSE_WRITE_KEY": WRITE_KEY,
            "LEADHOUSE_COLLECT_MIN_FREE_BYTES": "0",
        }
        self.proc = subprocess.Popen(
            [
                str(exe),
                "collect",
                "--port",
                str(self.port),
                "--landing",
                str(self.landing),
                "--max-file-age",
                str(self.max_file_age),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"collector exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("collector did not become healthy")

    def stop(self) -> int:
        """SIGTERM: in-flight requests finish, every open file is closed and published."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def kill(self) -> None:
        """kill -9: no shutdown at all."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


@dataclass
class LoadResult:
    seconds: float = 0.0
    acked_events: int = 0
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    acked_ids: set[str] = field(default_factory=set)
    in_flight_ids: set[str] = field(default_factory=set)  # sent, no answer (connection lost)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def events_per_second(self) -> float:
        return self.acked_events / self.seconds if self.seconds else 0.0


def run_load(
    host_port: str,
    *,
    seconds: float,
    workers: int = 4,
    batch_size: int = 100,
    max_events: int = 1_000_000,
    keep_ids: bool = False,
    stop: threading.Event | None = None,
) -> LoadResult:
    """Post batches from ``workers`` keep-alive connections until ``seconds`` pass,
    ``max_events`` are acknowledged or ``stop`` is set; a worker ends at its first error."""
    host, port = host_port.rsplit(":", 1)
    auth = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
    stop = stop or threading.Event()
    result = LoadResult()
    lock = threading.Lock()
    run_id = f"{time.time_ns():x}"
    per_worker = max_events // workers
    start = time.perf_counter()
    deadline = start + seconds

    def worker(w: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        sent = 0
        seq = 0
        while not stop.is_set() and time.perf_counter() < deadline and sent < per_worker:
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            ids = [f"{run_id}-{w}-{seq + i}" for i in range(batch_size)]
            seq += batch_size
            body = (
                '{"batch":['
                + ",".join(_PAGE % (m, w * 1000 + i % 50, stamp) for i, m in enumerate(ids))
                + "]}"
            ).encode()
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/v1/batch",
                    body,
                    {"Authorization": auth, "Content-Type": "application/json"},
                )
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                # no complete answer (connection lost, or the answer cut short by the server's
                # death: IncompleteRead, BadStatusLine): the batch was in flight
                with lock:
                    result.errors += 1
                    if keep_ids:
                        result.in_flight_ids.update(ids)
                return
            elapsed = time.perf_counter() - t0
            with lock:
                result.requests += 1
                if ok:
                    result.acked_events += len(ids)
                    result.latencies.append(elapsed)
                    if keep_ids:
                        result.acked_ids.update(ids)
                else:
                    result.errors += 1
            sent += len(ids)

    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    return result


def run_load_processes(host_port: str, *, processes: int, **kwargs: object) -> LoadResult:
    """:func:`run_load` in ``processes`` client processes (no shared GIL), results merged;
    ``max_events`` is per process."""
    if processes <= 1:
        return run_load(host_port, **kwargs)
    with ProcessPoolExecutor(processes) as pool:
        parts = list(pool.map(_run_load_part, [(host_port, kwargs)] * processes))
    merged = LoadResult(seconds=max(p.seconds for p in parts))
    for part in parts:
        merged.acked_events += part.acked_events
        merged.requests += part.requests
        merged.errors += part.errors
        merged.latencies += part.latencies
        merged.acked_ids |= part.acked_ids
        merged.in_flight_ids |= part.in_flight_ids
    return merged


def _run_load_part(args: tuple[str, dict]) -> LoadResult:
    host_port, kwargs = args
    return run_load(host_port, **kwargs)


def landed_message_ids(landing: Path) -> list[str]:
    """messageIds of every published web_events record (temporary files excluded)."""
    ids = []
    for path in sorted(landing.glob("web_events/dt=*/segment-*.jsonl")):
        with path.open() as handle:
            ids += [json.loads(line)["messageId"] for line in handle if line.strip()]
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=4, help="connections per process")
    parser.add_argument("--processes", type=int, default=1, help="client processes")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--max-events", type=int, default=300_000)
    args = parser.parse_args(argv)

    landing = REPO_ROOT / "data" / "bench" / "collector" / "landing"
    shutil.rmtree(landing, ignore_errors=True)
    collector = CollectorProcess(landing).start()
    try:
        warm = run_load(collector.url, seconds=1.0, workers=1, batch_size=10)
        cpu0 = _child_cpu(collector.proc.pid)
        result = run_load_processes(
            collector.url,
            processes=args.processes,
            seconds=args.seconds,
            workers=args.workers,
            batch_size=args.batch_size,
            max_events=args.max_events // args.processes,
        )
        cpu = _child_cpu(collector.proc.pid) - cpu0
    finally:
        collector.stop()
    landed = len(landed_message_ids(landing)) - warm.acked_events
    line = (
        f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {os.cpu_count()} "
        f"| {args.processes} × {args.workers} "
        f"| {args.batch_size} "
        f"| {result.acked_events} | {result.seconds:.1f} | {result.events_per_second:,.0f} "
        f"| {result.requests / result.seconds:,.0f} | {1000 * result.percentile(50):.1f} "
        f"| {1000 * result.percentile(99):.1f} | {cpu / result.seconds:.2f} | {result.errors} "
        f"| {landed} | {os.getloadavg()[0]:.1f} |"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Collector load test (`python -m benchmarks.collector_load`)\n\n"
            "`/v1/batch` requests of Segment page events (~600 bytes each) from keep-alive\n"
            "client connections on the same machine (`clients` = processes × connections, each\n"
            "waiting for its answer before its next request); each answer is sent after fsync.\n"
            "`collector CPU` = the collector process's CPU seconds per wall second (1.0 = one\n"
            "core). `landed` = records in the landing files after shutdown (warm-up excluded),\n"
            "equal to `events acked`. `load avg` = the machine's 1-minute load average at the end\n"
            "(other work on the machine included).\n\n"
            "| when (UTC) | cores | clients | batch | events acked | seconds | events/s | "
            "requests/s | p50 ms | p99 ms | collector CPU | errors | landed | load avg |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        )
    with RESULTS.open("a") as handle:
        handle.write(line + "\n")
    print(line)
    print(f"{platform.platform()}; results in {RESULTS.relative_to(REPO_ROOT)}")
    return 0


def _child_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    raise SystemExit(main())
