"""`modelrace sync`: one dated snapshot of the Hub's model metadata, written atomically."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from huggingface_hub import HfApi

from modelrace._progress import NoProgress, ProgressSink
from modelrace._safe_read import TooDeep
from modelrace._urls import without_userinfo
from modelrace.hub._bulk_json import DeferredPage, PageStager, StagedPage, listing_downloads
from modelrace.hub._client import DEFAULT_MAX_WAIT_S, ListingQuery, Page, iter_pages
from modelrace.hub._ingest import SnapshotWriter
from modelrace.hub._ingest_stats import IngestStats
from modelrace.hub._provenance import Provenance
from modelrace.hub._routes import ListingRoute, RecordRoute
from modelrace.store import SnapshotInfo, Warehouse


@dataclass(frozen=True)
class SyncOptions:
    """What to list. ``limit`` and ``min_downloads`` apply per pipeline tag (listings sort by downloads)."""

    pipeline_tags: tuple[str, ...] = ("text-generation",)
    limit: int | None = None
    min_downloads: int | None = None
    author: str | None = None
    expand: bool = True
    max_retries: int = 5
    max_wait_s: float = DEFAULT_MAX_WAIT_S  # a longer Retry-After ends the sync with an error instead of waiting
    allow_partial: bool = False  # store a listing that yields no model or rejects most records (refused otherwise)

    @property
    def selection(self) -> str:
        """What the listing holds: the top of each listing by downloads when cut, else all of it."""
        return "top-downloads" if self.limit is not None or self.min_downloads is not None else "complete"

    def to_json(self) -> dict[str, object]:
        """The filters, as stored with the snapshot."""
        return {
            "pipeline_tags": list(self.pipeline_tags),
            "limit": self.limit,
            "min_downloads": self.min_downloads,
            "author": self.author,
            "expand": self.expand,
        }


@dataclass
class SyncResult:
    """The snapshot written and what was seen on the way."""

    snapshot: SnapshotInfo
    stats: IngestStats
    pages: int
    warnings: list[str] = field(default_factory=list)  # e.g. a corrupt huggingface_hub cache file, worked around


def sync_hub(
    warehouse: Warehouse,
    options: SyncOptions,
    api: HfApi | None = None,
    progress: ProgressSink | None = None,
    vectorised: bool = True,
) -> SyncResult:
    """List the Hub for each pipeline tag and store everything as one new snapshot (or nothing on failure).

    Pages are parsed and validated in DuckDB (``_bulk_json.py``), Python reading only the rare records and pages
    that need it; ``vectorised=False`` reads every page with ``json`` and every record with ``parse_model`` (the
    reference the tests and the bench compare with). Both store and reject the same (tests/hub/test_bulk_json.py).
    """
    api = api or HfApi()
    progress = progress or NoProgress()
    pages = 0
    warnings: list[str] = []
    provenance = Provenance(
        "hub-api",
        source_detail=without_userinfo(api.endpoint),  # credentials in HF_ENDPOINT are never stored
        filters=options.to_json(),
        selection=options.selection,
        date_basis="sync time",
    )
    # its commit shows its own steps (store, tree) on the same bars
    with SnapshotWriter(warehouse, provenance, progress, allow_partial=options.allow_partial) as writer:
        route: ListingRoute = RecordRoute(writer)
        if vectorised:  # a listing without cuts is read a batch of pages at a time
            batched = options.limit is None and options.min_downloads is None
            route = PageStager(
                writer, batched=batched, endpoint=without_userinfo(api.endpoint.rstrip("/")), progress=progress
            )
        for pipeline_tag in options.pipeline_tags:
            progress.start(f"sync {pipeline_tag}", options.limit)
            route.listing = f"pipeline_tag={pipeline_tag}"
            query = ListingQuery(
                pipeline_tag=pipeline_tag,
                author=options.author,
                expand=options.expand,
                page_size=min(options.limit, 1000) if options.limit else 1000,
            )
            listing = iter_pages(
                api,
                query,
                max_retries=options.max_retries,
                max_wait_s=options.max_wait_s,
                warnings=warnings,
                reader=route.read,
            )
            pages += _sync_listing(writer, route, listing, options, progress)
            route.flush()  # the listing's bar ends with it
        route.close()
        snapshot = writer.commit()
    return SyncResult(snapshot=snapshot, stats=writer.stats, pages=pages, warnings=sorted(set(warnings)))


def _sync_listing(
    writer: SnapshotWriter, route: ListingRoute, listing: Iterator[Page], options: SyncOptions, progress: ProgressSink
) -> int:
    """Hand one listing's pages to the route (and its records to the writer) up to the cuts; return the pages read."""
    pages = taken = 0
    for page in listing:
        pages += 1
        if page.replay and writer.provenance.source_kind != "replay":
            _record_replay(writer, page.replay)
        if isinstance(page.staged, DeferredPage):
            if route.pending:
                route.flush()
            continue
        if isinstance(page.staged, StagedPage):
            room = None if options.limit is None else options.limit - taken
            count, done = route.take(page.staged, options.min_downloads, room)
            taken += count
            progress.advance(count)
            if route.pending:
                route.flush()
            if done:
                break
            continue
        route.flush()  # what is staged comes first: rejections keep the listing's order
        if page.error is not None:
            writer.reject_page(page.number, page.error, listing=route.listing)
            continue
        done = False
        for raw in page.items:
            if isinstance(raw, TooDeep):  # one record the parser could not read: one rejection
                writer.reject(route.claim_position(), None, "record is nested deeper than the JSON parser allows")
                continue
            if options.min_downloads is not None and listing_downloads(raw) < options.min_downloads:
                done = True  # sorted by downloads: nothing after this qualifies
                break
            writer.add_raw(raw, route.claim_position())
            taken += 1
            progress.advance()
            if options.limit is not None and taken >= options.limit:
                done = True
                break
        if done:
            break
    return pages


_SELECTION_ORDER = ("subset", "top-downloads", "complete")


def _record_replay(writer: SnapshotWriter, replay: dict[str, str]) -> None:
    """A replay server said what it replays: the snapshot is a replay of that file, dated by the file's data.

    Its selection is the narrower of the listing's and the replayed file's (a complete listing of a subset is a
    subset).
    """
    before = writer.provenance
    served = replay.get("selection", "subset")
    served = served if served in _SELECTION_ORDER else "subset"
    lacks = tuple(sorted({part.strip() for part in replay.get("lacks", "").split(",") if part.strip()}))
    replayed = replace(
        before,
        source_kind="replay",
        origin=replay.get("file") or before.origin,
        selection=min(before.selection or "complete", served, key=_SELECTION_ORDER.index),
        lacks=lacks,
        date_basis="sync time (the replay server gave no data date)",
    )
    dated = _parse_data_date(replay.get("data-date"))
    if dated is not None:
        replayed = replace(
            replayed,
            data_date=replay["data-date"],
            taken_at=dated,
            date_basis="the replayed file's data date (sent by the replay server)",
        )
    writer.provenance = replayed


def _parse_data_date(value: str | None) -> datetime | None:
    """'2026-05' or '2026-05-20' as the first instant it covers; None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        return None
