"""Reading stored results back through the sources' face: a model's results per import, the licences stated."""

from __future__ import annotations

from datetime import date

from modelrace.sources import ImportBatch, Result, SourceModel, model_results, stated_licences
from modelrace.sources._store import store_batch
from modelrace.store import Warehouse


def _store(warehouse: Warehouse, source: str, day: date, results: list[Result], licences: dict[str, str]) -> int:
    batch = ImportBatch(source, day)
    for result in results:
        batch.models.setdefault(result.source_name, SourceModel(result.source_name))
    for name, licence in licences.items():
        batch.models[name] = SourceModel(name, license=licence)
    batch.results = results
    return store_batch(warehouse, batch, f"{source}-{day}", f"{source}-{day}")


def test_model_results_come_with_their_import_newest_first(warehouse: Warehouse) -> None:
    old = _store(
        warehouse,
        "open-llm-leaderboard",
        date(2024, 6, 1),
        [Result("Org/Model-7B", "BBH", "accuracy", 0.40, "fraction", n_items=5761, extra={"precision": "float16"})],
        {},
    )
    new = _store(
        warehouse,
        "open-llm-leaderboard",
        date(2025, 2, 1),
        [
            Result("Org/Model-7B", "BBH", "accuracy", 0.45, "fraction", extra={"precision": "float16"}),
            Result("Org/Model-7B", "BBH", "accuracy", 0.44, "fraction", extra={"precision": "bfloat16"}),
            Result("Org/Model-7B", "BBH", "normalised", 30.0, "points"),  # another metric: not asked for
            Result("Org/Other-7B", "BBH", "accuracy", 0.50, "fraction"),  # another model
        ],
        {},
    )
    _store(warehouse, "livebench", date(2025, 2, 1), [Result("Org/Model-7B", "BBH", "accuracy", 0.9, "fraction")], {})

    found = model_results(warehouse, "open-llm-leaderboard", "Org/Model-7B", "BBH", "accuracy")

    assert [(r.import_id, r.value, r.extra.get("precision")) for r in found] == [
        (new, 0.44, "bfloat16"),  # within one import ordered by the extra fields' JSON
        (new, 0.45, "float16"),
        (old, 0.40, "float16"),
    ]
    assert found[-1].data_date == date(2024, 6, 1) and found[-1].n_items == 5761 and found[0].n_items is None
    assert {r.source for r in found} == {"open-llm-leaderboard"} and found[0].scale == "fraction"
    assert model_results(warehouse, "open-llm-leaderboard", "org/model-7b", "BBH", "accuracy") == []
    any_case = model_results(warehouse, "open-llm-leaderboard", "org/model-7b", "BBH", "accuracy", ignore_case=True)
    assert any_case == found


def test_a_result_without_extra_fields_has_an_empty_mapping(warehouse: Warehouse) -> None:
    _store(warehouse, "lm-eval", date(2025, 1, 1), [Result("m", "arc", "accuracy", 0.5, "fraction")], {})
    (found,) = model_results(warehouse, "lm-eval", "m", "arc", "accuracy")
    assert found.extra == {} and found.ci_low is None and found.ci_high is None


def test_stated_licences_skip_blank_ones_newest_import_first(warehouse: Warehouse) -> None:
    first = _store(warehouse, "lmarena", date(2025, 1, 1), [], {"model-a": "Apache 2.0", "model-b": "  "})
    second = _store(warehouse, "open-llm-leaderboard", date(2025, 2, 1), [], {"Org/Model-A": "mit"})

    stated = stated_licences(warehouse)

    assert [(s.import_id, s.source, s.source_name, s.licence) for s in stated] == [
        (second, "open-llm-leaderboard", "Org/Model-A", "mit"),
        (first, "lmarena", "model-a", "Apache 2.0"),
    ]
