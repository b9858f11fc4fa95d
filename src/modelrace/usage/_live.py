"""`modelrace sync-usage`: OpenRouter's public models list (list prices) and, with an API key, its rankings-daily
dataset, each stored as a usage snapshot like an imported file.

- ``GET /api/v1/models`` needs no key: every model's prompt and completion price per token (free variants 0).
- ``GET /api/v1/datasets/rankings-daily?start_date=&end_date=`` needs ``OPENROUTER_API_KEY``: the top 50 models
  a day by tokens plus one ``other`` row a day (so shares are of all OpenRouter tokens). It is read in windows of
  ``window_days`` (one request a window: the pages of the sync), oldest first.

A sync never waits without end and never half-writes: 429 and 5xx answers are retried with backoff, honouring
``Retry-After`` up to ``max_wait_s``; a longer wait asked, a refused key, or a page that is not the layout
expected ends the sync with one clear error **before anything is stored** (every page is read and checked first,
then each snapshot is written in one transaction). Each body is read up to ``MAX_BYTES`` within a deadline. The
key is sent only to the endpoint asked (``--endpoint``, default https://openrouter.ai); tests use a loopback
replay, never the real host.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, ImportFormatError, ModelraceError
from modelrace.store import Warehouse
from modelrace.usage._parse import UsageFile, layout_of, parse_usage_data
from modelrace.usage._read import MAX_BYTES
from modelrace.usage._store import UsageSnapshotSummary, store_usage_file, summary_of

DEFAULT_ENDPOINT: Final = "https://openrouter.ai"
ENDPOINT_ENV: Final = "OPENROUTER_ENDPOINT"
KEY_ENV: Final = "OPENROUTER_API_KEY"
MODELS_PATH: Final = "/api/v1/models"
RANKINGS_PATH: Final = "/api/v1/datasets/rankings-daily"
_RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
_BACKOFF_S: Final = (1.0, 2.0, 4.0, 8.0)


class UsageSyncError(ModelraceError):
    """OpenRouter (or the endpoint asked) failed, refused the key, or asked to wait too long."""


@dataclass(frozen=True)
class UsageSync(JsonResult):
    """What a sync stored (or found stored), how many requests it made and how long it waited."""

    endpoint: str
    snapshots: list[UsageSnapshotSummary]
    requests: int
    retries: int
    waited_s: float
    rankings: bool  # whether the rankings dataset was read (it needs OPENROUTER_API_KEY)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Client:
    endpoint: str
    api_key: str | None
    timeout_s: float
    max_retries: int
    max_wait_s: float
    sleep: Callable[[float], None]
    requests: int = 0
    retries: int = 0
    waited_s: float = 0.0

    def get(self, path: str, params: dict[str, str] | None = None, authorised: bool = False) -> bytes:
        """One GET with retries; raises UsageSyncError for what ends the sync."""
        url = self.endpoint.rstrip("/") + path + (f"?{urllib.parse.urlencode(params)}" if params else "")
        headers = {"Accept": "application/json", "User-Agent": "modelrace"}
        if authorised and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.max_retries + 1):
            self.requests += 1
            asked: float | None = None
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=self.timeout_s) as r:
                    return self._read(r, url)
            except urllib.error.HTTPError as error:
                status = error.code
                if status in (401, 403):
                    raise UsageSyncError(
                        f"{self.endpoint} refused the request for {path} (HTTP {status}): check {KEY_ENV}"
                    ) from None
                if status not in _RETRY_STATUSES or attempt == self.max_retries:
                    raise UsageSyncError(f"{self.endpoint} answered HTTP {status} for {url[:300]}") from None
                from modelrace.hub import retry_after_seconds  # huggingface_hub's import: only when a wait is asked

                asked = retry_after_seconds(error.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == self.max_retries:
                    reason = getattr(error, "reason", error)
                    raise UsageSyncError(f"cannot reach {self.endpoint} ({str(reason)[:200]})") from None
            wait = asked if asked is not None else _BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)]
            if wait > self.max_wait_s:
                raise UsageSyncError(
                    f"{self.endpoint} asked to wait {wait:,.0f} s before retrying (Retry-After), more than the "
                    f"{self.max_wait_s:,.0f} s a sync waits; nothing was stored, try again later"
                )
            self.retries += 1
            self.waited_s += wait
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _read(self, response: Any, url: str) -> bytes:
        deadline = time.monotonic() + 5 * self.timeout_s
        chunks, size = [], 0
        while chunk := response.read(1 << 20):
            size += len(chunk)
            if size > MAX_BYTES:
                raise UsageSyncError(f"{url[:300]} answered more than {MAX_BYTES >> 20} MiB")
            if time.monotonic() > deadline:
                raise UsageSyncError(f"{url[:300]} was not read within {5 * self.timeout_s:.0f} s")
            chunks.append(chunk)
        return b"".join(chunks)


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ImportFormatError(f"{what} is not JSON ({str(error)[:120]}): nothing was stored") from None


def _windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    windows, first = [], start
    while first <= end:
        last = min(end, first + timedelta(days=days - 1))
        windows.append((first, last))
        first = last + timedelta(days=1)
    return windows


def sync_usage(
    warehouse: Warehouse,
    *,
    endpoint: str | None = None,
    api_key: str | None = None,
    start: date | None = None,
    end: date | None = None,
    window_days: int = 30,
    timeout_s: float = 30.0,
    max_retries: int = 4,
    max_wait_s: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    today: date | None = None,
) -> UsageSync:
    """Read the models list and (with ``api_key``) the rankings dataset from ``start`` to ``end`` (default: the
    30 days to yesterday), check every page, then store each as a usage snapshot (module docstring)."""
    if window_days < 1:
        raise ConfigError("the rankings window must be at least one day")
    day = today or datetime.now(UTC).date()
    last = end or day - timedelta(days=1)
    first = start or last - timedelta(days=29)
    if first > last:
        raise ConfigError(f"--start {first} is after --end {last}")
    base = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise ConfigError(f"--endpoint {base!r} is not an http(s) URL")
    client = _Client(base, api_key, timeout_s, max_retries, max_wait_s, sleep)
    fetched: list[tuple[UsageFile, str, str]] = []
    # the models list: prices of every model, dated the day it is read
    body = client.get(MODELS_PATH)
    listing = _json(body, f"{base}{MODELS_PATH}")
    if isinstance(listing, dict) and "meta" not in listing:
        listing["meta"] = {"as_of": day.isoformat()}
    if layout_of(listing) != "models-list":
        raise ImportFormatError(f"{base}{MODELS_PATH} is not OpenRouter's models list: nothing was stored")
    parsed = parse_usage_data(listing, Path(f"openrouter_models_{day}.json"))
    fetched.append((parsed, f"{base}{MODELS_PATH}", hashlib.sha256(body).hexdigest()))
    notes = []
    if api_key:
        rows: list[Any] = []
        digest = hashlib.sha256()
        windows = _windows(first, last, window_days)
        for number, (window_start, window_end) in enumerate(windows, 1):
            params = {"start_date": window_start.isoformat(), "end_date": window_end.isoformat()}
            body = client.get(RANKINGS_PATH, params, authorised=True)
            page = _json(body, f"page {number} of {RANKINGS_PATH} ({window_start} to {window_end})")
            if layout_of(page) != "rankings-dataset" or not isinstance(page, dict):
                raise ImportFormatError(
                    f"page {number} of {RANKINGS_PATH} ({window_start} to {window_end}) is not rankings-daily rows: "
                    "nothing was stored"
                )
            rows.extend(page.get("data") or [])
            digest.update(body)
        dataset = {"data": rows, "meta": {"as_of": day.isoformat(), "start_date": str(first), "end_date": str(last)}}
        parsed = parse_usage_data(dataset, Path(f"openrouter_rankings_daily_{first}_{last}.json"))
        if parsed.rows:
            fetched.append((parsed, f"{base}{RANKINGS_PATH}?start_date={first}&end_date={last}", digest.hexdigest()))
        else:
            notes.append(f"the rankings dataset held no rows from {first} to {last}")
    else:
        notes.append(f"no {KEY_ENV}: the rankings dataset was not read (the models list needs no key)")
    summaries = []
    for usage_file, location, file_digest in fetched:
        stored = warehouse.query("SELECT * FROM usage_snapshots WHERE file_sha256 = ? LIMIT 1", [file_digest])
        if stored:
            summaries.append(summary_of(stored[0], True, []))
            continue
        snapshot_id = store_usage_file(warehouse, usage_file, location, file_digest)
        row = warehouse.query("SELECT * FROM usage_snapshots WHERE usage_snapshot_id = ?", [snapshot_id])[0]
        summaries.append(summary_of(row, False, [asdict(r) for r in usage_file.rejected[:10]]))
    return UsageSync(base, summaries, client.requests, client.retries, client.waited_s, bool(api_key), notes)
