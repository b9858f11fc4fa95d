"""What the model answered on one item, by kind of scoring: the run store keeps it as the item's JSON output.

The field order is the stored JSON's key order (run summaries read ``choice``, ``truncated`` and ``samples`` back).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


class ItemOutput:
    """Base of the outputs: :meth:`stored` is the JSON the run store writes."""

    def stored(self) -> dict[str, object]:
        """The output as stored (fields in declaration order, nested samples as objects)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class ChoiceOutput(ItemOutput):
    """Multiple choice by log-likelihood: each choice's log-probability, the pick, gold and the chosen text; under
    a protocol (acc_norm decides) also the length-normalised pick, and ``choice`` is that pick's text."""

    logprobs: tuple[float, ...]
    predicted: int
    gold: int
    choice: str
    predicted_norm: int | None = None  # only under a protocol (left out of the JSON otherwise)

    def stored(self) -> dict[str, object]:
        """As stored: without ``predicted_norm`` where no protocol picked by it."""
        data = super().stored()
        if self.predicted_norm is None:
            del data["predicted_norm"]
        return data


@dataclass(frozen=True)
class LetterOutput(ItemOutput):
    """Multiple choice asked in a chat (no log-probabilities): the answer text and the letter read from it."""

    answer: str
    predicted: int | None
    gold: int
    choice: str | None


@dataclass(frozen=True)
class CotOutput(ItemOutput):
    """A chain-of-thought protocol answer: what the protocol's filter extracted, the whole text, truncation."""

    answer: str
    text: str
    truncated: bool


@dataclass(frozen=True)
class GenerationOutput(ItemOutput):
    """A generated answer: as compared, the whole text, the reasoning tokens and truncation."""

    answer: str
    text: str
    reasoning_tokens: int | None
    truncated: bool


@dataclass(frozen=True)
class CodeSample:
    """One sampled program's outcome in the sandbox, with the completion and the end of its stderr."""

    status: str
    completion: str
    truncated: bool
    stderr: str


@dataclass(frozen=True)
class CodeOutput(ItemOutput):
    """Code: every sample's outcome, and how many of the ``n`` passed."""

    samples: tuple[CodeSample, ...]
    passed: int
    n: int
