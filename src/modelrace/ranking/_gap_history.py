"""The race over time: two sides (open vs closed, one country vs another) on every dated board of a benchmark.

A **board** is one dated import of a leaderboard source (each LMArena file is one; two imports of the same date:
the latest). On each board: each side's best model with its 95 % interval, the gap ``best_b - best_a`` with its
interval ``gap +- 1.96 sqrt(se_a^2 + se_b^2)`` (a board publishes no bootstrap samples, so the two ratings'
intervals it does publish are combined as independent), and the months behind (``_months_behind``). The trend is
the weighted least-squares slope of the gap against time. Method and assumptions: docs/race.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, NotFoundError
from modelrace.knowledge import country_code, country_name, known_countries
from modelrace.ranking._entities import Resolver
from modelrace.ranking._months_behind import Z95, months_behind
from modelrace.store import Warehouse

Verdict = Literal["narrowing", "widening", "no clear change", "too few boards"]
DEFAULT_BENCHMARK = "lmarena:full"
_DAYS_PER_YEAR = 365.2425
_MIN_TREND_DAYS = 30
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # boards closer together than this say nothing of a trend


# ------------------------------------------------------------------------------------------------ sides
@dataclass(frozen=True)
class Side(JsonResult):
    """One side of the race: open or closed models, or one country's (optionally only its open models)."""

    label: str  # as the user wrote it, normalised: "open", "closed", "CN"
    open_weights: bool | None  # True: open models only; False: closed only; None: either
    country: str | None

    def words(self) -> str:
        """The side in a sentence: "open models", "China", "China (open models)"."""
        if self.country is None:
            return f"{self.label} models"
        return country_name(self.country) + (" (open models)" if self.open_weights else "")

    def verb(self, word: str) -> str:
        """A verb agreeing with :meth:`words`: "open models trail", "China trails"."""
        return word if self.country is None else f"{word}s"


@dataclass(frozen=True)
class Sides(JsonResult):
    """The two sides compared: the gap is ``best of b - best of a`` (positive: a trails)."""

    a: Side
    b: Side

    @property
    def labels(self) -> tuple[str, str]:
        """The two labels, a first."""
        return self.a.label, self.b.label


def _side(word: str, open_only: bool) -> Side:
    lowered = word.strip().lower()
    if lowered in ("open", "closed"):
        return Side(lowered, lowered == "open", None)
    code = country_code(word) or (word.strip().upper() if word.strip().upper() in known_countries() else None)
    if code is None:
        raise ConfigError(f"--between: {word!r} is neither open, closed nor a country (codes such as CN, US, FR)")
    return Side(code, True if open_only else None, code)


def parse_sides(text: str, open_only: bool = False) -> Sides:
    """``open,closed``, ``CN,US`` or any two countries; ``open_only`` keeps only open models on country sides."""
    words = [w for w in text.split(",") if w.strip()]
    if len(words) != 2:
        raise ConfigError(f"--between {text!r}: give two sides separated by a comma (open,closed or CN,US)")
    a, b = (_side(w, open_only) for w in words)
    if a == b:
        raise ConfigError(f"--between {text!r}: the two sides are the same")
    if {a.label, b.label} == {"open", "closed"} and open_only:
        raise ConfigError("--open-only applies to country sides, not to open,closed")
    return Sides(a, b)


# ------------------------------------------------------------------------------------------------ history
@dataclass(frozen=True)
class BoardInfo(JsonResult):
    """One dated board: where it came from."""

    import_id: int
    data_date: date
    path: str
    models: int


@dataclass(frozen=True, eq=False)
class BoardHistory:
    """Every dated board of one benchmark, column-wise: one row per (board, model), models resolved once."""

    source: str
    benchmark: str
    metric: str
    boards: list[BoardInfo]  # by date
    row_board: npt.NDArray[np.int64]  # index into boards
    row_entity: npt.NDArray[np.int64]  # index into the entity columns
    rating: npt.NDArray[np.float64]
    se: npt.NDArray[np.float64]  # NaN: the board gives no interval
    lower: npt.NDArray[np.float64]  # the published 95 % interval (NaN: none)
    upper: npt.NDArray[np.float64]
    entity_names: list[str]
    entity_open: npt.NDArray[np.int8]  # 1 open, 0 closed, -1 unknown
    entity_country: npt.NDArray[np.str_]
    first_seen: npt.NDArray[np.int64]  # per entity: the ordinal of the first board that lists it

    @property
    def benchmark_id(self) -> str:
        """``source:benchmark`` as the leaderboard names it."""
        return f"{self.source}:{self.benchmark}"

    def side_mask(self, side: Side) -> npt.NDArray[np.bool_]:
        """Per entity: whether it belongs to the side."""
        mask = np.ones(len(self.entity_names), dtype=bool)
        if side.open_weights is not None:
            mask &= self.entity_open == (1 if side.open_weights else 0)
        if side.country is not None:
            mask &= self.entity_country == side.country
        return mask


_BOARDS_SQL = """
WITH boards AS (
    SELECT import_id, data_date, path FROM result_imports WHERE source = ? AND results > 0
    QUALIFY row_number() OVER (PARTITION BY data_date ORDER BY import_id DESC) = 1
)
SELECT b.import_id, b.data_date, b.path, r.source_name, r.metric, r.value, r.ci_low, r.ci_high
FROM results r JOIN boards b USING (import_id)
WHERE r.benchmark = ? AND isfinite(r.value)
ORDER BY b.data_date, r.source_name
"""
_INFO_SQL = """
SELECT m.source_name, m.organisation, m.country, m.params_total, m.params_active, m.open_weights, m.reasoning
FROM source_models m JOIN result_imports i USING (import_id)
WHERE i.source = ?
QUALIFY row_number() OVER (PARTITION BY m.source_name ORDER BY (m.organisation IS NULL), i.import_id DESC) = 1
"""


def _split_benchmark(benchmark: str) -> tuple[str, str, str | None]:
    parts = benchmark.split(":")
    if len(parts) < 2 or not all(parts):
        raise ConfigError(f"--benchmark {benchmark!r}: give SOURCE:BENCHMARK, e.g. lmarena:full")
    return parts[0], ":".join(parts[1:2]), parts[2] if len(parts) > 2 else None


def load_history(
    warehouse: Warehouse,
    benchmark: str = DEFAULT_BENCHMARK,
    since: date | None = None,
    resolver: Resolver | None = None,
) -> BoardHistory:
    """Every dated board of ``benchmark`` (``source:benchmark[:metric]``), models resolved by the ranking Resolver
    (once per name: a name means the same model on every board)."""
    source, bench, metric = _split_benchmark(benchmark)
    table = warehouse.connection.execute(_BOARDS_SQL, [source, bench]).fetchnumpy()
    if len(table["import_id"]) == 0:
        raise NotFoundError(
            f"no board of {benchmark} in the warehouse: import dated boards (`modelrace import lmarena FILE`)"
        )
    metrics = [str(m) for m in np.unique(np.asarray(table["metric"], dtype=str))]
    if metric is None and len(metrics) > 1:
        raise ConfigError(f"--benchmark {benchmark}: several metrics ({', '.join(metrics)}); add :METRIC")
    chosen = metric or metrics[0]
    if chosen not in metrics:
        raise NotFoundError(f"{source}:{bench} has no metric {chosen!r}; it has {', '.join(metrics)}")
    keep = np.asarray(table["metric"] == chosen)
    epoch_days = np.asarray(table["data_date"]).astype("datetime64[D]").astype(np.int64)
    dates = epoch_days + _EPOCH_ORDINAL
    if since is not None:
        keep &= dates >= since.toordinal()
    if not keep.any():
        raise NotFoundError(f"no board of {benchmark} dated {since} or later")
    import_ids = np.asarray(table["import_id"], dtype=np.int64)[keep]
    names = np.asarray(table["source_name"], dtype=object)[keep]
    rating = np.asarray(table["value"], dtype=np.float64)[keep]
    low = np.asarray(np.ma.filled(np.ma.asarray(table["ci_low"], dtype=np.float64), np.nan))[keep]
    high = np.asarray(np.ma.filled(np.ma.asarray(table["ci_high"], dtype=np.float64), np.nan))[keep]
    se = np.where(high >= low, (high - low) / (2 * Z95), np.nan)
    dates = dates[keep]
    paths = np.asarray(table["path"], dtype=object)[keep]
    board_ids, board_first, row_board = np.unique(import_ids, return_index=True, return_inverse=True)
    order = np.argsort(dates[board_first], kind="stable")  # boards by date (one import per date)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    row_board = rank[row_board]
    counts = np.bincount(row_board, minlength=len(order))
    boards = [
        BoardInfo(int(board_ids[i]), date.fromordinal(int(dates[board_first[i]])), str(paths[board_first[i]]), 0)
        for i in order
    ]
    boards = [BoardInfo(b.import_id, b.data_date, b.path, int(c)) for b, c in zip(boards, counts, strict=True)]
    if resolver is None:
        from modelrace.ranking._catalogue import known_hub_ids  # the catalogue resolves with the same ids

        resolver = Resolver(hub_ids=known_hub_ids(warehouse))
    info = {row["source_name"]: row for row in warehouse.query(_INFO_SQL, [source])}
    unique_names, row_name = np.unique(names.astype(str), return_inverse=True)
    key_index: dict[str, int] = {}
    entity_names: list[str] = []
    entity_open: list[int] = []
    entity_country: list[str] = []
    name_entity = np.empty(len(unique_names), dtype=np.int64)
    for i, name in enumerate(unique_names):
        entity = resolver.resolve(str(name), info.get(str(name)))
        if entity.key not in key_index:
            key_index[entity.key] = len(entity_names)
            entity_names.append(entity.name)
            entity_open.append(-1 if entity.open_weights is None or not entity.matched else int(entity.open_weights))
            entity_country.append(entity.country if entity.matched else "unattributed")
        name_entity[i] = key_index[entity.key]
    row_entity = name_entity[row_name]
    # One figure per model and board: variants of one model (two names, one key) keep their best, as the
    # leaderboard does.
    best = np.lexsort((-rating, row_entity, row_board))
    pairs = row_board[best] * len(entity_names) + row_entity[best]
    _, first = np.unique(pairs, return_index=True)
    kept = best[first]
    first_seen = np.full(len(entity_names), np.iinfo(np.int64).max, dtype=np.int64)
    board_dates = np.asarray([b.data_date.toordinal() for b in boards], dtype=np.int64)
    np.minimum.at(first_seen, row_entity[kept], board_dates[row_board[kept]])
    return BoardHistory(
        source=source,
        benchmark=bench,
        metric=chosen,
        boards=boards,
        row_board=row_board[kept],
        row_entity=row_entity[kept],
        rating=rating[kept],
        se=se[kept],
        lower=low[kept],
        upper=high[kept],
        entity_names=entity_names,
        entity_open=np.asarray(entity_open, dtype=np.int8),
        entity_country=np.asarray(entity_country, dtype=str),
        first_seen=first_seen,
    )


# ------------------------------------------------------------------------------------------------ the gap
@dataclass(frozen=True)
class Best(JsonResult):
    """A side's best model on one board, with its published 95 % interval (None where it has none)."""

    model: str
    rating: float
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class GapPoint(JsonResult):
    """One board: both sides' best, the gap ``b - a`` with its interval, and how many months the trailing side is
    behind (``behind`` names it; None when the two are level)."""

    date: date
    best_a: Best
    best_b: Best
    gap: float
    gap_lower: float | None
    gap_upper: float | None
    months_behind: float
    months_behind_lower: float
    months_behind_upper: float | None  # None: censored (the level was reached by the history's first board)
    behind: str | None
    import_id: int = 0
    path: str = ""
    reached_on: dt.date | None = None
    reached_by: str | None = None
    censored: bool = False
    gap_se: float | None = None
    at_least: bool = False  # the level was already reached on the first board: months_behind is a lower bound

    def to_json(self) -> dict[str, Any]:
        """The documented shape (docs/json.md): provenance fields stay in Python."""
        return {
            "date": self.date.isoformat(),
            "best_a": self.best_a.to_json(),
            "best_b": self.best_b.to_json(),
            "gap": self.gap,
            "gap_lower": self.gap_lower,
            "gap_upper": self.gap_upper,
            "months_behind": self.months_behind,
            "months_behind_lower": self.months_behind_lower,
            "months_behind_upper": self.months_behind_upper,
            "behind": self.behind,
        }


@dataclass(frozen=True)
class ScaleShift(JsonResult):
    """The median change of the ratings of the models both the first and the latest board rate (latest minus
    first): how far the boards' scales moved, the caveat of months behind (docs/race.md)."""

    first: date
    latest: date
    models: int
    median: float
    p10: float
    p90: float


def scale_shift(history: BoardHistory) -> ScaleShift | None:
    """The shift between the first and the latest board (None with one board or fewer than 5 shared models)."""
    if len(history.boards) < 2:
        return None
    last = len(history.boards) - 1
    first_rows = np.flatnonzero(history.row_board == 0)
    last_rows = np.flatnonzero(history.row_board == last)
    shared, in_first, in_last = np.intersect1d(
        history.row_entity[first_rows], history.row_entity[last_rows], return_indices=True
    )
    if len(shared) < 5:
        return None
    change = history.rating[last_rows[in_last]] - history.rating[first_rows[in_first]]
    p10, median, p90 = (float(x) for x in np.percentile(change, [10, 50, 90]))
    return ScaleShift(history.boards[0].data_date, history.boards[last].data_date, len(shared), median, p10, p90)


@dataclass(frozen=True)
class GapTrend(JsonResult):
    """The gap's change per year (weighted least squares over the boards) with its 95 % interval."""

    change_per_year: float | None
    lower: float | None
    upper: float | None
    verdict: Verdict


@dataclass(frozen=True)
class GapHistory(JsonResult):
    """The gap between two sides on every dated board of a benchmark (`modelrace gap`)."""

    sides: Sides
    benchmark: str
    series: list[GapPoint]
    trend: GapTrend
    boards: list[BoardInfo]  # every board read (some may lack a side: then no point)
    skipped: list[str]  # boards without a model of one side, with why
    scale_shift: ScaleShift | None = None  # how the same models' ratings moved from the first board to the last

    def to_json(self) -> dict[str, Any]:
        """`gap --json` (docs/json.md)."""
        return {
            "between": list(self.sides.labels),
            "benchmark": self.benchmark,
            "series": [p.to_json() for p in self.series],
            "trend": self.trend.to_json(),
        }

    def point_near(self, when: date, tolerance_days: int) -> GapPoint | None:
        """The point whose board is nearest ``when`` (within the tolerance), else None."""
        near = [p for p in self.series if abs((p.date - when).days) <= tolerance_days]
        return min(near, key=lambda p: (abs((p.date - when).days), -p.date.toordinal())) if near else None


def _best_per_board(history: BoardHistory, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per board, the row of the side's best model (-1 where the side has none); equal ratings: by name."""
    rows = np.flatnonzero(mask[history.row_entity])
    best = np.full(len(history.boards), -1, dtype=np.int64)
    if len(rows) == 0:
        return best
    names = np.asarray(history.entity_names, dtype=str)[history.row_entity[rows]]
    order = rows[np.lexsort((names, -history.rating[rows], history.row_board[rows]))]
    boards, first = np.unique(history.row_board[order], return_index=True)
    best[boards] = order[first]
    return best


def _best(history: BoardHistory, row: int) -> Best:
    low, high = float(history.lower[row]), float(history.upper[row])
    has = not np.isnan(history.se[row])
    return Best(
        history.entity_names[history.row_entity[row]], float(history.rating[row]), low if has else None,
        high if has else None,
    )  # fmt: skip


def _trend(series: list[GapPoint]) -> GapTrend:
    """Weighted least squares of the gap on years (weights 1 / se^2, equal where a board has no interval); the
    slope's error is the larger of the measurement-only one and the one the scatter implies."""
    if len(series) < 2 or (series[-1].date - series[0].date).days < _MIN_TREND_DAYS:
        return GapTrend(None, None, None, "too few boards")
    years = np.asarray([p.date.toordinal() for p in series], dtype=np.float64) / _DAYS_PER_YEAR
    gaps = np.asarray([p.gap for p in series])
    ses = np.asarray([p.gap_se if p.gap_se else np.nan for p in series])
    measured = not np.isnan(ses).any()
    weights = 1 / ses**2 if measured else np.ones_like(gaps)
    centre = np.average(years, weights=weights)
    sxx = float(np.sum(weights * (years - centre) ** 2))
    slope = float(np.sum(weights * (years - centre) * (gaps - np.average(gaps, weights=weights))) / sxx)
    intercept = np.average(gaps, weights=weights) - slope * centre
    residual = float(np.sum(weights * (gaps - intercept - slope * years) ** 2))
    dof = len(series) - 2
    scale = max(1.0, residual / dof) if measured and dof > 0 else (residual / dof if dof > 0 else None)
    if scale is None:  # two boards without intervals: a slope, no interval
        return GapTrend(slope, None, None, "no clear change")
    spread = Z95 * float(np.sqrt(scale / sxx))
    lower, upper = slope - spread, slope + spread
    latest = 1.0 if series[-1].gap >= 0 else -1.0
    verdict: Verdict = "no clear change"
    if lower > 0 or upper < 0:
        verdict = "narrowing" if latest * slope < 0 else "widening"
    return GapTrend(slope, lower, upper, verdict)


def gap_series(history: BoardHistory, sides: Sides) -> GapHistory:
    """Both sides' best, the gap and the months behind on every board of the history (module docstring)."""
    best_a = _best_per_board(history, history.side_mask(sides.a))
    best_b = _best_per_board(history, history.side_mask(sides.b))
    skipped = [
        f"{board.data_date}: no model of {(sides.a if best_a[i] < 0 else sides.b).words()} on the board"
        for i, board in enumerate(history.boards)
        if best_a[i] < 0 or best_b[i] < 0
    ]
    both = np.flatnonzero((best_a >= 0) & (best_b >= 0))
    rows_a, rows_b = best_a[both], best_b[both]
    dates = np.asarray([history.boards[i].data_date.toordinal() for i in both], dtype=np.int64)
    rating_a, rating_b = history.rating[rows_a], history.rating[rows_b]
    se_a, se_b = history.se[rows_a], history.se[rows_b]
    a_trails = months_behind(dates, rating_a, se_a, rating_b, se_b)
    b_trails = months_behind(dates, rating_b, se_b, rating_a, se_a)
    gaps = rating_b - rating_a
    gap_se = np.sqrt(se_a**2 + se_b**2)
    series: list[GapPoint] = []
    for k, index in enumerate(both):
        board = history.boards[index]
        gap = float(gaps[k])
        behind = sides.a.label if gap > 0 else sides.b.label if gap < 0 else None
        estimate = a_trails if gap > 0 else b_trails
        known = not np.isnan(gap_se[k])
        reached = int(estimate.reached[k]) if behind else -1
        upper = float(estimate.upper[k])
        leader_rows = rows_b if gap > 0 else rows_a
        series.append(
            GapPoint(
                date=board.data_date,
                best_a=_best(history, int(rows_a[k])),
                best_b=_best(history, int(rows_b[k])),
                gap=gap,
                gap_lower=gap - Z95 * float(gap_se[k]) if known else None,
                gap_upper=gap + Z95 * float(gap_se[k]) if known else None,
                months_behind=float(estimate.months[k]) if behind else 0.0,
                months_behind_lower=float(estimate.lower[k]) if behind else 0.0,
                months_behind_upper=(None if np.isnan(upper) else upper) if behind else 0.0,
                behind=behind,
                import_id=board.import_id,
                path=board.path,
                reached_on=date.fromordinal(int(dates[reached])) if reached >= 0 else None,
                reached_by=history.entity_names[history.row_entity[leader_rows[reached]]] if reached >= 0 else None,
                censored=bool(estimate.censored[k]) if behind else False,
                gap_se=float(gap_se[k]) if known else None,
                at_least=reached == 0,
            )
        )
    return GapHistory(
        sides, history.benchmark_id, series, _trend(series), history.boards, skipped, scale_shift(history)
    )


def gap_history(
    warehouse: Warehouse,
    between: str | Sides = "open,closed",
    benchmark: str = DEFAULT_BENCHMARK,
    since: date | None = None,
    open_only: bool = False,
) -> GapHistory:
    """`modelrace gap`: the two sides on every dated board of ``benchmark`` (``between`` as ``open,closed``,
    ``CN,US``, or typed :class:`Sides`)."""
    sides = between if isinstance(between, Sides) else parse_sides(between, open_only)
    return gap_series(load_history(warehouse, benchmark, since), sides)


# ------------------------------------------------------------------------------------------------ one board
@dataclass(frozen=True)
class FrontierPoint(JsonResult):
    """A side's running best by date on one board: a model that beat every earlier model of its side."""

    side: str
    date: date
    date_basis: Literal["release date", "first on a board"]
    model: str
    rating: float
    lower: float | None
    upper: float | None


def frontier_by_date(
    history: BoardHistory, sides: Sides, release_dates: dict[str, date] | None = None
) -> list[FrontierPoint]:
    """The Epoch-style view on the latest board: each side's models in date order (release date where a source
    gives one that no check refutes, else the first board that lists the model), kept when they beat every earlier
    model of their side, rated as the latest board rates them."""
    latest = len(history.boards) - 1
    rows = np.flatnonzero(history.row_board == latest)
    dates = release_dates or {}
    points: list[FrontierPoint] = []
    for side in (sides.a, sides.b):
        mask = history.side_mask(side)
        mine = rows[mask[history.row_entity[rows]]]
        dated = []
        for row in mine:
            name = history.entity_names[history.row_entity[row]]
            released = dates.get(name)
            when = released or date.fromordinal(int(history.first_seen[history.row_entity[row]]))
            dated.append((when, -float(history.rating[row]), name, int(row), released is not None))
        best = -np.inf
        for when, negative, _name, row, is_release in sorted(dated):
            if -negative > best:
                best = -negative
                top = _best(history, row)
                basis: Literal["release date", "first on a board"] = (
                    "release date" if is_release else "first on a board"
                )
                points.append(FrontierPoint(side.label, when, basis, top.model, top.rating, top.lower, top.upper))
    return points


def release_dates(warehouse: Warehouse) -> dict[str, date]:
    """Each model's release date as the leaderboard's catalogue keeps it (the earliest a source gives that no
    check refutes: `resolve --check-dates`), by the model's name; empty without published results."""
    from modelrace.ranking._catalogue import load_catalogue

    try:
        catalogue = load_catalogue(warehouse)
    except NotFoundError:
        return {}
    found: dict[str, date] = {}
    for benchmark in catalogue.benchmarks.values():
        for score in benchmark.scores:
            if score.release_date is not None:
                found.setdefault(score.entity.name, score.release_date)
    return found


def frontier_view(
    warehouse: Warehouse, between: str | Sides = "open,closed", benchmark: str = DEFAULT_BENCHMARK
) -> tuple[BoardInfo, list[FrontierPoint]]:
    """The Epoch-style view (:func:`frontier_by_date`) on the latest board of ``benchmark``, and that board."""
    sides = between if isinstance(between, Sides) else parse_sides(between)
    history = load_history(warehouse, benchmark)
    return history.boards[-1], frontier_by_date(history, sides, release_dates(warehouse))


# ------------------------------------------------------------------------------------------------ the tile
@dataclass(frozen=True)
class RaceHeadline(JsonResult):
    """The "state of the race" tile: months behind on the latest board, with its interval, and a short series."""

    between: tuple[str, str]
    behind: str | None
    months_behind: float
    lower: float
    upper: float | None  # None: censored, the level may have been reached before the first board
    date: date
    benchmark: str
    source: str  # the board file
    series: list[tuple[dt.date, float, float, float | None]]  # (board date, months, lower, upper), the last ones
    text: str


def race_headline(
    warehouse: Warehouse, between: str = "CN,US", benchmark: str = DEFAULT_BENCHMARK, points: int = 8
) -> RaceHeadline | None:
    """The headline figure of the race (None with fewer than two dated boards holding both sides)."""
    try:
        result = gap_history(warehouse, between, benchmark)
    except NotFoundError:
        return None
    if len(result.series) < 2:
        return None
    now = result.series[-1]
    trailing = result.sides.a if now.behind == result.sides.a.label else result.sides.b
    leading = result.sides.b if trailing is result.sides.a else result.sides.a
    upper = f"{now.months_behind_upper:.1f}" if now.months_behind_upper is not None else "?"
    text = (
        f"{trailing.words()} {trailing.verb('trail')} {leading.words()} by {'at least ' if now.at_least else ''}"
        f"{now.months_behind:.1f} months ({now.months_behind_lower:.1f} to {upper}) on the {benchmark} board of "
        f"{now.date}"
        if now.behind
        else f"{result.sides.a.words()} and {result.sides.b.words()} level on the {benchmark} board of {now.date}"
    )
    return RaceHeadline(
        between=result.sides.labels,
        behind=now.behind,
        months_behind=now.months_behind,
        lower=now.months_behind_lower,
        upper=now.months_behind_upper,
        date=now.date,
        benchmark=benchmark,
        source=now.path,
        series=[(p.date, p.months_behind, p.months_behind_lower, p.months_behind_upper) for p in result.series][
            -points:
        ],
        text=text,
    )
