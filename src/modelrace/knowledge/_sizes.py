"""Size classes: by total or active parameters, or by the memory the weights need at a precision."""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

SizeBy = Literal["total", "active", "bf16", "fp8", "int4"]


class SizeByChoice(StrEnum):
    """The size schemes as command-line choices (the same names as :data:`SizeBy`)."""

    total = "total"
    active = "active"
    bf16 = "bf16"
    fp8 = "fp8"
    int4 = "int4"

    @property
    def scheme(self) -> SizeBy:
        """The scheme as analyses take it."""
        schemes: dict[str, SizeBy] = {
            "total": "total",
            "active": "active",
            "bf16": "bf16",
            "fp8": "fp8",
            "int4": "int4",
        }
        return schemes[self.value]


PARAM_CLASSES: Final[tuple[tuple[str, float], ...]] = (
    ("<1B", 1e9),
    ("1-3B", 3e9),
    ("3-10B", 10e9),
    ("10-40B", 40e9),
    ("40-100B", 100e9),
    (">100B", float("inf")),
)
# Common accelerator memory sizes: a laptop/consumer GPU, 24 GiB cards, 48 GiB, one 80 GiB H100, two.
MEMORY_CLASSES: Final[tuple[tuple[str, float], ...]] = (
    ("<=8GiB", 8),
    ("<=16GiB", 16),
    ("<=24GiB", 24),
    ("<=48GiB", 48),
    ("<=80GiB", 80),
    ("<=160GiB", 160),
    (">160GiB", float("inf")),
)
BYTES_PER_PARAM: Final = {"bf16": 2.0, "fp8": 1.0, "int4": 0.5}
UNKNOWN: Final = "unknown size"


def class_names(size_by: SizeBy) -> list[str]:
    """The classes of a scheme, smallest first."""
    return [name for name, _ in (PARAM_CLASSES if size_by in ("total", "active") else MEMORY_CLASSES)]


def weights_gib(params: float, precision: str) -> float:
    """Memory for the weights alone (no KV cache or activations) at a precision, in GiB."""
    return params * BYTES_PER_PARAM[precision] / 2**30


def size_class(total: float | None, active: float | None, size_by: SizeBy) -> str:
    """The class of a model; MoE models use active parameters under ``active``."""
    params = (active or total) if size_by == "active" else total
    if not params:
        return UNKNOWN
    if size_by in ("total", "active"):
        return next(name for name, upper in PARAM_CLASSES if params < upper)
    gib = weights_gib(params, size_by)
    return next(name for name, upper in MEMORY_CLASSES if gib <= upper)


def param_class_sql(column: str = "params", unknown: str = "unknown") -> str:
    """A SQL CASE expression putting ``column`` (total parameters) into the parameter classes."""
    cases = " ".join(
        f"WHEN {column} < {upper:.0f} THEN '{name}'" if upper != float("inf") else f"ELSE '{name}'"
        for name, upper in PARAM_CLASSES
    )
    return f"CASE WHEN {column} IS NULL THEN '{unknown}' {cases} END"
