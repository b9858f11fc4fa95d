"""A snapshot's provenance as one typed object: what the importers and the sync hand :class:`SnapshotWriter`.

Its fields are the provenance columns of ``snapshots`` (store/_snapshots.py, docs/provenance.md). The writer fills
the defaults once (:meth:`Provenance.resolved`); an importer that learns the data's date only while reading (the
newest ``lastModified``, a replay server's header) replaces the writer's provenance before the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

# A snapshot's source kind when the writer is not told (store/_snapshots.py SourceKind).
_SOURCE_KINDS = {"hub-api": "live", "hub-stats": "hub-stats-file", "hub-json": "hub-json-file"}


@dataclass(frozen=True)
class Provenance:
    """Where a snapshot comes from, what it holds and how it is dated."""

    source: str  # hub-api, hub-stats, hub-json (or a test's or bench's own word)
    source_detail: str | None = None  # the endpoint or the file's resolved path
    filters: dict[str, Any] | None = None  # a sync's listing options, stored as JSON
    taken_at: datetime | None = None  # default: now (the writer's creation)
    source_kind: str | None = None  # default: from ``source`` (_SOURCE_KINDS)
    origin: str | None = None  # default: ``source_detail``
    selection: str | None = None  # default: subset for hub-json, else complete
    data_date: str | None = None  # default at commit: ``taken_at``'s date
    date_basis: str | None = None
    lacks: tuple[str, ...] = ()
    file_fingerprint: str | None = None  # sha256:<hex> of an imported file (refuse_if_imported)

    def resolved(self) -> Provenance:
        """The defaults filled in (``taken_at`` naive UTC, as stored)."""
        return replace(
            self,
            taken_at=(self.taken_at or datetime.now(UTC)).replace(tzinfo=None),
            source_kind=self.source_kind or _SOURCE_KINDS.get(self.source, self.source),
            origin=self.origin if self.origin is not None else self.source_detail,
            selection=self.selection or ("subset" if self.source == "hub-json" else "complete"),
            lacks=tuple(self.lacks),
        )

    @property
    def stored_date(self) -> str:
        """The snapshot's data date as stored: the one given, else the date of ``taken_at``."""
        return self.data_date or (self.taken_at or datetime.now(UTC)).date().isoformat()
