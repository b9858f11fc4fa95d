"""Epoch AI's model catalogue (organisation, country, size, access, dates) and its Benchmarking Hub results."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from modelrace.errors import ImportFormatError
from modelrace.knowledge import country_code, n_items
from modelrace.sources._model import ImportBatch, Result, parse_date, parse_number
from modelrace.sources._read import (
    _named_rows,
    _read_csv,
    _read_json,
)


# ---------------------------------------------------------------------------------- Epoch AI
def epoch_countries(raw: str | None) -> list[str]:
    """Epoch's country field as ISO codes: split on commas, de-duplicated, order kept."""
    codes: list[str] = []
    for part in (raw or "").split(","):
        part = part.strip()
        if part:
            code = country_code(part) or part
            if code not in codes:
                codes.append(code)
    return codes


def read_epoch_models(path: Path, when: date) -> ImportBatch:
    """Epoch AI "Notable AI Models" or "Large-Scale AI Models" CSV: organisation, country, size, access."""
    rows = _read_csv(path, {"Model", "Organization", "Country (of organization)", "Parameters"})
    batch = ImportBatch("epoch-models", when)
    for position, name, row in _named_rows(batch, rows, "Model"):
        try:
            params = parse_number(row.get("Parameters"), "Parameters")
            compute = parse_number(row.get("Training compute (FLOP)"), "Training compute")
        except ImportFormatError as error:
            batch.reject(position, name, str(error))
            continue
        model = batch.model(name)
        countries = epoch_countries(row.get("Country (of organization)"))
        access = (row.get("Model accessibility") or "").strip()
        model.organisation = row.get("Organization") or None
        model.country = countries[0] if countries else None
        model.params_total = params
        model.release_date = parse_date(row.get("Publication date"))
        model.open_weights = access.lower().startswith("open weights") if access else None
        model.extra |= {
            "countries": countries,
            "accessibility": access or None,
            "training_compute_flop": compute,
            "base_model": row.get("Base model") or None,
            "domain": row.get("Domain") or None,
        }
    return batch


def _text(value: object) -> str | None:
    """A string field of a JSON source (Epoch writes NaN for missing text)."""
    return value.strip() or None if isinstance(value, str) else None


def read_epoch_benchmarks(path: Path, when: date) -> ImportBatch:
    """Epoch Benchmarking Hub results ({index: [model versions], benchmarks: {id: [results]}})."""
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), dict):
        raise ImportFormatError(f"{path} is not an Epoch Benchmarking Hub file (no 'benchmarks' object)")
    batch = ImportBatch("epoch-benchmarks", when)
    index = data.get("index")
    if index is not None and not isinstance(index, list):
        batch.notes["index_ignored"] = f"'index' is a JSON {type(index).__name__}, not a list of model versions"
    for entry in index if isinstance(index, list) else []:
        name = _text(entry.get("model_version")) if isinstance(entry, dict) else None
        if not name:
            continue
        model = batch.model(name)
        model.display_name = _text(entry.get("display_name")) or _text(entry.get("model_name"))
        model.organisation = _text(entry.get("organization"))
        countries = epoch_countries(_text(entry.get("country")))
        model.country = countries[0] if countries else None
        model.release_date = parse_date(entry.get("release_date"))
        model.extra |= {"model_name": _text(entry.get("model_name")), "countries": countries}
    position = 0
    for benchmark, results in data["benchmarks"].items():
        if not isinstance(results, list):
            position += 1
            batch.reject(position, benchmark, getattr(results, "reason", "benchmark's results are not a list"))
            continue
        for result in results:
            position += 1
            if not isinstance(result, dict):
                batch.reject(position, None, getattr(result, "reason", "result is not an object"))
                continue
            name = _text(result.get("model_version"))
            try:
                score = parse_number(result.get("score"), "score") if name else None
            except ImportFormatError as error:
                batch.reject(position, name, str(error))
                continue
            if not name or score is None:
                batch.reject(position, name, "no model_version or score")
                continue
            model = batch.model(name)
            model.organisation = model.organisation or _text(result.get("organization"))
            model.release_date = model.release_date or parse_date(result.get("release_date"))
            batch.results.append(
                Result(name, benchmark, "accuracy", score, "fraction", n_items=n_items("epoch-benchmarks", benchmark))
            )
    return batch
