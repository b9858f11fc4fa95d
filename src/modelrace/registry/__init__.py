"""The organisation registry: Hub namespaces -> organisation, kind, country and families, shipped as data.

Owns attribution of a model id to its uploader and (through its root) its developer. Imports ``knowledge``,
``errors`` and ``_yaml`` only; never the warehouse, the analyses or the network.
"""

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
