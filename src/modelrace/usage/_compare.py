"""Usage against downloads for the leading models: where the two measures of popularity disagree."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.store import Warehouse
from modelrace.usage._identity import UsageIdentity
from modelrace.usage._shares import NOT_LISTED, Series, usage_resolver, usage_series


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
