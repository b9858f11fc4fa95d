"""Usage against downloads for the leading models: where the two measures of popularity disagree."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.errors import ModelraceError
from modelrace.ranking import Resolver, known_hub_ids
from modelrace.store import Warehouse
from modelrace.usage._identity import UsageIdentity, model_name
from modelrace.usage._shares import (
    NOT_LISTED,
    Series,
    UsagePoint,
    UsageSeries,
    held_series,
    usage_resolver,
    usage_series,
)


@dataclass(frozen=True)
class UsageAgainstDownloads(JsonResult):
    """One leading model by tokens: its usage rank and share, and its Hub downloads and rank in a snapshot."""

    model: str
    developer: str
    open_weights: bool | None
    usage_rank: int
    tokens: float | None
    share: float | None
    base: str
    downloads_30d: int | None  # None: no open weights, or not in the snapshot
    downloads_rank: int | None  # among every model of the snapshot, by 30-day downloads
    date: str


def usage_against_downloads(
    warehouse: Warehouse, snapshot_id: int | None, top: int = 10, series: Series | None = None
) -> list[UsageAgainstDownloads]:
    """The ``top`` models by tokens on the newest day, each with its downloads rank in ``snapshot_id``."""
    resolver = usage_resolver(warehouse)
    found = usage_series(warehouse, "model", "tokens", series, resolver=resolver)
    latest = [p for p in found.latest() if p.key != NOT_LISTED][:top]
    keys = [p.key for p in latest]
    ranks: dict[str, tuple[int, int]] = {}
    if snapshot_id is not None and keys:
        rows = warehouse.query(
            """WITH ranked AS (
                   SELECT lower(m.model_id) AS model_id, s.downloads_30d,
                          rank() OVER (ORDER BY s.downloads_30d DESC) AS downloads_rank
                   FROM snapshot_models s JOIN models m USING (model_key) WHERE s.snapshot_id = ?)
               SELECT * FROM ranked WHERE list_contains(?, model_id)""",
            [snapshot_id, [k.lower() for k in keys]],
        )
        ranks = {r["model_id"]: (int(r["downloads_30d"]), int(r["downloads_rank"])) for r in rows}
    # a key is a Hub id where the resolver knows one; the identity of each row's first slug says the rest
    identities: dict[str, UsageIdentity] = {}
    for row in warehouse.query("SELECT DISTINCT slug FROM usage_rows WHERE section = 'models'"):
        identity = resolver.resolve(row["slug"])
        identities.setdefault(identity.key, identity)
    result = []
    for point in latest:
        known = identities.get(point.key)
        downloads = ranks.get(point.key.lower())
        result.append(
            UsageAgainstDownloads(
                point.key,
                known.developer if known else "unattributed",
                known.open_weights if known else None,
                point.rank,
                point.tokens,
                point.share,
                point.base,
                downloads[0] if downloads else None,
                downloads[1] if downloads else None,
                point.date.isoformat(),
            )
        )
    return result


def tokens_words(tokens: float) -> str:
    """1.29 T, 445 B, 53.8 M: tokens as people read them."""
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if tokens >= size:
            return f"{tokens / size:,.3g} {unit}"
    return f"{tokens:,.0f}"


@dataclass(frozen=True)
class ModelUsage(JsonResult):
    """One model's usage on one day: tokens, rank and share among what the series lists, and the base."""

    model: str
    date: str
    tokens: float | None
    rank: int
    listed: int  # how many models the series lists that day
    share: float | None
    base: str
    source: str

    @property
    def words(self) -> str:
        """'rank 3 of 9, 1.3 T tokens, 6.4 % of all OpenRouter tokens (OpenRouter ..., 2026-04-15)'."""
        tokens = f", {tokens_words(self.tokens)} tokens" if self.tokens else ""
        share = f", {self.share * 100:.1f} % of {self.base}" if self.share is not None else ""
        return f"rank {self.rank} of {self.listed}{tokens}{share} ({self.source}, {self.date})"


@dataclass(frozen=True)
class UsagePair(JsonResult):
    """Two models' usage on the same day (the newest both are listed on), or each on its newest day when no day
    lists both; ``same_day`` says which."""

    a: ModelUsage | None
    b: ModelUsage | None
    same_day: bool
    text: str


def _model_points(warehouse: Warehouse, series: Series | None) -> tuple[UsageSeries, dict[str, list[UsagePoint]]]:
    found = usage_series(warehouse, "model", "tokens", series)
    by_key: dict[str, list[UsagePoint]] = {}
    for point in found.points:
        if point.key != NOT_LISTED:
            by_key.setdefault(point.key.lower(), []).append(point)
    return found, by_key


def _as_usage(found: UsageSeries, point: UsagePoint) -> ModelUsage:
    listed = sum(1 for p in found.on(point.date) if p.key != NOT_LISTED)
    return ModelUsage(
        point.key, point.date.isoformat(), point.tokens, point.rank, listed, point.share, point.base, found.source
    )


def _keys(warehouse: Warehouse, name: str) -> set[str]:
    """The keys a name may be stored under: itself and what the resolver ties it to."""
    entity = Resolver(hub_ids=known_hub_ids(warehouse)).resolve(name)
    return {name.lower(), entity.key.lower(), model_name(name).lower()}


def model_usage(warehouse: Warehouse, name: str, series: Series | None = None) -> ModelUsage | None:
    """A model's usage on the newest day its series lists it (None without usage data or when never listed)."""
    if not held_series(warehouse):
        return None
    try:
        found, by_key = _model_points(warehouse, series)
    except ModelraceError:
        return None
    points = [p for key in _keys(warehouse, name) for p in by_key.get(key, [])]
    return _as_usage(found, max(points, key=lambda p: p.date)) if points else None


def usage_pair(warehouse: Warehouse, a: str, b: str, series: Series | None = None) -> UsagePair | None:
    """Two models' tokens and ranks in the same week (or day): `versus`'s usage row. None without usage data."""
    if not held_series(warehouse):
        return None
    try:
        found, by_key = _model_points(warehouse, series)
    except ModelraceError:
        return None
    mine_a = {p.date: p for key in _keys(warehouse, a) for p in by_key.get(key, [])}
    mine_b = {p.date: p for key in _keys(warehouse, b) for p in by_key.get(key, [])}
    both = sorted(set(mine_a) & set(mine_b))
    if both:
        day = both[-1]
        same_a, same_b = _as_usage(found, mine_a[day]), _as_usage(found, mine_b[day])
        text = f"on {day}: {a} {same_a.words}; {b} {same_b.words}"
        return UsagePair(same_a, same_b, True, text)
    usage_a = _as_usage(found, mine_a[max(mine_a)]) if mine_a else None
    usage_b = _as_usage(found, mine_b[max(mine_b)]) if mine_b else None
    parts = [
        f"{name}: {usage.words}" if usage else f"{name}: never among the listed top models"
        for name, usage in ((a, usage_a), (b, usage_b))
    ]
    return UsagePair(usage_a, usage_b, False, f"no day of {found.source} lists both; " + "; ".join(parts))


def usage_lookup(warehouse: Warehouse, series: Series | None = None) -> dict[str, ModelUsage]:
    """Every listed model's usage on the series' newest day, by lower-cased key (`pick`'s served column)."""
    if not held_series(warehouse):
        return {}
    try:
        found, _ = _model_points(warehouse, series)
    except ModelraceError:
        return {}
    return {p.key.lower(): _as_usage(found, p) for p in found.latest() if p.key != NOT_LISTED}
