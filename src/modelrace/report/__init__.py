"""The race report: sections of headlines, charts and tables, rendered as HTML, Markdown, JSON or text.

Owns presentation: each section is built from a capability's typed results, never from SQL of its own. Imports
the analyses; never ``cli`` or the network.
"""

from modelrace.report._build import build_report
from modelrace.report._cache import store_report_tables
from modelrace.report._model import Cell, Chart, ChartRow, Column, Report, Section, Table, TableRow, VerdictRow
from modelrace.report._render import render_html, render_markdown, render_terminal
from modelrace.report._tiles import TILE_PROVIDERS, Tile, TileContext, TileProvider, TrendPoint, race_tiles

__all__ = [
    "TILE_PROVIDERS",
    "Cell",
    "Chart",
    "ChartRow",
    "Column",
    "Report",
    "Section",
    "Table",
    "TableRow",
    "Tile",
    "TileContext",
    "TileProvider",
    "TrendPoint",
    "VerdictRow",
    "build_report",
    "race_tiles",
    "render_html",
    "render_markdown",
    "render_terminal",
    "store_report_tables",
]
