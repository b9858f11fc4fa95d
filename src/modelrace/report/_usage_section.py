"""The "Usage" section: token and dollar shares by country and developer over the weeks held (OpenRouter), and
downloads rank against usage rank for the leading models. Present only when the warehouse holds usage data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import altair as alt

from modelrace.adoption import Headline
from modelrace.errors import ModelraceError
from modelrace.knowledge import country_label
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, Column, Section, Table
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


def _maybe(build: Any) -> Any:
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


def _weekly_rows(tokens: UsageSeries, usd: UsageSeries | None, label: Any) -> list[dict[str, Any]]:
    rows = []
    for day in tokens.dates:
        for point in tokens.on(day):
            rows.append(
                {
                    "week": day.isoformat(),
                    "key": label(point.key),
                    "token_share": point.share,
                    "usd_share": _share(usd, day, point.key) or (0.0 if usd is not None else None),
                    "coverage": point.coverage,
                }
            )
    return rows


def _chart(rows: list[dict[str, Any]], source: str, by: str = "country") -> Chart:
    long = [
        {"week": r["week"], by: r["key"], "measure": measure, "share": r[field]}
        for r in rows
        for measure, field in (("tokens", "token_share"), ("list-price dollars", "usd_share"))
        if r[field] is not None
    ]
    title = f"Token and dollar share by {by}, each week"
    spec = (
        alt.Chart(charts._data(long))
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="week"),
            y=alt.Y("share:Q", title="share of the listed top models", axis=alt.Axis(format="%")),
            color=charts._colour(long, by, by, countries=by == "country"),
            strokeDash=alt.StrokeDash(
                "measure:N",
                title="measure",
                scale=alt.Scale(domain=["tokens", "list-price dollars"], range=[[1, 0], [6, 3]]),
                legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#666666"),
            ),
            tooltip=["week:T", f"{by}:N", "measure:N", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(width="container", height=260, title=title)
        .to_dict()
    )
    return Chart(
        id=f"usage-{by}-weekly",
        title=f"{title} (OpenRouter weekly top models)",
        spec=spec,
        source=source,
        note="Shares of the listed top models' tokens (9 or 10 a week) and of their list-price dollars (tokens x"
        " listed price per token; free variants at $0): a developer can lead by tokens and trail by revenue.",
    )


def usage_section(figures: UsageFigures) -> Section:
    """Build the section from :func:`report_usage_figures`."""
    section = Section(
        id="usage",
        title="Usage",
        intro=(
            "Downloads count files fetched from the Hub; usage counts what is served. These figures are OpenRouter's:"
            " its rankings page (shares of all OpenRouter tokens, by author and for the top models), its weekly top"
            " models (tokens, requests and list prices of the 9 or 10 most used models; shares of those models'"
            " tokens) and, where imported, the rankings-daily dataset. Each figure names the base its share is of,"
            f" and no series mixes two. {OPENROUTER_CAVEAT}"
        ),
    )
    headline = figures.headline
    if headline is not None:
        section.headlines.append(
            Headline(
                f"Usage: {headline.words}.",
                {"leader": headline.leader, "share": headline.share, "base": headline.base, "date": str(headline.date)},
            )
        )
    country_all = figures.country_all
    if country_all is not None and country_all.points:
        latest = country_all.latest()
        section.tables.append(
            Table(
                id="usage-country-all",
                title=f"Token share by country on {latest[0].date} ({country_all.source})",
                columns=[Column("country", "country"), Column("share", "share", "pct"), Column("base", "share of")],
                rows=[{"country": _country(p.key), "share": p.share, "base": p.base} for p in latest],
                source=f"{country_all.source}, {latest[0].coverage}",
                note="'(not listed)' is the share of the tokens the source does not list: it could be anyone's.",
            )
        )
    if figures.weekly_tokens is not None and figures.weekly_tokens.points:
        rows = _weekly_rows(figures.weekly_tokens, figures.weekly_usd, _country)
        weeks = figures.weekly_tokens.dates
        source = f"{figures.weekly_tokens.source}, {weeks[0]} to {weeks[-1]}"
        section.charts.append(_chart(rows, source))
        section.tables.append(
            Table(
                id="usage-country-weekly",
                title="Token and dollar share by country, each week",
                columns=[
                    Column("week", "week"),
                    Column("key", "country"),
                    Column("token_share", "token share", "pct"),
                    Column("usd_share", "dollar share", "pct"),
                    Column("coverage", "covers"),
                ],
                rows=rows,
                source=source,
                note="; ".join(dict.fromkeys((figures.weekly_usd.notes if figures.weekly_usd else [])[-3:])) or None,
            )
        )
    if figures.developer_tokens is not None and figures.developer_tokens.points:
        weeks = figures.developer_tokens.dates
        weekly_rows = _weekly_rows(figures.developer_tokens, figures.developer_usd, str)
        # the developers with the most token share over the weeks: fifteen lines would be unreadable
        totals: dict[str, float] = {}
        for row in weekly_rows:
            totals[row["key"]] = totals.get(row["key"], 0.0) + (row["token_share"] or 0.0)
        leading = set(sorted(totals, key=lambda k: -totals[k])[:CHART_DEVELOPERS])
        chart = _chart(
            [r for r in weekly_rows if r["key"] in leading],
            f"{figures.developer_tokens.source}, {weeks[0]} to {weeks[-1]}",
            "developer",
        )
        shown = f"The {CHART_DEVELOPERS} developers with the most token share over the weeks."
        section.charts.append(replace(chart, note=f"{shown} {chart.note}"))
        day = figures.developer_tokens.dates[-1]
        rows = [
            {
                "developer": p.key,
                "token_share": p.share,
                "usd_share": _share(figures.developer_usd, day, p.key),
                "tokens": p.tokens,
            }
            for p in figures.developer_tokens.on(day)
        ]
        section.tables.append(
            Table(
                id="usage-developer",
                title=f"Token and dollar share by developer, week of {day}",
                columns=[
                    Column("developer", "developer"),
                    Column("tokens", "tokens", "int"),
                    Column("token_share", "token share", "pct"),
                    Column("usd_share", "dollar share", "pct"),
                ],
                rows=rows,
                source=f"{figures.developer_tokens.source}, week of {day}",
                note="Shares of the listed top models' tokens and list-price dollars (free variants at $0).",
            )
        )
    if figures.leaders:
        section.tables.append(
            Table(
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
                rows=[
                    {
                        **leader.to_json(),
                        "openness": "open"
                        if leader.open_weights
                        else "closed"
                        if leader.open_weights is False
                        else "unknown",
                    }
                    for leader in figures.leaders
                ],
                source=f"OpenRouter ({figures.leaders[0].base}, {figures.leaders[0].date}); the report's Hub snapshot",
                note="An empty downloads rank: closed weights, or a model the snapshot does not hold. Where the two"
                " ranks disagree, downloads and usage measure different things: files fetched against tokens served.",
            )
        )
    return section
