"""Parameter counts parsed from a model's name: a marked fallback when safetensors metadata is absent."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
# "8x7B" (experts x size), "235B", "0.5B", "135M"; not "v1.5", "3.1", "4bit", "128k" context (no unit k).
_EXPERTS = re.compile(r"(?<![a-z0-9.])(\d{1,3})x(\d{1,4}(?:\.\d{1,3})?)([bm])(?![a-z0-9])", re.IGNORECASE)
_SIZE = re.compile(r"(?<![a-z0-9.])(a)?(\d{1,4}(?:\.\d{1,3})?)([bmt])(?![a-z0-9])", re.IGNORECASE)
# "Llama-4-Maverick-17B-128E": a size followed by an experts count is the active size (17 B of 400 B); the name
# says nothing of the total. Two digits at least, and no "-5" after (a learning rate: "llama3-8b-2e-5").
_ACTIVE_WITH_EXPERTS = re.compile(r"(?<![a-z0-9.])\d{1,4}(?:\.\d{1,3})?[bm]-\d{2,4}e(?![a-z0-9])(?!-\d)", re.IGNORECASE)


@dataclass(frozen=True)
class NameParams:
    """Total and (for MoE names like ``-A22B``) active parameters read from a name."""

    total: int
    active: int | None


def params_from_name(model_id: str) -> NameParams | None:
    """Parse ``Qwen3-235B-A22B`` -> 235e9 total, 22e9 active; ``Mixtral-8x7B`` -> 56e9 (an upper bound);
    ``Llama-4-Maverick-17B-128E`` -> None (17 B is its active size; the total is not in the name).

    Where a name holds several sizes the largest is the model's: the others count data or context
    (``Infinity-Instruct-3M-0625-Llama3-8B`` is an 8B model tuned on 3 M instructions; ``Qwen2.5-7B-Instruct-1M``
    reads a million tokens).
    """
    name = model_id.rsplit("/", 1)[-1]
    if _ACTIVE_WITH_EXPERTS.search(name):
        return None  # a total read from it would be the active size (Maverick 17B-128E as a 17 B model)
    experts = _EXPERTS.search(name)
    if experts:
        count, size, unit = experts.groups()
        return NameParams(round(int(count) * float(size) * _UNITS[unit.lower()]), None)
    total: int | None = None
    active: int | None = None
    for match in _SIZE.finditer(name):
        is_active, size, unit = match.groups()
        value = round(float(size) * _UNITS[unit.lower()])
        if value <= 0:
            continue
        if is_active:
            active = active or value
        elif total is None or value > total:
            total = value
    if total is None:
        return None
    if active is not None and active >= total:
        active = None
    return NameParams(total, active)


# Below this no causal language model is plausible: a 32k-token vocabulary embedded at width 256 alone holds 8 M
# parameters, and the smallest models on the leaderboards (Minueza-32M, llama-43m) have 30 M or more.
MIN_PLAUSIBLE_PARAMS = 1e7
# A stated size and the size in the model's name further apart than this are not the same model's count (a
# packed or partly stored checkpoint, a typo); within it they are rounding ("7B" for 7.6 B, "70B" for 70.6 B).
NAME_AGREEMENT_FACTOR = 1.5


def implausible_size(stated: float, model_id: str) -> str | None:
    """Why a source's parameter count for ``model_id`` cannot be its size (None: plausible).

    Rules, in order: not a positive count; fewer than ``MIN_PLAUSIBLE_PARAMS``; more than
    ``NAME_AGREEMENT_FACTOR`` away from a size the name states (``Chocolatine-Fusion-14B`` at 8.4 B)."""
    if not stated > 0:
        return f"{stated:g} is not a parameter count"
    if stated < MIN_PLAUSIBLE_PARAMS:
        return (
            f"{stated / 1e6:,.3g} M parameters is below any causal language model (a 32k vocabulary at width 256 "
            f"alone is 8 M)"
        )
    named = params_from_name(model_id)
    if named is None or 1 / NAME_AGREEMENT_FACTOR <= named.total / stated <= NAME_AGREEMENT_FACTOR:
        return None
    if not _clean_size_token(model_id.rsplit("/", 1)[-1], named.total):
        return None  # "internlm2-chat-1_8b": the name's "8b" may be a decimal's tail; the source is believed
    return f"{stated / 1e9:,.3g} B disagrees with the {named.total / 1e9:,.3g} B its name states"


def _clean_size_token(name: str, total: float) -> bool:
    """Whether the name states ``total`` as a token of its own ("-14B", "14B-", "8x7B"), not after an underscore or
    a digit's separator ("1_8b" reads as 1.8 B as often as 8 B)."""
    for match in re.finditer(r"(?:^|[-\s])(\d{1,3}x)?(\d{1,4}(?:\.\d{1,3})?)([bmt])(?=$|[-_\s.])", name, re.IGNORECASE):
        experts, size, unit = match.groups()
        value = float(size) * _UNITS[unit.lower()] * (int(experts[:-1]) if experts else 1)
        if abs(value - total) <= 1e-6 * total:
            return True
    return False
