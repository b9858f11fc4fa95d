"""Entity resolution: tie each source's model name to a model, developer, country and size, explainably.

Rules, in order (every step taken is recorded, so `modelrace resolve NAME` can show why):
1. the curated alias table (``data/aliases.yaml``: names rules cannot decide -> Hub id);
2. a Hub id (``org/name``) whose namespace is known; a provider prefix (``chutes/...``) is dropped;
3. the name equals the repository name of exactly one known Hub model under a developer's namespace;
4. a closed (API-only) model line (gpt-4o, claude, gemini, ...): closed, with its developer;
5. an open model line of the alias table;
6. the organisation the source itself gives (Epoch, LMArena), mapped to the registry;
7. an organisation registry family whose pattern starts a word of the name (earliest match wins);
otherwise the name is **unmatched**: listed, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict

from modelrace._yaml import parse_yaml
from modelrace.knowledge import implausible_size, params_from_name
from modelrace.registry import Organisation, Registry, load_registry


class _Developer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    country: str


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    match: str
    developer: str
    family: str


class Aliases(BaseModel):
    """The curated knowledge file."""

    model_config = ConfigDict(extra="forbid")
    version: int
    developers: list[_Developer]
    organisations: dict[str, str]
    closed_lines: list[_Line]
    open_lines: list[_Line]
    hub_ids: dict[str, str]
    params: dict[str, tuple[float, float | None]]
    reasoning: list[str]


@cache
def load_aliases() -> Aliases:
    """The alias table shipped in the package."""
    text = resources.files("modelrace.ranking").joinpath("data/aliases.yaml").read_text("utf-8")
    return parse_yaml(text, "aliases.yaml", Aliases)


@dataclass(frozen=True)
class SourceFacts:
    """What a source states of a model that resolution may use: its organisation, sizes, openness, reasoning, and
    whether its name is a Hub id. Every fact is optional: a source states what it states."""

    organisation: str | None = None
    open_weights: bool | None = None
    reasoning: bool = False
    params_total: float | None = None  # None (or 0): not stated
    params_active: float | None = None
    is_hub_id: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any], *, is_hub_id: bool = False) -> SourceFacts:
        """The facts of a stored source-model row; the columns a row lacks are unknown."""
        organisation, open_weights = row.get("organisation"), row.get("open_weights")
        total, active = row.get("params_total"), row.get("params_active")
        return cls(
            organisation=str(organisation) if organisation else None,
            open_weights=None if open_weights is None else bool(open_weights),
            reasoning=bool(row.get("reasoning")),
            params_total=float(total) if total else None,
            params_active=None if active is None else float(active),
            is_hub_id=is_hub_id,
        )


NO_FACTS = SourceFacts()


@dataclass(frozen=True)
class Entity:
    """What a source's model name is, as far as the rules can tell."""

    key: str
    name: str
    hub_id: str | None
    developer: str
    country: str
    family: str | None
    open_weights: bool | None
    reasoning: bool
    params_total: float | None
    params_active: float | None
    params_source: str | None
    method: str
    steps: tuple[str, ...] = field(default=())

    @property
    def matched(self) -> bool:
        """Whether the rules found a developer."""
        return self.method != "unmatched"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "key": self.key,
            "name": self.name,
            "hub_id": self.hub_id,
            "developer": self.developer,
            "country": self.country,
            "family": self.family,
            "open_weights": self.open_weights,
            "reasoning": self.reasoning,
            "params_total": self.params_total,
            "params_active": self.params_active,
            "params_source": self.params_source,
            "method": self.method,
            "steps": list(self.steps),
        }


MIN_NAMED_PARAMS = 1e7  # a name's size below this ("7M" of a data-set tag) is no better than the source's

_QUALIFIER = re.compile(r"\s*\(([^)]*)\)")
# Checkpoints whose stored tensors pack several parameters (a count read from them is too small).
_PACKED = re.compile(r"bnb[-_]?4bit|[-_]4bit|[-_](awq|gptq)\b|[-_]int4\b", re.IGNORECASE)
# A precision or quantisation tail of a Hub id: the same model's weights, with the same parameter count.
_PRECISION = re.compile(r"[-_](fp8|fp4|bf16|fp16|int4|int8|awq|gptq|bnb-4bit|w4a16|w8a8)(-dynamic)?$", re.IGNORECASE)
_SERVING = re.compile(
    r"\b(fp8|fp4|fp16|bf16|turbo|fast|vertex|ai[ _]studio|latency optimized|standard|throughput|reference|"
    r"snowflake|base)\b"
)


def entity_key(name: str) -> str:
    """A name without serving qualifiers ('Llama 3.1 70B (Turbo, FP8)' -> 'llama-3.1-70b'); effort stays."""
    lowered = name.strip().lower()

    def keep(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if _SERVING.search(inner) or re.match(r"^[a-z]{3,5} '?\d{2}$", inner) or "'" in inner:
            return ""
        return f"-{inner}"

    lowered = _QUALIFIER.sub(keep, lowered)
    lowered = re.sub(r"\s+(vertex|fast|turbo|standard|latency optimized|base)$", "", lowered)
    return re.sub(r"[\s_]+", "-", lowered).strip("-")


class Resolver:
    """Resolve source names against the registries and a set of known Hub ids."""

    def __init__(
        self, registry: Registry | None = None, aliases: Aliases | None = None, hub_ids: Iterable[str] = ()
    ) -> None:
        self.registry = registry or load_registry()
        self.aliases = aliases or load_aliases()
        self._extra = {d.id: d for d in self.aliases.developers}
        self._orgs = {o.id: o for o in self.registry.organisations}
        self._closed = [(re.compile(line.match), line) for line in self.aliases.closed_lines]
        self._open = [(re.compile(line.match), line) for line in self.aliases.open_lines]
        self._reasoning = re.compile("|".join(f"(?:{p})" for p in self.aliases.reasoning))
        self._by_repo: dict[str, list[str]] = {}
        self._hub_ids: dict[str, str] = {}
        for hub_id in hub_ids:
            self.add_hub_id(hub_id)
        for hub_id in self.aliases.hub_ids.values():
            self.add_hub_id(hub_id)

    def add_hub_id(self, hub_id: str) -> None:
        """Make a Hub id known for repository-name matching."""
        if "/" not in hub_id or hub_id.lower() in self._hub_ids:
            return
        self._hub_ids[hub_id.lower()] = hub_id
        namespace, repo = hub_id.split("/", 1)
        organisation = self.registry.organisation(namespace)
        if organisation is not None and organisation.kind not in ("re-uploader", "test-fixture"):
            self._by_repo.setdefault(repo.lower(), []).append(hub_id)

    def developer_name(self, developer_id: str) -> str | None:
        """The name of a developer id of the registry or the alias table (None when neither knows it)."""
        if developer_id in self._orgs or developer_id in self._extra:
            return self._developer(developer_id)[0]
        return None

    def _developer(self, developer_id: str) -> tuple[str, str]:
        if developer_id in self._orgs:
            organisation = self._orgs[developer_id]
            return organisation.name, organisation.country or "unattributed"
        extra = self._extra[developer_id]
        return extra.name, extra.country

    def resolve(self, name: str, facts: SourceFacts | None = None) -> Entity:
        """Resolve one name; ``facts`` are what its source states of it (organisation, size, open flag, ...)."""
        info = facts or NO_FACTS
        steps = [f"source name {name!r}"]
        lowered = name.strip().lower()
        hub_id: str | None = self.aliases.hub_ids.get(lowered)
        method = "alias" if hub_id else ""
        if hub_id:
            steps.append(f"curated alias -> {hub_id}")
        candidate = name.strip()
        if not hub_id and "/" in candidate:
            namespace, repo = candidate.split("/", 1)
            known = self._hub_ids.get(candidate.lower())
            if known or self.registry.organisation(namespace) is not None or info.is_hub_id:
                hub_id, method = known or candidate, "hub-id"
                steps.append(f"Hub id {hub_id}")
            else:
                steps.append(
                    f"namespace {namespace!r} is not a known developer (a provider prefix): resolving {repo!r}"
                )
                candidate, lowered = repo, repo.lower()
        key = entity_key(candidate)
        if not hub_id:
            for option in (lowered, key):
                matches = self._by_repo.get(option, [])
                if len(matches) == 1:
                    hub_id, method = matches[0], "hub-name"
                    steps.append(f"repository name {option!r} matches the known Hub model {hub_id}")
                    break
                if len(matches) > 1:
                    steps.append(f"repository name {option!r} matches several Hub models {matches}: not chosen")
        developer_id: str | None = None
        family: str | None = None
        open_weights: bool | None = info.open_weights
        if hub_id:
            attribution = self.registry.developer(hub_id)
            if attribution.organisation is not None:
                developer_id, family = attribution.organisation.id, attribution.family
            open_weights = True
        else:
            for pattern, line in self._closed:
                if pattern.search(lowered):
                    developer_id, family, open_weights, method = line.developer, line.family, False, "closed-line"
                    steps.append(f"closed model line {line.family!r} ({line.match})")
                    break
        if developer_id is None and not hub_id:
            for pattern, line in self._open:
                if pattern.search(lowered):
                    developer_id, family, method = line.developer, line.family, "open-line"
                    steps.append(f"open model line {line.family!r} ({line.match})")
                    break
        if developer_id is None and info.organisation:
            first = info.organisation.split(",")[0].strip().lower()
            mapped = self.aliases.organisations.get(first)
            if mapped:
                developer_id, method = mapped, "source-organisation"
                family = self._family_of(mapped, candidate)
                steps.append(f"the source's organisation {info.organisation!r} -> {mapped}")
            else:
                steps.append(f"the source's organisation {info.organisation!r} is not known")
        if developer_id is None and not hub_id and not info.organisation:
            # A source that names the developer is believed: no family guess over an organisation it gives.
            found = self._family_match(lowered)
            if found:
                organisation, family = found
                developer_id, method = organisation.id, "family"
                steps.append(f"registry family {family!r} of {organisation.name}")
        if developer_id is not None and open_weights is None:
            open_weights = True if method in ("open-line", "family") else None
        developer, country = self._developer(developer_id) if developer_id else ("unattributed", "unattributed")
        if developer_id is None and not hub_id:
            method = "unmatched"
            steps.append("unmatched: no rule applies (add it to ranking/data/aliases.yaml if you know it)")
        elif not method:
            method = "hub-id"
        total, active, params_source = self._params(hub_id, candidate, info)
        if params_source and params_source.startswith("unknown:"):
            steps.append(f"parameters {params_source}")
            params_source = None
        if total:
            steps.append(
                f"parameters {total / 1e9:,.1f} B"
                + (f", {active / 1e9:,.1f} B active" if active else "")
                + f" ({params_source})"
            )
        reasoning = info.reasoning or bool(self._reasoning.search(lowered))
        return Entity(
            key=hub_id or key,
            name=hub_id or candidate,
            hub_id=hub_id,
            developer=developer,
            country=country,
            family=family,
            open_weights=open_weights,
            reasoning=reasoning,
            params_total=total,
            params_active=active,
            params_source=params_source,
            method=method,
            steps=tuple(steps),
        )

    def _family_of(self, developer_id: str, name: str) -> str | None:
        organisation = self._orgs.get(developer_id)
        return organisation.family_of(name) if organisation else None

    def _family_match(self, lowered: str) -> tuple[Organisation, str] | None:
        attribution = self.registry.developer(f"bartowski/{lowered}")  # a re-uploader's name rule: earliest match
        if attribution.organisation is None or attribution.family is None:
            return None
        return attribution.organisation, attribution.family

    def _params(
        self, hub_id: str | None, name: str, info: SourceFacts
    ) -> tuple[float | None, float | None, str | None]:
        for known in (hub_id, _PRECISION.sub("", hub_id) if hub_id else None):  # -FP8: the same model's weights
            if known and known in self.aliases.params:
                total, active = self.aliases.params[known]
                return total, active, "model card (curated)"
        # What the source states (a leaderboard reads it from the weights) before what a name suggests (names
        # mislead: "1_8b", "-3T" tokens, "-1M" context), unless the weights are packed: a 4-bit checkpoint counts
        # about half its parameters (phi-4-bnb-4bit as 8.5 B); the name's size is taken then only when it is the
        # larger one by a packing's factor, else the size is unknown.
        parsed = params_from_name(hub_id or name)
        if info.params_total:
            stated = info.params_total
            if _PACKED.search(hub_id or name):
                if parsed is not None and 1.2 <= parsed.total / stated <= 4.5:
                    return float(parsed.total), float(parsed.active) if parsed.active else None, "name (packed weights)"
                return None, None, f"unknown: the source's {stated / 1e9:,.3g} B counts packed 4-bit weights"
            doubt = implausible_size(stated, hub_id or name)
            if doubt is None:
                return stated, info.params_active, "source"
            # an implausible stated size: the name's, where it states one, else unknown; `resolve` shows why
            if parsed is not None and parsed.total >= MIN_NAMED_PARAMS:
                active = float(parsed.active) if parsed.active else None
                return float(parsed.total), active, f"name (the source's size is implausible: {doubt})"
            return None, None, f"unknown: the source's size is implausible: {doubt}"
        if parsed is not None:
            return float(parsed.total), float(parsed.active) if parsed.active else info.params_active, "name"
        return None, None, None
