"""Licence intelligence: what a company may do under each licence, and a verdict per licence and model.

Owns the licence registry (data/licences.yaml), the verdict rule, licence inheritance through the model tree and
the licence figures. Imports ``adoption`` (scopes), ``tree`` and ``store``; never ``report`` or ``cli``.
"""

from modelrace.licensing._analyses import (
    ConflictRow,
    LicenceConflicts,
    LicenceCoverage,
    LicenceFigures,
    LicenceRow,
    SourceCount,
    VerdictShares,
    licence_figures,
    snapshot_licence_figures,
)
from modelrace.licensing._explain import (
    LicenceConflict,
    LicenceExplanation,
    LicenceSnapshot,
    ModelLicence,
    StatedTags,
    explain_licence,
    explain_model,
)
from modelrace.licensing._models import LicenceTableRow, licence_row, licence_verdicts, model_licences, store_licences
from modelrace.licensing._registry import (
    Clause,
    Licence,
    LicenceRegistry,
    Normalised,
    Terms,
    Threshold,
    load_licence_file,
    load_licences,
)
from modelrace.licensing._verdict import (
    NOT_LEGAL_ADVICE,
    RESTRICTIVENESS,
    VERDICTS,
    Decision,
    Verdict,
    conflict_rule,
    decide,
)

__all__ = [
    "NOT_LEGAL_ADVICE",
    "RESTRICTIVENESS",
    "VERDICTS",
    "Clause",
    "ConflictRow",
    "Decision",
    "Licence",
    "LicenceConflict",
    "LicenceConflicts",
    "LicenceCoverage",
    "LicenceExplanation",
    "LicenceFigures",
    "LicenceRegistry",
    "LicenceRow",
    "LicenceSnapshot",
    "LicenceTableRow",
    "ModelLicence",
    "Normalised",
    "SourceCount",
    "StatedTags",
    "Terms",
    "Threshold",
    "Verdict",
    "VerdictShares",
    "conflict_rule",
    "decide",
    "explain_licence",
    "explain_model",
    "licence_figures",
    "licence_row",
    "licence_verdicts",
    "load_licence_file",
    "load_licences",
    "model_licences",
    "snapshot_licence_figures",
    "store_licences",
]
