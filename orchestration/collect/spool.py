"""Durable appends to landing files: group commit, rotation, crash recovery.

Every accepted request becomes records appended to one *open* landing file per stream
(``<source>/dt=YYYY-MM-DD/<prefix>-<number>.<ext>``). While open, a file has a hidden
temporary name (``.<final name>.tmp``) that ingestion never reads (``landing.discover``
skips names starting with a dot). A writer thread takes whatever requests are queued,
writes them, fsyncs each touched file once and only then completes the requests' futures:
the HTTP response is sent after the data is on disk, and many requests share one fsync.

A file is closed (trailer written, fsynced, renamed to its final name, folder fsynced) when
it reaches ``max_file_bytes``, when it is ``max_file_age`` seconds old, and on shutdown.
After a crash, :func:`recover` publishes the temporary files left behind, cut after their
last complete record (a torn tail was never acknowledged).

SendGrid files are one JSON array (``docs/data-contracts.md``): the file starts with
``[``, each element is a line ending in ``,`` and closing replaces the last comma with ``]``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

TMP_SUFFIX = ".tmp"
LOCK_NAME = ".collector.lock"
_TMP_RE = re.compile(r"^\.(?P<final>.+)\.tmp$")


@dataclass(frozen=True)
class Stream:
    """One kind of landing file: ``<source>/dt=<day>/<prefix>-<number>.<ext>``."""

    source: str
    prefix: str
    ext: str

    @property
    def is_array(self) -> bool:
        """A JSON-array file (SendGrid), rather than one record a line."""
        return self.ext == "json"


@dataclass
class _Append:
    stream: Stream
    day: str
    records: list[bytes]
    size: int
    future: Future = field(default_factory=Future)


@dataclass
class _OpenFile:
    stream: Stream
    day: str
    final: Path
    tmp: Path
    fd: int
    opened: float
    size: int = 0
    records: int = 0


class QueueFull(Exception):
    """The write queue is over its bound: the client should retry later (HTTP 429)."""


class SpoolClosed(Exception):
    """The spool is shutting down and takes no more writes (HTTP 503)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _finish_array(fd: int, size: int) -> int:
    """Close a SendGrid array file whose body is ``[\\n`` then ``elem,\\n`` lines."""
    if size > 2:
        os.ftruncate(fd, size - 2)  # drop the last ",\n"
        os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, b"\n]\n")
        return size + 1
    os.lseek(fd, 0, os.SEEK_END)
    os.write(fd, b"]\n")
    return size + 2


def recover(landing: Path) -> list[Path]:
    """Publish the temporary files a crashed collector left in ``landing``; return them.

    Each is cut after its last newline (a torn record was never acknowledged), closed like a
    normal file, fsynced and renamed; a file with no complete record is removed.
    """
    published = []
    for tmp in sorted(landing.glob("*/dt=*/.*" + TMP_SUFFIX)):
        match = _TMP_RE.match(tmp.name)
        if not match or not tmp.is_file():
            continue
        final = tmp.with_name(match["final"])
        data = tmp.read_bytes()
        cut = data.rfind(b"\n") + 1
        is_array = final.suffix == ".json"
        empty = cut <= (2 if is_array else 0)
        if empty:
            tmp.unlink()
            log.warning("collector recovery: removed %s (no complete record)", tmp)
            continue
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.ftruncate(fd, cut)
            if is_array:
                _finish_array(fd, cut)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, final)
        _fsync_dir(final.parent)
        published.append(final)
        log.warning("collector recovery: published %s", final.relative_to(landing))
    return published


class Spool:
    """The collector's landing writer (one per landing folder, enforced by a lock file)."""

    def __init__(
        self,
        landing: Path,
        *,
        max_file_bytes: int = 64 * 1024 * 1024,
        max_file_age: float = 5.0,
        max_queue_bytes: int = 64 * 1024 * 1024,
        on_file_closed: Callable[[str, int], None] | None = None,
        on_fsync: Callable[[int], None] | None = None,
    ) -> None:
        self.landing = Path(landing)
        self.max_file_bytes = max_file_bytes
        self.max_file_age = max_file_age
        self.max_queue_bytes = max_queue_bytes
        self._on_file_closed = on_file_closed
        self._on_fsync = on_fsync
        self._queue: queue.SimpleQueue[_Append | None] = queue.SimpleQueue()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._files: dict[tuple[Stream, str], _OpenFile] = {}
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._closed = False
        self._seq = 0

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> list[Path]:
        """Take the landing folder's lock, publish a crashed run's files, start the writer."""
        self.landing.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.landing / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise RuntimeError(
                f"another collector is writing to {self.landing} (lock {LOCK_NAME})"
            ) from None
        recovered = recover(self.landing)
        self._thread = threading.Thread(target=self._run, name="collector-spool", daemon=True)
        self._thread.start()
        return recovered

    def close(self) -> None:
        """Write what is queued, close and publish every open file, release the lock."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- the request side ---------------------------------------------------------------------

    @property
    def pending_bytes(self) -> int:
        return self._pending

    @property
    def alive(self) -> bool:
        """The writer thread is running (else nothing can be acknowledged)."""
        return self._thread is not None and self._thread.is_alive() and not self._closed

    @property
    def open_files(self) -> int:
        return len(self._files)

    def append(self, stream: Stream, day: str, records: list[bytes]) -> Future:
        """Queue ``records`` (each one line, no newline inside) for ``stream``'s file of ``day``.

        The future completes (result = number of records) once they are fsynced; raises
        :class:`QueueFull` when the queue is over its bound, :class:`SpoolClosed` on shutdown.
        """
        if self._closed:
            raise SpoolClosed("the collector is shutting down")
        size = sum(len(r) for r in records) + 2 * len(records)
        with self._pending_lock:
            if self._pending and self._pending + size > self.max_queue_bytes:
                raise QueueFull(f"{self._pending} bytes waiting to be written")
            if size > self.max_queue_bytes:
                raise QueueFull(f"request of {size} bytes is over the queue bound")
            self._pending += size
        item = _Append(stream, day, records, size)
        self._queue.put(item)
        return item.future

    # -- the writer thread ----------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch: list[_Append] = []
            try:
                first = self._queue.get(timeout=self._next_deadline())
            except queue.Empty:
                first = ...
            if first is None:
                stopping = True
            elif first is not ...:
                batch.append(first)
            while True:  # take everything already queued: one fsync for all of it
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            try:
                done = self._write(batch) if batch else []
                self._rotate(force=stopping)  # before answering: a full file is closed first
            except Exception as exc:  # noqa: BLE001 - never leave a request waiting forever
                log.exception("collector: landing writer failed")
                done = [(item, exc) for item in batch if not item.future.done()]
            self._complete(done)

    def _next_deadline(self) -> float:
        if not self._files:
            return 1.0
        oldest = min(f.opened for f in self._files.values())
        return max(0.01, oldest + self.max_file_age - time.monotonic())

    def _open(self, stream: Stream, day: str) -> _OpenFile:
        folder = self.landing / stream.source / f"dt={day}"
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            self._seq = (self._seq + 1) % 1000
            final = (
                folder
                / f"{stream.prefix}-{int(time.time() * 1000):013d}{self._seq:03d}.{stream.ext}"
            )
            tmp = folder / f".{final.name}{TMP_SUFFIX}"
            if not final.exists() and not tmp.exists():
                break
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        handle = _OpenFile(stream, day, final, tmp, fd, time.monotonic())
        if stream.is_array:
            os.write(fd, b"[\n")
            handle.size = 2
        _fsync_dir(folder)  # the temporary name itself survives a crash
        return handle

    def _write(self, batch: list[_Append]) -> list[tuple[_Append, BaseException | None]]:
        """Write and sync ``batch``; return each item with its error (None when durable).

        A failed write is cut off the file again, so a torn record never glues onto the next
        one; a file whose write cannot be undone or whose sync fails is abandoned (left under
        its temporary name for the next start's recovery) and later requests get a new file.
        """
        written: list[tuple[_Append, _OpenFile | None, BaseException | None]] = []
        touched: dict[int, _OpenFile] = {}
        for item in batch:
            key = (item.stream, item.day)
            handle = None
            try:
                handle = self._files.get(key)
                if handle is None:
                    handle = self._files[key] = self._open(item.stream, item.day)
                sep = b",\n" if item.stream.is_array else b"\n"
                data = sep.join(item.records) + sep
                try:
                    _write_all(handle.fd, data)
                except OSError:
                    self._undo(key, handle)
                    raise
                handle.size += len(data)
                handle.records += len(item.records)
                touched[handle.fd] = handle
                written.append((item, handle, None))
            except OSError as exc:
                log.error("collector: write to %s failed: %s", item.stream.source, exc)
                written.append((item, None, exc))
        failed: dict[int, OSError] = {}
        for fd, handle in touched.items():
            try:
                # fdatasync: the data and the metadata needed to read it back (the size);
                # the file's name was made durable when it was created (_open)
                os.fdatasync(fd)
            except OSError as exc:
                log.error("collector: sync of %s failed: %s; file abandoned", handle.tmp, exc)
                failed[fd] = exc
                self._abandon((handle.stream, handle.day), handle)
        if self._on_fsync is not None:
            self._on_fsync(len(touched))
        return [
            (item, exc or (failed.get(handle.fd) if handle is not None else None))
            for item, handle, exc in written
        ]

    def _undo(self, key: tuple[Stream, str], handle: _OpenFile) -> None:
        """Cut a failed write off the file, or give the file up."""
        try:
            os.ftruncate(handle.fd, handle.size)
            os.lseek(handle.fd, 0, os.SEEK_END)
        except OSError:
            self._abandon(key, handle)

    def _abandon(self, key: tuple[Stream, str], handle: _OpenFile) -> None:
        if self._files.get(key) is handle:
            del self._files[key]
        with contextlib.suppress(OSError):
            os.close(handle.fd)

    def _complete(self, done: list[tuple[_Append, BaseException | None]]) -> None:
        for item, failure in done:
            with self._pending_lock:
                self._pending -= item.size
            if failure is not None:
                item.future.set_exception(failure)
            else:
                item.future.set_result(len(item.records))

    def _rotate(self, *, force: bool) -> None:
        now = time.monotonic()
        for key, handle in list(self._files.items()):
            if (
                force
                or handle.size >= self.max_file_bytes
                or now - handle.opened >= self.max_file_age
            ):
                del self._files[key]
                self._close_file(handle)

    def _close_file(self, handle: _OpenFile) -> None:
        try:
            if handle.records == 0:
                os.close(handle.fd)
                handle.tmp.unlink()
                return
            if handle.stream.is_array:
                handle.size = _finish_array(handle.fd, handle.size)
            os.fsync(handle.fd)
            os.close(handle.fd)
            os.rename(handle.tmp, handle.final)
            _fsync_dir(handle.final.parent)
        except OSError as exc:  # left as .tmp: the next start's recovery publishes it
            log.error("collector: closing %s failed: %s", handle.tmp, exc)
            return
        if self._on_file_closed is not None:
            self._on_file_closed(handle.stream.source, handle.records)
        log.info(
            "collector: landed %s (%d records)",
            handle.final.relative_to(self.landing),
            handle.records,
        )
