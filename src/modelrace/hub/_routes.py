"""How a sync's listing pages reach the writer: one interface (:class:`ListingRoute`), two routes.

:class:`~modelrace.hub._bulk_json.PageStager` validates page bodies in DuckDB (the SQL route), handing the writer
only the rare records and pages Python must read; :class:`RecordRoute` reads every page with ``json`` and every
record with ``parse_model`` (the per-record reference the tests and the bench compare with). ``sync_hub`` calls
either the same way; both store and reject the same (tests/hub/test_bulk_json.py).
"""

from __future__ import annotations

from typing import Protocol

from modelrace.hub._bulk_json import StagedPage
from modelrace.hub._client import Page, parse_page
from modelrace.hub._ingest import SnapshotWriter


class ListingRoute(Protocol):
    """What ``sync_hub`` asks of a route, page by page, in listing order."""

    listing: str | None  # the label of the listing being read (page rejections carry it)

    def read(self, number: int, body: bytes) -> Page:
        """The listing's page reader (``iter_pages(reader=...)``)."""
        ...

    def claim_position(self) -> int:
        """The next record position, for a record the caller stages or rejects itself."""
        ...

    def take(self, page: StagedPage, min_downloads: int | None, room: int | None) -> tuple[int, bool]:
        """How many of a staged page's records the listing takes and whether the listing ends."""
        ...

    @property
    def pending(self) -> bool:
        """Whether enough waits to be validated (call :meth:`flush`)."""
        ...

    def flush(self) -> None:
        """Hand the writer what waits, in listing order (before anything else touches the writer)."""
        ...

    def close(self) -> None:
        """After the last flush."""
        ...


class RecordRoute:
    """The per-record reference route: Python's ``json`` per page, ``parse_model`` per record, nothing deferred."""

    def __init__(self, writer: SnapshotWriter) -> None:
        self.writer = writer
        self.listing: str | None = None

    def read(self, number: int, body: bytes) -> Page:
        """Every page as Python's ``json`` reads it (never staged: :meth:`take` is never asked)."""
        return parse_page(number, body)

    def claim_position(self) -> int:
        """The writer's next record position."""
        return self.writer.claim_position()

    def take(self, page: StagedPage, min_downloads: int | None, room: int | None) -> tuple[int, bool]:
        """Never called: this route stages no page."""
        raise TypeError("the per-record route stages no page")

    @property
    def pending(self) -> bool:
        """Nothing ever waits."""
        return False

    def flush(self) -> None:
        """Nothing to hand over: each record went to the writer as it came."""

    def close(self) -> None:
        """Nothing to drop."""
