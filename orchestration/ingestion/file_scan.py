"""One pass over a landing file's bytes, independent of the loader: its sha256, how many
records it holds, and its lines that are not valid UTF-8.

The record count is what reconciliation compares with what the loader read, so a file the
loader silently misread (a name taken as a glob pattern, a reader that stopped early) fails
reconciliation instead of passing with 0 rows. Units, by the file's layout:

* ``lines`` (JSONL, post bodies): non-blank lines (a Segment ``batch`` envelope line is one
  unit: the loader reads it as one line);
* ``csv``: non-blank lines after the header (a quoted field spanning lines counts each line);
* ``json_array``: the array's elements, or, when the file is not one valid array, its lines
  that hold something besides ``[``, ``]`` and ``,`` (how the loader reads a broken array).

A line whose bytes are not valid UTF-8 is returned with its 1-based number and original
bytes: the loader quarantines it as ``invalid_encoding`` and reads the rest of the file.

A gzip-compressed file (``*.jsonl.gz``, ``*.csv.gz``, ...: :func:`is_gzip`) is hashed as it
is (its checksum is the file's) and counted, checked and read by line on its decompressed
bytes (:func:`open_landing`); a file that does not decompress fails the scan.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20

#: the scan keeps the byte offset of every LINE_STEP-th line (:func:`read_lines` starts there)
LINE_STEP = 64

#: the first bytes of a gzip stream (RFC 1952)
GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """``path`` is gzip-compressed (by its first bytes: a ``.gz`` landing file, or the
    rewritten copy of one): everything here reads its decompressed bytes."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_landing(path: Path) -> BinaryIO:
    """``path`` opened for reading its (decompressed) bytes."""
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def landing_bytes(path: Path) -> bytes:
    """The (decompressed) bytes of ``path``."""
    with open_landing(path) as handle:
        return handle.read()


class _Hashing:
    """A binary file whose bytes feed ``digest`` as they are read."""

    def __init__(self, raw: BinaryIO, digest: hashlib._Hash) -> None:
        self.raw, self.digest = raw, digest

    def read(self, size: int = -1) -> bytes:
        block = self.raw.read(size)
        self.digest.update(block)
        return block


@dataclass
class FileScan:
    """What one pass over a file found."""

    checksum: str
    records: int
    #: lines, blank ones included (a final line break ends the last line, it starts none)
    lines: int = 0
    #: (1-based line number, original bytes) of the lines that are not valid UTF-8
    bad_lines: list[tuple[int, bytes]] = field(default_factory=list)
    #: byte offsets of lines 1, 1 + LINE_STEP, 1 + 2 * LINE_STEP, ... (for :func:`read_lines`)
    line_index: list[int] = field(default_factory=list)


def _blank(line: bytes) -> bool:
    """Blank as the loader sees it: nothing but spaces once a trailing CR is dropped."""
    return not line.rstrip(b"\r").strip(b" ")


_ARRAY_EDGES = re.compile(rb"^\[\s*|\s*[,\]]*$")


def _array_fallback_unit(line: bytes) -> bool:
    """A line of a broken JSON array that the loader reads as an element."""
    return bool(_ARRAY_EDGES.sub(b"", line.strip(b" ").rstrip(b"\r").strip(b" ")))


def scan_file(path: Path, layout: str = "lines") -> FileScan:
    """Hash ``path`` and count its records (``layout``: lines | csv | json_array).

    Line breaks are found in bulk (numpy, no Python per line); only a line that starts like a
    blank one (a space, a CR, or nothing) is looked at on its own."""
    import numpy as np  # noqa: PLC0415 - only ingestion needs it, not the code location

    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    lines_total = 0  # complete lines (ended by a line break) so far
    blank = 0
    index: list[int] = [0]  # line 1 starts at byte 0
    base = 0  # offset in the file of ``buf[0]``
    tail = b""
    compressed = is_gzip(path)
    # the checksum is the file's bytes', the lines are its decompressed text's: a gzip file is
    # hashed as gzip reads it, in the same pass
    with (
        path.open("rb") as raw,
        gzip.GzipFile(fileobj=_Hashing(raw, digest), mode="rb") if compressed else raw as handle,
    ):
        while block := handle.read(CHUNK):
            if not compressed:
                digest.update(block)
            # ASCII is valid UTF-8 unless a multi-byte character began in the block before
            if utf8_ok and not (block.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
            buf = tail + block if tail else block
            arr = np.frombuffer(buf, dtype=np.uint8)
            breaks = np.flatnonzero(arr == 10)
            if len(breaks):
                starts = np.concatenate(([0], breaks[:-1] + 1))  # of the complete lines
                first_bytes = arr[starts]
                maybe = (first_bytes == 32) | (first_bytes == 13) | (first_bytes == 10)
                for first, end in zip(starts[maybe].tolist(), breaks[maybe].tolist(), strict=True):
                    blank += _blank(buf[first:end])
                # line n + 1 starts after the n-th break: keep those with n % LINE_STEP == 0
                skip = (-(lines_total + 1)) % LINE_STEP
                index += (base + breaks[skip::LINE_STEP] + 1).tolist()
                lines_total += len(breaks)
                cut = int(breaks[-1]) + 1
                tail = buf[cut:]
                base += cut
            else:
                tail = buf
    if tail:
        lines_total += 1
        blank += _blank(tail)
    if index[-1] >= base + len(tail) and len(index) > 1:
        index.pop()  # a final line break starts no line
    nonblank = lines_total - blank
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    bad: list[tuple[int, bytes]] = []
    if not utf8_ok:
        bad = invalid_lines(path)
    if layout == "csv":
        records = max(nonblank - 1, 0)
    elif layout == "json_array":
        records = _array_records(path, bad)
    else:
        records = nonblank
    return FileScan(
        checksum=digest.hexdigest(),
        records=records,
        lines=lines_total,
        bad_lines=bad,
        line_index=index,
    )


def read_lines(path: Path, numbers: list[int], index: list[int] | None = None) -> list[bytes]:
    """The original bytes of lines ``numbers`` (1-based, ascending) of ``path``, without their
    line break (nor a CR before it). ``index``: the scan's ``line_index`` (each line is then
    read from the nearest indexed line; without it the file is read from its start)."""
    out: list[bytes] = []
    with open_landing(path) as handle:  # a gzip file seeks forward by decompressing
        at = 1  # the number of the line ``handle`` is at
        for number in numbers:
            if index:
                k = min((number - 1) // LINE_STEP, len(index) - 1)
                if k * LINE_STEP + 1 > at or number < at:
                    handle.seek(index[k])
                    at = k * LINE_STEP + 1
            while at < number:
                handle.readline()
                at += 1
            out.append(handle.readline().rstrip(b"\n").rstrip(b"\r"))
            at += 1
    return out


def invalid_lines(path: Path) -> list[tuple[int, bytes]]:
    """The lines of ``path`` that are not valid UTF-8: ``(1-based number, original bytes)``."""
    out = []
    for number, line in enumerate(landing_bytes(path).split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            out.append((number, line.rstrip(b"\r")))
    return out


def _array_records(path: Path, bad: list[tuple[int, bytes]]) -> int:
    data = landing_bytes(path)
    if not bad:
        try:
            parsed = json.loads(data.decode("utf-8-sig"))
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return len(parsed)
    return sum(1 for line in data.split(b"\n") if _array_fallback_unit(line))


def cleaned_text(path: Path, bad: list[tuple[int, bytes]]) -> bytes:
    """The file's bytes with its invalid UTF-8 lines blanked (line numbers unchanged)."""
    numbers = {number for number, _ in bad}
    lines = landing_bytes(path).split(b"\n")
    return b"\n".join(b"" if i in numbers else line for i, line in enumerate(lines, start=1))


def shown_bytes(line: bytes) -> str:
    """Original bytes as text for ``raw.quarantine.payload``: valid UTF-8 as is, every byte
    that is not as ``\\xNN`` (Python's ``backslashreplace``)."""
    return line.decode("utf-8", errors="backslashreplace")
