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
import re
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

from modelrace.config import reference_data_dir
from modelrace.errors import ConfigError

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
REPLAY_FILE_HEADER = "X-Modelrace-Replay-File"
REPLAY_DATE_HEADER = "X-Modelrace-Replay-Data-Date"
REPLAY_SELECTION_HEADER = "X-Modelrace-Replay-Selection"
REPLAY_LACKS_HEADER = "X-Modelrace-Replay-Lacks"
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")


@dataclass(frozen=True)
class ReplayProvenance:
    """What a replay serves: the file, the date of its data, how its models were chosen, what it lacks."""

    file: str
    data_date: str | None = None  # YYYY-MM-DD, or YYYY-MM when only the month is known
    selection: str = "subset"  # complete | top-downloads | subset: a replayed file is a subset unless declared
    lacks: tuple[str, ...] = ()  # facts the file does not carry for every model ("license", "base_models")

    def headers(self) -> dict[str, str]:
        """The response headers that say it (ASCII only: a file name is percent-encoded)."""
        headers = {REPLAY_FILE_HEADER: quote(self.file, safe=" ._-()+,"), REPLAY_SELECTION_HEADER: self.selection}
        if self.data_date:
            headers[REPLAY_DATE_HEADER] = self.data_date
        if self.lacks:
            headers[REPLAY_LACKS_HEADER] = ",".join(self.lacks)
        return headers


def date_in_name(name: str) -> str | None:
    """The data date a file name gives ('x_2026-05.json' -> '2026-05', 'y_2024-09-20.json' -> '2024-09-20')."""
    match = _DATE_IN_NAME.search(name)
    if match is None:
        return None
    year, month, day = match.groups()
    if not 1 <= int(month) <= 12 or (day is not None and not 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}" + (f"-{day}" if day else "")


def replay_provenance(path: Path, models: Sequence[Any], selection: str | None = None) -> ReplayProvenance:
    """The provenance of a replay of ``path``: the date from the file name, else its newest ``lastModified``;
    what the file does not carry (llmfit's Hub figures hold no licence and no base model)."""
    dated = date_in_name(path.name)
    if dated is None:
        stamps = [str(m.get("lastModified") or "")[:10] for m in models if isinstance(m, dict)]
        dated = max((s for s in stamps if s), default=None)
    lacks: list[str] = []
    raw_llmfit = _is_llmfit(path)
    if raw_llmfit or not any(_states_licence(m) for m in models):
        lacks.append("license")
    if raw_llmfit:
        lacks.append("base_models")
    return ReplayProvenance(path.name, dated, selection or "subset", tuple(lacks))


def _is_llmfit(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return '"hf_downloads"' in head


def _states_licence(model: Any) -> bool:
    if not isinstance(model, dict):
        return False
    tags = model.get("tags")
    card = model.get("cardData")
    return (isinstance(tags, list) and any(str(t).startswith("license:") for t in tags)) or (
        isinstance(card, dict) and bool(card.get("license"))
    )


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


class ReplayHub:
    """A running replay server; ``endpoint`` is what HF_ENDPOINT should be set to."""

    def __init__(self, state: ReplayState, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("ReplayHandler", (_Handler,), {"state": state})
        self.state = state
        self.server = ThreadingHTTPServer((host, port), handler)
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
_QUANT_SUFFIX = re.compile(
    r"[-_.](gguf|awq|gptq(-int[48])?|mlx|(\d+)bit|bnb-4bit|unsloth-bnb-4bit|fp8(-dynamic)?|int[48]|w4a16|w8a8|"
    r"q\d(_k)?(_[ms])?|exl2|dynamic)$",
    re.IGNORECASE,
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+$")
_FINETUNE_SUFFIX = re.compile(r"[-_](instruct|it|chat)$", re.IGNORECASE)
_LIBRARY = {"gguf": "gguf", "mlx": "mlx", "awq": "transformers", "gptq": "transformers"}


def _repo_format(model_id: str) -> str:
    """The repository's weight format from its name (llmfit's `format` is how llmfit runs it, not this)."""
    lowered = model_id.lower()
    for fmt in ("gguf", "mlx", "awq", "gptq"):
        if fmt in lowered:
            return fmt
    return "safetensors"


def models_from_llmfit(path: Path, leaderboard_csv: Path | None = None) -> list[dict[str, Any]]:
    """Hub API objects built from llmfit's Hub figures (30-day downloads, parameters, dates).

    llmfit holds no licence or base model. Where the Open LLM Leaderboard file lists the same model, its
    ``Hub License`` and ``Base Model`` are used. Otherwise a re-upload's base is inferred from its name
    ("unsloth/Qwen2.5-7B-Instruct-bnb-4bit" -> "Qwen/Qwen2.5-7B-Instruct", quantized) and an instruct
    model's from its own namespace ("X-Instruct" -> "X", finetune) when that model exists: a replay for
    tests and demos, not a source of figures. ``pipeline_tag`` "unknown" becomes text-generation unless the
    use case says embeddings.
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    leaderboard = _leaderboard_facts(leaderboard_csv) if leaderboard_csv else {}
    by_name: dict[str, list[str]] = {}
    ids = {row["name"] for row in rows}
    for model_id in ids:
        by_name.setdefault(model_id.split("/")[-1].lower(), []).append(model_id)
    models = []
    for row in rows:
        model_id = row["name"]
        fmt = _repo_format(model_id)
        pipeline_tag = row.get("pipeline_tag")
        if pipeline_tag in (None, "unknown"):
            use_case = str(row.get("use_case", "")).lower()
            pipeline_tag = "feature-extraction" if "embedding" in use_case else "text-generation"
        tags = [fmt] if fmt != "safetensors" else ["safetensors"]
        model: dict[str, Any] = {
            "id": model_id,
            "author": model_id.split("/")[0],
            "downloads": int(row.get("hf_downloads") or 0),
            "pipeline_tag": pipeline_tag,
            "library_name": _LIBRARY.get(fmt, "transformers"),
            "createdAt": f"{row['release_date']}T00:00:00.000Z" if row.get("release_date") else None,
            "safetensors": {"total": int(row["parameters_raw"])} if row.get("parameters_raw") else None,
            "private": False,
        }
        facts = leaderboard.get(model_id)
        base, relation = None, None
        if facts:
            license_id, lb_base = facts
            if license_id:
                tags.append(f"license:{license_id}")
            if lb_base and lb_base.endswith(" (Merge)"):  # the leaderboard marks merges in the id column
                lb_base, merged = lb_base.removesuffix(" (Merge)").strip(), True
            else:
                merged = False
            if lb_base and lb_base != model_id and _HUB_ID.match(lb_base):
                base, relation = lb_base, "merge" if merged else "finetune"
        if base is None:
            base, relation = _infer_base(model_id, ids, by_name)
        if base is not None and relation is not None:
            tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
            model["baseModels"] = {"relation": relation, "models": [{"id": base}]}
        model["tags"] = tags
        models.append(model)
    return models


def _infer_base(model_id: str, ids: set[str], by_name: dict[str, list[str]]) -> tuple[str | None, str | None]:
    from modelrace.registry import load_registry

    registry = load_registry()
    namespace, _, name = model_id.partition("/")
    stripped = name
    while True:
        shorter = _QUANT_SUFFIX.sub("", stripped)
        if shorter == stripped:
            break
        stripped = shorter
    relation = "quantized" if stripped != name else "finetune"
    if stripped != name and f"{namespace}/{stripped}" in ids:
        return f"{namespace}/{stripped}", "quantized"
    uploader = registry.organisation(namespace)
    if uploader is not None and uploader.is_reuploader:
        candidates = [
            candidate
            for candidate in by_name.get(stripped.lower(), [])
            if not _is_reuploader(registry.organisation(candidate.split("/")[0]))
        ]
        if candidates:
            return sorted(candidates)[0], relation
    base_name = _FINETUNE_SUFFIX.sub("", name)
    if base_name != name and f"{namespace}/{base_name}" in ids:
        return f"{namespace}/{base_name}", "finetune"
    return None, None


def _is_reuploader(organisation: object) -> bool:
    return bool(getattr(organisation, "is_reuploader", False))


def _leaderboard_facts(path: Path) -> dict[str, tuple[str | None, str | None]]:
    import csv

    facts: dict[str, tuple[str | None, str | None]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            license_id = (row.get("Hub License") or "").strip() or None
            base = (row.get("Base Model") or "").strip() or None
            facts[row["fullname"]] = (license_id, base)
    return facts


def load_replay_models(data: Path | None = None) -> tuple[list[dict[str, Any]], Path]:
    """The models to replay and the file they come from: llmfit's Hub figures or a JSON list of model objects.

    Without ``data``, the llmfit file of the reference data (with the Open LLM Leaderboard's base-model facts).
    """
    leaderboard = None
    if data is None:
        folder = reference_data_dir(required=True)
        if folder is None:  # reference_data_dir(required=True) raises instead; this keeps the type narrow
            raise ConfigError("no reference data folder")
        data = folder / "llmfit_hf_models_2026-05.json"
        leaderboard = folder / "open_llm_leaderboard_v2_contents_2025-02.csv"
    if not data.is_file():
        raise ConfigError(f"no file at {data}")
    try:
        raw = json.loads(data.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ConfigError(f"{data} is not a readable JSON file: {error}") from None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ConfigError(f"{data}: expected a JSON list of model objects (or llmfit's Hub figures)")
    is_llmfit = bool(raw) and "hf_downloads" in raw[0]
    return (models_from_llmfit(data, leaderboard) if is_llmfit else raw), data
