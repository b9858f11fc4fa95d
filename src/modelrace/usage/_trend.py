"""Usage in the shapes other commands read: `trend`'s points and the "state of the race" tile's headline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError
from modelrace.store import Warehouse
from modelrace.usage._shares import NOT_LISTED, By, Series, held_series, usage_series

Day = date  # a day in an annotation beside a field named `date`


@dataclass(frozen=True)
class UsageTrendPoint(JsonResult):
    """One point in the shape of `modelrace trend`: ``{"date", "key", "value", "share", "coverage"}``; value is
    tokens, coverage says the series, what it lists and what the share is of."""

    date: date
    key: str
    value: float | None
    share: float | None
    coverage: str


def usage_trend(
    warehouse: Warehouse, by: By = "country", series: Series | None = None, since: date | None = None
) -> list[UsageTrendPoint]:
    """Token shares over time in `trend`'s point shape (one series, one base; the default series as `usage`)."""
    found = usage_series(warehouse, by, "tokens", series, since)
    return [
        UsageTrendPoint(p.date, p.key, p.tokens, p.share, f"{found.source}: {p.coverage}; share of {p.base}")
        for p in found.points
    ]


@dataclass(frozen=True)
class UsageHeadline(JsonResult):
    """Who leads usage by country on the newest day, by how much, on what base, and the leader's recent shares."""

    leader: str
    share: float
    runner_up: str | None
    runner_up_share: float | None
    not_listed: float | None  # the share of the base no listed row holds (could belong to anyone)
    date: date
    base: str
    source: str
    recent: list[tuple[Day, float]] = field(default_factory=list)  # the leader's share, oldest first

    @property
    def words(self) -> str:
        """The headline in one line."""
        text = f"{self.leader} leads with {self.share * 100:.1f} % of {self.base}"
        if self.runner_up is not None and self.runner_up_share is not None:
            text += f", {self.runner_up} {self.runner_up_share * 100:.1f} %"
        if self.not_listed:
            text += f" ({self.not_listed * 100:.1f} % not listed)"
        return f"{text}; {self.source}, {self.date}"


def usage_headline(warehouse: Warehouse, days: int = 8) -> UsageHeadline | None:
    """The usage lead by country for a "state of the race" tile (None without usage data)."""
    if not held_series(warehouse):
        return None
    try:
        found = usage_series(warehouse, "country", "tokens")
    except NotFoundError:
        return None
    latest = [p for p in found.latest() if p.key != NOT_LISTED and p.share is not None]
    if not latest:
        return None
    leader, runner = latest[0], latest[1] if len(latest) > 1 else None
    not_listed = next((p.share for p in found.latest() if p.key == NOT_LISTED), None)
    window = set(found.dates[-days:])
    mine = [p for p in found.points if p.key == leader.key and p.date in window]
    recent = [(p.date, p.share) for p in mine if p.share is not None]
    return UsageHeadline(
        leader.key,
        leader.share or 0.0,
        runner.key if runner else None,
        runner.share if runner else None,
        not_listed,
        leader.date,
        leader.base,
        found.source,
        recent,
    )
