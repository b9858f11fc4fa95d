"""Curated data files: YAML validated against a pydantic schema, with errors that say where."""

from __future__ import annotations

from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from modelrace.errors import RegistryError

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_yaml(text: str, source: str, schema: type[ModelT]) -> ModelT:
    """Parse ``text`` as YAML and validate it; a problem is one RegistryError naming the file and field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegistryError(f"{source} is not valid YAML: {error}") from None
    try:
        return schema.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RegistryError(f"{source}: {where}: {first['msg']}") from None
