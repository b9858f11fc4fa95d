"""`modelrace sync`: one dated snapshot of the Hub's model metadata, written atomically."""

from __future__ import annotations

from dataclasses import dataclass, field

from huggingface_hub import HfApi

from modelrace._progress import NoProgress, ProgressSink
from modelrace.hub._client import DEFAULT_MAX_WAIT_S, ListingQuery, iter_pages
from modelrace.hub._ingest import IngestStats, SnapshotWriter
from modelrace.store import SnapshotInfo, Warehouse
from modelrace.tree import TreeStats


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
    tree: TreeStats | None = field(default=None)
    warnings: list[str] = field(default_factory=list)  # e.g. a corrupt huggingface_hub cache file, worked around


def sync_hub(
    warehouse: Warehouse,
    options: SyncOptions,
    api: HfApi | None = None,
    progress: ProgressSink | None = None,
) -> SyncResult:
    """List the Hub for each pipeline tag and store everything as one new snapshot (or nothing on failure)."""
    api = api or HfApi()
    progress = progress or NoProgress()
    pages = 0
    warnings: list[str] = []
    with SnapshotWriter(warehouse, source="hub-api", source_detail=api.endpoint, filters=options.to_json()) as writer:
        for pipeline_tag in options.pipeline_tags:
            progress.start(f"sync {pipeline_tag}", options.limit)
            query = ListingQuery(
                pipeline_tag=pipeline_tag,
                author=options.author,
                expand=options.expand,
                page_size=min(options.limit, 1000) if options.limit else 1000,
            )
            taken = 0
            listing = iter_pages(
                api, query, max_retries=options.max_retries, max_wait_s=options.max_wait_s, warnings=warnings
            )
            for page in listing:
                pages += 1
                if page.error is not None:
                    writer.reject_page(page.number, page.error, listing=f"pipeline_tag={pipeline_tag}")
                    continue
                done = False
                for raw in page.items:
                    if options.min_downloads is not None and _downloads(raw) < options.min_downloads:
                        done = True  # sorted by downloads: nothing after this qualifies
                        break
                    writer.add_raw(raw)
                    taken += 1
                    progress.advance()
                    if options.limit is not None and taken >= options.limit:
                        done = True
                        break
                if done:
                    break
        progress.start("resolve model tree and commit", None)
        snapshot = writer.commit()
    return SyncResult(snapshot=snapshot, stats=writer.stats, pages=pages, warnings=sorted(set(warnings)))


def _downloads(raw: object) -> int:
    value = raw.get("downloads") if isinstance(raw, dict) else None
    return value if isinstance(value, int) else 0
