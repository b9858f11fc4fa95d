"""A chart spec for the page (width follows the container, title as a caption) or for export (fixed width, title
in the chart), rendered to SVG/PNG by vl-convert, and the vega-embed bundle the HTML inlines."""

from __future__ import annotations

import copy
from typing import Any, Final

import vl_convert

EXPORT_WIDTH: Final = 560

ChartSpec = dict[str, Any]
"""A Vega-Lite spec: JSON, as Altair writes it."""


def for_page(spec: ChartSpec) -> ChartSpec:
    """The spec as the HTML page embeds it: no title inside (the page shows it as a caption that wraps)."""
    page = copy.copy(spec)
    page.pop("title", None)
    return page


def chart_title(spec: ChartSpec) -> tuple[str, str]:
    """The (title, subtitle) written in a spec."""
    title = spec.get("title") or {}
    if isinstance(title, str):
        return title, ""
    text, subtitle = title.get("text", ""), title.get("subtitle", "")
    return (" ".join(text) if isinstance(text, list) else str(text)), str(subtitle or "")


def for_export(spec: ChartSpec, width: int = EXPORT_WIDTH) -> ChartSpec:
    """The spec with a fixed width: an image has no container to follow."""
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = width
    for part in fixed.get("layer", []):
        if part.get("width") == "container":
            part["width"] = width
    return fixed


def to_svg(spec: ChartSpec) -> str:
    """Render a Vega-Lite spec to SVG text."""
    return str(vl_convert.vegalite_to_svg(for_export(spec)))


def to_png(spec: ChartSpec, scale: float = 2.0) -> bytes:
    """Render a Vega-Lite spec to PNG bytes."""
    return bytes(vl_convert.vegalite_to_png(for_export(spec), scale=scale))


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, for self-contained HTML (cached per vl-convert version)."""
    from modelrace.local import cache_dir  # one cache for everything modelrace keeps (`modelrace cache`)

    version = vl_convert.get_vega_embed_version() + "-" + vl_convert.get_vega_version()
    snippet = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
    try:
        cache = cache_dir() / f"vega-bundle-{version}.js"
        if cache.is_file():
            return cache.read_text(encoding="utf-8")
        bundle = str(vl_convert.javascript_bundle(snippet))
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(bundle, encoding="utf-8")
        tmp.replace(cache)
        return bundle
    except OSError:  # a read-only cache only costs the bundling time
        return str(vl_convert.javascript_bundle(snippet))
