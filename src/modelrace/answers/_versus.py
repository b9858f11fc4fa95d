"""`modelrace versus A B`: two models on every benchmark that scores both, with the difference, its uncertainty and
a verdict per benchmark by the leaderboard's tie rule.

Rules (docs/answers.md):
- Each side's score on a benchmark is found by :mod:`modelrace.answers._match` (the model itself, else a dated or
  effort variant, always named).
- The difference is ``a - b``. Its 95 % interval is ``d +/- 1.96 sqrt(se_a^2 + se_b^2)`` with the standard errors
  the leaderboard uses (a published interval's width / 3.92, else binomial from the item count).
- The verdict is the leaderboard's tie rule (``ranking.significant``): **tied** unless
  ``|a - b| > 1.96 sqrt(se_a^2 + se_b^2)``; equal scores tie. Without a standard error on either side the
  leaderboard calls no tie between unequal scores, so the higher is **ahead** and ``significant`` is null.
- Our own evaluation runs (source ``modelrace-eval``) on the same task are compared on the items both runs scored:
  the paired bootstrap interval of ``evals.compare_runs``, ahead when it excludes 0.
- Ratings on the Elo scale (LMArena, our Bradley-Terry arena) also give the implied probability that A is preferred
  to B, ``1 / (1 + 10^(-d/400))``, with the same transform of the difference's interval.
- By default a benchmark is listed when the knowledge catalogue names it (LMArena's overall, coding, math, Chinese
  and hard-prompt boards, LiveBench's categories, every Artificial Analysis, Epoch and Open LLM Leaderboard
  benchmark) or its source is one the catalogue does not list (lm-eval files, our runs and arena); ``every=True``
  lists all of them (every LMArena category and LiveBench task).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from modelrace._serialise import JsonResult
from modelrace.answers._facts import FactFinder, ModelFacts
from modelrace.answers._match import Found, find_score, resolve_scored
from modelrace.errors import ConfigError, ModelraceError
from modelrace.evals import compare_runs, protocol_scores
from modelrace.knowledge import EVAL_SOURCE, benchmark_catalog, n_items
from modelrace.ranking import Benchmark, Catalogue, load_catalogue, significant, standard_error
from modelrace.sources import model_results
from modelrace.store import Warehouse
from modelrace.usage import UsagePair, usage_pair

Z95 = 1.96
ELO_POINTS_PER_TENFOLD = 400.0
VersusVerdict = Literal["a ahead", "tied", "b ahead"]


@dataclass(frozen=True)
class WinProbability(JsonResult):
    """For ratings on the Elo scale: the probability that A is preferred to B, with its 95 % interval."""

    value: float
    interval: list[float] | None


@dataclass(frozen=True)
class BenchmarkComparison(JsonResult):
    """Both models on one benchmark: scores, difference, its interval and the verdict."""

    source: str
    benchmark: str
    name: str
    metric: str
    scale: str
    data_date: str
    a: float
    b: float
    a_name: str
    b_name: str
    a_match: str
    b_match: str
    difference: float
    interval: list[float] | None
    verdict: VersusVerdict
    significant: bool | None
    uncertainty: str
    win_probability: WinProbability | None = None
    paired_items: int | None = None


@dataclass(frozen=True)
class MissingSide(JsonResult):
    """A source that scores only one of the two models."""

    source: str
    has: Literal["a", "b"]
    lacks: str
    benchmarks: int


@dataclass(frozen=True)
class VersusSummary(JsonResult):
    """How many benchmarks A leads, ties and trails, in one line."""

    a_ahead: int
    tied: int
    b_ahead: int
    benchmarks: int
    text: str


@dataclass(frozen=True)
class Versus(JsonResult):
    """`versus --json` (docs/json.md)."""

    a: ModelFacts
    b: ModelFacts
    benchmarks: list[BenchmarkComparison]
    summary: VersusSummary
    missing: list[MissingSide]
    method: dict[str, str] = field(default_factory=dict)
    usage: UsagePair | None = None  # OpenRouter tokens and rank on the same day (None without usage data)


METHOD = {
    "difference": "a - b, in the benchmark's units",
    "interval": "95 %: d +/- 1.96 sqrt(se_a^2 + se_b^2); our runs on shared items: paired bootstrap",
    "verdict": "tied unless |a - b| > 1.96 sqrt(se_a^2 + se_b^2) (the leaderboard's rule); without standard "
    "errors unequal scores are not tied (significant: null)",
    "win_probability": "Elo-scale ratings: 1 / (1 + 10^(-d/400))",
    "variants": "a name also matches its dated or effort variants (o1 -> o1-2024-12-17) where the source lacks "
    "the name itself; the variant used is named in a_name / b_name",
}


def _elo_probability(difference: float) -> float:
    return 1.0 / (1.0 + math.pow(10.0, -difference / ELO_POINTS_PER_TENFOLD))


def _listed(benchmark: Benchmark, every: bool) -> bool:
    if every:
        return True
    catalog = benchmark_catalog()
    return benchmark.source not in catalog or benchmark.benchmark in catalog[benchmark.source]


def _paired(warehouse: Warehouse, benchmark: Benchmark, a: Found, b: Found) -> tuple[list[float], bool, int] | None:
    """Our two runs on the same task compared on shared items: (interval, significant, items), if they share any."""
    runs = []
    for found in (a, b):
        stored = model_results(warehouse, EVAL_SOURCE, found.score.source_name, benchmark.benchmark, benchmark.metric)
        extra = stored[0].extra if stored else {}
        if "run_id" not in extra:
            return None
        runs.append((extra["run_id"], extra.get("metric")))
    try:
        comparison = compare_runs(warehouse, runs[0][0], runs[1][0], runs[0][1])
    except ModelraceError:
        return None  # different tasks or no shared item: the independent interval stands
    difference = comparison.difference
    return [difference.ci_low, difference.ci_high], comparison.significant, comparison.items


def compare_on(warehouse: Warehouse, benchmark: Benchmark, a: Found, b: Found) -> BenchmarkComparison:
    """One benchmark's comparison (see the module docstring)."""
    sa, sb = a.score, b.score
    difference = sa.value - sb.value
    interval: list[float] | None = None
    uncertainty = benchmark.uncertainty
    paired_items = None
    is_significant = significant(sa.value, sa.se, sb.value, sb.se)
    if sa.se is not None and sb.se is not None:
        spread = Z95 * math.sqrt(sa.se**2 + sb.se**2)
        interval = [difference - spread, difference + spread]
    if benchmark.source == EVAL_SOURCE:
        paired = _paired(warehouse, benchmark, a, b)
        if paired is not None:
            interval, is_significant, paired_items = paired
            uncertainty = f"paired bootstrap over the {paired_items} items both runs scored"
    if difference == 0 or is_significant is False:
        verdict: VersusVerdict = "tied"
    else:
        verdict = "a ahead" if difference > 0 else "b ahead"
    win = None
    if benchmark.scale == "elo":
        win = WinProbability(
            _elo_probability(difference), [_elo_probability(x) for x in interval] if interval else None
        )
    return BenchmarkComparison(
        source=benchmark.source,
        benchmark=benchmark.id,
        name=benchmark.name,
        metric=benchmark.metric,
        scale=benchmark.scale,
        data_date=benchmark.data_date.isoformat(),
        a=sa.value,
        b=sb.value,
        a_name=sa.source_name,
        b_name=sb.source_name,
        a_match=a.how,
        b_match=b.how,
        difference=difference,
        interval=interval,
        verdict=verdict,
        significant=is_significant,
        uncertainty=uncertainty,
        win_probability=win,
        paired_items=paired_items,
    )


def _same_protocol(warehouse: Warehouse, catalogue: Catalogue, a: str, b: str) -> Versus | None:
    """``versus SPEC HUB_ID``: our leaderboard_bbh run of a model spec against the Open LLM Leaderboard's BBH Raw
    (the same protocol and metric, acc_norm over the 24 tasks), one row per precision the leaderboard ran; None
    when A is not a spec with such a run."""
    ours = protocol_scores(warehouse, a)
    published = model_results(warehouse, "open-llm-leaderboard", b, "BBH", "accuracy", ignore_case=True) if ours else []
    if not ours or not published:
        return None
    run, rows = ours[0], []
    se_a, _ = standard_error(run.value, "fraction", run.ci_low, run.ci_high, None)  # our bootstrap interval
    scope = f"first {run.per_task_limit} items of each task, " if run.per_task_limit else ""
    for row in published:
        precision = row.extra.get("precision", "?")
        n = row.n_items or n_items("open-llm-leaderboard", "BBH")  # the leaderboard gives no count per row
        se_b, _ = standard_error(row.value, row.scale, row.ci_low, row.ci_high, n)
        difference = run.value - row.value
        spread = Z95 * math.sqrt((se_a or 0.0) ** 2 + (se_b or 0.0) ** 2)
        tied = significant(run.value, se_a, row.value, se_b) is not True
        rows.append(
            BenchmarkComparison(
                source="modelrace-eval vs open-llm-leaderboard",
                benchmark=f"leaderboard_bbh ({precision})",
                name="BBH, leaderboard_bbh protocol (acc_norm)",
                metric="accuracy",
                scale="fraction",
                data_date=row.data_date.isoformat(),
                a=run.value,
                b=row.value,
                a_name=run.model_spec,
                b_name=row.source_name,
                a_match="our run " + run.run_id,
                b_match="BBH Raw",
                difference=difference,
                interval=[difference - spread, difference + spread],
                verdict="tied" if tied else ("a ahead" if difference > 0 else "b ahead"),
                significant=not tied,
                uncertainty=f"ours: {scope}{run.items} items, bootstrap; the leaderboard's: binomial over {n} items; "
                f"different precisions: {run.precision} (ours) vs {precision} (the leaderboard's)",
            )
        )
    entity = resolve_scored(catalogue, b)
    finder = FactFinder(warehouse, catalogue)
    facts_a, facts_b = finder.facts(a, entity), finder.facts(b, entity)
    ahead, behind = sum(r.verdict == "a ahead" for r in rows), sum(r.verdict == "b ahead" for r in rows)
    text = f"{a} (our run) against the Open LLM Leaderboard's {b} on BBH: ahead on {ahead}, tied on " \
        f"{len(rows) - ahead - behind}, behind on {behind} of {len(rows)} precisions"  # fmt: skip
    summary = VersusSummary(ahead, len(rows) - ahead - behind, behind, len(rows), text)
    return Versus(a=facts_a, b=facts_b, benchmarks=rows, summary=summary, missing=[], method=METHOD)


def versus_catalogue(warehouse: Warehouse, catalogue: Catalogue, a: str, b: str, every: bool = False) -> Versus:
    """:func:`versus` over a catalogue already loaded (claims reuse one)."""
    same_protocol = _same_protocol(warehouse, catalogue, a, b)  # our run of a spec vs the leaderboard, same protocol
    if same_protocol is not None:
        return same_protocol
    entity_a, entity_b = resolve_scored(catalogue, a), resolve_scored(catalogue, b)
    if entity_a.key.lower() == entity_b.key.lower():
        raise ConfigError(f"{a!r} and {b!r} are the same model ({entity_a.name}): name two different models")
    rows: list[BenchmarkComparison] = []
    per_source: dict[str, list[int]] = {}
    for benchmark in sorted(catalogue.benchmarks.values(), key=lambda x: x.id):
        found_a, found_b = find_score(benchmark, entity_a), find_score(benchmark, entity_b)
        counts = per_source.setdefault(benchmark.source, [0, 0])
        counts[0] += found_a is not None
        counts[1] += found_b is not None
        if found_a is None or found_b is None or not _listed(benchmark, every):
            continue
        rows.append(compare_on(warehouse, benchmark, found_a, found_b))
    missing = [
        MissingSide(source, "a" if has_a else "b", b if has_a else a, has_a or has_b)
        for source, (has_a, has_b) in sorted(per_source.items())
        if bool(has_a) != bool(has_b)
    ]
    finder = FactFinder(warehouse, catalogue)
    facts_a, facts_b = finder.facts(a, entity_a), finder.facts(b, entity_b)
    ahead = sum(r.verdict == "a ahead" for r in rows)
    tied = sum(r.verdict == "tied" for r in rows)
    behind = sum(r.verdict == "b ahead" for r in rows)
    if rows:
        text = (
            f"{facts_a.model} ahead on {ahead}, tied on {tied}, behind on {behind} of the {len(rows)} "
            f"benchmarks both have (against {facts_b.model})"
        )
    else:
        text = f"no benchmark scores both {facts_a.model} and {facts_b.model}"
    return Versus(
        a=facts_a,
        b=facts_b,
        benchmarks=rows,
        summary=VersusSummary(ahead, tied, behind, len(rows), text),
        missing=missing,
        method=METHOD,
        usage=usage_pair(warehouse, entity_a.key, entity_b.key),
    )


def versus(warehouse: Warehouse, a: str, b: str, every: bool = False) -> Versus:
    """Two models on every benchmark that scores both (module docstring)."""
    return versus_catalogue(warehouse, load_catalogue(warehouse), a, b, every)
