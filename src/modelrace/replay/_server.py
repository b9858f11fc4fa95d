"""A loopback server that speaks the Hub's ``/api/models``, for tests, demos and benchmarks offline.

It also serves model repositories' files (model info with siblings, ``resolve`` downloads with the headers
huggingface_hub checks), so downloads through huggingface_hub are tested without the network.

It serves model objects from a list (hand-made, generated, or built from the llmfit Hub figures in the
reference data) with the Hub's behaviour: filters, sort by downloads, ``limit`` page size, ``expand``,
``Link: <...>; rel="next"`` pagination, and injected faults (429 with Retry-After, 503, a broken page).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

from modelrace.replay._provenance import (
    ReplayProvenance,
)

# What /api/models returns without `expand` (huggingface_hub's docs and the live Hub agree).
BASIC_FIELDS = ("id", "likes", "downloads", "tags", "pipeline_tag", "library_name", "createdAt", "private")


@dataclass
class Fault:
    """A response to give instead of the page, on the listed request numbers (0-based)."""

    status: int
    retry_after: int | None = None
    body: bytes = b'{"error": "injected fault"}'


@dataclass
class HubRepo:
    """A model repository whose files the replay serves (``/api/models/ID`` and ``/ID/resolve/REV/FILE``)."""

    files: dict[str, Path]
    sha: str = "0" * 40
    info: dict[str, Any] = field(default_factory=dict)  # extra fields of its model info (cardData, safetensors)


# Headers with which the replay tells a client what it replays (docs/provenance.md); a sync reads them.


@dataclass
class ReplayState:
    """What the server serves and how it misbehaves; counters for tests to check."""

    models: list[dict[str, Any]]
    faults: dict[int, Fault] = field(default_factory=dict)
    corrupt: set[int] = field(default_factory=set)  # request numbers whose page body is not JSON
    delay_s: float = 0.0  # wait before each page (to test a sync killed mid-way)
    requests: int = 0
    max_page_size: int = 1000
    repos: dict[str, HubRepo] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    provenance: ReplayProvenance | None = None  # what the listing replays, sent as response headers


def _select(models: Sequence[dict[str, Any]], query: dict[str, list[str]]) -> list[dict[str, Any]]:
    pipeline_tag = query.get("pipeline_tag", [None])[0]
    author = query.get("author", [None])[0]
    search = query.get("search", [None])[0]
    # Records that are not objects (malformed on purpose) pass every filter, as they would on a broken server.
    chosen = [
        m
        for m in models
        if not isinstance(m, dict)
        or (
            (pipeline_tag is None or m.get("pipeline_tag") == pipeline_tag)
            and (author is None or str(m.get("id", "")).split("/")[0] == author)
            and (search is None or search.lower() in str(m.get("id", "")).lower())
        )
    ]
    sort = query.get("sort", [None])[0]
    if sort in ("downloads", "likes"):

        def key(m: Any) -> tuple[int, str]:
            value = m.get(sort) if isinstance(m, dict) else 0
            return (-(value if isinstance(value, int) else 0), str(m.get("id") if isinstance(m, dict) else m))

        chosen.sort(key=key)
    return chosen


def _shape(model: Any, expand: list[str]) -> Any:
    if not isinstance(model, dict):
        return model
    if not expand:
        return {k: model[k] for k in BASIC_FIELDS if k in model}
    shaped = {k: model[k] for k in expand if k in model}
    if "id" in model:
        shaped["id"] = model["id"]
    shaped.setdefault("_id", model.get("_id", model.get("id")))
    return shaped


@functools.cache
def _etag(file: Path, size: int, mtime_ns: int) -> str:
    """The Hub's ETag for an LFS file: its sha256 (computed once per file version)."""
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


class _Handler(BaseHTTPRequestHandler):
    state: ReplayState  # set on the subclass made per server
    # headers and body are written separately: without TCP_NODELAY every answer waits ~40 ms for a delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        """Serve one listing page, or an injected fault."""
        with self.state.lock:
            number = self.state.requests
            self.state.requests += 1
        fault = self.state.faults.get(number)
        if fault is not None:
            self.send_response(fault.status)
            if fault.retry_after is not None:
                self.send_header("Retry-After", str(fault.retry_after))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fault.body)))
            self.end_headers()
            self.wfile.write(fault.body)
            return
        url = urlparse(self.path)
        if url.path.rstrip("/") != "/api/models":
            self._repository(url.path)
            return
        query = parse_qs(url.query)
        try:
            limit = int(query.get("limit", ["1000"])[0])
            cursor = int(query.get("cursor", ["0"])[0])
        except ValueError:
            self._send(400, b'{"error": "bad limit or cursor"}')
            return
        limit = max(1, min(limit, self.state.max_page_size))
        chosen = _select(self.state.models, query)
        page = chosen[cursor : cursor + limit]
        expand = query.get("expand", []) + query.get("expand[]", [])
        body = json.dumps([_shape(m, expand) for m in page]).encode("utf-8", "surrogateescape")
        if number in self.state.corrupt:
            body = body[: len(body) // 2]
        if self.state.delay_s:
            time.sleep(self.state.delay_s)
        headers = self.state.provenance.headers() if self.state.provenance else {}
        if cursor + limit < len(chosen):
            next_query = {k: v for k, v in query.items() if k != "cursor"}
            next_query["cursor"] = [str(cursor + limit)]
            host = self.headers.get("Host", "127.0.0.1")
            headers["Link"] = f'<http://{host}/api/models?{urlencode(next_query, doseq=True)}>; rel="next"'
        self._send(200, body, headers)

    def do_HEAD(self) -> None:
        """File metadata, as huggingface_hub asks for it before a download."""
        self._repository(urlparse(self.path).path, head=True)

    def _repository(self, path: str, head: bool = False) -> None:
        """``/api/models/OWNER/NAME[/revision/REV]`` (model info with siblings) or
        ``/OWNER/NAME/resolve/REV/FILE`` (the file, with the Hub's ETag and X-Repo-Commit headers)."""
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:2] == ["api", "models"] and len(parts) in (4, 6):
            repo = self.state.repos.get("/".join(parts[2:4]))
            if repo is None:
                self._send(404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepoNotFound"})
                return
            siblings = [{"rfilename": name, "size": file.stat().st_size} for name, file in sorted(repo.files.items())]
            info = {"id": "/".join(parts[2:4]), "sha": repo.sha, "private": False, "siblings": siblings, **repo.info}
            self._send(200, json.dumps(info).encode())
            return
        if len(parts) >= 5 and parts[2] == "resolve":
            repo = self.state.repos.get("/".join(parts[:2]))
            file = repo.files.get("/".join(parts[4:])) if repo else None
            if repo is None or file is None:
                self._send(404, b'{"error": "Entry not found"}', {"X-Error-Code": "EntryNotFound"})
                return
            etag = _etag(file, file.stat().st_size, file.stat().st_mtime_ns)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(file.stat().st_size))
            self.send_header("ETag", f'"{etag}"')
            self.send_header("X-Repo-Commit", repo.sha)
            self.end_headers()
            if not head:
                with file.open("rb") as handle:
                    shutil.copyfileobj(handle, self.wfile, 1 << 20)
            return
        self._send(404, b'{"error": "not found"}')

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    """The replay's HTTP server: a client that goes away mid-answer is one line on stderr, not a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for a disconnect (a sync interrupted, a client's timeout); other errors as the standard
        library reports them."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            host, port = client_address[:2] if isinstance(client_address, tuple) else (client_address, "")
            sys.stderr.write(f"replay-hub: client {host}:{port} disconnected mid-answer ({type(error).__name__})\n")
            return
        super().handle_error(request, client_address)


class ReplayHub:
    """A running replay server; ``endpoint`` is what HF_ENDPOINT should be set to."""

    def __init__(self, state: ReplayState, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("ReplayHandler", (_Handler,), {"state": state})
        self.state = state
        self.server = _Server((host, port), handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayHub:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self.server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def replay_hub(
    models: list[dict[str, Any]],
    faults: dict[int, Fault] | None = None,
    corrupt: set[int] | None = None,
    max_page_size: int = 1000,
    delay_s: float = 0.0,
    repos: dict[str, HubRepo] | None = None,
    provenance: ReplayProvenance | None = None,
) -> Iterator[ReplayHub]:
    """Run a replay server on a free loopback port for the duration of a block."""
    state = ReplayState(
        models=models,
        faults=faults or {},
        corrupt=corrupt or set(),
        max_page_size=max_page_size,
        delay_s=delay_s,
        repos=repos or {},
        provenance=provenance,
    )
    hub = ReplayHub(state).start()
    try:
        yield hub
    finally:
        hub.stop()


# -- building a replay from the llmfit Hub figures -------------------------------------------------------
