"""The benchmark catalogue: what each source's benchmarks are called, their item counts and scale notes."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from modelrace.knowledge._load import load_data


class BenchmarkInfo(BaseModel):
    """One benchmark as a source publishes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    n_items: int | None = Field(default=None, gt=0)
    note: str | None = None
    headline: bool = False


class _BenchmarksFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    benchmarks: dict[str, dict[str, BenchmarkInfo]]


@cache
def benchmark_catalog() -> dict[str, dict[str, BenchmarkInfo]]:
    """Known benchmarks per source (data/benchmarks.yaml, validated)."""
    return load_data("benchmarks.yaml", _BenchmarksFile).benchmarks


def n_items(source: str, benchmark: str) -> int | None:
    """The item count of a benchmark, when known."""
    entry = benchmark_catalog().get(source, {}).get(benchmark)
    return entry.n_items if entry else None


def headline_benchmarks() -> list[str]:
    """The ids (``source:benchmark``) of each source's headline benchmark, the one summaries show."""
    return [
        f"{source}:{key}"
        for source, table in benchmark_catalog().items()
        for key, info in table.items()
        if info.headline
    ]
