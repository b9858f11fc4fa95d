"""Published results: importers for public leaderboards and harness outputs, and their storage."""

from modelrace.sources._importers import IMPORTER_INFO, IMPORTERS, ImporterInfo, epoch_countries, normalise_oll
from modelrace.sources._model import ImportBatch, Result, SourceModel, benchmark_catalog, data_date, n_items
from modelrace.sources._store import ImportSummary, import_results

__all__ = [
    "IMPORTERS",
    "IMPORTER_INFO",
    "ImportBatch",
    "ImportSummary",
    "ImporterInfo",
    "Result",
    "SourceModel",
    "benchmark_catalog",
    "data_date",
    "epoch_countries",
    "import_results",
    "n_items",
    "normalise_oll",
]
