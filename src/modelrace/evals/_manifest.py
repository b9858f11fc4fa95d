"""A run's reproducibility manifest: everything that determines its results, typed (the run store keeps its JSON
and its hash is the run id; :func:`modelrace.evals._runner.manifest` builds it)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.evals._backends import BackendInfo

__all__ = ["Fewshot", "ManifestTask", "RunManifest", "Sampling"]


@dataclass(frozen=True)
class ManifestTask:
    """The task a run evaluated: its id, version, content hash, and items run of those available."""

    id: str
    version: int
    hash: str
    items: int
    available: int | None


@dataclass(frozen=True)
class Fewshot:
    """How many solved examples precede each item, and the seed that drew them."""

    n: int
    seed: int


@dataclass(frozen=True)
class Sampling:
    """Decoding: greedy (temperature 0), the token budget, stop sequences, samples per item."""

    temperature: int
    max_tokens: int
    stop: tuple[str, ...]
    samples: int


@dataclass(frozen=True)
class RunManifest(JsonResult):
    """Everything that determines a run's results: its hash is the run id, its JSON is stored with the run.

    The field order is the stored JSON's key order; ``protocol`` is left out of the JSON when the task follows none,
    so run ids from before it was recorded stand.
    """

    protocol: str | None
    task: ManifestTask
    prompt_template: str
    fewshot: Fewshot
    chat_template: bool
    model: BackendInfo
    sampling: Sampling
    seed: int
    modelrace: str

    def __json__(self) -> dict[str, object]:
        """As stored: the fields in order, without ``protocol`` when there is none."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if not (field.name == "protocol" and self.protocol is None)
        }
