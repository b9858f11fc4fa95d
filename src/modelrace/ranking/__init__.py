"""Ranking: entity resolution for published results and the size-class leaderboard."""

from modelrace.ranking._entities import Entity, Resolver, entity_key, load_aliases
from modelrace.ranking._leaderboard import (
    Benchmark,
    Catalogue,
    Score,
    country_cross_check,
    leaderboard,
    load_catalogue,
    open_vs_closed,
    pareto_frontier,
)
from modelrace.ranking._sizes import SizeBy, class_names, size_class, weights_gib
from modelrace.ranking._stats import significant, standard_error

__all__ = [
    "Benchmark",
    "Catalogue",
    "Entity",
    "Resolver",
    "Score",
    "SizeBy",
    "class_names",
    "country_cross_check",
    "entity_key",
    "leaderboard",
    "load_aliases",
    "load_catalogue",
    "open_vs_closed",
    "pareto_frontier",
    "significant",
    "size_class",
    "standard_error",
    "weights_gib",
]
