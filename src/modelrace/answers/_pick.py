"""`modelrace pick`: the best models for a task under a person's constraints, with reasons and what was excluded.

The ranking (docs/answers.md):
1. The task names benchmarks with weights (``data/tasks.yaml``).
2. Each benchmark's scores are **standardised** over every model it scores (open and closed): ``z = (x - mean) /
   sd``, so a point on LMArena and a point on an index weigh by how much they separate models there. A benchmark
   with fewer than ``MIN_FIELD`` scores is left out (its spread is not known).
3. A model's task score is the **weighted mean of its z over the benchmarks it has**: a missing benchmark does not
   count as zero (nor as the field's average); the model is taken to do there as it does on the others, and the
   not knowing is carried by the uncertainty. ``coverage`` is the share of the task's weight it has;
   ``confidence`` is high (coverage >= 2/3 on two or more benchmarks), medium (>= 1/3) or low.
4. Its standard error has two parts: measurement, ``sqrt(sum (w se / sd)^2) / sum w`` over the benchmarks it has
   that publish an uncertainty (a published interval, or binomial from the item count: composite indices without
   one add none, ``interval_basis`` names those that do); and what is missing, ``sqrt(sum_missing w^2) tau / W``
   with ``W`` the task's total weight and ``tau`` the spread of one model's z across the task's benchmarks
   (pooled over models scored on two or more; 1, the field's spread, when fewer than three such models exist).
5. Candidates are ranked by the **lower end of their 95 % interval** (``score - 1.96 se``): best first by what the
   evidence guarantees, so a model seen on one benchmark does not outrank one seen on all with the same score.
   A candidate is **tied with the first** by the leaderboard's rule on these task scores (``ranking.significant``).

Constraints are checked in a fixed order and the first one a model fails is the one reported: open weights,
country, licence verdict, hardware (memory fit at the context asked, with the released format, else Q8_0, else
Q4_K_M, unless ``quant`` is given), context, price. A constraint that cannot be checked (size, licence or price
unknown) excludes the model, saying so: nothing is assumed to pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelrace.answers._facts import FactFinder, LicenceFacts
from modelrace.answers._pick_model import (
    _ALLOWED,
    METHOD,
    QUANT_LADDER,
    Candidate,
    Constraint,
    Excluded,
    Pick,
    PickConstraints,
)
from modelrace.answers._pick_scoring import (
    _confidence,
    _lower,
    _Scored,
    _standardise,
)
from modelrace.answers._pick_tasks import get_task
from modelrace.errors import ConfigError, ModelraceError
from modelrace.knowledge import country_code, country_name, known_countries
from modelrace.ranking import Catalogue, Entity, load_catalogue, significant
from modelrace.serving import (
    SERVING_POINT,
    Chip,
    FitResult,
    describe_workload,
    estimate_cost,
    fit_model,
    load_hardware,
    resolve_model,
)
from modelrace.store import Warehouse
from modelrace.usage import usage_lookup


def _countries(values: tuple[str, ...], option: str) -> set[str]:
    codes = set()
    for value in values:
        code = value.strip().upper() if len(value.strip()) == 2 else country_code(value)
        if code not in known_countries():  # "XX" is two letters, not a country: refused, never silently matched
            code = None
        if not code:
            raise ConfigError(f"{option} {value!r}: not a country code or name modelrace knows (e.g. CN, US, China)")
        codes.add(code)
    return codes


@dataclass
class _Check:
    """What checking one model against the constraints found."""

    failed: tuple[Constraint, str] | None = None
    licence: LicenceFacts | None = None
    fit: FitResult | None = None
    usd_per_mtok: float | None = None
    price_basis: str | None = None


class _Checker:
    def __init__(self, warehouse: Warehouse, catalogue: Catalogue, constraints: PickConstraints) -> None:
        self.constraints = constraints
        self.finder = FactFinder(warehouse, catalogue)
        self.only = _countries(constraints.only_countries, "--only-country")
        self.exclude = _countries(constraints.exclude_countries, "--exclude-country")
        self.chip: Chip | None = None
        if constraints.hardware:
            wants_cpu = constraints.hardware.strip().lower() in ("cpu", "this machine", "local")
            self.chip = load_hardware(include_cpu=wants_cpu).find(constraints.hardware)
        if constraints.count < 1:
            raise ConfigError(f"--count {constraints.count}: give at least 1 chip")
        if constraints.context is not None and constraints.context < 1:
            raise ConfigError(f"--context {constraints.context}: give at least 1 token")
        self.workload = SERVING_POINT  # the serving point `cost` and the report use, named in every price

    def check(self, entity: Entity, market_price: float | None) -> _Check:
        c = self.constraints
        result = _Check()
        if c.open_only and entity.open_weights is not True:
            detail = "closed weights" if entity.open_weights is False else "whether its weights are open is unknown"
            result.failed = ("open-only", detail)
            return result
        if self.only and entity.country not in self.only:
            result.failed = ("country", f"from {country_name(entity.country)}, not {', '.join(sorted(self.only))}")
            return result
        if entity.country in self.exclude:
            result.failed = ("country", f"from {country_name(entity.country)} (excluded)")
            return result
        result.licence = self.finder.licence(entity)
        if c.licence and result.licence.verdict not in _ALLOWED[c.licence]:
            result.failed = ("licence", f"{result.licence.verdict} ({result.licence.found_in})")
            return result
        if self.chip is not None or c.context is not None:
            failed = self._fit(entity, result)
            if failed:
                result.failed = failed
                return result
        if self.chip is not None and result.fit is not None:
            cost = estimate_cost(result.fit.model, self.chip, c.count, self.workload, result.fit.quant)
            result.usd_per_mtok = cost.usd_per_mtok_output
            result.price_basis = (
                f"roofline estimate on {c.count} x {self.chip.name} at {result.fit.quant} "
                f"({describe_workload(self.workload)})"
                if result.usd_per_mtok is not None
                else None
            )
        else:
            result.usd_per_mtok = market_price
            result.price_basis = "market price (3 input : 1 output blend)" if market_price is not None else None
        if c.max_usd_per_mtok is not None:
            if result.usd_per_mtok is None:
                result.failed = ("price", "no price known")
            elif result.usd_per_mtok > c.max_usd_per_mtok:
                result.failed = ("price", f"${result.usd_per_mtok:,.3g} per million tokens")
        return result

    def _fit(self, entity: Entity, result: _Check) -> tuple[Constraint, str] | None:
        c = self.constraints
        if entity.open_weights is False:
            return ("hardware", "closed weights cannot run on your hardware") if self.chip else None
        try:
            model = resolve_model(entity.hub_id or entity.name, allow_hub=False)
        except ModelraceError:
            if self.chip is not None:
                return "hardware", "its size is unknown, so its fit cannot be checked"
            return "context", "its maximum context is unknown"
        if self.chip is None:
            limit = model.arch.context if model.arch else None
            if limit is None:
                return "context", "its maximum context is unknown"
            if c.context is not None and c.context > limit:
                return "context", f"supports at most {limit:,} tokens"
            return None
        released = model.arch.weights_format if model.arch and model.arch.weights_format else "bf16"
        ladder = [c.quant] if c.quant else list(dict.fromkeys([released, *QUANT_LADDER]))
        last: FitResult | None = None
        for quant in ladder:
            try:
                fit = fit_model(model, self.chip, c.count, quant, c.context)
            except ConfigError as error:
                if "context" in str(error):
                    return "context", str(error).split(": ", 1)[-1]
                raise
            last = fit
            if fit.fits:
                result.fit = fit
                return None
        need = f"{last.total_bytes / 1e9:,.1f} GB at {last.quant}" if last else "unknown memory"
        have = f"{last.memory_bytes / 1e9:,.0f} GB" if last and last.memory_bytes else "unknown memory"
        return "hardware", f"needs {need}, {c.count} x {self.chip.name} has {have}"


def _strongest_excluded(failed: list[Excluded], limit: int) -> list[Excluded]:
    """The strongest excluded models (in rank order), the strongest one of each constraint among them first."""
    kept: list[Excluded] = []
    for constraint in dict.fromkeys(e.constraint for e in failed):
        kept.append(next(e for e in failed if e.constraint == constraint))
    kept = kept[:limit]
    for item in failed:
        if len(kept) >= limit:
            break
        if item not in kept:
            kept.append(item)
    order = {id(e): i for i, e in enumerate(failed)}
    return sorted(kept, key=lambda e: order[id(e)])


def _reasons(item: _Scored, check: _Check, tied: bool, chip: Chip | None, count: int) -> list[str]:
    reasons = []
    for entry in sorted(item.scores, key=lambda e: -e.weight):
        spread = f" +/- {1.96 * entry.se:.3g}" if entry.se is not None else ""
        reasons.append(f"{entry.name}: {entry.value:.4g}{spread} ({entry.data_date})")
    if tied:
        reasons.append("statistically tied with the first")
    if check.fit is not None and chip is not None and check.fit.headroom_bytes is not None:
        reasons.append(
            f"fits on {count} x {chip.name} at {check.fit.quant} with {check.fit.headroom_bytes / 1e9:,.1f} GB headroom"
            f" ({check.fit.context:,} tokens of context)"
        )
    if check.licence is not None:
        clauses = "; ".join(check.licence.deciding_clauses[:2])
        reasons.append(
            f"licence {check.licence.licence_id or '?'}: {check.licence.verdict}" + (f" ({clauses})" if clauses else "")
        )
    if check.usd_per_mtok is not None:
        reasons.append(f"${check.usd_per_mtok:,.3g} per million output tokens: {check.price_basis}")
    return reasons


def pick_from(
    warehouse: Warehouse, catalogue: Catalogue, constraints: PickConstraints, excluded_limit: int = 5
) -> Pick:
    """:func:`pick` over a catalogue already loaded."""
    if constraints.limit < 1:
        raise ConfigError(f"--limit {constraints.limit}: give at least 1")
    task = get_task(constraints.task)
    scored, used, tau = _standardise(catalogue, task)
    checker = _Checker(warehouse, catalogue, constraints)
    ranked = sorted(scored.values(), key=lambda s: (-_lower(s), -s.score, s.entity.name))
    market: dict[str, float | None] = {}
    for benchmark in catalogue.benchmarks.values():
        for s in benchmark.scores:
            if s.price_usd_per_mtok is not None and s.price_usd_per_mtok > 0:  # a price of 0 is a free tier
                market.setdefault(s.entity.key, s.price_usd_per_mtok)
    chosen: list[tuple[_Scored, _Check]] = []
    failed: list[Excluded] = []
    for item in ranked:
        if len(chosen) >= constraints.limit:
            break
        check = checker.check(item.entity, market.get(item.entity.key))
        if check.failed is None:
            chosen.append((item, check))
        else:
            failed.append(Excluded(item.entity.name, check.failed[0], check.failed[1], item.score))
    excluded = _strongest_excluded(failed, excluded_limit)
    candidates: list[Candidate] = []
    first = chosen[0][0] if chosen else None
    served = usage_lookup(warehouse)  # a column, never a constraint: how widely each candidate is served
    for rank, (item, check) in enumerate(chosen, 1):
        tied = (
            first is not None and item is not first and significant(first.score, first.se, item.score, item.se) is False
        )
        licence = check.licence
        candidates.append(
            Candidate(
                rank=rank,
                model=item.entity.name,
                score=item.score,
                interval=[item.score - 1.96 * item.se, item.score + 1.96 * item.se] if item.se is not None else None,
                interval_basis=item.basis,
                tied_with_first=tied,
                confidence=_confidence(item),
                coverage=item.coverage,
                country=item.entity.country,
                developer=item.entity.developer,
                params_total=item.entity.params_total,
                licence_verdict=licence.verdict if licence else "unknown",
                licence_id=licence.licence_id if licence else None,
                fits=check.fit.fits if check.fit else None,
                headroom_gb=check.fit.headroom_bytes / 1e9
                if check.fit and check.fit.headroom_bytes is not None
                else None,
                quant=check.fit.quant if check.fit else None,
                usd_per_mtok=check.usd_per_mtok,
                price_basis=check.price_basis,
                benchmarks=item.scores,
                reasons=_reasons(item, check, tied, checker.chip, constraints.count),
                served=served.get(item.entity.key.lower()),
            )
        )
    if candidates:
        message = (
            f"{len(candidates)} models meet every constraint, best first by the lower end of the 95 % interval of "
            f"their {constraints.task} score (score - 1.96 se)"
        )
    elif not scored:
        message = f"no imported benchmark measures {constraints.task}: import the sources tasks.yaml names"
    else:
        message = (
            f"no model meets every constraint ({len(scored)} models have a {constraints.task} score); "
            "the strongest excluded ones say which constraint excluded them"
        )
    method = METHOD | {"tau": f"{tau:.3f} (spread of one model's z across this task's benchmarks)"}
    return Pick(constraints, constraints.task, used, candidates, excluded, message, method)


def pick(warehouse: Warehouse, constraints: PickConstraints) -> Pick:
    """The best models for a task under constraints (module docstring)."""
    return pick_from(warehouse, load_catalogue(warehouse), constraints)
