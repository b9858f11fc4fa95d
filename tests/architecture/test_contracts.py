"""The contracts between layers, enforced (issue #24): typed rows in public results, and no module too long.

A public result is a dataclass or pydantic model a package exports (its ``__all__``), or what a function it exports
returns. Its fields, and those return types, may not be typed ``Any`` or ``dict[str, Any]`` anywhere inside (a list
of dicts, an optional dict, ...): consumers read attributes, not string keys. What really is JSON at the edge (a
Vega-Lite spec, a stored JSON column as read, an HTTP body) is named in ``JSON_AT_THE_EDGE`` with the reason.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "modelrace"
TYPED_PACKAGES = ("ranking", "adoption", "answers", "report", "evals", "licensing", "serving")
MAX_MODULE_LINES = 450

JSON_AT_THE_EDGE: dict[tuple[str, str], str] = {
    ("Chart", "spec"): "a Vega-Lite specification is JSON by definition",
    ("GgufHeader", "meta"): "a GGUF file's metadata as read, before any key is interpreted",
    ("ServedInfo", "extra_body"): "the request body fields sent to the server as given (--extra-body)",
    ("TaskSpec", "dataset_kwargs"): "keyword arguments handed to datasets.load_dataset as written in the task file",
    ("EvalRun", "manifest"): "the stored manifest JSON as read: an earlier version's manifest is kept whole",
}


def _loose(annotation: Any) -> bool:
    """Whether an annotation is, or holds, ``Any`` (a ``dict[str, Any]``, ``list[dict[str, Any]]``, ...)."""
    if annotation is Any:
        return True
    if typing.get_origin(annotation) is np.ndarray:  # a numeric array: its element type is its dtype
        return False
    return any(_loose(argument) for argument in typing.get_args(annotation))


def _fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    if dataclasses.is_dataclass(cls):
        return {field.name: hints[field.name] for field in dataclasses.fields(cls)}
    if issubclass(cls, BaseModel):
        return {name: hints[name] for name in cls.model_fields}
    return {}


def _public_classes() -> list[tuple[str, type]]:
    found = []
    for package in TYPED_PACKAGES:
        module = importlib.import_module(f"modelrace.{package}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, type) and (dataclasses.is_dataclass(value) or issubclass(value, BaseModel)):
                found.append((package, value))
    return found


@pytest.mark.parametrize(("package", "cls"), _public_classes(), ids=lambda value: getattr(value, "__name__", value))
def test_public_results_have_typed_fields(package: str, cls: type) -> None:
    loose = [
        name
        for name, annotation in _fields(cls).items()
        if _loose(annotation) and (cls.__name__, name) not in JSON_AT_THE_EDGE
    ]
    assert not loose, f"modelrace.{package}.{cls.__name__}: fields typed Any or dict[str, Any]: {loose}"


def _public_functions() -> list[tuple[str, Any]]:
    found = []
    for package in TYPED_PACKAGES:
        module = importlib.import_module(f"modelrace.{package}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isfunction(value):
                found.append((package, value))
    return found


@pytest.mark.parametrize(
    ("package", "function"), _public_functions(), ids=lambda value: getattr(value, "__name__", value)
)
def test_public_functions_return_typed_results(package: str, function: Any) -> None:
    returned = typing.get_type_hints(function).get("return")
    assert returned is not None, f"modelrace.{package}.{function.__name__} has no return annotation"
    assert not _loose(returned), f"modelrace.{package}.{function.__name__} returns {returned}"


def test_the_contract_check_sees_a_loose_field() -> None:
    @dataclasses.dataclass(frozen=True)
    class Loose:
        rows: list[dict[str, Any]]
        fine: dict[str, int]

    assert [name for name, annotation in _fields(Loose).items() if _loose(annotation)] == ["rows"]


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"
