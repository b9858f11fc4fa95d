"""Claims checked against named figures: the schema of a claims file, and the verdict rules.

A claim (``data/claims.yaml``, or a user's file with the same schema) names a figure (``_figures.FIGURES``) with
its parameters, a **test** on one of its values (``op`` and ``threshold``), optionally a **weaker** test, and the
scope in words. The verdict (docs/answers.md):

- **insufficient data**: the figure cannot be computed (no snapshot, no results, too few benchmarks or size
  classes, a snapshot whose selection is unknown for a download claim), or its interval straddles the test's
  threshold, so the data cannot decide;
- **supported**: the test holds at the value and over its whole interval;
- **mixed**: the test fails over the whole interval but the weaker test holds over its whole interval (the claim
  is partly true: some size classes, some benchmarks, moderately rather than highly concentrated);
- **not supported**: the test fails over the whole interval (and the weaker one, where there is one, does not hold
  everywhere).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from modelrace._serialise import JsonResult
from modelrace._yaml import parse_yaml
from modelrace.adoption import ModelScope
from modelrace.answers._figures import FIGURES, Evidence, Figure, Part, compute_figure
from modelrace.errors import ConfigError
from modelrace.store import Warehouse

Op = Literal[">", ">=", "<", "<=", "=="]
ClaimVerdict = Literal["supported", "not supported", "mixed", "insufficient data"]
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
}


class Test(BaseModel):
    """A comparison of one of the figure's values with a threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str = "value"
    op: Op
    threshold: float
    means: str = Field(description="the test in words, e.g. 'CN's share is above every other country's'")


class Claim(BaseModel):
    """A statement, the figure that tests it, and the test."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    statement: str
    figure: str
    params: dict[str, object] = Field(default_factory=dict)  # validated by the figure's own schema (below)
    test: Test
    weaker: Test | None = None
    scope: str

    @field_validator("figure")
    @classmethod
    def _known_figure(cls, value: str) -> str:
        if value not in FIGURES:
            raise ValueError(f"unknown figure {value!r}; known: {', '.join(sorted(FIGURES))}")
        return value

    @model_validator(mode="after")
    def _valid_params(self) -> Claim:
        try:
            FIGURES[self.figure].params.model_validate(self.params)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(f"params.{where}: {first['msg']}") from None
        return self


class ClaimFile(BaseModel):
    """A claims file."""

    model_config = ConfigDict(extra="forbid")
    version: int
    claims: list[Claim] = Field(min_length=1)

    @field_validator("claims")
    @classmethod
    def _unique_ids(cls, claims: list[Claim]) -> list[Claim]:
        seen: set[str] = set()
        for claim in claims:
            if claim.id in seen:
                raise ValueError(f"claim id {claim.id!r} appears twice")
            seen.add(claim.id)
        return claims


def parse_claims(text: str, source: str) -> ClaimFile:
    """Parse and validate a claims file (errors name the file and the field)."""
    return parse_yaml(text, source, ClaimFile)


@cache
def builtin_claims() -> ClaimFile:
    """The claims shipped in the package: the public narrative about Chinese open models."""
    text = resources.files("modelrace.answers").joinpath("data/claims.yaml").read_text("utf-8")
    return parse_claims(text, "claims.yaml")


def load_claims(path: Path | None = None) -> ClaimFile:
    """A user's claims file, or the built-in claims."""
    if path is None:
        return builtin_claims()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read claims file {path}: {error}") from None
    return parse_claims(text, str(path))


@dataclass(frozen=True)
class ClaimCheck(JsonResult):
    """One claim's verdict with the figure, its interval, source, date and why (`claims --json`)."""

    id: str
    statement: str
    verdict: ClaimVerdict
    figure: str
    value: float | None
    interval: list[float] | None
    interval_kind: str | None
    tested: str | None  # the tested value named, with its interval: "China's lead over ...: +6.5 pp (... to ...)"
    source: str
    date: str | None
    why: str
    figure_name: str
    scope: str
    evidence: str
    parts: list[Part] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)


def _holds(test: Test, low: float, high: float) -> bool | None:
    """True when the test holds at both ends of the interval, False when at neither, None when it straddles."""
    check = _OPS[test.op]
    at_low, at_high = check(low, test.threshold), check(high, test.threshold)
    if at_low and at_high:
        return True
    if not at_low and not at_high:
        return False
    return None


def _range(figure: Figure, name: str) -> tuple[float, float, float] | None:
    measured = figure.values.get(name)
    if measured is None:
        return None
    low = measured.low if measured.low is not None else measured.value
    high = measured.high if measured.high is not None else measured.value
    return measured.value, min(low, high), max(low, high)


def decide(claim: Claim, figure: Figure) -> tuple[ClaimVerdict, str]:
    """The verdict and why (module docstring)."""
    if figure.insufficient:
        return (
            "insufficient data",
            f"{figure.text}; but {figure.insufficient}" if figure.values else figure.insufficient,
        )
    main = _range(figure, claim.test.value)
    if main is None:
        return "insufficient data", f"the figure {figure.name} has no value {claim.test.value!r}"
    measured = figure.values[claim.test.value]
    _, low, high = main
    label = measured.label or "the value"
    span = f" ({label} between {measured.show(low)} and {measured.show(high)})" if low != high else ""
    needs = f"the claim needs {claim.test.means}"
    result = _holds(claim.test, low, high)
    if result is True:
        return "supported", f"{figure.text}; {needs}: it holds{span}"
    if result is None:
        return "insufficient data", f"{figure.text}; {needs}: the data cannot tell{span}"
    if claim.weaker is not None:
        weaker = _range(figure, claim.weaker.value)
        if weaker is not None and _holds(claim.weaker, weaker[1], weaker[2]) is True:
            return "mixed", f"{figure.text}; {needs}, which fails{span}, but {claim.weaker.means} holds"
    return "not supported", f"{figure.text}; {needs}: it does not hold{span}"


def check_claim(evidence: Evidence, claim: Claim) -> ClaimCheck:
    """Evaluate one claim."""
    figure = compute_figure(evidence, claim.figure, claim.params)
    verdict, why = decide(claim, figure)
    measured = figure.values.get(claim.test.value)
    interval = (
        [measured.low, measured.high] if measured and measured.low is not None and measured.high is not None else None
    )
    return ClaimCheck(
        id=claim.id,
        statement=claim.statement,
        verdict=verdict,
        figure=figure.text,
        value=measured.value if measured else None,
        interval=interval,
        interval_kind=figure.interval_kind if interval else None,
        tested=measured.described(figure.interval_kind) if measured else None,
        source=figure.source,
        date=figure.date,
        why=why,
        figure_name=figure.name,
        scope=claim.scope,
        evidence=figure.evidence,
        parts=figure.parts,
        caveats=figure.caveats,
    )


@dataclass(frozen=True)
class ClaimsChecked(JsonResult):
    """Every claim of a file, checked."""

    source: str
    claims: list[ClaimCheck]

    def to_json(self) -> list[Any]:
        """`claims --json`: the list of checks (docs/json.md)."""
        return [claim.to_json() for claim in self.claims]


def check_claims(
    warehouse: Warehouse,
    path: Path | None = None,
    snapshot: str | int | None = None,
    evidence: Evidence | None = None,
    models: ModelScope = "llm",
) -> ClaimsChecked:
    """Check every claim of ``path`` (default: the built-in claims) against the warehouse (or ``evidence``
    already gathered for it, as the report passes its own figures). Download claims are answered on the newest
    snapshot that can decide them, or on ``snapshot`` alone when it is named; over ``models`` (language models by
    default, ``all`` for every model)."""
    claims = load_claims(path)
    evidence = evidence or Evidence(warehouse, snapshot, models=models)
    checks = [check_claim(evidence, claim) for claim in claims.claims]
    return ClaimsChecked(str(path) if path else "built-in claims", checks)
