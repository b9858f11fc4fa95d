"""Ranking: entity resolution for published results and the size-class leaderboard.

Owns tying source names to model identities (curated aliases) and the leaderboard's typed results. Reads the
warehouse (``store``) and ``knowledge``; never imports ``report``, ``cli``, ``adoption`` or the network.
"""

from modelrace.knowledge import SizeBy, class_names, size_class, weights_gib
from modelrace.ranking._boards import (
    DEFAULT_BENCHMARK,
    BoardHistory,
    BoardInfo,
    Side,
    Sides,
    load_history,
    parse_sides,
)
from modelrace.ranking._catalogue import (
    Benchmark,
    Catalogue,
    DateCheck,
    FlaggedDate,
    Score,
    check_dates,
    known_hub_ids,
    load_catalogue,
)
from modelrace.ranking._entities import Entity, Resolver, entity_key, load_aliases
from modelrace.ranking._explain import (
    CountryCheck,
    CountryDisagreement,
    UnmatchedNames,
    country_cross_check,
    explain_name,
    unmatched_names,
)
from modelrace.ranking._gap_history import (
    Best,
    GapHistory,
    GapPoint,
    GapTrend,
    ScaleShift,
    gap_history,
    gap_series,
    scale_shift,
)
from modelrace.ranking._leaderboard import (
    BenchmarkBoard,
    ClassEntry,
    Leaderboard,
    has_results,
    leaderboard,
    open_vs_closed,
    pareto_frontier,
)
from modelrace.ranking._months_behind import MonthsBehind, months_behind, months_between
from modelrace.ranking._race_views import (
    FrontierPoint,
    RaceHeadline,
    frontier_by_date,
    frontier_view,
    race_headline,
    release_dates,
)
from modelrace.ranking._stats import significant, standard_error

__all__ = [
    "DEFAULT_BENCHMARK",
    "Benchmark",
    "BenchmarkBoard",
    "Best",
    "BoardHistory",
    "BoardInfo",
    "Catalogue",
    "ClassEntry",
    "CountryCheck",
    "CountryDisagreement",
    "DateCheck",
    "Entity",
    "FlaggedDate",
    "FrontierPoint",
    "GapHistory",
    "GapPoint",
    "GapTrend",
    "Leaderboard",
    "MonthsBehind",
    "RaceHeadline",
    "Resolver",
    "ScaleShift",
    "Score",
    "Side",
    "Sides",
    "SizeBy",
    "UnmatchedNames",
    "check_dates",
    "class_names",
    "country_cross_check",
    "entity_key",
    "explain_name",
    "frontier_by_date",
    "frontier_view",
    "gap_history",
    "gap_series",
    "has_results",
    "known_hub_ids",
    "leaderboard",
    "load_aliases",
    "load_catalogue",
    "load_history",
    "months_behind",
    "months_between",
    "open_vs_closed",
    "pareto_frontier",
    "parse_sides",
    "race_headline",
    "release_dates",
    "scale_shift",
    "significant",
    "size_class",
    "standard_error",
    "unmatched_names",
    "weights_gib",
]
