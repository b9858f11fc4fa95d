"""Uncertainty for published scores, and when a lead is statistically real.

- A source that publishes a 95 % interval (LMArena's bootstrap bounds, lm-eval's stderr) gives the standard
  error as its width / 3.92.
- Otherwise, for an accuracy on a benchmark of n items, the binomial standard error sqrt(p (1 - p) / n),
  in the score's units (points = 100 x fraction). For scores that average sub-tasks or are rescaled (the Open LLM
  Leaderboard's normalised scores) this is an approximation, and is labelled so.
- Two scores differ significantly when |a - b| > 1.96 sqrt(se_a^2 + se_b^2) (independent samples, 95 %).
  Without standard errors nothing is called significant and only equal scores tie.
"""

from __future__ import annotations

import math

Z95 = 1.96


def standard_error(
    value: float, scale: str, ci_low: float | None, ci_high: float | None, n_items: int | None
) -> tuple[float | None, str]:
    """The standard error of a published score, and how it was obtained."""
    if ci_low is not None and ci_high is not None and ci_high >= ci_low:
        return (ci_high - ci_low) / (2 * Z95), "published 95 % interval"
    if n_items and scale in ("fraction", "points"):
        unit = 1.0 if scale == "fraction" else 100.0
        p = min(max(value / unit, 0.0), 1.0)
        return unit * math.sqrt(p * (1 - p) / n_items), f"binomial, n = {n_items}"
    return None, "none"


def significant(a: float, se_a: float | None, b: float, se_b: float | None) -> bool | None:
    """Whether a and b differ at 95 %; None when either has no standard error (and they differ)."""
    if a == b:
        return False
    if se_a is None or se_b is None:
        return None
    spread = math.sqrt(se_a**2 + se_b**2)
    return abs(a - b) > Z95 * spread if spread > 0 else True
