"""What a replay replays, told to the client: the file, the data's own date, its selection and the facts it lacks
(response headers on every listing page)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPLAY_FILE_HEADER = "X-Modelrace-Replay-File"
REPLAY_DATE_HEADER = "X-Modelrace-Replay-Data-Date"
REPLAY_SELECTION_HEADER = "X-Modelrace-Replay-Selection"
REPLAY_LACKS_HEADER = "X-Modelrace-Replay-Lacks"
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")


@dataclass(frozen=True)
class ReplayProvenance:
    """What a replay serves: the file, the date of its data, how its models were chosen, what it lacks."""

    file: str
    data_date: str | None = None  # YYYY-MM-DD, or YYYY-MM when only the month is known
    selection: str = "subset"  # complete | top-downloads | subset: a replayed file is a subset unless declared
    lacks: tuple[str, ...] = ()  # facts the file does not carry for every model ("license", "base_models")

    def headers(self) -> dict[str, str]:
        """The response headers that say it (ASCII only: a file name is percent-encoded)."""
        headers = {REPLAY_FILE_HEADER: quote(self.file, safe=" ._-()+,"), REPLAY_SELECTION_HEADER: self.selection}
        if self.data_date:
            headers[REPLAY_DATE_HEADER] = self.data_date
        if self.lacks:
            headers[REPLAY_LACKS_HEADER] = ",".join(self.lacks)
        return headers


def date_in_name(name: str) -> str | None:
    """The data date a file name gives ('x_2026-05.json' -> '2026-05', 'y_2024-09-20.json' -> '2024-09-20')."""
    match = _DATE_IN_NAME.search(name)
    if match is None:
        return None
    year, month, day = match.groups()
    if not 1 <= int(month) <= 12 or (day is not None and not 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}" + (f"-{day}" if day else "")


def replay_provenance(path: Path, models: Sequence[Any], selection: str | None = None) -> ReplayProvenance:
    """The provenance of a replay of ``path``: the date from the file name, else its newest ``lastModified``;
    what the file does not carry (llmfit's Hub figures hold no licence and no base model)."""
    dated = date_in_name(path.name)
    if dated is None:
        stamps = [str(m.get("lastModified") or "")[:10] for m in models if isinstance(m, dict)]
        dated = max((s for s in stamps if s), default=None)
    lacks: list[str] = []
    raw_llmfit = _is_llmfit(path)
    if raw_llmfit or not any(_states_licence(m) for m in models):
        lacks.append("license")
    if raw_llmfit:
        lacks.append("base_models")
    return ReplayProvenance(path.name, dated, selection or "subset", tuple(lacks))


def _is_llmfit(path: Path) -> bool:
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return '"hf_downloads"' in head


def _states_licence(model: Any) -> bool:
    if not isinstance(model, dict):
        return False
    tags = model.get("tags")
    card = model.get("cardData")
    return (isinstance(tags, list) and any(str(t).startswith("license:") for t in tags)) or (
        isinstance(card, dict) and bool(card.get("license"))
    )
