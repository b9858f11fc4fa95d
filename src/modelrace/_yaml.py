"""Curated data files: YAML validated against a pydantic schema, with errors that say where."""

from __future__ import annotations

from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from modelrace.errors import RegistryError

ModelT = TypeVar("ModelT", bound=BaseModel)
# libyaml's loader where PyYAML was built with it: the registries load about ten times faster than with the pure
# Python one (4 s of a report's time on a loaded machine); both are YAML 1.1 safe loaders and read the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, source: str, schema: type[ModelT]) -> ModelT:
    """Parse ``text`` as YAML and validate it; a problem is one RegistryError naming the file and field."""
    try:
        raw = yaml.load(text, Loader=_LOADER)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as error:
        raise RegistryError(f"{source} is not valid YAML: {error}") from None
    try:
        return schema.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RegistryError(f"{source}: {where}: {first['msg']}") from None
