"""What a report is made of: sections of headlines, charts and tables, each citing its source and date.

Each capability adds its section (adoption, licences, capability, cost, ...) without touching the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from modelrace._serialise import JsonResult
from modelrace.adoption import Adoption, AdoptionScope, Headline, RestOfHubRow, SnapshotRef
from modelrace.answers import ClaimCheck
from modelrace.licensing import LicenceFigures
from modelrace.ranking import Leaderboard
from modelrace.report._export import ChartSpec
from modelrace.report._tiles import Tile
from modelrace.serving import CostFigures

Format = Literal["text", "int", "pct", "float", "params"]

Cell = str | int | float | bool | None
"""One value of a table row or of a chart's inline data (a JSON scalar)."""
TableRow = dict[str, Cell]
"""One row of a :class:`Table`: a value per column key (and per ``link_key``)."""
ChartRow = dict[str, Cell]
"""One row of a chart's inline data (Vega-Lite ``data.values``): a value per field the chart encodes."""


@dataclass(frozen=True)
class Column:
    """One table column: the row key, its heading and how to show it."""

    key: str
    label: str
    format: Format = "text"
    link_key: str | None = None  # a row key holding an in-page anchor ("#capability") the cell links to


@dataclass(frozen=True)
class Table:
    """A sortable table of rows."""

    id: str
    title: str
    columns: list[Column]
    rows: list[TableRow]
    source: str
    note: str | None = None
    empty: str | None = None  # what the table says when it has no rows ("no conflicts"), instead of an empty grid


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart (spec built with Altair)."""

    id: str
    title: str
    spec: ChartSpec
    source: str
    note: str | None = None


@dataclass
class Section:
    """One part of the report."""

    id: str
    title: str
    intro: str
    headlines: list[Headline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class VerdictRow(JsonResult):
    """One row of the verdict board: a claim, its verdict, its one key figure and the data that answered it."""

    claim: str  # the claim's id
    statement: str
    verdict: str  # supported / not supported / mixed / insufficient data
    figure: str  # the key figure with its interval ("China's lead over the United States: +28.2 pp (...)")
    data: str  # the data that answered (a snapshot and its scope, a board), or what would decide it
    date: str | None
    evidence: str | None  # the in-page anchor of the section holding the evidence ("#adoption"), None when absent


@dataclass(frozen=True)
class ReportFigures(JsonResult):
    """Every figure of a report, as ``report --json`` prints it (docs/json.md)."""

    modelrace_version: str
    generated_at: str
    snapshot: SnapshotRef | None  # None: no Hub snapshot yet, the capability sections alone
    scope: AdoptionScope | None
    adoption: Adoption | None
    licensing: LicenceFigures | None
    capability: Leaderboard | None
    cost: CostFigures | None
    headlines: list[Headline]
    sections: list[str]
    claims: list[ClaimCheck] = field(default_factory=list)  # the built-in claims checked (docs/answers.md)
    tiles: list[Tile] = field(default_factory=list)  # the state of the race (report/_tiles.py)
    rest_of_hub: list[RestOfHubRow] = field(default_factory=list)  # what the LLM scope leaves out, by tag


@dataclass
class Report:
    """The whole report: metadata, sections, and every figure for --json."""

    title: str
    generated_at: str
    snapshot: SnapshotRef | None  # None: built from imported results alone (no Hub snapshot)
    sections: list[Section]
    figures: ReportFigures
    notice: str
    verdicts: list[VerdictRow] = field(default_factory=list)  # the verdict board, first on the page
    tiles: list[Tile] = field(default_factory=list)  # the state of the race, after the board


def format_value(value: Cell, fmt: Format) -> str:
    """A cell as people read it."""
    if value is None:
        return "–"
    if isinstance(value, bool):  # before the numbers: a bool is an int to Python
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if fmt == "int":
        return f"{round(value):,}"
    if fmt == "pct":
        if 0 < abs(value) < 0.0005:  # never "0.0 %" for something that is not nothing
            return "<0.1 %" if value > 0 else "-<0.1 %"
        return f"{value * 100:.1f} %"
    if fmt == "float":
        # three significant digits under 1 (a price of $0.03, a margin of 0.064 on a 0-1 score), one decimal above
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if fmt == "params":
        return f"{value / 1e9:,.1f} B" if value >= 1e9 else f"{value / 1e6:,.0f} M"
    return str(value)
