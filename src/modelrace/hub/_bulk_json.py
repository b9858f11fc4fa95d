"""Vectorised ingest of ``/api/models`` pages: page bodies parsed and validated in DuckDB, Python for the rare rest.

A sync reads about two thousand pages of a thousand models. Parsing each page with ``json.loads`` and each
record with :func:`~modelrace.hub._records.parse_model` costs ~70-100 µs a model; here page bodies go to DuckDB as
text, about a hundred pages at a time (a listing without cuts): ``json_array_length`` counts each page's records,
which gives every record its position in the listing; then one query reads the fields the rules need with
``json_transform`` (each as JSON, so that its JSON type is known) and every record's keys with ``json_keys``,
builds rows in the layout of :data:`~modelrace.hub._bulk.SOURCE_COLUMNS` and validates them with
:func:`~modelrace.hub._bulk.validation_sql`, the same SQL the whole-Hub file import uses. Rows it cannot prove
valid are read back from their page and handed to ``SnapshotWriter.add_raw``, so every rejection keeps the
per-record reason.

What goes to Python instead, so that both routes store and reject exactly the same (property test:
``tests/hub/test_bulk_json.py``):

* a whole page that Python's ``json`` might read differently from DuckDB's reader: bytes that are not UTF-8, a
  trailing comma or a ``nan``/``inf`` spelling (DuckDB takes both, Python rejects the page), nesting deeper than
  ``MAX_FAST_DEPTH`` (Python's parser gives up at about a thousand levels), or a body DuckDB cannot read (then
  ``json.loads`` decides: a rejected page with today's reason, or a list read record by record);
* a record whose fields have another JSON type than the SQL expects, a repeated key (Python keeps the last value,
  DuckDB the first), a number DuckDB reads as a double (a whole number past 2^64 is a Python ``int``), a date not
  in the Hub's own ISO form, or anything ``validation_sql`` does not find clean.

With cuts (``--min-downloads``, ``--limit``) each page is read as it comes, into a temporary table (``sync_raw``),
and the cut is decided from its rows before the next page is asked for, exactly as the per-record loop decides it
(a page whose download counts are doubtful is read by Python for that); validation still runs in batches.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa

from modelrace._progress import NoProgress, ProgressSink
from modelrace._safe_read import bytes_nesting_depth
from modelrace.errors import HubError
from modelrace.hub._bulk import has_raw_hashes, validation_sql
from modelrace.hub._bulk_json_sql import COUNT_SQL, RAW_SQL, RAW_TABLE_SQL, source_sql
from modelrace.hub._client import MAX_EMPTY_PAGES, Page, parse_page
from modelrace.hub._ingest import SnapshotWriter

MAX_FAST_DEPTH: Final = 64  # deeper pages go to Python's parser, which decides (it fails at ~1,000 levels)
FLUSH_RECORDS: Final = 100_000  # staged rows validated together (one validation query per this many)
FLUSH_BYTES: Final = 96 << 20  # page bodies kept for the rare rows read back by Python

PAGES_PER_TASK = 4  # pages a DuckDB task reads (a batch's bodies are scanned on every thread)


nesting_depth = bytes_nesting_depth  # the deepest nesting of a page's JSON (the shared reader's)


@dataclass
class StagedPage:
    """A page whose records wait in ``sync_raw``: where they start and what the listing's cuts read."""

    number: int
    key: int  # the page's key in the stager (its body is kept until the next flush)
    first_position: int
    cut_downloads: np.ndarray[Any, np.dtype[np.int64]]
    cut_doubtful: bool

    @property
    def records(self) -> int:
        """How many records the page holds."""
        return len(self.cut_downloads)


@dataclass
class DeferredPage:
    """A page of a listing without cuts, read with the next batch (``PageStager(batched=True)``)."""

    key: int
    page: Page  # as yielded to the listing; ``has_next`` is known by the time the batch is read
    listing: str | None


@dataclass
class _Placed:
    """A page of a flushed batch in listing order: its records staged from SQL (``key``), or read by Python."""

    key: int | None
    python: Page | None = None
    first_position: int = 0
    listing: str | None = None
    records: int = 0


class PageStager:
    """Stage ``/api/models`` page bodies for one :class:`SnapshotWriter`, validating them in batches.

    Positions are the records' places in the listing, counted across pages (and listings) in order, as the
    per-record route counts them. Every writer call (staging, ``add_raw``, ``reject_page``) happens at
    :meth:`flush`, in listing order, so rejections arrive as in the per-record route; call it before anything
    else touches the writer (a page read by Python, a rejected page, the commit).

    ``batched`` (a listing without ``--limit`` / ``--min-downloads``): pages are read by DuckDB a batch at a time
    (one query per ~100 pages, not per page). A run of empty or unreadable pages found in a batch ends the sync
    with the listing's own error, as ``iter_pages`` would have, a batch later at most. Otherwise each page is read
    as it comes, so that the cuts are decided before the next page is asked for.
    """

    def __init__(
        self, writer: SnapshotWriter, *, batched: bool = False, endpoint: str = "", progress: ProgressSink | None = None
    ) -> None:
        self.writer = writer
        self.connection = writer.warehouse.connection
        self.batched = batched
        self.endpoint = endpoint
        self.listing: str | None = None  # the label of the listing being read (page rejections carry it)
        self.next_position = 0
        self._progress = progress or NoProgress()
        self._bodies: dict[int, bytes] = {}
        self._placed: list[_Placed] = []  # pages read one by one (cut listings), in order
        self._deferred: list[DeferredPage] = []  # pages of a batched listing, in order
        self._pending_records = 0
        self._pending_bytes = 0
        self._key = 0
        self._empty_run = 0
        self._lookup: bool | None = None  # whether rows can take stored versions (asked once, at the first batch)
        self._run_listing: str | None = None
        self.connection.execute(RAW_TABLE_SQL)

    # -- reading pages ----------------------------------------------------------------------------------
    def read(self, number: int, body: bytes) -> Page:
        """The listing's page reader (``iter_pages(reader=...)``): staged when it can be, else read by Python."""
        if not _looks_like_list(body) or nesting_depth(body) > MAX_FAST_DEPTH:
            return parse_page(number, body)  # read now: an error page (HTML, say) counts at once in the listing
        if self.batched:  # UTF-8 is checked for the whole batch at once
            self._key += 1
            self._bodies[self._key] = body
            self._pending_bytes += len(body)
            page = Page(number, staged_records=0 if _EMPTY.fullmatch(body) else 1)
            page.staged = DeferredPage(self._key, page, self.listing)
            self._deferred.append(page.staged)
            return page
        staged = self.stage(number, body)
        if staged is not None:
            return Page(number, staged=staged, staged_records=staged.records)
        return parse_page(number, body)

    def claim_position(self) -> int:
        """The next record position (for a record the caller hands to ``add_raw`` itself)."""
        position = self.next_position
        self.next_position += 1
        return position

    def stage(self, number: int, body: bytes) -> StagedPage | None:
        """Stage one page's records now, or None when Python must read the page (see the module docstring)."""
        if not _fast_candidate(body):
            return None
        self._key += 1
        returned = self._read_raw([(self._key, body)])
        cut = np.asarray(returned["cut_downloads"], dtype=np.int64)
        if not len(cut):
            return None  # empty, doubtful or unreadable: Python reads it (cheap for the empty ones)
        page = StagedPage(number, self._key, self.next_position, cut, bool(np.asarray(returned["cut_doubtful"]).any()))
        self._bodies[self._key] = body
        self._placed.append(_Placed(self._key, first_position=self.next_position, records=page.records))
        self.next_position += page.records
        self._pending_records += page.records
        self._pending_bytes += len(body)
        return page

    def _register_pages(self, pages: list[tuple[int, bytes]]) -> set[int]:
        """Register (key, body) pages as ``sync_pages``; returns the keys of bodies that are not UTF-8 (left out).

        A table, not a parameter: DuckDB folds a constant body into every use of it (ten times slower). Built from
        one buffer (``pa.array`` of a list of bytes copies them one by one, ~5 ms a page)."""
        bad = set()
        try:
            table = _pages_table(pages)
        except pa.ArrowInvalid:  # not UTF-8 somewhere: find where (rare)
            bad = {key for key, body in pages if not _is_utf8(body)}
            table = _pages_table([(key, body) for key, body in pages if key not in bad])
        self.connection.register("sync_pages", table)
        return bad

    def _read_raw(self, pages: list[tuple[int, bytes]]) -> dict[str, Any]:
        """Pass 1 over these (key, body) pages: their rows go to ``sync_raw``; returns key and cut columns."""
        self._register_pages(pages)  # one page, already found UTF-8
        try:
            return dict(self.connection.execute(RAW_SQL).fetchnumpy())
        finally:
            self.connection.unregister("sync_pages")

    def take(self, page: StagedPage, min_downloads: int | None, room: int | None) -> tuple[int, bool]:
        """How many of the page's records the listing takes (its cuts applied) and whether the listing ends.

        ``room`` is how many more records the listing may take (``--limit``); records past the cut are unstaged.
        """
        cut = page.records
        if min_downloads is not None:
            if page.cut_doubtful:
                items = parse_page(page.number, self._bodies[page.key]).items  # DuckDB read it: Python does too
                under = [i for i, raw in enumerate(items) if listing_downloads(raw) < min_downloads]
            else:
                under = np.flatnonzero(page.cut_downloads < min_downloads).tolist()
            cut = under[0] if under else page.records
        taken = cut if room is None else min(cut, room)
        done = cut < page.records or (room is not None and taken >= room)
        if taken < page.records:
            self.connection.execute("DELETE FROM sync_raw WHERE key = ? AND idx >= ?", [page.key, taken])
            self._placed[-1].records = taken
            self._pending_records -= page.records - taken
            self.next_position = page.first_position + taken
        return taken, done

    @property
    def pending(self) -> bool:
        """Whether enough waits to be validated (call :meth:`flush`)."""
        return (
            self._pending_records >= FLUSH_RECORDS
            or self._pending_bytes >= FLUSH_BYTES
            or len(self._deferred) * 1000 >= FLUSH_RECORDS
        )

    # -- validating -------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Validate what waits: clean rows go to the writer's staging, the others to ``add_raw`` (and unreadable
        pages to ``reject_page``), in listing order."""
        batch = bool(self._deferred)
        if batch:  # the batch's bodies are read twice (count, then validate): registered once
            deferred, self._deferred = self._deferred, []
            not_utf8 = self._register_pages([(d.key, self._bodies[d.key]) for d in deferred])
        try:
            placed = self._place_deferred(deferred, not_utf8) if batch else self._placed
            staged = [p for p in placed if p.key is not None and p.records]
            unclean = self._validate(staged, batch) if staged else []
        finally:
            if batch:
                self.connection.unregister("sync_pages")
        unclean_by_key: dict[int, list[tuple[int, int]]] = {}
        starts = [p.first_position for p in staged]
        for position in unclean:
            entry = staged[bisect.bisect_right(starts, position) - 1]
            assert entry.key is not None
            unclean_by_key.setdefault(entry.key, []).append((position, position - entry.first_position))
        for entry in placed:  # listing order: rejections arrive as in the per-record route
            if entry.key is not None:
                for position, raw in self._read_back(entry.key, unclean_by_key.get(entry.key, [])):
                    self.writer.add_raw(raw, position)
            elif entry.python is not None and entry.python.error is not None:
                self.writer.reject_page(entry.python.number, entry.python.error, listing=entry.listing)
            elif entry.python is not None:
                for offset, raw in enumerate(entry.python.items):
                    self.writer.add_raw(raw, entry.first_position + offset)
                self._progress.advance(len(entry.python.items))
        if not batch:
            self.connection.execute("DELETE FROM sync_raw")
        self._bodies.clear()
        self._placed = []
        self._pending_records = 0
        self._pending_bytes = 0

    def _validate(self, staged: list[_Placed], from_pages: bool) -> list[int]:
        """Pass 2: stage the clean rows of these pages; the positions of the others."""
        positions = pa.table(
            {
                "key": pa.array([p.key for p in staged], pa.int64()),
                "first_position": pa.array([p.first_position for p in staged], pa.int64()),
            }
        )
        if self._lookup is None:
            self._lookup = has_raw_hashes(self.connection)
        self.connection.register("sync_positions", positions)
        try:
            sql = validation_sql(source_sql(from_pages), self.writer.not_after, lookup=self._lookup)
            return self.writer.stage_query(sql, [])
        finally:
            self.connection.unregister("sync_positions")

    def _place_deferred(self, deferred: list[DeferredPage], not_utf8: set[int]) -> list[_Placed]:
        """Count the records of a batch of deferred pages (pass 1) and give each its first position, in order."""
        counts = dict(self.connection.execute(COUNT_SQL).fetchall())
        placed: list[_Placed] = []
        for entry in deferred:
            records = 0 if entry.key in not_utf8 else counts.get(entry.key) or 0
            if records:
                placed.append(_Placed(entry.key, None, self.next_position, entry.listing, records))
                self._progress.advance(records)
            else:  # empty, doubtful or unreadable: Python reads it
                page = parse_page(entry.page.number, self._bodies[entry.key])
                records = len(page.items)
                placed.append(_Placed(None, page, self.next_position, entry.listing, records))
            self.next_position += records
            self._check_run(entry, empty=not records)
        return placed

    def _check_run(self, entry: DeferredPage, empty: bool) -> None:
        """``iter_pages``' guard, on what the batch found: a run of empty or unreadable pages that still name a
        next page ends the listing."""
        if entry.listing != self._run_listing:
            self._run_listing, self._empty_run = entry.listing, 0
        self._empty_run = self._empty_run + 1 if empty else 0
        if self._empty_run >= MAX_EMPTY_PAGES and entry.page.has_next:
            raise HubError(
                f"the listing at {self.endpoint} gave {self._empty_run} empty or unreadable pages in a row that "
                "still name a next page: stopping"
            )

    def _read_back(self, key: int, wanted: list[tuple[int, int]]) -> list[tuple[int, Any]]:
        """The raw records at these (position, index) of a page, as Python's json reads them."""
        if not wanted:
            return []
        texts = self.connection.execute(
            "SELECT json_extract($body, $paths)::VARCHAR[]",
            {"body": self._bodies[key].decode("utf-8"), "paths": [f"$[{index}]" for _, index in wanted]},
        ).fetchall()[0][0]
        return [(position, json.loads(text)) for (position, _), text in zip(wanted, texts, strict=True)]

    def close(self) -> None:
        """Drop the temporary table (after the last flush)."""
        self.connection.execute("DROP TABLE IF EXISTS sync_raw")


_EMPTY = re.compile(rb"[ \t\n\r]*\[[ \t\n\r]*\][ \t\n\r]*")
_WHITESPACE = b" \t\n\r"


def _looks_like_list(body: bytes) -> bool:
    """Whether a body starts and ends like a JSON list (a JSON reader decides whether it is one)."""
    return body.lstrip(_WHITESPACE)[:1] == b"[" and body.rstrip(_WHITESPACE)[-1:] == b"]"


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _fast_candidate(body: bytes) -> bool:
    """Whether DuckDB may read the page: UTF-8, and not nested deeper than Python's parser surely reads."""
    return _is_utf8(body) and nesting_depth(body) <= MAX_FAST_DEPTH


def _pages_table(pages: list[tuple[int, bytes]]) -> pa.Table:
    """(key, body) pages as an Arrow table of key and body text; raises ``ArrowInvalid`` for a body not UTF-8."""
    offsets = np.zeros(len(pages) + 1, np.int64)
    np.cumsum([len(body) for _, body in pages], out=offsets[1:])
    data = pa.py_buffer(b"".join(body for _, body in pages))
    bodies = pa.Array.from_buffers(pa.large_binary(), len(pages), [None, pa.py_buffer(offsets), data])
    table = pa.table({"key": pa.array([key for key, _ in pages], pa.int64()), "body": bodies.cast(pa.large_string())})
    # A few pages a record batch: DuckDB scans the batches on all its threads (one batch would keep the whole
    # parse and validation of ~100 pages on one core).
    return pa.Table.from_batches(table.to_batches(max_chunksize=PAGES_PER_TASK), table.schema)


def listing_downloads(raw: object) -> int:
    """The per-record loop's reading of a record's downloads for the ``--min-downloads`` cut."""
    value = raw.get("downloads") if isinstance(raw, dict) else None
    return value if isinstance(value, int) else 0
