"""One serialiser from typed results to JSON-ready values: every ``--json`` output and the report's figures."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def to_jsonable(value: Any) -> Any:
    """Dataclasses and pydantic models as dicts (fields in declaration order), dates as ISO text, paths as
    text, tuples as lists, non-finite floats as None; anything else JSON already knows passes through.

    A dataclass whose class defines ``__json__`` is serialised from what that returns (a mapping, or the value a
    row stands for): the one hook for a row whose JSON keys differ from its fields (a column named by its
    breakdown, a field moved first); see :func:`fields_first`. The hook is looked up on the dataclass's class."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hook = getattr(type(value), "__json__", None)
        if hook is not None:
            return to_jsonable(hook(value))
        return {field.name: to_jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump())
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def fields_first(value: Any, first: tuple[str, ...]) -> dict[str, Any]:
    """A dataclass's fields as a mapping, the ``first`` ones first, then the rest in declaration order."""
    names = [field.name for field in dataclasses.fields(value)]
    order = [*first, *(name for name in names if name not in first)]
    return {name: getattr(value, name) for name in order}


class JsonResult:
    """Mixin for frozen result dataclasses: ``to_json()`` through the one serialiser."""

    def to_json(self) -> Any:
        """The JSON-ready form (what ``--json`` prints)."""
        return to_jsonable(self)
