"""Published results: importers for public leaderboards and harness outputs, and their storage.

Owns reading each publisher's format and storing result imports with their source and data date. Imports
``store`` and ``knowledge``; never the analyses (``ranking`` reads what it stores), ``report`` or ``cli``.
"""

from modelrace.sources._epoch import epoch_countries
from modelrace.sources._importers import IMPORTER_INFO, IMPORTERS, ImporterInfo
from modelrace.sources._leaderboards import normalise_oll
from modelrace.sources._model import DataDate, ImportBatch, Result, SourceModel, data_date, date_from_name, dating
from modelrace.sources._store import (
    ImportList,
    ImportSummary,
    ResultImportInfo,
    drop_import,
    import_results,
    list_imports,
)

__all__ = [
    "IMPORTERS",
    "IMPORTER_INFO",
    "DataDate",
    "ImportBatch",
    "ImportList",
    "ImportSummary",
    "ImporterInfo",
    "Result",
    "ResultImportInfo",
    "SourceModel",
    "data_date",
    "date_from_name",
    "dating",
    "drop_import",
    "epoch_countries",
    "import_results",
    "list_imports",
    "normalise_oll",
]
