"""Curated knowledge shipped as data: organisations, their namespaces, countries and families."""

from modelrace.registry._organisations import (
    UNATTRIBUTED,
    Attribution,
    Organisation,
    Registry,
    load_registry,
    load_registry_file,
)

__all__ = [
    "UNATTRIBUTED",
    "Attribution",
    "Organisation",
    "Registry",
    "load_registry",
    "load_registry_file",
]
