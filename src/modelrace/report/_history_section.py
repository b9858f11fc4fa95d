"""The race over time: best open vs best closed and best Chinese vs best US model on every dated board, with
their intervals, the months the trailing side is behind (ranking.gap_history; docs/race.md), and downloads per
family across the Hub snapshots, each pair of consecutive snapshots on the models both hold (timeline)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from modelrace.adoption import Headline
from modelrace.errors import NotFoundError
from modelrace.ranking import (
    DEFAULT_BENCHMARK,
    BoardInfo,
    FrontierPoint,
    GapHistory,
    frontier_by_date,
    gap_series,
    load_history,
    parse_sides,
    release_dates,
)
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, ChartRow, Column, Section, Table, TableRow
from modelrace.store import Warehouse
from modelrace.timeline import DownloadsMetric, trend

PAIRS = ("open,closed", "CN,US")


Frontier = tuple[str, BoardInfo, list[FrontierPoint]]
"""One pair's Epoch-style view: the pair, the latest board, each side's running best by date."""


def race_figures(warehouse: Warehouse, benchmark: str = DEFAULT_BENCHMARK) -> tuple[list[GapHistory], list[Frontier]]:
    """The gap histories the section shows (those with two or more dated boards holding both sides) and each
    pair's frontier by date on the latest board; the boards are read and their names resolved once."""
    try:
        history = load_history(warehouse, benchmark)
    except NotFoundError:
        return [], []
    if len(history.boards) < 2:
        return [], []
    histories = [gap_series(history, parse_sides(pair)) for pair in PAIRS]
    histories = [h for h in histories if len(h.series) >= 2]
    if not histories:
        return [], []
    dates = release_dates(warehouse)
    latest = history.boards[-1]
    frontiers = [(pair, latest, frontier_by_date(history, parse_sides(pair), dates)) for pair in PAIRS]
    return histories, frontiers


def _frontier_chart(frontier: Frontier, benchmark: str) -> Chart:
    pair, board, points = frontier
    rows = [
        {
            "date": p.date.isoformat(),
            "board": f"{p.date} ({p.date_basis})",
            "side": p.side,
            "rating": p.rating,
            "lower": p.lower,
            "upper": p.upper,
            "model": p.model,
        }
        for p in points
    ]
    source = f"{benchmark}, the board of {board.data_date} ({board.path}); dates: release dates, else first board"
    a, b = pair.split(",")
    return Chart(
        f"race-frontier-{a.lower()}-{b.lower()}",
        f"{a} and {b} frontiers by date, rated on the latest board",
        charts.lines_with_bands(
            rows, "date", "rating", "lower", "upper", "side",
            f"{benchmark} of {board.data_date}: each side's best so far by date (one board, one scale)",
            f"{benchmark}, the board of {board.data_date}",
            "rating on the latest board", x_title="release date, else the first board listing the model",
            step=True,
        ),
        source,
        note=(
            "Epoch-style: models in date order, kept when they beat every earlier model of their side, all rated by"
            " the latest board. A model without a release date from any source is dated by the first board that"
            " lists it (later than its release)."
        ),
    )  # fmt: skip


def _span(result: GapHistory) -> str:
    return f"{result.benchmark}, {len(result.series)} boards of {result.series[0].date} to {result.series[-1].date}"


def _source(result: GapHistory) -> str:
    boards = "; ".join(f"{p.date}: {p.path}" for p in result.series)
    return f"{result.benchmark}, {len(result.series)} dated boards ({boards})"


def _rating_rows(result: GapHistory) -> list[ChartRow]:
    rows: list[ChartRow] = []
    for point in result.series:
        for side, best in ((result.sides.a, point.best_a), (result.sides.b, point.best_b)):
            rows.append(
                {
                    "date": point.date.isoformat(),
                    "board": point.date.isoformat(),
                    "side": f"best from {side.words()}" if side.country else f"best {side.label} model",
                    "rating": best.rating,
                    "lower": best.lower,
                    "upper": best.upper,
                    "model": best.model,
                }
            )
    return rows


def _months_rows(results: list[GapHistory]) -> list[ChartRow]:
    rows: list[ChartRow] = []
    for result in results:
        for point in result.series:
            if point.behind is None or point.months_behind_upper is None:
                continue  # level, or reached by the first board: "at least" months since it, not an estimate
            leading = result.sides.b.label if point.behind == result.sides.a.label else result.sides.a.label
            rows.append(
                {
                    "date": point.date.isoformat(),
                    "board": point.date.isoformat(),
                    "series": f"{point.behind} behind {leading}",
                    "months": point.months_behind,
                    "lower": point.months_behind_lower,
                    "upper": point.months_behind_upper,
                    "model": point.reached_by,
                }
            )
    return rows


INTRO = (
    "Each dated board of a leaderboard (each imported file is one) gives each side's best model with its"
    " published 95 % interval; the gap is read within each board, since ratings of different boards are not"
    " on one scale. Months behind: how long before a board's date the leading side's best, as an earlier"
    " board published it, first reached the rating the trailing side has on that board; its interval comes"
    " from the ratings' intervals and the spacing of the boards (an open upper end: the level was reached by"
    " the first board). Method and assumptions: docs/race.md."
)


def _pair_headline(result: GapHistory) -> Headline:
    """The latest board of one pair: both sides' best, the gap, months behind and the gap's trend."""
    a, b = result.sides.a, result.sides.b
    now = result.series[-1]
    trend = result.trend
    change = (
        f"; the gap changes by {trend.change_per_year:+.1f} points a year ({trend.lower:+.1f} to "
        f"{trend.upper:+.1f}): {trend.verdict}"
        if trend.change_per_year is not None and trend.lower is not None and trend.upper is not None
        else ""
    )
    upper = f"{now.months_behind_upper:.1f}" if now.months_behind_upper is not None else "open"
    behind = (
        f"{now.behind} is {now.months_behind:.1f} months behind ({now.months_behind_lower:.1f} to {upper})"
        if now.behind
        else "the two are level"
    )
    return Headline(
        f"On the {result.benchmark} board of {now.date}, the best of {b.words()} ({now.best_b.model},"
        f" {now.best_b.rating:,.0f}) and of {a.words()} ({now.best_a.model}, {now.best_a.rating:,.0f}) are"
        f" {abs(now.gap):.1f} points apart; {behind}{change}.",
        {"between": list(result.sides.labels), "benchmark": result.benchmark, "latest": now.to_json()},
    )


def _ratings_chart(result: GapHistory) -> Chart:
    """Each side's best rating on each dated board, with its interval."""
    a, b = result.sides.a, result.sides.b
    return Chart(
        f"race-{a.label.lower()}-{b.label.lower()}",
        f"Best {a.words()} and best {b.words()} per board",
        charts.lines_with_bands(
            _rating_rows(result),
            "date",
            "rating",
            "lower",
            "upper",
            "side",
            f"{result.benchmark}: the best model of each side on each dated board (bands: 95 % intervals)",
            _span(result),
            "rating",
        ),
        _source(result),
        note="Each point is one board's own rating; lines join boards, whose scales may differ a little.",
    )


def _scale_shift_headline(result: GapHistory) -> Headline | None:
    """How far the boards' scale moved between the first and the latest board (None when unknown)."""
    shift = result.scale_shift
    if shift is None:
        return None
    return Headline(
        f"The boards' scale moved: the {shift.models} models rated on both the first ({shift.first}) and the"
        f" latest ({shift.latest}) board rate {shift.median:+.1f} points on the latest (median; 10th to 90th"
        f" percentile {shift.p10:+.1f} to {shift.p90:+.1f}). Months behind reads earlier boards as"
        " published, so a rising scale makes it err short (docs/race.md).",
        {"scale_shift": shift.to_json()},
    )


def _months_chart(results: list[GapHistory]) -> Chart | None:
    """Months the trailing side is behind on each board, with its interval (None when no board has an estimate)."""
    months = _months_rows(results)
    if not months:
        return None
    return Chart(
        "race-months-behind",
        "Months behind over time",
        charts.lines_with_bands(
            months,
            "date",
            "months",
            "lower",
            "upper",
            "series",
            "Months the trailing side is behind, per board (bands: 95 % intervals)",
            _span(results[0]),
            "months behind",
        ),
        "; ".join(_source(r) for r in results),
        note=(
            "Boards where the leading side was already at the level on the first board are left out: they"
            ' say only "at least the months since the first board" (the table has them, upper end open).'
        ),
    )


def _boards_table(results: list[GapHistory]) -> Table:
    """Every dated board of every pair: both sides' best, the gap and months behind with its interval."""
    rows: list[TableRow] = [
        {
            "between": f"{r.sides.a.label} vs {r.sides.b.label}",
            "date": p.date.isoformat(),
            "best_a": p.best_a.model,
            "best_b": p.best_b.model,
            "gap": p.gap,
            "behind": p.behind,
            "months": p.months_behind,
            "months_lower": p.months_behind_lower,
            "months_upper": p.months_behind_upper,
            "file": p.path,
        }
        for r in results
        for p in r.series
    ]
    return Table(
        "race-boards",
        "Every dated board",
        [
            Column("between", "sides (a vs b)"),
            Column("date", "board"),
            Column("best_a", "best of a"),
            Column("best_b", "best of b"),
            Column("gap", "gap (b - a)", "float"),
            Column("behind", "behind"),
            Column("months", "months behind", "float"),
            Column("months_lower", "from", "float"),
            Column("months_upper", "to", "float"),
            Column("file", "source file"),
        ],
        rows,
        "; ".join(_source(r) for r in results),
    )


def history_section(results: list[GapHistory], frontiers: list[Frontier] | None = None) -> Section | None:
    """The section, from :func:`race_figures` (None when there is no history)."""
    if not results:
        return None
    section = Section(id="race-over-time", title="The race over time", intro=INTRO)
    for result in results:
        section.headlines.append(_pair_headline(result))
        section.charts.append(_ratings_chart(result))
    shift = _scale_shift_headline(results[0])
    if shift is not None:
        section.headlines.append(shift)
    months = _months_chart(results)
    if months is not None:
        section.charts.append(months)
    for frontier in frontiers or []:
        if frontier[2]:
            section.charts.append(_frontier_chart(frontier, results[0].benchmark))
    section.tables.append(_boards_table(results))
    return section


FAMILIES_SHOWN = 6


@dataclass(frozen=True)
class _FamilyShare:
    """One family's share of a pair of snapshots' common downloads on one of the two dates."""

    date: str
    family: str
    share: float
    segment: str  # the pair of snapshots, one scope: shares compare within it, never across pairs
    snapshot: str
    coverage: str

    def row(self) -> ChartRow:
        return {
            "date": self.date,
            "family": self.family,
            "share": self.share,
            "segment": self.segment,
            "snapshot": self.snapshot,
            "coverage": self.coverage,
        }


def _pair_shares(warehouse: Warehouse, a: int, b: int) -> list[_FamilyShare]:
    """Each family's share of downloads on snapshots ``a`` and ``b``, among the models both hold."""
    try:
        found = trend(warehouse, DownloadsMetric(snapshot_ids=(a, b)), "family", None)
    except NotFoundError:
        return []
    dates = found.dates()
    if len(dates) != 2 or not found.scope_models:
        return []  # no model in common, or both snapshots of one date: nothing to compare on this pair
    segment = f"snapshots {a} and {b} ({dates[0]} to {dates[1]}): the {found.scope_models:,} models both hold"
    return [
        _FamilyShare(
            point.date.isoformat(),
            point.key,
            point.share,
            segment,
            point.ref,
            "?" if point.coverage is None else f"{point.coverage:.0%} of its downloads",
        )
        for point in found.points
        if point.share is not None
    ]


def family_download_rows(warehouse: Warehouse, families: int = FAMILIES_SHOWN) -> list[ChartRow]:
    """Each family's share of downloads on each consecutive pair of Hub snapshots, among the models both hold
    (a pair is one scope: shares compare within it, never across pairs, so each pair is its own segment of the
    line); the families: the largest on the newest snapshot, then the largest at any time. Empty with fewer than
    two snapshots."""
    ids = DownloadsMetric().chosen(warehouse)
    shares = [share for a, b in itertools.pairwise(ids) for share in _pair_shares(warehouse, a, b)]
    if not shares:
        return []
    newest, last = shares[-1].segment, shares[-1].date
    now = {s.family: s.share for s in shares if s.segment == newest and s.date == last}
    peak: dict[str, float] = {}
    for s in shares:
        peak[s.family] = max(peak.get(s.family, 0.0), s.share)
    # the largest on the newest snapshot first, then the largest at any time
    ranked = sorted(peak, key=lambda family: (-now.get(family, -1.0), -peak[family]))
    kept = set(ranked[:families])
    return [s.row() for s in shares if s.family in kept]


def _downloads_chart(rows: list[ChartRow]) -> Chart:
    segments = len({r["segment"] for r in rows})
    return Chart(
        "race-family-downloads",
        "Downloads per family, on the models each pair of snapshots shares",
        charts.segmented_share_lines(
            rows,
            "date",
            "share",
            "family",
            "segment",
            "Downloads per family over time",
            f"{segments} pairs of consecutive Hub snapshots; each pair's shares are among the models both hold",
            "share of the pair's downloads",
        ),
        "modelrace Hub snapshots (`modelrace imports`): each pair of consecutive snapshots by data date",
        note=(
            "A line breaks where the scope changes: each segment joins two snapshots on the models both hold, so"
            " shares compare within a segment, not across segments."
        ),
    )


def race_section(warehouse: Warehouse, benchmark: str = DEFAULT_BENCHMARK) -> Section | None:
    """The section for a warehouse: present with two or more dated boards holding both sides, or two or more
    Hub snapshots with models in common (downloads per family)."""
    section = history_section(*race_figures(warehouse, benchmark))
    downloads = family_download_rows(warehouse)
    if not downloads:
        return section
    if section is None:
        section = Section(
            id="race-over-time",
            title="The race over time",
            intro="Downloads per family across the Hub snapshots held, each pair compared on the models both hold.",
        )
    section.charts.append(_downloads_chart(downloads))
    return section
