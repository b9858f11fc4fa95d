"""What a sync or import reports: records stored and rejected (every rejection counted, reasons bounded), pages
rejected apart from records, and the typed summary the command line prints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from modelrace._serialise import JsonResult
from modelrace.hub._records import MAX_REASON_CHARS
from modelrace.store import SnapshotInfo

MAX_KEPT_REJECTIONS = 100_000  # every rejection is counted; the first this many are kept with their reason
MAX_REJECTION_SAMPLES = 1000  # rejections kept in memory for the caller (the warehouse keeps more)
MAX_DISTINCT_REASONS = 1000  # reasons counted one by one; the rest are counted together under OTHER_REASONS
OTHER_REASONS = "other reasons (too many distinct reasons to count one by one)"


@dataclass
class Rejection:
    """A record refused by the parser: where it was, which model if known, and why."""

    position: int
    model_id: str | None
    reason: str


@dataclass
class PageRejection:
    """A listing page that could not be read: which listing, which page (0-based), and why."""

    listing: str | None
    page: int
    reason: str


@dataclass
class IngestStats:
    """Counts for one snapshot write, shown to the user and stored with the snapshot.

    ``rejected`` counts records; ``rejected_pages`` counts listing pages that could not be read at all (their
    records were never seen, so they are not in ``rejected``). ``reason_counts`` counts every rejection (records
    and pages) by reason, not only the kept samples.
    """

    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    rejected_pages: int = 0
    rejection_samples: list[Rejection] = field(default_factory=list)
    page_rejections: list[PageRejection] = field(default_factory=list)
    reason_counts: dict[str, int] = field(default_factory=dict)

    def count_reason(self, reason: str) -> None:
        """Count one rejection under its reason (bounded: past MAX_DISTINCT_REASONS, under OTHER_REASONS)."""
        if reason not in self.reason_counts and len(self.reason_counts) >= MAX_DISTINCT_REASONS:
            reason = OTHER_REASONS
        self.reason_counts[reason] = self.reason_counts.get(reason, 0) + 1

    def reasons(self) -> dict[str, int]:
        """How many rejections (all of them, records and pages) share each reason, most frequent first."""
        return dict(sorted(self.reason_counts.items(), key=lambda kv: -kv[1]))


def _claimed_id(raw: object) -> str | None:
    """The id a rejected record claims, when it has a readable one (kept with the rejection)."""
    try:
        model_id = raw.get("id") if isinstance(raw, Mapping) else None
    except Exception:
        return None
    return model_id if isinstance(model_id, str) else None


def _bounded(text: str) -> str:
    text = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 3] + "..."


@dataclass(frozen=True)
class IngestSummary(JsonResult):
    """What a sync or import reports: the snapshot, its counts, every rejection reason counted, and warnings."""

    snapshot: SnapshotInfo
    accepted: int
    rejected: int
    duplicates: int
    rejected_pages: int
    rejection_reasons: dict[str, int]
    pages: int | None = None  # listing pages read (a sync)
    warnings: tuple[str, ...] = ()  # problems worked around (a corrupt huggingface_hub cache file)

    @classmethod
    def of(
        cls, snapshot: SnapshotInfo, stats: IngestStats, pages: int | None = None, warnings: Iterable[str] = ()
    ) -> IngestSummary:
        """The summary of a finished write."""
        return cls(
            snapshot=snapshot,
            accepted=stats.accepted,
            rejected=stats.rejected,
            duplicates=stats.duplicates,
            rejected_pages=stats.rejected_pages,
            rejection_reasons=stats.reasons(),
            pages=pages,
            warnings=tuple(warnings),
        )
