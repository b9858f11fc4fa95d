"""Shared, curated knowledge: countries, size classes, the benchmark catalogue, names-to-parameters rules and
source names. One home, so that every capability reads the same facts.

Owns data files in ``knowledge/data/`` (each validated by a pydantic schema) and pure functions over them. It
imports only ``errors`` and ``_yaml``: every other package may import it, it imports none of them.
"""

from modelrace.knowledge._benchmarks import BenchmarkInfo, benchmark_catalog, headline_benchmarks, n_items
from modelrace.knowledge._countries import (
    MULTINATIONAL,
    UNATTRIBUTED,
    Country,
    country_code,
    country_label,
    country_name,
    known_countries,
)
from modelrace.knowledge._params import (
    MIN_PLAUSIBLE_PARAMS,
    NAME_AGREEMENT_FACTOR,
    NameParams,
    implausible_size,
    params_from_name,
)
from modelrace.knowledge._sizes import (
    BYTES_PER_PARAM,
    MEMORY_CLASSES,
    PARAM_CLASSES,
    UNKNOWN,
    SizeBy,
    SizeByChoice,
    class_names,
    param_class_sql,
    size_class,
    weights_gib,
)
from modelrace.knowledge._sources import (
    EVAL_SOURCE,
    HUB_ID_SOURCES,
    RUN_SOURCES,
    SNAPSHOT_SOURCES,
    snapshot_source_name,
)

__all__ = [
    "BYTES_PER_PARAM",
    "EVAL_SOURCE",
    "HUB_ID_SOURCES",
    "MEMORY_CLASSES",
    "MIN_PLAUSIBLE_PARAMS",
    "MULTINATIONAL",
    "NAME_AGREEMENT_FACTOR",
    "PARAM_CLASSES",
    "RUN_SOURCES",
    "SNAPSHOT_SOURCES",
    "UNATTRIBUTED",
    "UNKNOWN",
    "BenchmarkInfo",
    "Country",
    "NameParams",
    "SizeBy",
    "SizeByChoice",
    "benchmark_catalog",
    "class_names",
    "country_code",
    "country_label",
    "country_name",
    "headline_benchmarks",
    "implausible_size",
    "known_countries",
    "n_items",
    "param_class_sql",
    "params_from_name",
    "size_class",
    "snapshot_source_name",
    "weights_gib",
]
