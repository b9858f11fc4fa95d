"""Which of a catalogue's scores stand for a model a person names, and what to say when none do.

A name is resolved by the ranking Resolver (aliases, Hub ids, model lines), giving an entity key. On each benchmark:

1. the score whose entity key is that key (case-insensitive) is the model's;
2. else a **dated or effort variant** stands for it: a key that is the model's key followed by ``-`` and only
   date parts (digit groups: ``2024-12-17``, ``0528``) or effort words (``high``, ``medium``, ``low``,
   ``minimal``, ``thinking``, ``reasoning``, ``latest``). ``o1`` is matched by ``o1-2024-12-17`` and
   ``o1-2024-12-17-high`` but never by ``o1-mini`` or ``o1-preview``. Where several variants are scored the best
   is kept, as the leaderboard keeps the best of a model's serving variants; the variant used is always named.

A name that matches no score anywhere is a :class:`~modelrace.errors.NotFoundError` listing the closest names the
catalogue holds: never a silent guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from modelrace.errors import NotFoundError
from modelrace.ranking import Benchmark, Catalogue, Entity, Score

How = Literal["exact", "variant"]
_EFFORT = frozenset({"high", "medium", "low", "minimal", "thinking", "reasoning", "latest"})
_DATE_PART = re.compile(r"^\d{2,8}$")


@dataclass(frozen=True)
class Found:
    """A model's score on one benchmark, and whether it is the model itself or a dated/effort variant."""

    score: Score
    how: How


def is_variant(key: str, of: str) -> bool:
    """Whether ``key`` is ``of`` followed only by date parts or effort words."""
    key, of = key.lower(), of.lower()
    if not key.startswith(of + "-"):
        return False
    parts = [p for p in re.split(r"[-_]", key[len(of) + 1 :]) if p]
    return bool(parts) and all(_DATE_PART.match(p) or p in _EFFORT for p in parts)


def find_score(benchmark: Benchmark, entity: Entity) -> Found | None:
    """The model's score on ``benchmark`` (itself, else its best dated/effort variant), or None."""
    key = entity.key.lower()
    variants: list[Score] = []
    for score in benchmark.scores:
        other = score.entity.key.lower()
        if other == key:
            return Found(score, "exact")
        if is_variant(other, key):
            variants.append(score)
    if variants:
        return Found(max(variants, key=lambda s: s.value), "variant")
    return None


def closest_names(catalogue: Catalogue, name: str, limit: int = 5) -> list[str]:
    """The catalogue's model names nearest to ``name`` (by spelling), for a 'did you mean' line."""
    names: dict[str, str] = {}
    for benchmark in catalogue.benchmarks.values():
        for score in benchmark.scores:
            if score.entity.matched:
                names.setdefault(score.entity.name.lower(), score.entity.name)
                names.setdefault(score.source_name.lower(), score.source_name)
    wanted = name.strip().lower()
    found = difflib.get_close_matches(wanted, list(names), n=limit * 3, cutoff=0.5)
    # a name that holds what was typed as whole words (a short name like "o1") is closer than spelling says
    whole = re.compile(rf"(^|[-_/ .]){re.escape(wanted)}($|[-_/ .])") if wanted else None
    containing = sorted((n for n in names if whole and whole.search(n)), key=len)[:limit]
    ordered = list(dict.fromkeys([*containing, *found]))
    return list(dict.fromkeys(names[n] for n in ordered))[:limit]


def resolve_scored(catalogue: Catalogue, name: str) -> Entity:
    """The entity ``name`` resolves to, provided some benchmark scores it (or a variant); else NotFoundError with
    the closest names."""
    if not name.strip():
        raise NotFoundError("give a model name (e.g. deepseek-r1, o1, Qwen/Qwen2.5-72B-Instruct)")
    entity = catalogue.resolver.resolve(name)
    if any(find_score(b, entity) for b in catalogue.benchmarks.values()):
        return entity
    closest = closest_names(catalogue, name)
    resolved = f" (it resolves to {entity.name})" if entity.matched and entity.name != name else ""
    hint = f"; closest names with results: {', '.join(closest)}" if closest else ""
    raise NotFoundError(f"no imported result names {name!r}{resolved}{hint}")
