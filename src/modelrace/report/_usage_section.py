"""The "Usage" section: token and dollar shares by country and developer over the weeks held (OpenRouter), and
downloads rank against usage rank for the leading models. Present only when the warehouse holds usage data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from modelrace.adoption import Headline
from modelrace.errors import ModelraceError
from modelrace.knowledge import country_label
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, ChartRow, Column, Section, Table, TableRow
from modelrace.store import Warehouse
from modelrace.usage import (
    NOT_LISTED,
    UsageAgainstDownloads,
    UsageHeadline,
    UsageSeries,
    held_series,
    usage_against_downloads,
    usage_headline,
    usage_series,
)

TOP_MODELS = 10
CHART_DEVELOPERS = 6
OPENROUTER_CAVEAT = (
    "OpenRouter is one router among many: it sees the traffic of developers who route through it (weighted to"
    " agents and coding tools), never self-hosted use, where open weights run most. See docs/usage.md."
)


@dataclass(frozen=True)
class UsageFigures:
    """What the section shows, computed once."""

    headline: UsageHeadline | None
    weekly_tokens: UsageSeries | None
    weekly_usd: UsageSeries | None
    developer_tokens: UsageSeries | None
    developer_usd: UsageSeries | None
    country_all: UsageSeries | None
    leaders: list[UsageAgainstDownloads]


_T = TypeVar("_T")


def _maybe(build: Callable[[], _T]) -> _T | None:
    try:
        return build()
    except ModelraceError:
        return None


def report_usage_figures(warehouse: Warehouse, snapshot_id: int | None) -> UsageFigures | None:
    """The usage figures for the report, or None when the warehouse holds no usage data."""
    held = held_series(warehouse)
    if not held:
        return None
    weekly = "weekly" in held
    return UsageFigures(
        headline=usage_headline(warehouse),
        weekly_tokens=_maybe(lambda: usage_series(warehouse, "country", "tokens", "weekly")) if weekly else None,
        weekly_usd=_maybe(lambda: usage_series(warehouse, "country", "usd", "weekly")) if weekly else None,
        developer_tokens=_maybe(lambda: usage_series(warehouse, "developer", "tokens", "weekly")) if weekly else None,
        developer_usd=_maybe(lambda: usage_series(warehouse, "developer", "usd", "weekly")) if weekly else None,
        country_all=_maybe(lambda: usage_series(warehouse, "country", "tokens")),
        leaders=_maybe(lambda: usage_against_downloads(warehouse, snapshot_id, TOP_MODELS)) or [],
    )


def _country(key: str) -> str:
    return key if key in (NOT_LISTED, "unattributed") else country_label(key)


def _share(points: UsageSeries | None, day: date, key: str) -> float | None:
    if points is None:
        return None
    return next((p.share for p in points.on(day) if p.key == key), None)


@dataclass(frozen=True)
class _WeeklyShare:
    """One key's token and dollar share in one week (the dollar share None when no dollar series is held)."""

    week: str
    key: str
    token_share: float | None
    usd_share: float | None
    coverage: str

    def row(self) -> TableRow:
        return {
            "week": self.week,
            "key": self.key,
            "token_share": self.token_share,
            "usd_share": self.usd_share,
            "coverage": self.coverage,
        }


def _weekly_shares(tokens: UsageSeries, usd: UsageSeries | None, label: Callable[[str], str]) -> list[_WeeklyShare]:
    return [
        _WeeklyShare(
            day.isoformat(),
            label(point.key),
            point.share,
            _share(usd, day, point.key) or (0.0 if usd is not None else None),
            point.coverage,
        )
        for day in tokens.dates
        for point in tokens.on(day)
    ]


def _chart(shares: list[_WeeklyShare], source: str, by: str = "country") -> Chart:
    """Token and dollar share by ``by``, a line per key and measure (the dollar lines dashed)."""
    long: list[ChartRow] = [
        {"week": s.week, by: s.key, "measure": measure, "share": value}
        for s in shares
        for measure, value in (("tokens", s.token_share), ("list-price dollars", s.usd_share))
        if value is not None
    ]
    title = f"Token and dollar share by {by}, each week"
    return Chart(
        id=f"usage-{by}-weekly",
        title=f"{title} (OpenRouter weekly top models)",
        spec=charts.measure_lines(long, "week", "share", by, "measure", title, countries=by == "country"),
        source=source,
        note="Shares of the listed top models' tokens (9 or 10 a week) and of their list-price dollars (tokens x"
        " listed price per token; free variants at $0): a developer can lead by tokens and trail by revenue.",
    )


def _headline(headline: UsageHeadline) -> Headline:
    return Headline(
        f"Usage: {headline.words}.",
        {"leader": headline.leader, "share": headline.share, "base": headline.base, "date": str(headline.date)},
    )


def _country_all_table(country_all: UsageSeries) -> Table:
    """Every country's share of all the source's tokens on its newest day."""
    latest = country_all.latest()
    return Table(
        id="usage-country-all",
        title=f"Token share by country on {latest[0].date} ({country_all.source})",
        columns=[Column("country", "country"), Column("share", "share", "pct"), Column("base", "share of")],
        rows=[{"country": _country(p.key), "share": p.share, "base": p.base} for p in latest],
        source=f"{country_all.source}, {latest[0].coverage}",
        note="'(not listed)' is the share of the tokens the source does not list: it could be anyone's.",
    )


def _country_weekly(tokens: UsageSeries, usd: UsageSeries | None) -> tuple[Chart, Table]:
    """Token and dollar share by country each week: the chart and its table."""
    shares = _weekly_shares(tokens, usd, _country)
    weeks = tokens.dates
    source = f"{tokens.source}, {weeks[0]} to {weeks[-1]}"
    table = Table(
        id="usage-country-weekly",
        title="Token and dollar share by country, each week",
        columns=[
            Column("week", "week"),
            Column("key", "country"),
            Column("token_share", "token share", "pct"),
            Column("usd_share", "dollar share", "pct"),
            Column("coverage", "covers"),
        ],
        rows=[s.row() for s in shares],
        source=source,
        note="; ".join(dict.fromkeys((usd.notes if usd else [])[-3:])) or None,
    )
    return _chart(shares, source), table


def _developer_chart(tokens: UsageSeries, usd: UsageSeries | None) -> Chart:
    """Token and dollar share each week of the developers with the most token share over the weeks."""
    weeks = tokens.dates
    shares = _weekly_shares(tokens, usd, str)
    # the developers with the most token share over the weeks: fifteen lines would be unreadable
    totals: dict[str, float] = {}
    for share in shares:
        totals[share.key] = totals.get(share.key, 0.0) + (share.token_share or 0.0)
    leading = set(sorted(totals, key=lambda k: -totals[k])[:CHART_DEVELOPERS])
    chart = _chart([s for s in shares if s.key in leading], f"{tokens.source}, {weeks[0]} to {weeks[-1]}", "developer")
    shown = f"The {CHART_DEVELOPERS} developers with the most token share over the weeks."
    return replace(chart, note=f"{shown} {chart.note}")


def _developer_table(tokens: UsageSeries, usd: UsageSeries | None) -> Table:
    """Each developer's tokens, token share and dollar share in the newest week."""
    day = tokens.dates[-1]
    return Table(
        id="usage-developer",
        title=f"Token and dollar share by developer, week of {day}",
        columns=[
            Column("developer", "developer"),
            Column("tokens", "tokens", "int"),
            Column("token_share", "token share", "pct"),
            Column("usd_share", "dollar share", "pct"),
        ],
        rows=[
            {"developer": p.key, "token_share": p.share, "usd_share": _share(usd, day, p.key), "tokens": p.tokens}
            for p in tokens.on(day)
        ],
        source=f"{tokens.source}, week of {day}",
        note="Shares of the listed top models' tokens and list-price dollars (free variants at $0).",
    )


def _openness(open_weights: bool | None) -> str:
    return "open" if open_weights else "closed" if open_weights is False else "unknown"


def _leaders_table(leaders: list[UsageAgainstDownloads]) -> Table:
    """The leading models by tokens: usage rank against downloads rank."""
    return Table(
        id="usage-vs-downloads",
        title="Usage rank against downloads rank, leading models",
        columns=[
            Column("model", "model"),
            Column("developer", "developer"),
            Column("openness", "weights"),
            Column("usage_rank", "usage rank", "int"),
            Column("share", "token share", "pct"),
            Column("downloads_rank", "downloads rank", "int"),
            Column("downloads_30d", "downloads (30 d)", "int"),
        ],
        rows=[{**leader.to_json(), "openness": _openness(leader.open_weights)} for leader in leaders],
        source=f"OpenRouter ({leaders[0].base}, {leaders[0].date}); the report's Hub snapshot",
        note="An empty downloads rank: closed weights, or a model the snapshot does not hold. Where the two"
        " ranks disagree, downloads and usage measure different things: files fetched against tokens served.",
    )


INTRO = (
    "Downloads count files fetched from the Hub; usage counts what is served. These figures are OpenRouter's:"
    " its rankings page (shares of all OpenRouter tokens, by author and for the top models), its weekly top"
    " models (tokens, requests and list prices of the 9 or 10 most used models; shares of those models'"
    " tokens) and, where imported, the rankings-daily dataset. Each figure names the base its share is of,"
    f" and no series mixes two. {OPENROUTER_CAVEAT}"
)


def usage_section(figures: UsageFigures) -> Section:
    """Build the section from :func:`report_usage_figures`."""
    section = Section(id="usage", title="Usage", intro=INTRO)
    if figures.headline is not None:
        section.headlines.append(_headline(figures.headline))
    if figures.country_all is not None and figures.country_all.points:
        section.tables.append(_country_all_table(figures.country_all))
    if figures.weekly_tokens is not None and figures.weekly_tokens.points:
        chart, table = _country_weekly(figures.weekly_tokens, figures.weekly_usd)
        section.charts.append(chart)
        section.tables.append(table)
    if figures.developer_tokens is not None and figures.developer_tokens.points:
        section.charts.append(_developer_chart(figures.developer_tokens, figures.developer_usd))
        section.tables.append(_developer_table(figures.developer_tokens, figures.developer_usd))
    if figures.leaders:
        section.tables.append(_leaders_table(figures.leaders))
    return section
