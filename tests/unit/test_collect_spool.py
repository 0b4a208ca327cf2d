"""The collector's landing spool: temporary names ingestion ignores, rotation, crash recovery."""

import errno
import json
import subprocess
import sys
import time

import pytest

from orchestration.collect.spool import Spool, Stream, recover
from orchestration.ingestion.landing import discover, fingerprint

SEGMENT = Stream("web_events", "segment", "jsonl")
SENDGRID = Stream("email_events", "sendgrid", "json")
DAY = "2026-05-01"


def published(landing, source):
    return {f.path.name: f.path.read_text() for f in discover(landing, source)}


def test_open_files_are_invisible_to_ingestion_until_closed(tmp_path):
    spool = Spool(tmp_path, max_file_age=3600)
    spool.start()
    try:
        assert spool.append(SEGMENT, DAY, [b'{"a":1}', b'{"a":2}']).result(timeout=10) == 2
        folder = tmp_path / "web_events" / f"dt={DAY}"
        (tmp,) = folder.iterdir()
        assert tmp.name.startswith(".segment-") and tmp.name.endswith(".jsonl.tmp")
        assert tmp.read_text() == '{"a":1}\n{"a":2}\n'  # on disk before the future completed
        assert discover(tmp_path, "web_events") == []
        empty = fingerprint(tmp_path, ("web_events",))
    finally:
        spool.close()
    ((name, text),) = published(tmp_path, "web_events").items()
    assert name.startswith("segment-") and name.endswith(".jsonl") and text == '{"a":1}\n{"a":2}\n'
    assert fingerprint(tmp_path, ("web_events",)) != empty
    assert [p.name for p in (tmp_path / "web_events" / f"dt={DAY}").iterdir()] == [name]


def test_sendgrid_files_are_one_json_array(tmp_path):
    spool = Spool(tmp_path)
    spool.start()
    spool.append(SENDGRID, DAY, [b'{"e":1}', b'{"e":2}']).result(timeout=10)
    spool.append(SENDGRID, DAY, [b'{"e":3}']).result(timeout=10)
    spool.close()
    ((_, text),) = published(tmp_path, "email_events").items()
    assert json.loads(text) == [{"e": 1}, {"e": 2}, {"e": 3}]
    assert text == '[\n{"e":1},\n{"e":2},\n{"e":3}\n]\n'


def test_files_rotate_by_size_and_day(tmp_path):
    spool = Spool(tmp_path, max_file_bytes=5)  # every record fills a file
    spool.start()
    for i in range(3):
        spool.append(SEGMENT, DAY, [b'{"n":%d}' % i]).result(timeout=10)
    spool.append(SEGMENT, "2026-05-02", [b'{"n":9}']).result(timeout=10)
    spool.close()
    day1 = published(tmp_path, "web_events")
    assert sorted(day1.values()) == ['{"n":0}\n', '{"n":1}\n', '{"n":2}\n', '{"n":9}\n']
    assert sorted(f.rel.split("/")[1] for f in discover(tmp_path, "web_events")) == [
        "dt=2026-05-01",
        "dt=2026-05-01",
        "dt=2026-05-01",
        "dt=2026-05-02",
    ]


def test_files_close_by_age_while_running(tmp_path):
    spool = Spool(tmp_path, max_file_age=0.2)
    spool.start()
    try:
        spool.append(SEGMENT, DAY, [b'{"n":1}']).result(timeout=10)
        deadline = time.monotonic() + 30
        while not discover(tmp_path, "web_events") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert published(tmp_path, "web_events") != {}  # published with the spool still open
        assert spool.open_files == 0
    finally:
        spool.close()
    assert list(published(tmp_path, "web_events").values()) == ['{"n":1}\n']


def test_recovery_publishes_complete_records_only(tmp_path):
    folder = tmp_path / "web_events" / f"dt={DAY}"
    folder.mkdir(parents=True)
    (folder / ".segment-1.jsonl.tmp").write_text('{"a":1}\n{"a":2}\n{"a":3')  # torn tail
    (folder / ".segment-2.jsonl.tmp").write_text('{"torn')  # nothing complete
    mail = tmp_path / "email_events" / f"dt={DAY}"
    mail.mkdir(parents=True)
    (mail / ".sendgrid-3.json.tmp").write_text('[\n{"e":1},\n{"e":2},\n{"e"')
    (mail / ".sendgrid-4.json.tmp").write_text("[\n")
    recovered = recover(tmp_path)
    assert sorted(p.name for p in recovered) == ["segment-1.jsonl", "sendgrid-3.json"]
    assert published(tmp_path, "web_events") == {"segment-1.jsonl": '{"a":1}\n{"a":2}\n'}
    assert json.loads((mail / "sendgrid-3.json").read_text()) == [{"e": 1}, {"e": 2}]
    assert sorted(p.name for p in mail.iterdir()) == ["sendgrid-3.json"]
    assert [p.name for p in folder.iterdir()] == ["segment-1.jsonl"]


def test_one_collector_per_landing_folder(tmp_path):
    first = Spool(tmp_path)
    first.start()
    try:
        with pytest.raises(RuntimeError, match="another collector"):
            Spool(tmp_path).start()
    finally:
        first.close()
    second = Spool(tmp_path)
    second.start()  # the lock is free again
    second.close()


FAILING_WRITE = """
import resource, signal, sys
from pathlib import Path
from orchestration.collect.spool import Spool, Stream
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the limit, write() fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (64, resource.RLIM_INFINITY))
spool = Spool(Path(sys.argv[1]))
spool.start()
stream = Stream("web_events", "segment", "jsonl")
print(spool.append(stream, "2026-05-01", [b'{"first":"' + b"x" * 28 + b'"}']).result())
try:
    spool.append(stream, "2026-05-01", [b'{"second":"' + b"y" * 40 + b'"}']).result()
except OSError as exc:
    print("refused", exc.errno)
print(spool.append(stream, "2026-05-01", [b'{"third":1}']).result())
spool.close()
"""


def test_a_failed_write_is_refused_and_cut_off_the_file(tmp_path):
    """A real EFBIG (file size limit) mid-record: that request fails, the torn bytes are cut
    off, and the next record lands intact on its own line."""
    out = subprocess.run(
        [sys.executable, "-c", FAILING_WRITE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[:3] == ["1", f"refused {errno.EFBIG}", "1"]
    ((_, text),) = published(tmp_path, "web_events").items()
    assert text == '{"first":"' + "x" * 28 + '"}\n{"third":1}\n'
