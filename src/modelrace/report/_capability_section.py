"""The capability section: per size class, who leads, by how much, whether it is real; frontier; gap."""

from __future__ import annotations

from collections.abc import Callable

from modelrace.adoption import Headline
from modelrace.knowledge import UNKNOWN as UNKNOWN_SIZE
from modelrace.knowledge import country_name, headline_benchmarks
from modelrace.ranking import BenchmarkBoard, ClassEntry, Leaderboard, OpenVsClosed, ScoreRow
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, ChartRow, Column, Section, Table, TableRow

# The benchmarks the report headlines, when imported: each source's `headline:` benchmark (knowledge's
# benchmarks.yaml), in this order of sources (the first found leads the section); other sources follow.
_SOURCE_ORDER = {s: i for i, s in enumerate(("lmarena", "artificial-analysis", "livebench", "open-llm-leaderboard"))}
HEADLINE_BENCHMARKS = tuple(
    sorted(headline_benchmarks(), key=lambda b: _SOURCE_ORDER.get(b.split(":", 1)[0], len(_SOURCE_ORDER)))
)
GAP_BENCHMARKS = ("epoch-benchmarks:gpqa_diamond", "epoch-benchmarks:math_level_5", "lmarena:full")
CLOSED = "closed models"
INTRO = (
    "Published results (imported with their source and date), tied to models by modelrace's entity"
    " resolution. Size classes by total parameters. A model is tied with the leader unless the difference"
    " exceeds 1.96 combined standard errors (published 95 % intervals, else a binomial error from the"
    " benchmark's item count); a lead is called significant on the same test. Closed models have no"
    " published size, so they appear only in the open-versus-closed comparison."
)
NO_RESULTS = (
    " No published results are imported yet: run `modelrace import lmarena PATH` (or open-llm-leaderboard,"
    " artificial-analysis, livebench, epoch-benchmarks, lm-eval)."
)


def _source(bench: BenchmarkBoard) -> str:
    return f"{bench.source} ({bench.name}), data of {bench.data_date}"


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"


_YES_NO = {True: "yes", False: "no", None: "–"}


def _headline_boards(board: Leaderboard) -> list[BenchmarkBoard]:
    """The headline benchmarks the leaderboard holds, in the report's order."""
    benches = {b.id: b for b in board.benchmarks}
    return [benches[b] for b in HEADLINE_BENCHMARKS if b in benches]


def _first_board(
    board: Leaderboard, ids: tuple[str, ...], has: Callable[[BenchmarkBoard], object]
) -> BenchmarkBoard | None:
    """The first of ``ids`` the leaderboard holds for which ``has`` is true."""
    benches = {b.id: b for b in board.benchmarks}
    return next((benches[b] for b in ids if b in benches and has(benches[b])), None)


def _leader_row(bench: BenchmarkBoard, entry: ClassEntry) -> TableRow:
    """One size class's row of the leaders table."""
    leader, country_leader = entry.leader, entry.country_leader
    by_country = {c.country: c for c in entry.best_by_country}
    return {
        "benchmark": bench.name,
        "size_class": entry.size_class,
        "leader": leader.model,
        "country": leader.country,
        "score": leader.value,
        "margin": entry.margin,
        "significant": _YES_NO[entry.lead_significant],
        "tied": len(entry.tie_set) - 1 if entry.tie_set_known else None,  # "–": no standard errors
        "best_cn": by_country["CN"].model if "CN" in by_country else None,
        "best_us": by_country["US"].model if "US" in by_country else None,
        "country_leader": country_leader.country if country_leader else None,
        "country_significant": _YES_NO[country_leader.significant if country_leader else None],
    }


def _sized(bench: BenchmarkBoard) -> list[ClassEntry]:
    return [entry for entry in bench.classes if entry.size_class != UNKNOWN_SIZE]


def _leaders_headline(bench: BenchmarkBoard, rows: list[TableRow]) -> Headline:
    """The leaders of each size class on the first headline benchmark that has any."""
    text = "; ".join(
        f"{entry.size_class}: {entry.leader.model} ({country_name(entry.leader.country)})"
        + ("" if entry.lead_significant is True else ", lead not significant")
        for entry in _sized(bench)
    )
    return Headline(f"{bench.name} leaders by size: {text}.", {"benchmark": bench.id, "leaders": rows})


def _date_doubts(board: Leaderboard) -> Headline | None:
    """Sources that score models younger than their data date: the date is in doubt."""
    doubts = []
    for source, items in board.newer_than_data.items():
        named = ", ".join(f"{i.name} ({i.first_on_hub})" for i in items[:3])
        doubts.append(
            f"{source} (data of {items[0].data_date}) scores {len(items)} models that first appeared on the Hub"
            f" later: {named}{' and more' if len(items) > 3 else ''}"
        )
    if not doubts:
        return None
    return Headline(
        "Data dates in doubt: " + "; ".join(doubts) + ". The file is newer than its date says (a date read"
        " from a file name), or a name is tied to the wrong model; `modelrace resolve --check-dates`.",
        {"newer_than_data": board.newer_than_data},
    )


def _leaders_table(benches: list[BenchmarkBoard], rows: list[TableRow]) -> Table:
    """Every size class's leader on every headline benchmark, with open models of unknown size in the note."""
    unsized = [  # open models no size class holds: a leader above them would be a leader of what is known
        f"{bench.name} {unknown.models:,} (best: {unknown.leader.model}, {_fmt(unknown.leader.value)})"
        for bench in benches
        for unknown in bench.classes
        if unknown.size_class == UNKNOWN_SIZE
    ]
    note = (
        "Open models of unknown size (no parameter count from the source, the curated table or the"
        " name; `modelrace resolve NAME` says why) are in no class: " + "; ".join(unsized) + "."
    )
    return Table(
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
        "; ".join(_source(bench) for bench in benches),
        note=note if unsized else None,
    )


def _frontier_chart(bench: BenchmarkBoard) -> Chart:
    """Score against size: each class's leader and each country's best, the Pareto frontier dashed."""
    frontier_models = {f.model for f in bench.frontier_params}
    leader_models = {entry.leader.model for entry in bench.classes}  # each is named beside its point
    shown: list[ScoreRow] = []
    for entry in bench.classes:
        shown += [entry.leader, *entry.best_by_country]
    points: dict[str, ChartRow] = {}
    for score in (s for s in [*shown, *bench.frontier_params] if s.params_total):
        points[score.model] = {
            "model": score.model,
            "params_b": (score.params_total or 0.0) / 1e9,
            "score": score.value,
            "country": charts.country_key(score.country),
            "frontier": score.model in frontier_models,
            "labelled": score.model in leader_models,
        }
    return Chart(
        "frontier",
        "Score against size",
        charts.scatter(
            list(points.values()),
            "params_b",
            "score",
            "country",
            f"{bench.name}: score against parameters (dashed: Pareto frontier)",
            _source(bench),
            "total parameters, billions (log scale)",
            "score",
            color_title="country",
        ),
        _source(bench),
        note="Shown: each class's leader, each country's best per class, and every frontier model.",
    )


def _gap_points(gap: OpenVsClosed) -> list[ChartRow]:
    """The best closed model and the best open model of China, the US and France, at each release date."""
    rows: list[ChartRow] = []
    for point in gap.over_time:
        if point.best_closed is not None:
            rows.append(
                {"date": point.date, "series": CLOSED, "score": point.best_closed, "model": point.best_closed_model}
            )
        for country, value in point.best_open_by_country.items():
            if country in ("CN", "US", "FR"):
                rows.append(
                    {"date": point.date, "series": charts.country_key(country), "score": value, "model": point.model}
                )
    return rows


def _gap_chart(bench: BenchmarkBoard) -> Chart:
    """Open versus closed over time, as step lines of the running bests."""
    return Chart(
        "open-closed-gap",
        "Open versus closed over time",
        charts.step_lines(
            _gap_points(bench.open_vs_closed),
            "date",
            "score",
            "series",
            f"{bench.name}: best closed model and best open model by country, by release date",
            _source(bench),
            "score",
            closed=CLOSED,
        ),
        _source(bench),
    )


def _gap_headline(bench: BenchmarkBoard) -> Headline | None:
    """How far the best closed model leads the best open one, and whether the lead is significant."""
    gap = bench.open_vs_closed
    if not (gap.best_open and gap.best_closed):
        return None
    return Headline(
        (
            f"On {bench.name}, the best closed model ({gap.best_closed.model}, "
            f"{_fmt(gap.best_closed.value)}) leads the best open one ({gap.best_open.model},"
            f" {country_name(gap.best_open.country)}, {_fmt(gap.best_open.value)}) by "
            f"{_fmt(gap.gap)}" + (" (significant at 95 %)." if gap.gap_significant else " (not significant at 95 %).")
        ),
        {"benchmark": bench.id, "gap": gap.gap, "significant": gap.gap_significant},
    )


def capability_section(board: Leaderboard) -> Section:
    """Build the section from a :func:`modelrace.ranking.leaderboard` result over the headline benchmarks."""
    section = Section(id="capability", title="Capability: whatever the size, who is best?", intro=INTRO)
    benches = _headline_boards(board)
    rows: list[TableRow] = []
    for bench in benches:
        leaders = [_leader_row(bench, entry) for entry in _sized(bench)]
        rows += leaders
        if leaders and not section.headlines:
            section.headlines.append(_leaders_headline(bench, leaders))
    doubts = _date_doubts(board)
    if doubts is not None:
        section.headlines.append(doubts)
    if rows:
        section.tables.append(_leaders_table(benches, rows))
    frontier_bench = _first_board(board, HEADLINE_BENCHMARKS, lambda b: b.frontier_params)
    if frontier_bench is not None:
        section.charts.append(_frontier_chart(frontier_bench))
    gap_bench = _first_board(board, GAP_BENCHMARKS, lambda b: b.open_vs_closed.over_time)
    if gap_bench is not None:
        section.charts.append(_gap_chart(gap_bench))
        gap_headline = _gap_headline(gap_bench)
        if gap_headline is not None:
            section.headlines.append(gap_headline)
    if not section.headlines and not rows:
        section.intro += NO_RESULTS
    return section
