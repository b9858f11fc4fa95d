"""The dated boards of one benchmark and the two sides compared on them (docs/race.md).

A **board** is one dated import of a leaderboard source (each LMArena file is one; two imports of the same date:
the latest), read column-wise with every model name resolved once by the ranking Resolver. A **side** is open or
closed models, or one country's models (optionally only its open ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from modelrace._serialise import JsonResult
from modelrace.errors import ConfigError, NotFoundError
from modelrace.knowledge import country_code, country_name, known_countries
from modelrace.ranking._entities import Resolver, SourceFacts
from modelrace.ranking._months_behind import Z95
from modelrace.store import Warehouse

DEFAULT_BENCHMARK = "lmarena:full"
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


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
        stated = info.get(str(name))
        entity = resolver.resolve(str(name), SourceFacts.of(stated) if stated else None)
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
