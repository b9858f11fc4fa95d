"""The capability section: per size class, who leads, by how much, whether it is real; frontier; gap."""

from __future__ import annotations

from typing import Any

from modelrace.adoption import Headline
from modelrace.knowledge import country_name, headline_benchmarks
from modelrace.ranking import BenchmarkBoard, Leaderboard, ScoreRow
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, Column, Section, Table

# The benchmarks the report headlines, when imported: each source's `headline:` benchmark (knowledge's
# benchmarks.yaml), in this order of sources (the first found leads the section); other sources follow.
_SOURCE_ORDER = {s: i for i, s in enumerate(("lmarena", "artificial-analysis", "livebench", "open-llm-leaderboard"))}
HEADLINE_BENCHMARKS = tuple(
    sorted(headline_benchmarks(), key=lambda b: _SOURCE_ORDER.get(b.split(":", 1)[0], len(_SOURCE_ORDER)))
)
GAP_BENCHMARKS = ("epoch-benchmarks:gpqa_diamond", "epoch-benchmarks:math_level_5", "lmarena:full")
CLOSED = "closed models"


def _source(bench: BenchmarkBoard) -> str:
    return f"{bench.source} ({bench.name}), data of {bench.data_date}"


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


def capability_section(board: Leaderboard) -> Section:
    """Build the section from a :func:`modelrace.ranking.leaderboard` result over the headline benchmarks."""
    benches = {b.id: b for b in board.benchmarks}
    section = Section(
        id="capability",
        title="Capability: whatever the size, who is best?",
        intro=(
            "Published results (imported with their source and date), tied to models by modelrace's entity"
            " resolution. Size classes by total parameters. A model is tied with the leader unless the difference"
            " exceeds 1.96 combined standard errors (published 95 % intervals, else a binomial error from the"
            " benchmark's item count); a lead is called significant on the same test. Closed models have no"
            " published size, so they appear only in the open-versus-closed comparison."
        ),
    )
    rows: list[dict[str, Any]] = []
    for bench_id in HEADLINE_BENCHMARKS:
        bench = benches.get(bench_id)
        if bench is None:
            continue
        for entry in bench.classes:
            if entry.size_class == "unknown size":
                continue
            leader = entry.leader
            by_country = {c.country: c for c in entry.best_by_country}
            rows.append(
                {
                    "benchmark": bench.name,
                    "size_class": entry.size_class,
                    "leader": leader.model,
                    "country": leader.country,
                    "score": leader.value,
                    "margin": entry.margin,
                    "significant": {True: "yes", False: "no", None: "–"}[entry.lead_significant],
                    "tied": len(entry.tie_set) - 1 if entry.tie_set_known else None,  # "–": no standard errors
                    "best_cn": by_country["CN"].model if "CN" in by_country else None,
                    "best_us": by_country["US"].model if "US" in by_country else None,
                    "country_leader": entry.country_leader.country if entry.country_leader else None,
                    "country_significant": {True: "yes", False: "no", None: "–"}[
                        entry.country_leader.significant if entry.country_leader else None
                    ],
                }
            )
        leaders = [r for r in rows if r["benchmark"] == bench.name]
        if leaders and not section.headlines:
            text = "; ".join(
                f"{r['size_class']}: {r['leader']} ({country_name(r['country'])})"
                + ("" if r["significant"] == "yes" else ", lead not significant")
                for r in leaders
            )
            section.headlines.append(
                Headline(f"{bench.name} leaders by size: {text}.", {"benchmark": bench_id, "leaders": leaders})
            )
    unsized = []  # open models no size class holds: a leader above them would be a leader of what is known
    for bench in (benches[b] for b in HEADLINE_BENCHMARKS if b in benches):
        for unknown in (e for e in bench.classes if e.size_class == "unknown size"):
            best = unknown.leader
            unsized.append(f"{bench.name} {unknown.models:,} (best: {best.model}, {_fmt(best.value)})")
    doubts = []  # a source that scores models younger than its data date: the date is in doubt
    for source, items in board.newer_than_data.items():
        named = ", ".join(f"{i.name} ({i.first_on_hub})" for i in items[:3])
        doubts.append(
            f"{source} (data of {items[0].data_date}) scores {len(items)} models that first appeared on the Hub"
            f" later: {named}{' and more' if len(items) > 3 else ''}"
        )
    if doubts:
        section.headlines.append(
            Headline(
                "Data dates in doubt: " + "; ".join(doubts) + ". The file is newer than its date says (a date read"
                " from a file name), or a name is tied to the wrong model; `modelrace resolve --check-dates`.",
                {"newer_than_data": board.newer_than_data},
            )
        )
    if rows:
        section.tables.append(
            Table(
                "size-class-leaders",
                "Leaders by size class",
                [
                    Column("benchmark", "benchmark"),
                    Column("size_class", "size"),
                    Column("leader", "leader"),
                    Column("country", "country"),
                    Column("score", "score", "float"),
                    Column("margin", "margin", "float"),
                    Column("significant", "lead significant"),
                    Column("tied", "tied with leader", "int"),
                    Column("country_leader", "leading country"),
                    Column("country_significant", "country lead significant"),
                    Column("best_cn", "best from China"),
                    Column("best_us", "best from the US"),
                ],
                rows,
                "; ".join(_source(benches[b]) for b in HEADLINE_BENCHMARKS if b in benches),
                note=(
                    "Open models of unknown size (no parameter count from the source, the curated table or the"
                    " name; `modelrace resolve NAME` says why) are in no class: " + "; ".join(unsized) + "."
                )
                if unsized
                else None,
            )
        )
    frontier_bench = next(
        (benches[b] for b in HEADLINE_BENCHMARKS if b in benches and benches[b].frontier_params), None
    )
    if frontier_bench is not None:
        frontier_models = {f.model for f in frontier_bench.frontier_params}

        def as_point(score: ScoreRow) -> dict[str, Any]:
            return {
                "model": score.model,
                "params_b": (score.params_total or 0.0) / 1e9,
                "score": score.value,
                "country": charts.country_key(score.country),
                "frontier": score.model in frontier_models,
                "labelled": score.model in leader_models,  # each class's leader is named beside its point
            }

        leader_models = {entry.leader.model for entry in frontier_bench.classes}

        shown: list[ScoreRow] = []
        for entry in frontier_bench.classes:
            shown += [entry.leader, *entry.best_by_country]
        points = [as_point(s) for s in [*shown, *frontier_bench.frontier_params] if s.params_total]
        unique = {p["model"]: p for p in points}
        section.charts.append(
            Chart(
                "frontier",
                "Score against size",
                charts.scatter(
                    list(unique.values()),
                    "params_b",
                    "score",
                    "country",
                    f"{frontier_bench.name}: score against parameters (dashed: Pareto frontier)",
                    _source(frontier_bench),
                    "total parameters, billions (log scale)",
                    "score",
                    color_title="country",
                ),
                _source(frontier_bench),
                note="Shown: each class's leader, each country's best per class, and every frontier model.",
            )
        )
    gap_bench = next((benches[b] for b in GAP_BENCHMARKS if b in benches and benches[b].open_vs_closed.over_time), None)
    if gap_bench is not None:
        series_rows = []
        for point in gap_bench.open_vs_closed.over_time:
            if point.best_closed is not None:
                series_rows.append(
                    {
                        "date": point.date,
                        "series": CLOSED,
                        "score": point.best_closed,
                        "model": point.best_closed_model,
                    }
                )
            for country, value in point.best_open_by_country.items():
                if country in ("CN", "US", "FR"):
                    series_rows.append(
                        {
                            "date": point.date,
                            "series": charts.country_key(country),
                            "score": value,
                            "model": point.model,
                        }
                    )
        section.charts.append(
            Chart(
                "open-closed-gap",
                "Open versus closed over time",
                charts.step_lines(
                    series_rows,
                    "date",
                    "score",
                    "series",
                    f"{gap_bench.name}: best closed model and best open model by country, by release date",
                    _source(gap_bench),
                    "score",
                    closed=CLOSED,
                ),
                _source(gap_bench),
            )
        )
        gap = gap_bench.open_vs_closed
        if gap.best_open and gap.best_closed:
            section.headlines.append(
                Headline(
                    (
                        f"On {gap_bench.name}, the best closed model ({gap.best_closed.model}, "
                        f"{_fmt(gap.best_closed.value)}) leads the best open one ({gap.best_open.model},"
                        f" {country_name(gap.best_open.country)}, {_fmt(gap.best_open.value)}) by "
                        f"{_fmt(gap.gap)}"
                        + (" (significant at 95 %)." if gap.gap_significant else " (not significant at 95 %).")
                    ),
                    {"benchmark": gap_bench.id, "gap": gap.gap, "significant": gap.gap_significant},
                )
            )
    if not section.headlines and not rows:
        section.intro += (
            " No published results are imported yet: run `modelrace import lmarena PATH` (or open-llm-leaderboard,"
            " artificial-analysis, livebench, epoch-benchmarks, lm-eval)."
        )
    return section
