"""Chart specs with Altair (Vega-Lite), and their export to SVG/PNG with vl-convert."""

from __future__ import annotations

from typing import Any

import altair as alt
import vl_convert

WIDTH = 560


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline data for a chart (Altair's Data is untyped)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _finish(chart: Any, title: str, subtitle: str) -> dict[str, Any]:
    spec: dict[str, Any] = (
        chart.properties(title=alt.TitleParams(title, subtitle=subtitle, anchor="start"), width=WIDTH)
        .configure_view(stroke=None)
        .to_dict()
    )
    return spec


def bars(
    rows: list[dict[str, Any]],
    category: str,
    value: str,
    title: str,
    subtitle: str,
    color: str | None = None,
    value_title: str = "share of downloads",
    percent: bool = True,
) -> dict[str, Any]:
    """Horizontal bars, largest first."""
    encoding: dict[str, Any] = {
        "y": alt.Y(f"{category}:N", sort="-x", title=None),
        "x": alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format="%" if percent else ",d")),
        "tooltip": [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=".1%" if percent else ",d")],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color)
        encoding["tooltip"].append(alt.Tooltip(f"{color}:N"))
    return _finish(alt.Chart(_data(rows)).mark_bar().encode(**encoding), title, subtitle)


def stacked_area(rows: list[dict[str, Any]], x: str, y: str, series: str, title: str, subtitle: str) -> dict[str, Any]:
    """Shares over time, stacked to 100 %."""
    chart = (
        alt.Chart(_data(rows))
        .mark_area()
        .encode(
            x=alt.X(f"{x}:T", title="snapshot"),
            y=alt.Y(f"{y}:Q", stack="normalize", title="share of downloads", axis=alt.Axis(format="%")),
            color=alt.Color(f"{series}:N", title=series),
            tooltip=[alt.Tooltip(f"{x}:T"), alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{y}:Q", format=".1%")],
        )
    )
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
    """Horizontal bars split by a series (e.g. derivatives by relation, downloads by licence verdict)."""
    number = ".1%" if percent else ",d"
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort=None if percent else "-x", title=None),
            x=alt.X(f"sum({value}):Q", title=value_title, axis=alt.Axis(format="%" if percent else ",d")),
            color=alt.Color(
                f"{series}:N",
                title=series,
                sort=series_order,
                scale=alt.Scale(domain=series_order, range=colors) if colors and series_order else alt.Undefined,
            ),
            order=alt.Order(f"{series}_order:Q") if series_order else alt.Undefined,
            tooltip=[
                alt.Tooltip(f"{category}:N"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{value}:Q", format=number),
            ],
        )
    )
    if series_order:
        chart = chart.transform_calculate(
            **{f"{series}_order": f"indexof({series_order!r}, datum['{series}'])".replace("'", '"')}
        )
    return _finish(chart, title, subtitle)


def grouped_bars(
    rows: list[dict[str, Any]], category: str, value: str, group: str, title: str, subtitle: str
) -> dict[str, Any]:
    """Bars side by side per category (e.g. by uploader vs by root family)."""
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=None, sort="-x"),
            yOffset=alt.YOffset(f"{group}:N"),
            x=alt.X(f"{value}:Q", title="share of downloads", axis=alt.Axis(format="%")),
            color=alt.Color(f"{group}:N", title="view"),
            tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{group}:N"), alt.Tooltip(f"{value}:Q", format=".1%")],
        )
    )
    return _finish(chart, title, subtitle)


def to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to SVG text."""
    return str(vl_convert.vegalite_to_svg(spec))


def to_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """Render a Vega-Lite spec to PNG bytes."""
    return bytes(vl_convert.vegalite_to_png(spec, scale=scale))


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, for self-contained HTML (cached per vl-convert version)."""
    from pathlib import Path

    import platformdirs

    version = vl_convert.get_vega_embed_version() + "-" + vl_convert.get_vega_version()
    cache = Path(platformdirs.user_cache_dir("modelrace", appauthor=False)) / f"vega-bundle-{version}.js"
    if cache.is_file():
        return cache.read_text(encoding="utf-8")
    snippet = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
    bundle = str(vl_convert.javascript_bundle(snippet))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only cache only costs the bundling time next run
    return bundle


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
) -> dict[str, Any]:
    """Score against cost (parameters or price), coloured by country; frontier points drawn larger."""
    base = alt.Chart(_data(rows))
    points = base.mark_circle(opacity=0.75).encode(
        x=alt.X(
            f"{x}:Q", title=x_title, scale=alt.Scale(type="log") if log_x else alt.Undefined, axis=alt.Axis(format="~g")
        ),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(f"{color}:N", title=color),
        size=alt.Size("frontier:N", scale=alt.Scale(domain=[False, True], range=[40, 160]), legend=None),
        tooltip=[
            alt.Tooltip(f"{label}:N"),
            alt.Tooltip(f"{color}:N"),
            alt.Tooltip(f"{x}:Q", format=",.3~g"),
            alt.Tooltip(f"{y}:Q", format=",.1f"),
        ],
    )
    frontier_line = (
        base.transform_filter("datum.frontier")
        .mark_line(color="#555", strokeDash=[4, 3])
        .encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), order=alt.Order(f"{x}:Q"))
    )
    return _finish(alt.layer(frontier_line, points), title, subtitle)


def step_lines(
    rows: list[dict[str, Any]], x: str, y: str, series: str, title: str, subtitle: str, y_title: str
) -> dict[str, Any]:
    """Running bests over time (a step line per series)."""
    chart = (
        alt.Chart(_data(rows))
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X(f"{x}:T", title="release date"),
            y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(f"{series}:N", title="best so far"),
            tooltip=[
                alt.Tooltip(f"{x}:T"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip(f"{y}:Q", format=",.3f"),
                alt.Tooltip("model:N"),
            ],
        )
    )
    return _finish(chart, title, subtitle)
