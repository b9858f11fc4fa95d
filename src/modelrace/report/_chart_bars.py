"""Bar charts: horizontal bars with their values, bars stacked by a series, bars grouped side by side."""

from __future__ import annotations

from typing import Any

import altair as alt

from modelrace.report._chart_base import (
    LABEL,
    ChartData,
    _colour,
    _data,
    _finish,
    _first_seen,
    _index_of,
    _labelled,
    _largest_first,
    _legend,
    _x_max,
)
from modelrace.report._colours import CATEGORY_COLOURS, VIEW_COLOURS
from modelrace.report._export import ChartSpec


def bars(
    rows: ChartData,
    category: str,
    value: str,
    title: str,
    subtitle: str,
    color: str | None = None,
    value_title: str = "share of downloads",
    percent: bool = True,
    order: list[str] | None = None,
    color_title: str | None = None,
) -> ChartSpec:
    """Horizontal bars, largest first (or in ``order``, e.g. size classes), each with its value at its end.

    ``color`` names a field holding country labels (:func:`country_key`): bars get their country's colour.
    """
    number = ".1%" if percent else ",d"
    sort = order or _largest_first(rows, category, value)
    x = alt.X(
        f"{value}:Q",
        title=value_title,
        axis=alt.Axis(format="%" if percent else ",d", tickCount=5),
        scale=alt.Scale(domain=[0, _x_max(float(r[value]) for r in rows)]),
    )
    y = alt.Y(f"{category}:N", sort=sort, title=None)
    tooltip = [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=number)]
    encoding: dict[str, Any] = {"y": y, "x": x, "tooltip": tooltip}
    if color:
        encoding["color"] = _colour(rows, color, color_title or color, countries=True)
        tooltip.append(alt.Tooltip(f"{color}:N", title=color_title or color))
    base = alt.Chart(_data(_labelled(rows, value, percent)))
    chart = alt.layer(
        base.mark_bar().encode(**encoding),
        base.mark_text(align="left", dx=3, fontSize=11).encode(y=y, x=x, text=alt.Text(f"{LABEL}:N")),
    )
    return _finish(chart, title, subtitle, rows=len(sort))


def _segment_labels(rows: ChartData, category: str, value: str, series: str, order: list[str], y: Any) -> Any:
    """Each bar's segments of 8 % or more labelled at their midpoints (computed here, in stacking order)."""
    labelled = []
    start: dict[str, float] = {}
    for row in sorted(rows, key=lambda r: order.index(str(r[series])) if r[series] in order else 99):
        begin = start.get(row[category], 0.0)
        start[row[category]] = begin + float(row[value])
        if float(row[value]) >= 0.08:
            labelled.append({category: row[category], "mid": begin + float(row[value]) / 2, value: row[value]})
    return (
        alt.Chart(_data(labelled))
        .mark_text(fontSize=10, color="#1d2733")
        .encode(y=y, x=alt.X("mid:Q"), text=alt.Text(f"{value}:Q", format=".0%"))
    )


def _bar_totals(rows: ChartData, category: str, value: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for row in rows:
        totals[row[category]] = totals.get(row[category], 0.0) + float(row[value])
    return totals


def _total_labels(totals: dict[str, float], category: str, value: str, y: Any) -> Any:
    """Each bar's total at its end."""
    return (
        alt.Chart(_data([{category: k, value: v} for k, v in totals.items()]))
        .mark_text(align="left", dx=3, fontSize=11)
        .encode(y=y, x=alt.X(f"{value}:Q"), text=alt.Text(f"{value}:Q", format=",d"))
    )


def stacked_bars(
    rows: ChartData,
    category: str,
    value: str,
    series: str,
    title: str,
    subtitle: str,
    value_title: str,
    percent: bool = False,
    series_order: list[str] | None = None,
    colors: list[str] | None = None,
) -> ChartSpec:
    """Horizontal bars split by a series (e.g. derivatives by relation, downloads by licence verdict).

    Counts: each bar carries its total. Percentages (each bar sums to 100 %): segments of 8 % or more carry theirs.
    """
    order = series_order or _first_seen(rows, series)
    sort = _first_seen(rows, category) if percent else _largest_first(rows, category, value)
    y = alt.Y(f"{category}:N", sort=sort, title=None)
    totals = {} if percent else _bar_totals(rows, category, value)
    bars_layer = (
        alt.Chart(_data(rows))
        .transform_calculate(**{f"{series}_order": _index_of(order, series)})
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                f"sum({value}):Q",
                title=value_title,
                axis=alt.Axis(format="%" if percent else ",d", tickCount=5),
                scale=alt.Scale(domain=[0, 1] if percent else [0, _x_max(totals.values())]),
            ),
            color=alt.Color(
                f"{series}:N",
                title=series,
                sort=order,
                scale=alt.Scale(domain=order, range=colors or CATEGORY_COLOURS[: len(order)]),
                legend=_legend(series),
            ),
            order=alt.Order(f"{series}_order:Q"),
            tooltip=[
                alt.Tooltip(f"{category}:N"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{value}:Q", format=".1%" if percent else ",d"),
            ],
        )
    )
    labels = (
        _segment_labels(rows, category, value, series, order, y)
        if percent
        else _total_labels(totals, category, value, y)
    )
    return _finish(alt.layer(bars_layer, labels), title, subtitle, rows=len(_first_seen(rows, category)))


def grouped_bars(rows: ChartData, category: str, value: str, group: str, title: str, subtitle: str) -> ChartSpec:
    """Bars side by side per category (e.g. by uploader vs by root family), each with its value."""
    y = alt.Y(f"{category}:N", title=None, sort=_first_seen(rows, category))
    x = alt.X(
        f"{value}:Q",
        title="share of downloads",
        axis=alt.Axis(format="%", tickCount=5),
        scale=alt.Scale(domain=[0, _x_max(float(r[value]) for r in rows)]),
    )
    offset = alt.YOffset(f"{group}:N")
    base = alt.Chart(_data(_labelled(rows, value)))
    chart = alt.layer(
        base.mark_bar().encode(
            y=y,
            yOffset=offset,
            x=x,
            color=alt.Color(f"{group}:N", title="view", scale=alt.Scale(range=VIEW_COLOURS), legend=_legend("view")),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{group}:N"), alt.Tooltip(f"{value}:Q", format=".1%")],
        ),
        base.mark_text(align="left", dx=3, fontSize=10).encode(y=y, yOffset=offset, x=x, text=alt.Text(f"{LABEL}:N")),
    )
    groups = len({r[group] for r in rows}) or 1
    return _finish(chart, title, subtitle, rows=len(_first_seen(rows, category)), row_px=14 * groups + 8)
