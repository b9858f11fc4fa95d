"""Usage shares: per snapshot day, each model's, developer's, country's or openness class's tokens, requests or
list-price dollars and its share, with the base the share is of named in every point.

A **series** is one section of one layout (the rankings page's authors, its models, the weekly top models, the
rankings-daily dataset); a series is never mixed with another, as their bases differ:
- the rankings page states each row's share of **all OpenRouter tokens** (the tokens it does not list are the
  ``(not listed)`` row); the dataset does too on a day with its ``other`` row;
- the weekly top models give only the listed models' tokens: shares are **of the listed top models' tokens**;
- dollars are tokens x the listed price per token (prompt and completion tokens at their prices where the week
  gives the split, else every token at the prompt price, a lower bound), free variants at $0, rows with no
  price left out of the base; they exist for the weekly series only, as requests do.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, NotFoundError
from modelrace.ranking import Resolver, known_hub_ids
from modelrace.store import Warehouse
from modelrace.usage._authors import UNATTRIBUTED, developer_of
from modelrace.usage._identity import UsageIdentity, UsageResolver
from modelrace.usage._parse import BASE_ALL, OTHER

By = Literal["model", "developer", "country", "open"]
Metric = Literal["tokens", "requests", "usd"]
Series = Literal["dataset", "authors", "models", "weekly"]
BYS: tuple[By, ...] = ("model", "developer", "country", "open")
METRICS: tuple[Metric, ...] = ("tokens", "requests", "usd")
SERIES: tuple[Series, ...] = ("dataset", "authors", "models", "weekly")
NOT_LISTED = "(not listed)"
OPEN, CLOSED, UNKNOWN_OPENNESS = "open weights", "closed", "openness unknown"

# Which stored section each series reads, and what it is in words.
_SECTIONS: dict[Series, tuple[str, str, str]] = {
    "dataset": ("rankings-dataset", "models", "OpenRouter rankings-daily dataset (top 50 models a day)"),
    "authors": ("rankings-page", "authors", "OpenRouter rankings page, market share by author"),
    "models": ("rankings-page", "models", "OpenRouter rankings page, top models"),
    "weekly": ("weekly-top-models", "models", "OpenRouter weekly top models"),
}
_METRIC_BASE = {
    "requests": "the listed top models' requests",
    "usd": "the listed top models' list-price dollars (tokens x listed price per token; free variants at $0)",
}


@dataclass(frozen=True)
class UsagePoint(JsonResult):
    """One key on one day of a series: its tokens, its value in the metric, its share and what that is of."""

    date: date
    key: str
    tokens: float | None
    value: float | None
    share: float | None
    base: str
    rank: int
    change: float | None  # the share's change since the series' previous day (None on its first)
    coverage: str


@dataclass(frozen=True)
class UsageSeries(JsonResult):
    """Every point of one series, with its source and what it leaves out."""

    metric: Metric
    by: By
    series: Series
    source: str
    points: list[UsagePoint]
    notes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{"metric", "by", "series", "source", "points": [{"date", "key", "tokens", "value", "share",
        "base", ...}], "notes", "unmatched"}``."""
        data = super().to_json()
        return {key: data[key] for key in ("metric", "by", "series", "source", "points", "notes", "unmatched")}

    @property
    def dates(self) -> list[date]:
        """The days the series holds, oldest first."""
        return sorted({p.date for p in self.points})

    def on(self, day: date) -> list[UsagePoint]:
        """The points of one day, by rank."""
        return sorted((p for p in self.points if p.date == day), key=lambda p: p.rank)

    def latest(self) -> list[UsagePoint]:
        """The points of the newest day."""
        return self.on(self.dates[-1]) if self.points else []


def usage_resolver(warehouse: Warehouse) -> UsageResolver:
    """A slug resolver that knows the warehouse's Hub ids (as the other sources' resolution does)."""
    return UsageResolver(Resolver(hub_ids=known_hub_ids(warehouse)))


def held_series(warehouse: Warehouse) -> dict[Series, int]:
    """How many days each series holds (none in an export written before usage existed)."""
    held: dict[Series, int] = {}
    tables = warehouse.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'usage_rows'")
    if not tables[0]["n"]:
        return held
    for series, (layout, section, _) in _SECTIONS.items():
        rows = warehouse.query(
            "SELECT count(DISTINCT r.day) AS n FROM usage_rows r JOIN usage_snapshots s USING (usage_snapshot_id) "
            "WHERE s.layout = ? AND r.section = ?",
            [layout, section],
        )
        if rows and rows[0]["n"]:
            held[series] = int(rows[0]["n"])
    return held


def default_series(held: dict[Series, int], by: By, metric: Metric) -> Series:
    """The series a figure reads when none is asked: the most complete base the data holds for the breakdown."""
    if metric != "tokens":
        order: tuple[Series, ...] = ("weekly",)
    elif by in ("developer", "country"):
        order = ("dataset", "authors", "models", "weekly")
    else:
        order = ("dataset", "models", "weekly")
    for series in order:
        if series in held:
            return series
    wanted = ", ".join(order)
    raise NotFoundError(
        f"no usage data for --by {by} --metric {metric} (it needs the {wanted} series): "
        "run `modelrace import openrouter PATH` first"
    )


def _load(warehouse: Warehouse, series: Series, since: date | None) -> list[dict[str, Any]]:
    layout, section, _ = _SECTIONS[series]
    # The newest snapshot of each day wins (a day imported twice from different files is read once).
    return warehouse.query(
        """WITH chosen AS (
               SELECT r.day, max(r.usage_snapshot_id) AS usage_snapshot_id FROM usage_rows r
               JOIN usage_snapshots s USING (usage_snapshot_id)
               WHERE s.layout = ? AND r.section = ? GROUP BY r.day)
           SELECT r.*, s.coverage FROM usage_rows r JOIN chosen c USING (day, usage_snapshot_id)
           JOIN usage_snapshots s USING (usage_snapshot_id)
           WHERE r.section = ? AND (CAST(? AS DATE) IS NULL OR r.day >= CAST(? AS DATE))
           ORDER BY r.day, r.position""",
        [layout, section, section, since, since],
    )


def _key(row: dict[str, Any], identity: UsageIdentity | None, by: By) -> str:
    if row["slug"] == OTHER:
        return NOT_LISTED
    if identity is None:  # an author row
        developer = developer_of(row["author"])
        if by == "developer":
            return developer.name if developer.organisation_id else row["author"]
        return developer.country
    if by == "model":
        return identity.key
    if by == "developer":
        return identity.developer if identity.developer != UNATTRIBUTED else f"{UNATTRIBUTED} ({row['author']})"
    if by == "country":
        return identity.country
    return UNKNOWN_OPENNESS if identity.open_weights is None else OPEN if identity.open_weights else CLOSED


def _usd(row: dict[str, Any]) -> tuple[float | None, bool]:
    """A row's list-price dollars and whether the prompt/completion split priced it."""
    if row["is_free"]:
        return 0.0, True
    prompt_price, completion_price = row["prompt_usd_per_token"], row["completion_usd_per_token"]
    if prompt_price is None or row["tokens"] is None:
        return None, False
    if row["prompt_tokens"] is not None and row["completion_tokens"] is not None and completion_price is not None:
        return row["prompt_tokens"] * prompt_price + row["completion_tokens"] * completion_price, True
    return row["tokens"] * prompt_price, False


def _coverage(row: dict[str, Any], section: str) -> str:
    try:
        return str(json.loads(row["coverage"]).get(section, ""))
    except (TypeError, ValueError):
        return ""


def usage_series(
    warehouse: Warehouse,
    by: By = "developer",
    metric: Metric = "tokens",
    series: Series | None = None,
    since: date | None = None,
    resolver: UsageResolver | None = None,
) -> UsageSeries:
    """One series of usage points (``series`` chosen by :func:`default_series` when None)."""
    if by not in BYS or metric not in METRICS:
        raise ConfigError(f"--by {by} --metric {metric}: choose --by from {BYS} and --metric from {METRICS}")
    held = held_series(warehouse)
    chosen = series or default_series(held, by, metric)
    if chosen not in SERIES:
        raise ConfigError(f"--series {chosen!r}: choose one of {', '.join(SERIES)}")
    if chosen == "authors" and by in ("model", "open"):
        raise ConfigError(f"the rankings page's market share is by author: --by {by} needs --series models or weekly")
    if metric != "tokens" and chosen != "weekly":
        raise ConfigError(f"--metric {metric} needs --series weekly: only the weekly top models give {metric}")
    if chosen not in held:
        raise NotFoundError(f"no {_SECTIONS[chosen][2]} in the warehouse: run `modelrace import openrouter PATH`")
    resolve = resolver or usage_resolver(warehouse)
    rows = _load(warehouse, chosen, None)  # every day: a change at --since is against the day before it
    _, section, source = _SECTIONS[chosen]
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_day[row["day"]].append(row)
    points: list[UsagePoint] = []
    notes: list[str] = []
    unmatched: set[str] = set()
    previous: dict[str, float] = {}
    for day in sorted(by_day):
        day_rows = by_day[day]
        tokens: dict[str, float] = defaultdict(float)
        values: dict[str, float] = defaultdict(float)
        stated: dict[str, float] = defaultdict(float)
        unpriced, estimated = 0, 0
        for row in day_rows:
            identity = None if section == "authors" or row["slug"] == OTHER else resolve.resolve(row["slug"])
            if identity is not None and (not identity.matched or not identity.author_mapped):
                unmatched.add(row["slug"])
            elif identity is None and section == "authors" and not developer_of(row["author"]).mapped:
                unmatched.add(row["author"])
            key = _key(row, identity, by)
            tokens[key] += row["tokens"] or 0.0
            if metric == "tokens":
                value = row["tokens"]
            elif metric == "requests":
                value = row["requests"]
            else:
                value, by_split = _usd(row)
                estimated += value is not None and not by_split
            if value is None:
                unpriced += 1
                continue
            values[key] += value
            if row["share_pct"] is not None:
                stated[key] += row["share_pct"] / 100
        base = day_rows[0]["share_base"] if metric == "tokens" else _METRIC_BASE[metric]
        coverage = _coverage(day_rows[0], section)
        whole = metric == "tokens" and base == BASE_ALL
        if whole and stated:  # the page's own shares of the whole; the rest is what it does not list
            shares = dict(stated)
            shares[NOT_LISTED] = max(0.0, 1 - sum(stated.values()))
        else:
            total = sum(values.values())
            shares = {k: v / total for k, v in values.items()} if total else {}
        if unpriced:
            what = "no price" if metric == "usd" else f"no {metric}"
            notes.append(f"{day}: {unpriced} of {len(day_rows)} rows with {what} left out of the base")
        if estimated:
            notes.append(f"{day}: {estimated} rows priced at the prompt price (the week gives no split): a lower bound")
        ranked = sorted(shares, key=lambda k: (k == NOT_LISTED, -shares[k], -tokens.get(k, 0.0), k))
        for rank, key in enumerate(ranked, 1):
            share = shares[key]
            points.append(
                UsagePoint(
                    day,
                    key,
                    tokens.get(key) if key != NOT_LISTED or tokens.get(key) else None,
                    values.get(key),
                    share,
                    base,
                    rank,
                    share - previous[key] if key in previous else None,
                    coverage,
                )
            )
        previous = shares
    if since is not None:
        points = [p for p in points if p.date >= since]
        notes = [n for n in notes if n[:10] >= since.isoformat()]
    return UsageSeries(metric, by, chosen, source, points, notes, sorted(unmatched))


def usage_unmatched(warehouse: Warehouse, resolver: UsageResolver | None = None) -> dict[str, list[str]]:
    """The stored slugs no rule ties to a model (``openrouter``) and the authors the author table does not map
    (``openrouter-authors``), as `resolve --unmatched` lists names: what a user adds to the curated files."""
    resolve = resolver or usage_resolver(warehouse)
    slugs = [
        r["slug"]
        for r in warehouse.query(
            "SELECT DISTINCT slug FROM usage_rows WHERE section <> 'authors' AND slug <> ? ORDER BY slug", [OTHER]
        )
    ]
    authors = [r["author"] for r in warehouse.query("SELECT DISTINCT author FROM usage_rows ORDER BY author")]
    found: dict[str, list[str]] = {}
    models = [s for s in slugs if not resolve.resolve(s).matched]
    unmapped = [a for a in authors if a != OTHER and not developer_of(a).mapped]
    if models:
        found["openrouter"] = models
    if unmapped:
        found["openrouter-authors"] = unmapped
    return found
