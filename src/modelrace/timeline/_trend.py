"""Trends: a metric's observations combined per date and key (country, developer, family or model), with each
key's share of the date and the scope's coverage; growth per key, and the first date one key passes another."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, get_args

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError
from modelrace.store import Warehouse
from modelrace.timeline._metrics import Combine, MetricData, Observation, TrendMetric

Breakdown = Literal["country", "developer", "family", "model"]
BREAKDOWNS: Final[tuple[str, ...]] = get_args(Breakdown)


@dataclass(frozen=True)
class TrendPoint(JsonResult):
    """One key at one date: its value (a sum of downloads, a best rating), its share of the date's total on the
    scope (sums only), the scope's coverage of that date, and where it was read."""

    date: date
    key: str
    value: float
    share: float | None
    coverage: float | None
    ref: str
    model: str | None = None  # for a best-of (rating): the model that is best
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Trend(JsonResult):
    """A metric followed over time by one breakdown, on one scope."""

    metric: str
    by: str
    scope: str
    sources: list[str]
    points: list[TrendPoint]
    scope_models: int | None = None  # the models of a same-models scope

    def dates(self) -> list[date]:
        """The dates of the trend, oldest first."""
        return sorted({p.date for p in self.points})

    def series(self, key: str) -> list[TrendPoint]:
        """One key's points, oldest first."""
        return [p for p in self.points if p.key == key]


def _key(observation: Observation, by: Breakdown) -> str:
    return {
        "country": observation.country,
        "developer": observation.developer,
        "family": observation.family,
        "model": observation.model,
    }[by]


def trend_of(data: MetricData, combine: Combine, by: Breakdown, top: int | None = None, *, keys: list[str] | None
             = None) -> list[TrendPoint]:  # fmt: skip
    """The points of a trend: per date (each snapshot or board) and key, the observations combined (``sum`` or
    ``max``), with shares of the date's total (``sum`` only). ``top`` keeps the keys of the largest value at the
    last date; ``keys`` keeps those named (either or both)."""
    if by not in BREAKDOWNS:
        raise ConfigError(f"unknown breakdown {by!r}: choose one of {', '.join(BREAKDOWNS)}")
    values: dict[tuple[date, str], dict[str, Observation | float]] = defaultdict(dict)
    sums: dict[tuple[date, str, str], float] = defaultdict(float)
    best: dict[tuple[date, str, str], Observation] = {}
    for observation in data.observations:
        cell = (observation.when, observation.ref, _key(observation, by))
        if combine == "sum":
            sums[cell] += observation.value
        elif cell not in best or observation.value > best[cell].value:
            best[cell] = observation
    del values
    totals: dict[tuple[date, str], float] = defaultdict(float)
    for (when, ref, _), value in sums.items():
        totals[(when, ref)] += value
    points: list[TrendPoint] = []
    for (when, ref, key), value in sums.items():
        total = totals[(when, ref)]
        points.append(TrendPoint(when, key, value, value / total if total else None, data.coverage.get(when), ref))
    for (when, ref, key), observation in best.items():
        points.append(
            TrendPoint(when, key, observation.value, None, data.coverage.get(when), ref, observation.model,
                       observation.lower, observation.upper)
        )  # fmt: skip
    points.sort(key=lambda p: (p.date, p.ref, -p.value, p.key))
    if top is not None or keys is not None:
        kept: set[str] = set(keys or ())
        if top is not None and points:
            last = max(p.date for p in points)
            ranked = sorted((p for p in points if p.date == last), key=lambda p: (-p.value, p.key))
            kept |= {p.key for p in ranked[:top]}
        points = [p for p in points if p.key in kept]
    return points


def trend(warehouse: Warehouse, metric: TrendMetric, by: Breakdown = "family", top: int | None = 10) -> Trend:
    """A metric (:class:`TrendMetric`: downloads, rating, or one plugged in) followed over time by ``by``."""
    data = metric.observe(warehouse, by)
    return Trend(metric.name, by, data.scope, data.sources, trend_of(data, metric.combine, by, top), data.scope_models)


@dataclass(frozen=True)
class Growth(JsonResult):
    """One key from the first date of a trend to its last: the change, and the ratio where it means something."""

    key: str
    first_date: date
    last_date: date
    first_value: float
    last_value: float
    change: float
    ratio: float | None
    share_change: float | None


def growth(found: Trend) -> list[Growth]:
    """Each key's change between its first and last point, largest rise first (the movers)."""
    by_key: dict[str, list[TrendPoint]] = defaultdict(list)
    for point in found.points:
        by_key[point.key].append(point)
    grown = []
    for key, points in by_key.items():
        first, last = points[0], points[-1]
        shares = last.share - first.share if first.share is not None and last.share is not None else None
        grown.append(
            Growth(key, first.date, last.date, first.value, last.value, last.value - first.value,
                   last.value / first.value if first.value > 0 else None, shares)
        )  # fmt: skip
    return sorted(grown, key=lambda g: (-(g.share_change if g.share_change is not None else g.change), g.key))


@dataclass(frozen=True)
class Pass(JsonResult):
    """When one key passes another on a trend: the first date it is ahead after a date it was not (``observed``),
    or, when it leads from the first date, that date (not observed: it passed before the history starts)."""

    leader: str
    other: str
    when: date | None
    ref: str | None
    observed: bool
    leader_value: float | None
    other_value: float | None
    before: date | None  # the last date the leader was not ahead
    dates_compared: int
    ahead_at_last: bool


def first_pass(found: Trend, leader: str, other: str) -> Pass:
    """The first date ``leader`` is ahead of ``other`` after a date it was not (dates where both have a value)."""
    a = {p.date: p for p in found.series(leader)}
    b = {p.date: p for p in found.series(other)}
    both = sorted(set(a) & set(b))
    behind_since: date | None = None
    for index, when in enumerate(both):
        ahead = a[when].value > b[when].value
        if not ahead:
            behind_since = when
            continue
        if behind_since is not None:
            return Pass(leader, other, when, a[when].ref, True, a[when].value, b[when].value, behind_since,
                        len(both), a[both[-1]].value > b[both[-1]].value)  # fmt: skip
        if index == 0 and all(a[d].value > b[d].value for d in both):
            return Pass(leader, other, when, a[when].ref, False, a[when].value, b[when].value, None, len(both), True)
    last = both[-1] if both else None
    return Pass(
        leader, other, None, None, False,
        a[last].value if last else None, b[last].value if last else None, behind_since, len(both),
        bool(last and a[last].value > b[last].value),
    )  # fmt: skip


@dataclass(frozen=True)
class PairStep(JsonResult):
    """Two consecutive snapshots compared on the models both hold: each side's share at either end."""

    before: date
    after: date
    refs: tuple[str, str]
    models: int
    coverage: tuple[float | None, float | None]
    leader_shares: tuple[float, float]
    other_shares: tuple[float, float]

    @property
    def passes(self) -> bool:
        """The leader not ahead at the first end and ahead at the second."""
        return self.leader_shares[0] <= self.other_shares[0] and self.leader_shares[1] > self.other_shares[1]


@dataclass(frozen=True)
class PairwisePass(JsonResult):
    """One side against another on every valid scope of a history of snapshots (each consecutive pair on the
    models both hold): the steps where both are present, and the first step where the leader passes."""

    leader: str
    other: str
    steps: list[PairStep]
    first: PairStep | None

    @property
    def ahead_throughout(self) -> bool:
        """The leader ahead at both ends of every step."""
        return bool(self.steps) and all(
            s.leader_shares[0] > s.other_shares[0] and s.leader_shares[1] > s.other_shares[1] for s in self.steps
        )


def pairwise_pass(
    warehouse: Warehouse, metric_of: Callable[[tuple[int, int]], TrendMetric], snapshot_ids: list[int],
    leader: str, other: str, by: Breakdown = "family",
) -> PairwisePass:  # fmt: skip
    """``leader`` against ``other`` on each consecutive pair of ``snapshot_ids`` (oldest first), each pair on its
    own same-models scope (``metric_of`` gives the metric of a pair), and the first pair in which it passes."""
    steps = []
    for a, b in itertools.pairwise(snapshot_ids):
        found = trend(warehouse, metric_of((a, b)), by, None)
        dates = found.dates()
        if len(dates) != 2:
            continue
        share = {(p.date, p.key): p.share or 0.0 for p in found.points}
        coverage = {p.date: p.coverage for p in found.points}
        mine = (share.get((dates[0], leader), 0.0), share.get((dates[1], leader), 0.0))
        theirs = (share.get((dates[0], other), 0.0), share.get((dates[1], other), 0.0))
        if not any(mine) or not any(theirs):
            continue  # a side absent from the pair's common models: this scope cannot compare them
        refs = (f"snapshot {a}", f"snapshot {b}")
        steps.append(
            PairStep(
                dates[0],
                dates[1],
                refs,
                found.scope_models or 0,
                (coverage.get(dates[0]), coverage.get(dates[1])),
                mine,
                theirs,
            )
        )
    return PairwisePass(leader, other, steps, next((s for s in steps if s.passes), None))
