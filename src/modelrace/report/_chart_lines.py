"""Charts over time: stacked shares by snapshot, step lines of running bests, ratios, lines with interval bands
and share lines broken where their scope changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import altair as alt

from modelrace.report._chart_base import (
    ChartData,
    _colour,
    _data,
    _finish,
    _first_seen,
    _index_of,
    _largest_first,
    _legend,
    _utc_ms,
)
from modelrace.report._colours import CATEGORY_COLOURS, CLOSED_COLOUR, _country_order, country_colour, country_scale
from modelrace.report._export import ChartSpec


def stacked_area(rows: ChartData, x: str, y: str, series: str, title: str, subtitle: str) -> ChartSpec:
    """Shares over snapshots, stacked to 100 %: one point and one axis label per snapshot, dated in UTC.

    ``series`` holds country labels (:func:`country_key`).
    """
    stamps = sorted({_utc_ms(str(r[x])) for r in rows})
    days = {datetime.fromtimestamp(s / 1000, UTC).date() for s in stamps}
    date_format = "%Y-%m-%d" if len(days) == len(stamps) else "%Y-%m-%d %H:%M"
    # Epoch ms on a UTC scale: no time zone guessing in the browser; the tooltip shows the date as text.
    data = [
        r | {x: _utc_ms(str(r[x])), "snapshot": datetime.fromtimestamp(_utc_ms(str(r[x])) / 1000, UTC).isoformat()}
        for r in rows
    ]
    chart = (
        alt.Chart(_data(data))
        .mark_area(line=True, point=True, opacity=0.85)
        .encode(
            x=alt.X(
                f"{x}:T",
                title="snapshot",
                scale=alt.Scale(type="utc"),
                axis=alt.Axis(values=stamps, format=date_format, labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y(f"{y}:Q", stack="normalize", title="share of downloads", axis=alt.Axis(format="%")),
            color=_colour(rows, series, series, countries=True),
            order=alt.Order(f"{series}_order:Q"),
            tooltip=[
                alt.Tooltip("snapshot:N"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{y}:Q", format=".1%"),
            ],
        )
    )
    domain = country_scale(str(r[series]) for r in rows).domain
    chart = chart.transform_calculate(**{f"{series}_order": _index_of(list(domain), series)})
    return _finish(chart, title, subtitle)


def step_lines(
    rows: ChartData,
    x: str,
    y: str,
    series: str,
    title: str,
    subtitle: str,
    y_title: str,
    closed: str = "closed models",
) -> ChartSpec:
    """Running bests over time (a step line per series): ``series`` holds country labels or ``closed``."""
    labels = {str(r[series]) for r in rows}
    domain = sorted(labels - {closed}, key=_country_order) + ([closed] if closed in labels else [])
    colours = [CLOSED_COLOUR if label == closed else country_colour(label) for label in domain]
    chart = (
        alt.Chart(_data(rows))
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X(f"{x}:T", title="release date", axis=alt.Axis(format="%Y-%m", labelOverlap=True)),
            y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                f"{series}:N",
                title="best so far",
                scale=alt.Scale(domain=domain, range=colours),
                legend=_legend("best so far"),
            ),
            tooltip=[
                alt.Tooltip(f"{x}:T", format="%Y-%m-%d"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{y}:Q", format=",.3f"),
                alt.Tooltip("model:N"),
            ],
        )
    )
    return _finish(chart, title, subtitle)


def ratio_lines(rows: ChartData, x: str, y: str, series: str, title: str, subtitle: str, y_title: str) -> ChartSpec:
    """Ratios over time, one step line per series, on a log axis with 1 (no gap) drawn as a rule."""
    base = alt.Chart(_data(rows))
    lines = base.mark_line(interpolate="step-after", point=True).encode(
        x=alt.X(f"{x}:T", title="quarter end", axis=alt.Axis(format="%Y-%m", labelOverlap=True)),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
        color=_colour(rows, series, series, countries=False),
        tooltip=[alt.Tooltip(f"{x}:T", format="%Y-%m-%d"), *[alt.Tooltip(f"{k}:N") for k in rows[0] if k != x]]
        if rows
        else [],
    )
    parity = alt.Chart(_data([{"parity": 1.0}])).mark_rule(strokeDash=[4, 3], color="#888").encode(y="parity:Q")
    return _finish(alt.layer(parity, lines), title, subtitle)


def lines_with_bands(
    rows: ChartData,
    x: str,
    y: str,
    low: str,
    high: str,
    series: str,
    title: str,
    subtitle: str,
    y_title: str,
    x_title: str = "board date",
    step: bool = False,
) -> ChartSpec:
    """A line per series over dates with its 95 % interval as a band (rows without bounds get no band); one point
    per row, dated in UTC (the race over time: ratings per board, months behind; ``step``: running bests)."""
    domain = _first_seen(rows, series)
    colours = alt.Scale(domain=domain, range=CATEGORY_COLOURS[: len(domain)])
    data = [r | {"at_ms": _utc_ms(str(r[x]))} for r in rows]
    base = alt.Chart(_data(data))
    x_channel = alt.X("at_ms:T", title=x_title, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%Y-%m"))
    band = (
        base.transform_filter(f"isValid(datum[{json.dumps(low)}]) && isValid(datum[{json.dumps(high)}])")
        .mark_area(opacity=0.2, interpolate="step-after" if step else "linear")
        .encode(x=x_channel, y=alt.Y(f"{low}:Q"), y2=alt.Y2(f"{high}:Q"), color=alt.Color(f"{series}:N", scale=colours))
    )
    line = base.mark_line(point=True, interpolate="step-after" if step else "linear").encode(
        x=x_channel,
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(f"{series}:N", title=None, scale=colours, legend=_legend("")),
        tooltip=[
            alt.Tooltip("board:N"),
            alt.Tooltip(f"{series}:N"),
            alt.Tooltip(f"{y}:Q", format=",.1f"),
            alt.Tooltip(f"{low}:Q", format=",.1f"),
            alt.Tooltip(f"{high}:Q", format=",.1f"),
            *([alt.Tooltip("model:N")] if rows and "model" in rows[0] else []),
        ],
    )
    return _finish(alt.layer(band, line), title, subtitle)


def segmented_share_lines(
    rows: ChartData, x: str, y: str, series: str, segment: str, title: str, subtitle: str, y_title: str
) -> ChartSpec:
    """Shares over dates, a line per series broken into segments (``segment``: one scope each, so a line breaks
    where the scope changes and no segment is compared with another); the largest series first in the legend."""
    domain = _largest_first(rows, series, y)
    colours = alt.Scale(domain=domain, range=CATEGORY_COLOURS[: len(domain)])
    data = [r | {"at_ms": _utc_ms(str(r[x]))} for r in rows]
    extra = [k for k in (rows[0] if rows else {}) if k not in (x, y, series, segment, "at_ms")]
    lines = (
        alt.Chart(_data(data))
        .mark_line(point=True)
        .encode(
            x=alt.X("at_ms:T", title="snapshot date", scale=alt.Scale(type="utc"), axis=alt.Axis(format="%Y-%m")),
            y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format="%")),
            color=alt.Color(f"{series}:N", scale=colours, legend=_legend(series)),
            detail=f"{segment}:N",
            tooltip=[
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{y}:Q", format=".1%"),
                alt.Tooltip(f"{segment}:N", title="scope"),
                *[alt.Tooltip(f"{k}:N") for k in extra],
            ],
        )
    )
    return _finish(lines, title, subtitle)


def measure_lines(
    rows: ChartData, x: str, y: str, key: str, measure: str, title: str, countries: bool = False
) -> ChartSpec:
    """Shares over weeks, a line per ``key`` and ``measure`` (tokens solid, list-price dollars dashed); ``key``
    holds country labels when ``countries``. A plain spec (usage's weekly shares), with its title inside."""
    spec: ChartSpec = (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=x),
            y=alt.Y(f"{y}:Q", title="share of the listed top models", axis=alt.Axis(format="%")),
            color=_colour(rows, key, key, countries=countries),
            strokeDash=alt.StrokeDash(
                f"{measure}:N",
                title=measure,
                scale=alt.Scale(domain=["tokens", "list-price dollars"], range=[[1, 0], [6, 3]]),
                legend=alt.Legend(symbolType="stroke", symbolStrokeColor="#666666"),
            ),
            tooltip=[f"{x}:T", f"{key}:N", f"{measure}:N", alt.Tooltip(f"{y}:Q", format=".1%")],
        )
        .properties(width="container", height=260, title=title)
        .to_dict()
    )
    return spec
