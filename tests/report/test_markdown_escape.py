"""The Markdown report shows data as text: rendered by an ordinary Markdown renderer, no payload runs or formats."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from modelrace.adoption import Headline, SnapshotRef
from modelrace.report import render_markdown
from modelrace.report._model import Column, Report, Section, Table
from modelrace.report._render import markdown_text

PAYLOADS = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 2">',
    "[click me](javascript:window.pwned=3)",
    "![x](javascript:window.pwned=4)",
    "<javascript:window.pwned=5>",
    "<iframe src=javascript:window.pwned=6></iframe>",
    '<a href="javascript:window.pwned=7">x</a>',
    "[x][r]\n\n[r]: javascript:window.pwned=8",
    "**bold** _em_ `code` ~~gone~~ | cell | :zzz: $x^2$ &lt;b&gt; &amp;",
    "line one\n# a heading\n- a list\n1. a number\n<div>block</div>",
    "back\\slash \\<script> [a\\](b)",
    "1) starts a list",
    "+ plus - minus > quote",
    "---",
    "__init__ *a*b* a_b_ _a_ snake_case_name",
    "www.example.com https://example.com/x user@example.com @mention :smile: e.g. report.md",
]


def report_with(payload: str) -> Report:
    snapshot = SnapshotRef(id=1, taken_at="2026-01-01T00:00:00", source="hub-json", source_detail=payload, models=1)
    table = Table(
        id="t",
        title=payload,
        columns=[Column("name", payload), Column("share", "share", "pct")],
        rows=[{"name": payload, "share": 0.5}],
        source=payload,
        note=payload,
    )
    section = Section(
        id="s", title=payload, intro=payload, headlines=[Headline(text=payload, figures={})], tables=[table]
    )
    # The renderer reads no figures: the report's --json part is not under test here.
    return Report(
        title=payload,
        generated_at="2026-01-01",
        snapshot=snapshot,
        sections=[section],
        figures=cast(Any, None),
        notice=payload,
    )


def rendered(path: Path) -> str:
    renderer = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    return str(renderer.render(path.read_text()))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_as_text(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    render_markdown(report_with(payload), path)
    page = rendered(path)
    for tag in ("<script", "<img", "<iframe", "<a ", "<div", "<strong", "<code", "<s>", "<del", "<ol"):
        assert tag not in page, (tag, page)
    # only the report's own structure: a title, a section, a table heading, the headlines, the note in italics
    assert [page.count(tag) for tag in ("<h1>", "<h2>", "<h3>", "<ul>", "<em>")] == [1, 1, 1, 1, 1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert " ".join(payload.split()) in " ".join(text.split())  # every payload reads back exactly, as text


def test_markdown_text_is_one_line_and_plain_text_stays_readable() -> None:
    assert markdown_text("Qwen2.5 7B\nInstruct") == "Qwen2.5 7B Instruct"
    assert markdown_text("plain words") == "plain words"
    # what a report says reads as written: numbers, dates, file names, parentheses, colons before a space
    plain = "snapshot 2: hub_stats_subset_2026-05 (data of 2026-05-20), 51.2 % of downloads; Llama-3.1-8B."
    assert markdown_text(plain) == plain
    assert markdown_text("- a list") == "\\- a list"
    assert markdown_text("12. ordered") == "12\\. ordered"
    assert markdown_text("# heading") == "\\# heading"


def test_autolinks_are_broken() -> None:
    """GitHub links bare URLs, www. names and e-mail addresses (an extension CommonMark has not): escaped, none
    of them is one any more."""
    text = markdown_text("see www.evil.com, www.1x.com, https://evil.com/x or a@evil.com and evil.md")
    assert not any(link in text for link in ("www.evil", "www.1x", "https://", "a@evil", "evil.md")), text


_ALPHABET = st.sampled_from([*"ab1 _*`[]()<>!#+-=.:;@&|~$\\{}%'\"", "\n", "www.", "1.", "http://"])


@given(st.lists(_ALPHABET, max_size=30).map("".join))
@settings(max_examples=400, deadline=None)
def test_any_text_renders_as_itself(text: str) -> None:
    """Rendered by CommonMark with GitHub's tables and strikethrough, any escaped text is one paragraph that reads
    back as the text itself (whitespace collapsed), in a list item and a table cell alike."""
    renderer = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    wanted = " ".join(text.split())
    escaped = markdown_text(text)
    for markdown, outer in ((f"- {escaped}", ("<ul>", "<li>")), (f"| a |\n|---|\n| {escaped} |", ("<table>",))):
        page = str(renderer.render(markdown))
        tags = set(re.findall(r"<([a-z0-9]+)", page))
        assert tags <= {"ul", "li", "p", "table", "thead", "tbody", "tr", "th", "td"}, (text, escaped, page)
        assert all(tag in page for tag in outer), (text, page)
        if wanted:
            cells = re.findall(r"<(?:li|td)>(.*?)</(?:li|td)>", page, re.S)
            assert html.unescape(re.sub(r"</?p>", "", cells[-1])).strip() == wanted, (text, escaped, page)
