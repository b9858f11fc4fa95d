"""Point charts: score against cost with its Pareto frontier and named points, and log-log scatters."""

from __future__ import annotations

from typing import Any, Literal

import altair as alt

from modelrace.report._chart_base import ChartData, _colour, _data, _finish
from modelrace.report._export import ChartSpec


def scatter(
    rows: ChartData,
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
) -> ChartSpec:
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


def _point_labels(rows: ChartData, x: str, y: str, log_x: bool, label: str = "model") -> Any:
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


def log_log_scatter(
    rows: ChartData,
    x: str,
    y: str,
    color: str,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    label: str,
    color_title: str | None = None,
) -> ChartSpec:
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
