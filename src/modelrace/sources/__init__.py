"""Published results: importers for public leaderboards and harness outputs, and their storage.

Owns reading each publisher's format, storing result imports with their source and data date, and reading a
model's stored results and stated licences back (``model_results``, ``stated_licences``). Imports
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
from modelrace.sources._stored import StatedLicence, StoredResult, model_results, stated_licences

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
    "StatedLicence",
    "StoredResult",
    "data_date",
    "date_from_name",
    "dating",
    "drop_import",
    "epoch_countries",
    "import_results",
    "list_imports",
    "model_results",
    "normalise_oll",
    "stated_licences",
]
