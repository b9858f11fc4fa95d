"""Loading the package's curated data files against their schemas."""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

from pydantic import BaseModel

from modelrace._yaml import parse_yaml

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def load_data(name: str, schema: type[SchemaT]) -> SchemaT:
    """Read ``knowledge/data/<name>`` and validate it (file and field named in any error)."""
    resource = resources.files("modelrace.knowledge").joinpath("data", name)
    return parse_yaml(resource.read_text(encoding="utf-8"), f"modelrace/knowledge/data/{name}", schema)
