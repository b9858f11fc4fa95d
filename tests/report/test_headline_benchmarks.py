"""The report's headline benchmarks are knowledge's `headline:` flags, in the report's order of sources."""

from __future__ import annotations

from modelrace.knowledge import headline_benchmarks
from modelrace.report._capability_section import HEADLINE_BENCHMARKS


def test_the_report_headlines_what_knowledge_flags_and_nothing_else() -> None:
    assert sorted(HEADLINE_BENCHMARKS) == sorted(headline_benchmarks())
    assert len(set(HEADLINE_BENCHMARKS)) == len(HEADLINE_BENCHMARKS)


def test_the_arena_leads_and_every_source_has_one_headline() -> None:
    assert HEADLINE_BENCHMARKS[0] == "lmarena:full"  # the first found leads the capability section
    sources = [b.split(":", 1)[0] for b in HEADLINE_BENCHMARKS]
    assert len(set(sources)) == len(sources)
