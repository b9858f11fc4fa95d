"""One exception hierarchy: the CLI turns every ModelraceError into a one-line message and exit code.

The exit-code rule (README, "Commands"): 2 where the fix is in the command line (:class:`ConfigError` and click's
usage errors), 1 where it is in the data or the environment (every other error), 130 on Ctrl-C.
"""

from __future__ import annotations


class ModelraceError(Exception):
    """Base of every error a user can cause or fix; never shown as a traceback."""

    exit_code = 1


class ConfigError(ModelraceError):
    """A setting, path or option is wrong."""

    exit_code = 2


class WarehouseError(ModelraceError):
    """The DuckDB warehouse cannot be opened, migrated or written."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the warehouse's write lock."""


class NotFoundError(ModelraceError):
    """A model, snapshot or other named thing is not in the warehouse."""


class HubError(ModelraceError):
    """The Hugging Face Hub (or the endpoint in HF_ENDPOINT) failed or is unreachable."""


class ImportFormatError(ModelraceError):
    """An input file is not in the format its importer reads."""


class ImportRefusedError(ModelraceError):
    """An import (or sync) would damage the warehouse: it stores nothing, rejects most of what it read, or is
    much smaller than the previous import of the same source. Nothing was written."""


def refused_import(subject: str, what: str, reasons: dict[str, int]) -> ImportRefusedError:
    """The refusal of an import that stores nothing or rejects most of what it read, with its five commonest
    reasons, as every importer words it."""
    shown = "; ".join(f"{n:,} x {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:5])
    return ImportRefusedError(
        f"{subject}: refused, {what}"
        + (f" (reasons: {shown})" if shown else "")
        + "; nothing was stored. Pass --allow-partial to store it anyway"
    )


class AlreadyImportedError(ImportRefusedError):
    """The file is stored already (as ``snapshot_id``): importing it again would make a second, identical
    snapshot. Nothing was written; the CLI says so and exits 0, as a results import of a stored file does."""

    def __init__(self, message: str, snapshot_id: int) -> None:
        super().__init__(message)
        self.snapshot_id = snapshot_id


class RegistryError(ModelraceError):
    """Curated data shipped in the package (organisations, licences, ...) failed its schema."""
