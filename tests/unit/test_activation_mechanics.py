"""Token bucket, backoff, bisection and fingerprint normalisation, without a network."""

from __future__ import annotations

import random

import duckdb

from orchestration.activation.destinations.base import (
    BatchRejectedError,
    RecordResult,
    RetryableError,
)
from orchestration.activation.planner import PlannedRecord, value_expr
from orchestration.activation.ratelimit import TokenBucket
from orchestration.activation.sender import BatchSender, RetriesExhausted, backoff_delay
from orchestration.activation.spec import RetryPolicy


class Clock:
    def __init__(self):
        self.t = 0.0
        self.slept = []

    def now(self):
        return self.t

    def sleep(self, s):
        self.slept.append(s)
        self.t += s


def test_token_bucket_keeps_the_rate():
    clock = Clock()
    bucket = TokenBucket(9, clock=clock.now, sleep=clock.sleep)
    for _ in range(99):
        bucket.acquire()
    # 9 free tokens, then 90 more at 9/s = 10 s
    assert abs(clock.t - 10.0) < 1e-9


def test_backoff_honours_retry_after_else_grows_with_cap():
    policy = RetryPolicy(base_seconds=1, cap_seconds=8)
    rng = random.Random(1)
    assert backoff_delay(3, policy, rng, retry_after=2.5) == 2.5
    delays = [backoff_delay(n, policy, rng) for n in range(1, 7)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))


def rec(i):
    return PlannedRecord(f"k{i:03d}", "insert", f"m{i}", None, "fp", {"x": i})


class FakeDest:
    def __init__(self, bad=(), fail_first=0):
        self.bad, self.fail_first, self.calls = set(bad), fail_first, []

    def prepare(self, columns):
        return 0

    def write(self, records, operation):
        self.calls.append(len(records))
        if self.fail_first:
            self.fail_first -= 1
            raise RetryableError("busy", status=503)
        if self.bad & {r.primary_key for r in records}:
            raise BatchRejectedError("bad record", status=400, code="VALIDATION_ERROR")
        return [RecordResult("success", dest_record_id=r.primary_key) for r in records]


def sender(dest, tries=6):
    clock = Clock()
    return BatchSender(
        dest,
        RetryPolicy(base_seconds=0.5, cap_seconds=4, max_tries=tries),
        TokenBucket(1000, clock=clock.now, sleep=clock.sleep),
        sleep=clock.sleep,
        rng=random.Random(0),
    ), clock


def test_bisection_isolates_the_bad_records():
    dest = FakeDest(bad={"k003", "k006"})
    s, _ = sender(dest)
    out = s.send([rec(i) for i in range(8)], "insert")
    assert [o.result.status for o in out] == ["success"] * 3 + ["rejected"] + ["success"] * 2 + [
        "rejected",
        "success",
    ]
    assert out[3].result.error_code == "VALIDATION_ERROR" and out[3].result.http_status == 400
    assert dest.calls == [8, 4, 2, 2, 1, 1, 4, 2, 2, 1, 1]
    assert s.api_calls == 11


def test_retryable_errors_back_off_then_give_up():
    dest = FakeDest(fail_first=2)
    s, clock = sender(dest)
    out = s.send([rec(1)], "insert")
    assert out[0].result.status == "success" and out[0].attempt == 3
    assert len(clock.slept) == 2 and 0.25 <= clock.slept[0] <= 0.5
    s2, _ = sender(FakeDest(fail_first=10), tries=3)
    try:
        s2.send([rec(1)], "insert")
    except RetriesExhausted as exc:
        assert "after 3 tries" in str(exc)
    else:
        raise AssertionError("expected RetriesExhausted")
    assert s2.api_calls == 3


def test_fingerprint_values_are_normalised():
    con = duckdb.connect()
    con.execute("create table t(a decimal(5,2), b integer, c double, ts timestamptz, d date)")
    con.execute("set timezone = 'Europe/Paris'")
    con.execute(
        "insert into t values (87.00, 87, 87.0000001, "
        "timestamptz '2026-03-01 13:00:00+01', date '2026-03-01')"
    )
    types = {
        "a": "DECIMAL(5,2)",
        "b": "INTEGER",
        "c": "DOUBLE",
        "ts": "TIMESTAMP WITH TIME ZONE",
        "d": "DATE",
    }
    row = con.execute(
        "select "
        + ", ".join(f"to_json({value_expr(c, t)})::varchar" for c, t in types.items())
        + " from t"
    ).fetchone()
    assert row == ("87.0", "87.0", "87.0", '"2026-03-01T12:00:00.000Z"', '"2026-03-01"')
