"""A local stand-in for Segment's tracking API: the official client posts its batches here.

Each POST to ``/v1/batch`` is written as one line of a JSONL file, byte for byte as the
client sent it (un-gzipped when the client gzips), the way a collector lands it: the
landing file holds exactly what the library produces. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import gzip
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class CaptureServer:
    """``with CaptureServer(path) as server:`` then point the client at ``server.url``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                with capture._lock:
                    capture.requests.append((self.path, dict(self.headers)))
                    with capture.out.open("ab") as handle:
                        handle.write(body.replace(b"\n", b"") + b"\n")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"success": true}')

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> CaptureServer:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
