"""Reading stored results back: a model's results with their import's source and data date, and the licences the
sources state, for the analyses that need a source's own row rather than the leaderboard's catalogue (which
``ranking`` reads, one figure per model and benchmark)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from modelrace.store import Warehouse

_MODEL_RESULTS_SQL = """
SELECT i.import_id, i.source, i.data_date, r.source_name, r.benchmark, r.metric, r.value, r.scale, r.ci_low,
       r.ci_high, r.n_items, r.extra
FROM results r JOIN result_imports i USING (import_id)
WHERE i.source = ? AND r.benchmark = ? AND r.metric = ? AND {name_matches}
ORDER BY i.import_id DESC, r.extra
"""
_STATED_LICENCES_SQL = """
SELECT i.import_id, i.source, m.source_name, m.license
FROM source_models m JOIN result_imports i USING (import_id)
WHERE m.license IS NOT NULL AND trim(m.license) <> ''
ORDER BY m.import_id DESC
"""


@dataclass(frozen=True)
class StoredResult:
    """One stored result, with the import it came in: its source and data date."""

    import_id: int
    source: str
    data_date: date
    source_name: str
    benchmark: str
    metric: str
    value: float
    scale: str
    ci_low: float | None
    ci_high: float | None
    n_items: int | None
    extra: dict[str, Any]  # the source's other fields as it gave them (e.g. a run's run_id, a precision)


@dataclass(frozen=True)
class StatedLicence:
    """A licence a source states for one of its models, in the source's own words."""

    import_id: int
    source: str
    source_name: str
    licence: str


def model_results(
    warehouse: Warehouse, source: str, source_name: str, benchmark: str, metric: str, *, ignore_case: bool = False
) -> list[StoredResult]:
    """Every stored result of ``source`` for the model it calls ``source_name`` on one benchmark and metric, in every
    import of that source, newest import first (within one import ordered by the extra fields' JSON, so the order
    never depends on how rows were stored). ``ignore_case``: match the name whatever its case."""
    name_matches = "lower(r.source_name) = lower(?)" if ignore_case else "r.source_name = ?"
    rows = warehouse.query(
        _MODEL_RESULTS_SQL.format(name_matches=name_matches), [source, benchmark, metric, source_name]
    )
    return [
        StoredResult(
            import_id=row["import_id"],
            source=row["source"],
            data_date=row["data_date"],
            source_name=row["source_name"],
            benchmark=row["benchmark"],
            metric=row["metric"],
            value=row["value"],
            scale=row["scale"],
            ci_low=row["ci_low"],
            ci_high=row["ci_high"],
            n_items=row["n_items"],
            extra=json.loads(row["extra"]) if row["extra"] else {},
        )
        for row in rows
    ]


def stated_licences(warehouse: Warehouse) -> list[StatedLicence]:
    """Every non-blank licence any import states for a model (LMArena's licence column, the Open LLM
    Leaderboard's Hub licence), newest import first."""
    return [
        StatedLicence(row["import_id"], row["source"], row["source_name"], str(row["license"]))
        for row in warehouse.query(_STATED_LICENCES_SQL)
    ]
