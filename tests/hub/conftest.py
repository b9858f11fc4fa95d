"""A scripted loopback server: each GET is answered by a function of the request, to play hostile Hubs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server answers: status, body and headers."""

    status: int = 200
    body: bytes = b"[]"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


Script = Callable[[int, str, str], Reply]  # (request number, path with query, this server's origin) -> reply


class ScriptedHub:
    """A running scripted server; ``endpoint`` is its origin (``http://127.0.0.1:PORT``)."""

    def __init__(self, script: Script) -> None:
        self.seen: list[Seen] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                hub.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                reply = script(len(hub.seen) - 1, self.path, hub.endpoint)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def scripted_hub(script: Script) -> Iterator[ScriptedHub]:
    """Serve ``script`` on loopback for the duration of the block."""
    hub = ScriptedHub(script)
    try:
        yield hub
    finally:
        hub.stop()
