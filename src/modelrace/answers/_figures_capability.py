"""Figures from capability and cost: a family in the tie sets, one model against another, open models' prices
against closed ones, and the open-versus-closed gap over time."""

from __future__ import annotations

import math
from datetime import date, timedelta

from modelrace.answers._figure_model import (
    Z95,
    Evidence,
    Figure,
    GapParams,
    Measured,
    Part,
    TieSetParams,
    UndercutParams,
    VersusParams,
    _insufficient,
)
from modelrace.answers._versus import versus_catalogue
from modelrace.errors import ModelraceError, NotFoundError
from modelrace.knowledge import UNKNOWN, class_names, size_class
from modelrace.ranking import Benchmark, Score, significant


# ------------------------------------------------------------------------------------------------ capability
def _benchmark(evidence: Evidence, benchmark_id: str) -> Benchmark | None:
    return evidence.catalogue.benchmarks.get(benchmark_id)


def ranking_family_in_tie_sets(evidence: Evidence, params: TieSetParams) -> Figure:
    """Share of (benchmark, size class) boards where a model of ``family`` is in the leader's tie set (the
    leaderboard's rule), over classes with at least ``min_models`` models; unknown sizes left out.

    On a board without standard errors (the AA index, LiveBench) only an equal score is known to tie: a family
    model below the leader may or may not be tied with it. Such a board counts as undetermined, and the interval
    runs from counting every undetermined board out to counting it in."""
    name = "ranking.family_in_tie_sets"
    try:
        catalogue = evidence.catalogue
    except NotFoundError as error:
        return _insufficient(name, "capability", str(error))
    parts: list[Part] = []
    undetermined: list[Part] = []
    dates: list[str] = []
    sources: set[str] = set()
    missing = [b for b in params.benchmarks if b not in catalogue.benchmarks]
    wanted = params.family.lower()
    for benchmark_id in params.benchmarks:
        benchmark = catalogue.benchmarks.get(benchmark_id)
        if benchmark is None:
            continue
        scores = [s for s in benchmark.scores if s.entity.matched and (not params.open_only or s.entity.open_weights)]
        by_class: dict[str, list[Score]] = {}
        for score in scores:
            by_class.setdefault(
                size_class(score.entity.params_total, score.entity.params_active, params.size_by), []
            ).append(score)
        for class_name in class_names(params.size_by):
            members = by_class.get(class_name, [])
            if len(members) < params.min_models or class_name == UNKNOWN:
                continue
            leader = members[0]
            verdicts = [(s, significant(leader.value, leader.se, s.value, s.se)) for s in members[1:]]
            tied = [leader, *(s for s, apart in verdicts if apart is False)]
            maybe = [s for s, apart in verdicts if apart is None]  # no standard error: tied or not, unknown
            family = [s for s in tied if (s.entity.family or "").lower() == wanted]
            family_maybe = [s for s in maybe if (s.entity.family or "").lower() == wanted]
            if family:
                detail = f"{family[0].entity.name} in the tie set of {len(tied)}"
            elif family_maybe:
                best = family_maybe[0]
                detail = (
                    f"led by {leader.entity.name}; {best.entity.name} {leader.value - best.value:.3g} below it, tied or"
                    " not: the board has no standard errors (undetermined)"
                )
            else:
                detail = f"led by {leader.entity.name} ({leader.entity.family or leader.entity.developer}); " + (
                    f"tie set of {len(tied)}" if not maybe else "no family model on the board near it"
                )
            part = Part(f"{benchmark.name}, {class_name}", bool(family), detail)
            parts.append(part)
            if family_maybe and not family:
                undetermined.append(part)
            dates.append(benchmark.data_date.isoformat())
            sources.add(benchmark.source)
    if not parts:
        why = f"no size class with {params.min_models}+ models on {', '.join(params.benchmarks)}"
        return _insufficient(name, "capability", why, ", ".join(sorted(sources)))
    passing = sum(p.passes for p in parts)
    share = passing / len(parts)
    text = f"a {params.family} model is among the best in {passing} of {len(parts)} boards (benchmark x size class)"
    caveats = [f"not imported: {', '.join(missing)}"] if missing else []
    if undetermined:
        text += f"; {len(undetermined)} more undetermined (no standard errors)"
        caveats.append(
            f"{len(undetermined)} boards publish no standard errors and hold a {params.family} model below the leader:"
            " tied or not, the data cannot say (the interval counts them out and in)"
        )
    if params.open_only:
        caveats.append("among open-weight models")
    label = f"share of boards (benchmark x size class) with a {params.family} model among the best"
    high = (passing + len(undetermined)) / len(parts)
    value = Measured(share, share if undetermined else None, high if undetermined else None, "pct", label)
    kind = "boards without standard errors counted out and in" if undetermined else None
    return Figure(
        name, {"value": value}, text, kind, ", ".join(sorted(sources)), max(dates), "capability", parts, caveats,
    )  # fmt: skip


def versus_not_behind(evidence: Evidence, params: VersusParams) -> Figure:
    """Share of the benchmarks scoring both where A is tied with or ahead of B (`versus`)."""
    name = "versus.not_behind_share"
    try:
        result = versus_catalogue(evidence.warehouse, evidence.catalogue, params.a, params.b)
    except ModelraceError as error:
        return _insufficient(name, "capability", str(error))
    rows = result.benchmarks
    sources = ", ".join(sorted({r.source for r in rows})) or "none"
    if len(rows) < params.min_benchmarks:
        why = (
            f"only {len(rows)} benchmarks score both {result.a.model} and {result.b.model} "
            f"(need {params.min_benchmarks})"
        )
        return _insufficient(name, "capability", why, sources)
    parts = [Part(r.name, r.verdict != "b ahead", f"{r.a:.4g} vs {r.b:.4g}: {r.verdict}") for r in rows]
    share = sum(p.passes for p in parts) / len(parts)
    return Figure(
        name,
        {
            "value": Measured(
                share, format="pct", label=f"share of benchmarks where {result.a.model} is not behind {result.b.model}"
            )
        },
        result.summary.text,
        None,
        sources,
        max(r.data_date for r in rows),
        "capability",
        parts,
        [f"{m.source} scores only {'A' if m.has == 'a' else 'B'}" for m in result.missing],
    )


def cost_open_undercuts_closed(evidence: Evidence, params: UndercutParams) -> Figure:
    """Share of closed models (with a market price and a score) for which an open model scoring at least
    ``score - tolerance`` has a lower market price; closed models no open one comes near are not comparable."""
    name = "cost.open_undercuts_closed"
    try:
        benchmark = _benchmark(evidence, params.benchmark)
    except NotFoundError as error:
        return _insufficient(name, "cost", str(error))
    if benchmark is None:
        return _insufficient(name, "cost", f"{params.benchmark} is not imported")
    priced = [s for s in benchmark.scores if s.price_usd_per_mtok and s.price_usd_per_mtok > 0]
    closed = [s for s in priced if s.entity.open_weights is False]
    opened = [s for s in priced if s.entity.open_weights is True]
    parts: list[Part] = []
    beyond = 0
    for model in closed:
        similar = [o for o in opened if o.value >= model.value - params.tolerance]
        if not similar:
            beyond += 1
            continue
        cheapest = min(similar, key=lambda o: o.price_usd_per_mtok or math.inf)
        price, own = cheapest.price_usd_per_mtok or math.inf, model.price_usd_per_mtok or math.inf
        parts.append(
            Part(
                model.entity.name,
                price < own,
                f"${own:.3g} vs {cheapest.entity.name} ${price:.3g} (scores {model.value:.3g} vs {cheapest.value:.3g})",
            )
        )
    source, when = f"{benchmark.name} and market prices", benchmark.data_date.isoformat()
    if len(parts) < params.min_comparable:
        why = f"only {len(parts)} closed models have an open model scoring at most {params.tolerance:g} points lower"
        return _insufficient(name, "cost", why, source, when)
    share = sum(p.passes for p in parts) / len(parts)
    text = (
        f"an open model scoring at least as well on the {benchmark.name}, or at most {params.tolerance:g} points "
        "lower, is cheaper for "
        f"{sum(p.passes for p in parts)} of {len(parts)} closed models"
    )
    caveats = [
        "market prices (3 input : 1 output blend), what providers charge, not the cost of running the weights",
        f"{beyond} closed models score above every priced open model: not comparable",
    ]
    undercut = Measured(share, format="pct", label="share of comparable closed models an open one undercuts")
    return Figure(name, {"value": undercut}, text, None, source, when, "cost", parts, caveats)


def _best_by(scores: list[Score], until: date) -> Score | None:
    dated = [s for s in scores if s.release_date is not None and s.release_date <= until]
    return max(dated, key=lambda s: s.value) if dated else None


def ranking_gap_change(evidence: Evidence, params: GapParams) -> Figure:
    """Change of (best closed - best open) between ``months`` before the benchmark's date and that date, models as
    rated on that date; negative is closing.

    Now: every rated model was out by the data's date, dated or not. Then: the best of each side released by then.
    A model without a release date that rates above its side's best then may or may not have been out: the value
    places it after, and the interval covers both (with the 95 % interval of the ratings where they have one), so
    a verdict holds only if it holds either way."""
    name = "ranking.gap_change"
    try:
        benchmark = _benchmark(evidence, params.benchmark)
    except NotFoundError as error:
        return _insufficient(name, "capability", str(error))
    if benchmark is None:
        return _insufficient(name, "capability", f"{params.benchmark} is not imported")
    rated = [s for s in benchmark.scores if s.entity.matched and s.entity.open_weights is not None]
    closed = [s for s in rated if s.entity.open_weights is False]
    opened = [s for s in rated if s.entity.open_weights is True]
    source, when = benchmark.name, benchmark.data_date.isoformat()
    if not closed or not opened:
        return _insufficient(name, "capability", f"{benchmark.name} has no open or closed models", source, when)
    latest = benchmark.data_date
    then = latest - timedelta(days=round(params.months * 30.44))
    now_closed, now_open = max(closed, key=_rating), max(opened, key=_rating)
    then_closed, then_open = _best_by(closed, then), _best_by(opened, then)
    if not (then_closed and then_open):
        why = f"no open and closed model released by {then.isoformat()} on {benchmark.name}"
        return _insufficient(name, "capability", why, source, when)
    gap_now = now_closed.value - now_open.value
    gap_then = then_closed.value - then_open.value
    change = gap_now - gap_then
    # Undated models above a side's best then: out by then, they would have been that side's best.
    undated = [s for s in rated if s.release_date is None]
    above = [s for s in undated if s.value > (then_open if s.entity.open_weights else then_closed).value]
    maybe_closed = max((s for s in above if not s.entity.open_weights), key=_rating, default=None)
    maybe_open = max((s for s in above if s.entity.open_weights), key=_rating, default=None)
    lowest = change - ((maybe_closed or then_closed).value - then_closed.value)
    highest = change + ((maybe_open or then_open).value - then_open.value)
    variance = 0.0
    known = True
    for now, before in ((now_closed, then_closed), (now_open, then_open)):
        if now is before:
            continue  # the same model on both dates: its error cancels
        if now.se is None or before.se is None:
            known = False
            break
        variance += now.se**2 + before.se**2
    spread = Z95 * math.sqrt(variance) if known else None
    placed = maybe_closed is not None or maybe_open is not None
    kinds = [*(["95 %"] if spread is not None else []), *(["undated models out then or not"] if placed else [])]
    bounded = spread is not None or placed
    value = Measured(
        change,
        lowest - (spread or 0.0) if bounded else None,
        highest + (spread or 0.0) if bounded else None,
        "points",
        "change of the closed-minus-open gap",
    )
    text = (
        f"gap {gap_then:.3g} on {then.isoformat()} ({then_closed.entity.name} vs {then_open.entity.name}) -> "
        f"{gap_now:.3g} on {latest.isoformat()} ({now_closed.entity.name} vs {now_open.entity.name})"
    )
    caveats = ["models as rated on the benchmark's date, placed by release date (sources' release dates)"]
    if above:
        named = ", ".join(s.entity.name for s in sorted(above, key=_rating, reverse=True)[:3])
        caveats.append(
            f"{len(above)} of the {len(rated)} rated models have no release date and rate above their side's best of "
            f"{then.isoformat()} ({named}, ...): the interval counts them out then and in"
        )
    gaps = {
        "gap_now": Measured(gap_now, label=f"gap on {latest.isoformat()}"),
        "gap_then": Measured(gap_then, label=f"gap on {then.isoformat()}"),
    }
    return Figure(
        name, {"value": value, **gaps}, text, " and ".join(kinds) or None, source, when, "capability",
        caveats=caveats,
    )  # fmt: skip


def _rating(score: Score) -> float:
    return score.value
