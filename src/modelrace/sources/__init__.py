"""Published results: importers for public leaderboards and harness outputs, and their storage.

Owns reading each publisher's format and storing result imports with their source and data date. Imports
``store`` and ``knowledge``; never the analyses (``ranking`` reads what it stores), ``report`` or ``cli``.
"""

from modelrace.sources._importers import IMPORTER_INFO, IMPORTERS, ImporterInfo, epoch_countries, normalise_oll
from modelrace.sources._model import ImportBatch, Result, SourceModel, data_date
from modelrace.sources._store import ImportSummary, import_results

__all__ = [
    "IMPORTERS",
    "IMPORTER_INFO",
    "ImportBatch",
    "ImportSummary",
    "ImporterInfo",
    "Result",
    "SourceModel",
    "data_date",
    "epoch_countries",
    "import_results",
    "normalise_oll",
]
