"""Renderers: self-contained HTML, Markdown with PNG/SVG charts beside it, and a terminal summary."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from modelrace import __version__
from modelrace._files import write_atomically
from modelrace._serialise import to_jsonable
from modelrace._terminal import TerminalColumn, data_table
from modelrace.errors import ConfigError
from modelrace.report import _charts as charts
from modelrace.report._adoption_section import source_text
from modelrace.report._model import Column, Report, Table, format_value
from modelrace.report._tiles import sparkline


def report_source(report: Report) -> str:
    """What the whole report is measured from: the Hub snapshot, or, without one, the imported results alone."""
    if report.snapshot is None:
        return (
            "No Hub snapshot in this warehouse: capability and cost from imported results only "
            "(`modelrace sync` or `modelrace import hub-stats PATH` adds adoption and licences)"
        )
    return source_text(report.snapshot)


def empty_text(table: Table) -> str:
    """What a table with no rows says instead (e.g. "no conflicts"), so that an empty result never looks broken."""
    return table.empty or f"No rows: nothing in this snapshot for '{table.title}'."


def _finite_json(value: Any, **options: Any) -> str:
    """JSON as ``JSON.parse`` reads it: a non-finite number becomes null (a missing value to Vega), never bare."""
    return json.dumps(to_jsonable(value), allow_nan=False, **options)


def render_html(report: Report, path: Path) -> None:
    """Write the report as one HTML file with its charts' JavaScript inlined (works offline)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("modelrace.report", "templates"),
        autoescape=True,  # model names and card text are shown as text, never as markup
        undefined=jinja2.StrictUndefined,
    )
    # The page parses chart data with JSON.parse: a bare Infinity or NaN there would stop every chart (issue #29).
    environment.policies["json.dumps_function"] = _finite_json
    html = environment.get_template("report.html.j2").render(
        report=report,
        source=report_source(report),
        version=__version__,
        vega_bundle=charts.javascript_bundle().replace("</script", "<\\/script"),
        fmt=format_value,
        for_page=charts.for_page,
        chart_title=charts.chart_title,
        empty_text=empty_text,
        sparkline=sparkline,
        is_id=is_id_cell,
    )
    try:
        write_atomically(path, html)
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror}") from None


# Text from data (model names, card text, file paths) must read as text in any renderer, as the HTML report's
# autoescaping makes it do there, and the Markdown should still read as text itself. So a backslash goes before a
# character only where CommonMark or GitHub's Markdown could give it a meaning: always before the characters that
# start code, emphasis, links, raw HTML, entities, tables, strikethrough and math; ``_`` unless it sits inside a
# word (where it opens nothing); ``:`` and ``@`` unless a space follows (emoji codes ``:zzz:``, ``https://``
# and e-mail autolinks, mentions); a ``.`` between letters or digits (``www.x.com``, ``www.1x.com``,
# ``report.md``: autolinks), not in a number (``Qwen2.5``); and the first character when it would start a block (a
# heading, list item or rule). Newlines become spaces: data never starts a block.
_MARKDOWN_ALWAYS = frozenset("\\`*[]<>|~$&")
# What makes a line a heading, list item or rule (a number as such does not: "33.3 %", "-53.6"); dashes alone
# make a rule with the "- " of the list item they are written in.
_BLOCK_START = re.compile(r"(?:[-+*]|#{1,6}|[0-9]{1,9}[.)])(?=\s|$)|[-_*=](?=[-_*=\s]*$)")


def markdown_text(text: str) -> str:
    """Text as Markdown that renders as exactly that text, on one line (see above for what is escaped)."""
    text = " ".join(text.split())
    out: list[str] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        before = text[index - 1] if index else " "
        after = text[index + 1] if index < last else " "
        if char in _MARKDOWN_ALWAYS:
            escape = True
        elif char == "_":
            escape = not (before.isalnum() and after.isalnum())
        elif char in ":@":
            escape = not after.isspace()
        elif char == ".":  # between letters or digits, but not in a number ("www.1x.com" is a link, 2.5 is not)
            escape = before.isalnum() and after.isalnum() and not (before.isdigit() and after.isdigit())
        else:
            escape = False
        out.append(f"\\{char}" if escape else char)
    escaped = "".join(out)
    start = _BLOCK_START.match(escaped)
    if start:  # the character that makes it a block: '#', '-', ... or the '.' of '1.'
        at = start.end() - 1 if escaped[0].isdigit() else 0
        escaped = escaped[:at] + "\\" + escaped[at:]
    return escaped


def _destination(link: str) -> str:
    """A link destination: as is when plain, else in angle brackets (a folder named by the user may hold spaces)."""
    if not any(char in link for char in " ()<>\\"):
        return link
    return "<" + link.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"


def _markdown_table(table: Table, limit: int = 25) -> str:
    cell = markdown_text
    lines = [
        "| " + " | ".join(cell(c.label) for c in table.columns) + " |",
        "|" + "|".join("---:" if c.format != "text" else "---" for c in table.columns) + "|",
    ]
    for row in table.rows[:limit]:
        lines.append("| " + " | ".join(cell(format_value(row.get(c.key), c.format)) for c in table.columns) + " |")
    return "\n".join(lines)


def render_markdown(report: Report, path: Path) -> list[Path]:
    """Write Markdown plus PNG and SVG charts in a folder beside it; return the files written.

    Every text is escaped (:func:`markdown_text`): names and card text from the Hub are data, never Markdown.
    """
    md = markdown_text
    folder = path.with_name(path.stem + "_charts")
    written: list[Path] = []
    out = [f"# {md(report.title)}", "", f"{md(report_source(report))}. Generated {md(report.generated_at)}.", ""]
    if report.verdicts:
        out += ["## The claims, answered", ""]
        for row in report.verdicts:
            date = f", data of {row.date}" if row.date and row.date not in row.data else ""
            out += [f"- **{md(row.verdict)}**: {md(row.statement)} {md(row.figure)} ({md(row.data + date)})"]
        out += [""]
    if report.tiles:
        out += ["## The state of the race", ""]
        for tile in report.tiles:
            date = f", data of {tile.date}" if tile.date else ""
            out += [f"- **{md(tile.title)}: {md(tile.value)}** {md(tile.detail)} ({md(tile.scope + date)})"]
        out += [""]
    try:
        for section in report.sections:
            out += [f"## {md(section.title)}", "", md(section.intro), ""]
            out += [f"- {md(h.text)}" for h in section.headlines] + [""]
            for chart in section.charts:
                png, svg = folder / f"{chart.id}.png", folder / f"{chart.id}.svg"
                write_atomically(png, charts.to_png(chart.spec))
                write_atomically(svg, charts.to_svg(chart.spec))
                written += [png, svg]
                out += [f"![{md(chart.title)}]({_destination(f'{folder.name}/{png.name}')})", ""]
                if chart.note:
                    out += [f"_{md(chart.note)}_", ""]
                out += [f"Source: {md(chart.source)}.", ""]
            for table in section.tables:
                out += [f"### {md(table.title)}", ""]
                if table.note:
                    out += [f"_{md(table.note)}_", ""]
                out += [_markdown_table(table), "", f"Source: {md(table.source)}.", ""]
        out += ["---", "", md(report.notice), ""]
        write_atomically(path, "\n".join(out))
    except OSError as error:
        raise ConfigError(f"cannot write {error.filename or path}: {error.strerror}") from None
    return [path, *written]


# Columns whose values a user copies (model ids, leader names): never cut in the terminal.
_COPIED_KEYS = frozenset({"model", "model_id", "leader", "best_cn", "best_us", "chip", "namespace", "spec"})
_HUB_ID = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def is_id_cell(column: Column, value: object) -> bool:
    """Whether a cell holds what a user copies (a model id, a chip name): the page keeps it on one line."""
    return column.format == "text" and (column.key in _COPIED_KEYS or bool(_HUB_ID.match(str(value or ""))))


def _terminal_column(column: Column, cells: list[str]) -> TerminalColumn:
    if column.format != "text":
        return TerminalColumn(column.label, "number")
    if column.key in _COPIED_KEYS or any(_HUB_ID.match(cell) for cell in cells):
        return TerminalColumn(column.label, "id")
    return TerminalColumn(column.label)


def terminal_table(table: Table, width: int, rows: int = 10) -> RichTable:
    """A report table for a terminal ``width`` columns wide: ids whole, the columns that do not fit left out
    (the full table is in the HTML and ``--json``), a note saying how many rows are not shown."""
    shown = table.rows[:rows]
    cells = [[format_value(row.get(column.key), column.format) for column in table.columns] for row in shown]
    columns = [_terminal_column(column, [row[i] for row in cells]) for i, column in enumerate(table.columns)]
    rendered = data_table(columns, cells, title=table.title, width=width)
    if not table.rows:
        rendered.caption = empty_text(table)
    elif len(table.rows) > rows:
        more = f"{len(table.rows) - rows:,} more rows in the HTML report and --json"
        rendered.caption = f"{more}; {rendered.caption}" if rendered.caption else more
    rendered.caption_justify = "left"
    return rendered


VERDICT_STYLES = {"supported": "bold green", "not supported": "bold red", "mixed": "bold yellow"}


def verdict_lines(report: Report) -> list[Text]:
    """The verdict board as terminal lines: verdict, claim, then its key figure and the data that answered."""
    lines = []
    for row in report.verdicts:
        date = f", data of {row.date}" if row.date and row.date not in row.data else ""
        lines.append(
            Text.assemble(
                (f"[{row.verdict}]", VERDICT_STYLES.get(row.verdict, "bold")),
                f" {row.statement}\n    {row.figure}\n    {row.data}{date}",
            )
        )
    return lines


def tile_lines(report: Report) -> list[Text]:
    """The state of the race as terminal lines: title, number, comparison, scope and date."""
    return [
        Text.assemble(
            (tile.title, "bold"),
            ": ",
            (tile.value, "bold"),
            f"  {tile.detail}\n    {tile.scope}" + (f", data of {tile.date}" if tile.date else ""),
        )
        for tile in report.tiles
    ]


def render_terminal(report: Report, console: Console) -> None:
    """A short summary: the verdict board and the state of the race, then each section's headlines and first
    tables, sized to the terminal (the claims section's bullets are the board's rows, not repeated)."""
    # Titles, sources and headlines quote data (model names, paths): plain text, never markup or emoji codes.
    console.print(Text.assemble((report.title, "bold"), "  ", report_source(report)), highlight=False, emoji=False)
    if report.verdicts:
        console.rule(Text("The claims, answered"))
        for line in verdict_lines(report):
            console.print(line, highlight=False, emoji=False)
    if report.tiles:
        console.rule(Text("The state of the race"))
        for line in tile_lines(report):
            console.print(line, highlight=False, emoji=False)
    for section in report.sections:
        if section.id == "claims" and report.verdicts:
            continue
        console.rule(Text(section.title))
        for headline in section.headlines:
            console.print(Text(f"• {headline.text}"), highlight=False, emoji=False)
        for table in section.tables[:3]:
            console.print(terminal_table(table, console.width))
