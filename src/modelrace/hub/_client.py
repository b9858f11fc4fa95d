"""Reading ``/api/models`` page by page through huggingface_hub's HTTP stack.

We call the endpoint that ``HfApi.list_models`` calls, with the same client (``HF_ENDPOINT``, ``HF_TOKEN``,
proxies, user agent: huggingface_hub's shared session and headers), but keep each page's raw JSON:
``list_models`` builds a ``ModelInfo`` per record and one malformed record would abort the whole iteration,
while a sync of two million models must reject that record and go on.

A listing never waits without end:

* 429 and 5xx answers (and network errors) are retried with exponential backoff, honouring ``Retry-After``
  (seconds or an HTTP date) and the Hub's rate-limit headers, but a server that asks for a longer wait than
  ``max_wait_s`` (default five minutes) ends the sync at once with a clear error (huggingface_hub's own
  ``http_backoff`` would sleep whatever it is told: a day for ``Retry-After: 86400``);
* a next link or cursor that was already read ends the listing with an error (a server whose next link points
  to itself was asked 49,000 times a minute), as do more pages than the Hub's models could fill and a run of
  empty pages;
* a page is read up to ``MAX_PAGE_BYTES`` and within a deadline; past either, it is a rejected page.

The token (``Authorization``) is sent only to the endpoint's own origin (scheme, host and port), never to a host
that a ``Link: rel="next"`` header names.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final, get_args
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import httpx2
from huggingface_hub import HfApi
from huggingface_hub import __version__ as hf_hub_version
from huggingface_hub import constants as hf_constants
from huggingface_hub.errors import OfflineModeIsEnabled
from huggingface_hub.hf_api import ExpandModelProperty_T
from huggingface_hub.utils import (
    build_hf_headers,
    get_session,
    get_token_to_send,
    parse_ratelimit_headers,
)

from modelrace._safe_read import json_list_items
from modelrace._urls import scrubbed, without_userinfo
from modelrace.errors import HubError
from modelrace.hub._records import RECORD_FIELDS

logger = logging.getLogger(__name__)

# What a sync asks the Hub to include in each model object (valid `expand` values of list_models): every field the
# rules read (the id comes without asking), and the author.
SYNC_EXPAND: Final[tuple[str, ...]] = ("author", *(f for f in RECORD_FIELDS if f not in ("id", "modelId")))
assert set(SYNC_EXPAND) <= set(get_args(ExpandModelProperty_T)), "SYNC_EXPAND drifted from huggingface_hub"
PAGE_SIZE: Final = 1000  # the Hub's largest page
DEFAULT_MAX_WAIT_S: Final = 300.0  # the longest wait a server may ask for (Retry-After) before a sync gives up
MAX_HUB_MODELS: Final = 10_000_000  # four times what the Hub lists (about 2.5 million models in 2026): caps pages
MAX_EMPTY_PAGES: Final = 5  # consecutive empty or unreadable pages that still name a next page: a broken listing
MAX_PAGE_BYTES: Final = 256 << 20  # a page of 1,000 expanded models is a few MB
# Consecutive pages holding under a tenth of the page size asked for that still name a next page: the Hub fills
# every page but the last, so a listing that goes on this way is broken (it would take ~10,000 pages to the cap).
MAX_SHORT_PAGES: Final = 1000
_RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})
_RETRY_ERRORS: Final = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)
_BACKOFF_S: Final = (1.0, 2.0, 4.0, 8.0)


@dataclass
class Page:
    """One page of the listing: its records, or the reason it could not be read.

    ``replay`` holds what a replay server says it replays (its ``X-Modelrace-Replay-*`` headers, names lowered
    and without the prefix: file, data-date, selection, lacks); empty from the Hub itself.
    """

    number: int
    items: list[Any] = field(default_factory=list)
    error: str | None = None
    replay: dict[str, str] = field(default_factory=dict)
    # What a reader (``iter_pages(reader=...)``) made of the body instead of items, and how many records it holds.
    staged: Any = None
    staged_records: int = 0
    has_next: bool = False  # whether the answer named a next page

    @property
    def empty(self) -> bool:
        """No record read: an empty page, or one that could not be read."""
        return not self.items and not self.staged_records


PageReader = Callable[[int, bytes], Page]  # (page number, body) -> the page


@dataclass(frozen=True)
class ListingQuery:
    """One listing of ``/api/models``: filters, sort and what to expand."""

    pipeline_tag: str | None = None
    author: str | None = None
    sort: str = "downloads"
    expand: bool = True
    page_size: int = PAGE_SIZE

    def params(self) -> dict[str, Any]:
        """The query parameters, as ``HfApi.list_models`` would send them."""
        params: dict[str, Any] = {"sort": self.sort, "limit": self.page_size}
        if self.pipeline_tag:
            params["pipeline_tag"] = self.pipeline_tag
        if self.author:
            params["author"] = self.author
        if self.expand:
            params["expand"] = list(SYNC_EXPAND)
        return params


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait: delay-seconds or an HTTP date (RFC 9110); None if absent
    or unreadable, 0 for a date already past."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port (where a token may go)."""
    return _origin(url) == _origin(other)


def hub_headers(api: HfApi) -> tuple[dict[str, str], str | None]:
    """huggingface_hub's request headers (user agent, token), and a warning when it could not build them.

    ``build_hf_headers`` reads files huggingface_hub caches (``HF_HOME/.agent_harnesses.json`` among them): one
    that is corrupt (a JSON list left by a server that answered one) makes it raise on every call. A sync then
    explains which file to delete and goes on with the same token and a plain user agent.
    """
    try:
        return dict(build_hf_headers(token=api.token, library_name="modelrace")), None
    except Exception as error:
        warning = (
            f"huggingface_hub could not build its request headers ({type(error).__name__}: {str(error)[:200]}); "
            f"a file it caches may be corrupt, e.g. {hf_constants.AGENT_HARNESSES_PATH}: delete it. "
            "Syncing with modelrace's own headers meanwhile."
        )
    headers = {"user-agent": f"modelrace; hf_hub/{hf_hub_version}"}
    try:
        token = get_token_to_send(api.token)
    except Exception:
        token = None
    if token:
        headers["authorization"] = f"Bearer {token}"
    logger.warning(warning)
    return headers, warning


@dataclass
class _Answer:
    status: int
    body: bytes
    url: str
    next_link: str | None
    error: str | None = None
    replay: dict[str, str] = field(default_factory=dict)


_REPLAY_PREFIX = "x-modelrace-replay-"


def _replay_headers(response: httpx2.Response) -> dict[str, str]:
    """What a replay server says it replays (modelrace.replay.ReplayProvenance.headers), bounded and unquoted."""
    return {
        name.lower().removeprefix(_REPLAY_PREFIX): unquote(value)[:500]
        for name, value in response.headers.items()
        if name.lower().startswith(_REPLAY_PREFIX)
    }


def _wait_asked(response: httpx2.Response) -> float | None:
    """The wait a 429/5xx answer asks for: the Hub's rate-limit reset, else ``Retry-After``."""
    if response.status_code == 429:
        try:
            limits = parse_ratelimit_headers(response.headers)
        except Exception:
            limits = None
        if limits is not None and limits.remaining == 0:
            return float(limits.reset_in_seconds)
    return retry_after_seconds(response.headers.get("Retry-After"))


def _get(
    url: str,
    params: dict[str, Any] | None,
    headers: dict[str, str],
    endpoint: str,
    timeout_s: float,
    max_retries: int,
    max_wait_s: float,
    sleep: Callable[[float], None],
) -> _Answer:
    """One page, with retries; raises HubError for what ends the listing.

    Every attempt, wait and read of the page together take at most ``max_wait_s`` (a server that accepts and never
    answers is given up within it, not after ``max_retries`` full timeouts)."""
    deadline = time.monotonic() + max_wait_s
    for attempt in range(max_retries + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            raise HubError(
                f"the Hub at {endpoint} did not answer within {max_wait_s:,.0f} s (--max-wait) after {attempt} "
                "attempt(s); check the network, or try again later"
            )
        attempt_s = min(timeout_s, left)
        try:
            with get_session().stream("GET", url, params=params, headers=headers, timeout=attempt_s) as response:
                status = response.status_code
                body, error = b"", None
                if status < 300 or status not in _RETRY_STATUSES or attempt == max_retries:
                    body, error = _read_capped(response, attempt_s)
                if status not in _RETRY_STATUSES or attempt == max_retries:
                    if status >= 400:
                        shown = without_userinfo(str(response.url))[:300]
                        raise HubError(f"the Hub at {endpoint} answered HTTP {status} for {shown}")
                    here = str(response.url)
                    next_link = response.links.get("next", {}).get("url")
                    return _Answer(
                        status,
                        body,
                        here,
                        urljoin(here, next_link) if next_link else None,
                        error,
                        _replay_headers(response),
                    )
                asked = _wait_asked(response)
        except _RETRY_ERRORS as failure:
            if attempt == max_retries or time.monotonic() >= deadline:
                raise HubError(
                    f"cannot reach the Hub at {endpoint} ({type(failure).__name__}: {scrubbed(str(failure))[:200]}); "
                    "check the network, or set HF_ENDPOINT to a mirror"
                ) from None
            asked = None
        wait = asked if asked is not None else _BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)]
        if asked is None:
            wait = min(wait, max(0.0, deadline - time.monotonic()))  # our own backoff never outlasts the bound
        if wait > max_wait_s:
            raise HubError(
                f"the Hub at {endpoint} asked to wait {wait:,.0f} s before retrying (Retry-After), more than the "
                f"{max_wait_s:,.0f} s a sync waits; try again later, or allow a longer wait"
            )
        sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def _read_capped(response: httpx2.Response, timeout_s: float) -> tuple[bytes, str | None]:
    """The body, read up to MAX_PAGE_BYTES and within a deadline (a server dripping bytes must not hold us)."""
    deadline = time.monotonic() + 5 * timeout_s
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            return b"", f"larger than {MAX_PAGE_BYTES >> 20} MiB"
        if time.monotonic() > deadline:
            return b"", f"not read within {5 * timeout_s:.0f} s"
        chunks.append(chunk)
    return b"".join(chunks), None


def iter_pages(
    api: HfApi,
    query: ListingQuery,
    max_retries: int = 5,
    timeout_s: float = 60.0,
    max_wait_s: float = DEFAULT_MAX_WAIT_S,
    max_pages: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    warnings: list[str] | None = None,
    reader: PageReader | None = None,
) -> Iterator[Page]:
    """Yield the listing's pages, following the ``Link: rel="next"`` header; a bad body costs only its page.

    ``reader`` turns each body into a page (default :func:`parse_page`, Python's ``json``); a sync passes one that
    stages bodies in DuckDB. A page is yielded before the next is asked for.

    Raises HubError when the Hub cannot be read (after retries), asks for too long a wait, or its listing
    repeats itself or never ends. Warnings (a corrupt huggingface_hub cache) are appended to ``warnings``.
    """
    origin = api.endpoint.rstrip("/")  # requests go here, credentials in it included
    endpoint = without_userinfo(origin)  # what messages name
    url: str | None = f"{origin}/api/models"
    params: dict[str, Any] | None = query.params()
    headers, warning = hub_headers(api)
    if warning is not None and warnings is not None:
        warnings.append(warning)
    anonymous = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    page_cap = max_pages if max_pages is not None else MAX_HUB_MODELS // max(1, query.page_size) + 1
    seen: set[str] = set()
    cursors: set[str] = set()
    bodies: set[bytes] = set()  # digests of page bodies (16 bytes a page, at most the page cap of them)
    empty_run = 0
    short_run = 0
    number = 0
    while url is not None:
        if number >= page_cap:
            raise HubError(
                f"the listing at {endpoint} went on past {page_cap:,} pages of {query.page_size:,}, more than the "
                "Hub holds: stopping"
            )
        try:
            answer = _get(
                url,
                params,
                headers if same_origin(url, origin) else anonymous,
                endpoint,
                timeout_s,
                max_retries,
                max_wait_s,
                sleep,
            )
        except OfflineModeIsEnabled:
            raise HubError("HF_HUB_OFFLINE is set, so the Hub cannot be listed; unset it to sync") from None
        except httpx2.HTTPError as error:
            raise HubError(
                f"cannot reach the Hub at {endpoint} ({type(error).__name__}: {scrubbed(str(error))[:200]}); "
                "check the network, or set HF_ENDPOINT to a mirror"
            ) from None
        page = _page(number, answer, reader or parse_page)
        yield page
        # A page that holds the very records of an earlier one (an endless server replaying its page under new
        # cursors) counts with the empty and unreadable ones: five in a row end the listing.
        digest = hashlib.blake2b(answer.body, digest_size=16).digest()
        repeated = not page.empty and digest in bodies
        bodies.add(digest)
        empty_run = empty_run + 1 if page.empty or repeated else 0
        next_link = answer.next_link
        if next_link is not None:
            records = len(page.items) or getattr(page.staged, "records", None) or answer.body.count(b'"id"')
            short_run = short_run + 1 if records * 10 < query.page_size else 0
            if short_run >= MAX_SHORT_PAGES:
                raise HubError(
                    f"the listing at {endpoint} gave {short_run:,} pages in a row of under a tenth of the "
                    f"{query.page_size:,} records asked for that still name a next page: a broken listing, stopping"
                )
            seen.add(answer.url)
            cursor = parse_qs(urlsplit(next_link).query).get("cursor", [None])[0]
            if next_link in seen or (cursor is not None and cursor in cursors):
                raise HubError(
                    f"the listing at {endpoint} repeats itself (page {number}'s next link "
                    f"{without_userinfo(next_link)[:200]} was "
                    "already read): stopping instead of asking for it again"
                )
            if empty_run >= MAX_EMPTY_PAGES:
                raise HubError(
                    f"the listing at {endpoint} gave {empty_run} empty or unreadable pages in a row (or pages that "
                    "repeat earlier ones) that still name a next page: stopping"
                )
            if cursor is not None:
                cursors.add(cursor)
        number += 1
        url, params = next_link, None  # the next link carries the query


def parse_page(number: int, body: bytes) -> Page:
    """A page body as Python's ``json`` reads it: its items, or the reason the page is rejected."""
    text = body.decode("utf-8", "surrogateescape")
    try:
        parsed = json.loads(text)
    except RecursionError:
        # One record nested deeper than the parser allows costs that record, not its page (issue #29): the page's
        # items are read one by one, the over-deep one a TooDeep that the sync rejects.
        try:
            return Page(number, items=list(json_list_items(text)))
        except (ValueError, RecursionError) as error:
            return Page(number, error=f"page {number} is nested deeper than the JSON parser allows ({error})")
    except ValueError as error:
        return Page(number, error=f"page {number} is not JSON ({str(error)[:200]})")
    if isinstance(parsed, list):
        return Page(number, items=parsed)
    return Page(number, error=f"page {number} is a JSON {type(parsed).__name__}, not a list")


def _page(number: int, answer: _Answer, reader: PageReader) -> Page:
    if answer.error is not None:
        error = f"page {number} is {answer.error}"
        return Page(number, error=error, replay=answer.replay, has_next=answer.next_link is not None)
    page = reader(number, answer.body)
    page.replay = answer.replay
    page.has_next = answer.next_link is not None
    return page
