"""What every chart shares: inline data, the colour and legend channels, the page-wide configuration, value labels
and category orders (the chart families are in ``_chart_bars``, ``_chart_lines`` and ``_chart_points``).

Chart rows are Vega-Lite inline data (``data.values``): JSON, so they stay plain dicts here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

import altair as alt

from modelrace.report._colours import CATEGORY_COLOURS, country_scale
from modelrace.report._export import ChartSpec

ChartData = list[dict[str, Any]]
"""A chart's inline data rows (Vega-Lite ``data.values``: JSON)."""

LABEL_LIMIT: Final = 140  # px: long developer names are cut on the axis (the tooltip has them whole)


def _data(rows: ChartData) -> Any:
    """Inline data for a chart (Altair's Data is untyped)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _legend(title: str) -> Any:
    return alt.Legend(title=title)  # orient and columns come from the config (the page sets columns by width)


def _colour(rows: ChartData, field: str, title: str, countries: bool) -> Any:
    """A colour channel: countries in their fixed colours, other categories in the colour-blind-safe hues."""
    scale = country_scale(str(r[field]) for r in rows) if countries else alt.Scale(range=CATEGORY_COLOURS)
    return alt.Color(f"{field}:N", title=title, scale=scale, legend=_legend(title))


def _finish(chart: Any, title: str, subtitle: str, rows: int | None = None, row_px: int = 22) -> ChartSpec:
    """Title, page-wide width and the shared configuration; bar charts get a height of ``rows`` x ``row_px``.

    A fixed height rather than Vega-Lite's per-band "step": a step height with a fitted width makes it warn.
    """
    if rows is not None:
        chart = chart.properties(height=max(1, rows) * row_px)
    spec: ChartSpec = (
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


def _first_seen(rows: ChartData, category: str) -> list[str]:
    """Categories in the order the rows give them (the analyses sort their rows)."""
    return list(dict.fromkeys(str(r[category]) for r in rows))


def _largest_first(rows: ChartData, category: str, value: str) -> list[str]:
    """Categories by their total, largest first: an explicit order, the same in every layer of a chart."""
    totals: dict[str, float] = {}
    for row in rows:
        totals[str(row[category])] = totals.get(str(row[category]), 0.0) + float(row[value] or 0)
    return sorted(totals, key=lambda k: -totals[k])


def _x_max(values: Iterable[float]) -> float:
    """Room after the longest bar for its value label."""
    return max([0.0, *values]) * 1.18 or 1.0


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


def _labelled(rows: ChartData, value: str, percent: bool = True) -> ChartData:
    return [{**row, LABEL: value_label(row.get(value), percent)} for row in rows]


def _utc_ms(text: str) -> float:
    when = datetime.fromisoformat(text)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000
