"""Chart specs with Altair (Vega-Lite), one facade: the families in ``_chart_bars``, ``_chart_lines`` and
``_chart_points``, what they share in ``_chart_base``, colours in ``_colours``, page and export forms in ``_export``.
The sections read every chart through this module (``from modelrace.report import _charts as charts``).

Every chart follows the same rules, so that a reader never has to decode one:

- one colour per country, the same in every chart (:data:`COUNTRY_COLOURS`, from Paul Tol's colour-blind-safe
  schemes); countries outside that map are drawn as "other countries", labelled "CN – China" style;
- bars carry their value; size classes keep their size order;
- the width follows the page (``"container"``: the HTML report fits a 420 px phone); exports get a fixed width;
- no title inside the chart in the HTML (the page shows it as a caption that wraps), a title in exports.
"""

from __future__ import annotations

from modelrace.report._chart_bars import bars, grouped_bars, stacked_bars
from modelrace.report._chart_base import (
    LABEL,
    LABEL_LIMIT,
    ChartData,
    value_label,
)
from modelrace.report._chart_lines import (
    lines_with_bands,
    measure_lines,
    ratio_lines,
    segmented_share_lines,
    stacked_area,
    step_lines,
)
from modelrace.report._chart_points import log_log_scatter, scatter
from modelrace.report._colours import (
    CATEGORY_COLOURS,
    CLOSED_COLOUR,
    COUNTRY_COLOURS,
    OTHER_COUNTRIES,
    SPECIAL_COLOURS,
    VIEW_COLOURS,
    country_colour,
    country_key,
    country_scale,
)
from modelrace.report._export import (
    EXPORT_WIDTH,
    ChartSpec,
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
    "LABEL",
    "LABEL_LIMIT",
    "OTHER_COUNTRIES",
    "SPECIAL_COLOURS",
    "VIEW_COLOURS",
    "ChartData",
    "ChartSpec",
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
    "log_log_scatter",
    "measure_lines",
    "ratio_lines",
    "scatter",
    "segmented_share_lines",
    "stacked_area",
    "stacked_bars",
    "step_lines",
    "to_png",
    "to_svg",
    "value_label",
]
