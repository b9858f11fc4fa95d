"""Chart specs with Altair (Vega-Lite); colours in ``_colours``, page and export forms in ``_export``.

Every chart follows the same rules, so that a reader never has to decode one:

- one colour per country, the same in every chart (:data:`COUNTRY_COLOURS`, from Paul Tol's colour-blind-safe
  schemes); countries outside that map are drawn as "other countries", labelled "CN – China" style;
- bars carry their value; size classes keep their size order;
- the width follows the page (``"container"``: the HTML report fits a 420 px phone); exports get a fixed width;
- no title inside the chart in the HTML (the page shows it as a caption that wraps), a title in exports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final, Literal

import altair as alt

from modelrace.report._colours import (
    CATEGORY_COLOURS,
    CLOSED_COLOUR,
    COUNTRY_COLOURS,
    OTHER_COUNTRIES,
    SPECIAL_COLOURS,
    VIEW_COLOURS,
    _country_order,
    country_colour,
    country_key,
    country_scale,
)
from modelrace.report._export import (
    EXPORT_WIDTH,
    chart_title,
    for_export,
    for_page,
    javascript_bundle,
    to_png,
    to_svg,
)

# The report's sections read colours and exports through this module too (one facade for charts).
__all__ = [
    "CATEGORY_COLOURS",
    "CLOSED_COLOUR",
    "COUNTRY_COLOURS",
    "EXPORT_WIDTH",
    "OTHER_COUNTRIES",
    "SPECIAL_COLOURS",
    "VIEW_COLOURS",
    "bars",
    "chart_title",
    "country_colour",
    "country_key",
    "country_scale",
    "for_export",
    "for_page",
    "grouped_bars",
    "javascript_bundle",
    "lines_with_bands",
    "scatter",
    "stacked_area",
    "stacked_bars",
    "step_lines",
    "to_png",
    "to_svg",
]


LABEL_LIMIT: Final = 140  # px: long developer names are cut on the axis (the tooltip has them whole)


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline data for a chart (Altair's Data is untyped)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _legend(title: str) -> Any:
    return alt.Legend(title=title)  # orient and columns come from the config (the page sets columns by width)


def _colour(rows: list[dict[str, Any]], field: str, title: str, countries: bool) -> Any:
    """A colour channel: countries in their fixed colours, other categories in the colour-blind-safe hues."""
    scale = country_scale(str(r[field]) for r in rows) if countries else alt.Scale(range=CATEGORY_COLOURS)
    return alt.Color(f"{field}:N", title=title, scale=scale, legend=_legend(title))


def _finish(chart: Any, title: str, subtitle: str, rows: int | None = None, row_px: int = 22) -> dict[str, Any]:
    """Title, page-wide width and the shared configuration; bar charts get a height of ``rows`` x ``row_px``.

    A fixed height rather than Vega-Lite's per-band "step": a step height with a fitted width makes it warn.
    """
    if rows is not None:
        chart = chart.properties(height=max(1, rows) * row_px)
    spec: dict[str, Any] = (
        chart.properties(
            title=alt.TitleParams(title, subtitle=subtitle, anchor="start"),
            width="container",
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),  # heights follow the rows
        )
        .configure_view(stroke=None)
        .configure_axis(labelLimit=LABEL_LIMIT)
        .configure_legend(orient="bottom", columns=3, labelLimit=220, symbolType="square")
        .to_dict(validate=False)  # the same dict; jsonschema validation cost ~0.1 s a chart (tests validate)
    )
    return spec


def _index_of(values: list[str], field: str) -> str:
    """A Vega expression: the position of the row's ``field`` in ``values`` (for stacking order)."""
    return f"indexof({json.dumps(values)}, datum[{json.dumps(field)}])"


def _first_seen(rows: list[dict[str, Any]], category: str) -> list[str]:
    """Categories in the order the rows give them (the analyses sort their rows)."""
    return list(dict.fromkeys(str(r[category]) for r in rows))


def _largest_first(rows: list[dict[str, Any]], category: str, value: str) -> list[str]:
    """Categories by their total, largest first: an explicit order, the same in every layer of a chart."""
    totals: dict[str, float] = {}
    for row in rows:
        totals[str(row[category])] = totals.get(str(row[category]), 0.0) + float(row[value] or 0)
    return sorted(totals, key=lambda k: -totals[k])


def _x_max(values: Iterable[float]) -> float:
    """Room after the longest bar for its value label."""
    return max([0.0, *values]) * 1.18 or 1.0


def bars(
    rows: list[dict[str, Any]],
    category: str,
    value: str,
    title: str,
    subtitle: str,
    color: str | None = None,
    value_title: str = "share of downloads",
    percent: bool = True,
    order: list[str] | None = None,
    color_title: str | None = None,
) -> dict[str, Any]:
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


LABEL = "value_label"  # a bar's value as the tables print it (report._model.format_value): "<0.1 %", not "0.0 %"


def value_label(value: float | None, percent: bool = True) -> str:
    """A value as the report's tables round it: shares to 0.1 %, with "<0.1 %" for a share that is not nothing."""
    if value is None:
        return "–"
    if not percent:
        return f"{round(value):,}"
    if 0 < abs(value) < 0.0005:
        return "<0.1 %" if value > 0 else "-<0.1 %"
    return f"{value * 100:.1f} %"


def _labelled(rows: list[dict[str, Any]], value: str, percent: bool = True) -> list[dict[str, Any]]:
    return [{**row, LABEL: value_label(row.get(value), percent)} for row in rows]


def _utc_ms(text: str) -> float:
    when = datetime.fromisoformat(text)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000


def stacked_area(rows: list[dict[str, Any]], x: str, y: str, series: str, title: str, subtitle: str) -> dict[str, Any]:
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


def stacked_bars(
    rows: list[dict[str, Any]],
    category: str,
    value: str,
    series: str,
    title: str,
    subtitle: str,
    value_title: str,
    percent: bool = False,
    series_order: list[str] | None = None,
    colors: list[str] | None = None,
) -> dict[str, Any]:
    """Horizontal bars split by a series (e.g. derivatives by relation, downloads by licence verdict).

    Counts: each bar carries its total. Percentages (each bar sums to 100 %): segments of 8 % or more carry theirs.
    """
    number = ".1%" if percent else ",d"
    order_list = series_order or _first_seen(rows, series)
    y = alt.Y(
        f"{category}:N",
        sort=_first_seen(rows, category) if percent else _largest_first(rows, category, value),
        title=None,
    )
    scale = alt.Scale(domain=order_list, range=colors or CATEGORY_COLOURS[: len(order_list)])
    bars_layer = (
        alt.Chart(_data(rows))
        .transform_calculate(**{f"{series}_order": _index_of(order_list, series)})
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                f"sum({value}):Q",
                title=value_title,
                axis=alt.Axis(format="%" if percent else ",d", tickCount=5),
                scale=alt.Scale(domain=[0, 1]) if percent else alt.Undefined,
            ),
            color=alt.Color(f"{series}:N", title=series, sort=order_list, scale=scale, legend=_legend(series)),
            order=alt.Order(f"{series}_order:Q"),
            tooltip=[
                alt.Tooltip(f"{category}:N"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{value}:Q", format=number),
            ],
        )
    )
    if percent:
        # Segment midpoints, computed here: label the segments wide enough to hold a number.
        labelled = []
        start: dict[str, float] = {}
        for row in sorted(rows, key=lambda r: order_list.index(str(r[series])) if r[series] in order_list else 99):
            begin = start.get(row[category], 0.0)
            start[row[category]] = begin + float(row[value])
            if float(row[value]) >= 0.08:
                labelled.append({category: row[category], "mid": begin + float(row[value]) / 2, value: row[value]})
        labels = (
            alt.Chart(_data(labelled))
            .mark_text(fontSize=10, color="#1d2733")
            .encode(y=y, x=alt.X("mid:Q"), text=alt.Text(f"{value}:Q", format=".0%"))
        )
    else:
        totals: dict[str, float] = {}
        for row in rows:
            totals[row[category]] = totals.get(row[category], 0.0) + float(row[value])
        labels = (
            alt.Chart(_data([{category: k, value: v} for k, v in totals.items()]))
            .mark_text(align="left", dx=3, fontSize=11)
            .encode(y=y, x=alt.X(f"{value}:Q"), text=alt.Text(f"{value}:Q", format=number))
        )
        bars_layer = bars_layer.encode(
            x=alt.X(
                f"sum({value}):Q",
                title=value_title,
                axis=alt.Axis(format=",d", tickCount=5),
                scale=alt.Scale(domain=[0, _x_max(totals.values())]),
            )
        )
    return _finish(alt.layer(bars_layer, labels), title, subtitle, rows=len(_first_seen(rows, category)))


def grouped_bars(
    rows: list[dict[str, Any]], category: str, value: str, group: str, title: str, subtitle: str
) -> dict[str, Any]:
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


def scatter(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    color: str,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    label: str = "model",
    log_x: bool = True,
    color_title: str | None = None,
    frontier_by: str | None = None,
) -> dict[str, Any]:
    """Score against cost (parameters or price); frontier points drawn larger, joined by a dashed line (one line
    per value of ``frontier_by`` when the rows hold a frontier of each, e.g. open and closed).

    A ``color`` field named ``country`` holds country labels (:func:`country_key`) and gets the country colours.
    """
    # the points that matter carry their name (in a PNG nobody can hover): the frontier, and rows marked "labelled"
    base = alt.Chart(_data(rows))
    legend_title = color_title or color
    points = base.mark_circle(opacity=0.8).encode(
        x=alt.X(
            f"{x}:Q", title=x_title, scale=alt.Scale(type="log") if log_x else alt.Undefined, axis=alt.Axis(format="~g")
        ),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=_colour(rows, color, legend_title, countries=color == "country"),
        # A condition, not a size scale over a boolean field (Vega-Lite warns on an unsorted discrete size).
        size=alt.condition("datum.frontier === true", alt.value(150), alt.value(45)),
        tooltip=[
            alt.Tooltip(f"{label}:N"),
            alt.Tooltip(f"{color}:N", title=legend_title),
            alt.Tooltip(f"{x}:Q", format=",.3~g"),
            alt.Tooltip(f"{y}:Q", format=",.1f"),
        ],
    )
    named = _point_labels(rows, x, y, log_x, label)
    if named is None:
        return _finish(points, title, subtitle)
    if not any(r.get("frontier") for r in rows):
        return _finish(alt.layer(points, named), title, subtitle)
    frontier_line = (
        base.transform_filter("datum.frontier")
        .mark_line(color="#555", strokeDash=[4, 3])
        .encode(
            x=alt.X(f"{x}:Q"),
            y=alt.Y(f"{y}:Q"),
            order=alt.Order(f"{x}:Q"),
            **({"detail": alt.Detail(f"{frontier_by}:N")} if frontier_by else {}),
        )
    )
    return _finish(alt.layer(frontier_line, points, named), title, subtitle)


def _point_labels(rows: list[dict[str, Any]], x: str, y: str, log_x: bool, label: str = "model") -> Any:
    """Names beside the frontier's and the labelled points: to the right of a point in the left two thirds of the
    axis, to its left beyond, and alternately above and below along the axis, so that neighbours do not overlap
    and no name runs off the chart."""
    shown = sorted(
        (r for r in rows if (r.get("frontier") or r.get("labelled")) and r.get(x) is not None),
        key=lambda r: float(r[x]),
    )
    placed = []
    for index, row in enumerate(shown):
        placed.append(
            {
                x: row[x],
                y: row[y],
                "point_label": _short_name(str(row.get(label, ""))),
                "side": "left" if index >= len(shown) * 2 / 3 else "right",
                "above": index % 2 == 0,
            }
        )
    scale_x = alt.Scale(type="log") if log_x else alt.Undefined
    layers = []
    sides: tuple[tuple[str, Literal["left", "right"], int], ...] = (("right", "left", 7), ("left", "right", -7))
    for side, align, dx in sides:
        for above, dy in ((True, -8), (False, 12)):
            part = [p for p in placed if p["side"] == side and p["above"] is above]
            if part:
                layers.append(
                    alt.Chart(_data(part))
                    .mark_text(align=align, dx=dx, dy=dy, fontSize=10, color="#333")
                    .encode(
                        x=alt.X(f"{x}:Q", scale=scale_x),
                        y=alt.Y(f"{y}:Q", scale=alt.Scale(zero=False)),
                        text=alt.Text("point_label:N"),
                    )
                )
    return alt.layer(*layers) if layers else None


def _short_name(name: str) -> str:
    """A model's name without its namespace (the label beside a point: "Qwen2.5-7B-Instruct")."""
    return name.rsplit("/", 1)[-1]


def step_lines(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    series: str,
    title: str,
    subtitle: str,
    y_title: str,
    closed: str = "closed models",
) -> dict[str, Any]:
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


def log_log_scatter(
    rows: list[dict[str, Any]],
    x: str,
    y: str,
    color: str,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    label: str,
    color_title: str | None = None,
) -> dict[str, Any]:
    """Two quantities spanning decades (chips' TPP against memory bandwidth): both axes logarithmic, so that one
    outlier does not flatten the rest; the caller leaves doubtful figures out of ``rows`` (the scale's domain).
    ``color_title`` is the legend's heading in words (not the field's name)."""
    chart = (
        alt.Chart(_data(rows))
        .mark_circle(opacity=0.8, size=60)
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
            y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
            color=_colour(rows, color, color_title or color, countries=False),
            tooltip=[
                alt.Tooltip(f"{label}:N"),
                alt.Tooltip(f"{color}:N", title=color_title or color),
                alt.Tooltip(f"{x}:Q", format=",.4~g"),
                alt.Tooltip(f"{y}:Q", format=",.3~g"),
            ],
        )
    )
    return _finish(chart, title, subtitle)


def ratio_lines(
    rows: list[dict[str, Any]], x: str, y: str, series: str, title: str, subtitle: str, y_title: str
) -> dict[str, Any]:
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
    rows: list[dict[str, Any]],
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
) -> dict[str, Any]:
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
    rows: list[dict[str, Any]], x: str, y: str, series: str, segment: str, title: str, subtitle: str, y_title: str
) -> dict[str, Any]:
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
