"""Importers for the public leaderboards: the Open LLM Leaderboard v2 (with its normalisation recomputed), LMArena
and LiveBench."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

from modelrace.errors import ImportFormatError
from modelrace.knowledge import n_items
from modelrace.sources._model import ImportBatch, Result, Scale, parse_date, parse_number
from modelrace.sources._read import (
    _found_beside,
    _named_rows,
    _read_csv,
    _read_json,
)

# ---------------------------------------------------------------------------------- Open LLM Leaderboard v2
OLL_BENCHMARKS = ("IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO")
# The leaderboard's published normalisation: (raw - random baseline) / (1 - random baseline), in points,
# below-chance scores set to 0. BBH and MuSR normalise each subtask before averaging, so their aggregate raw
# score does not determine the normalised one: they cannot be recomputed from this file.
OLL_BASELINES: dict[str, float | None] = {
    "IFEval": 0.0,
    "BBH": None,
    "MATH Lvl 5": 0.0,
    "GPQA": 0.25,
    "MUSR": None,
    "MMLU-PRO": 0.1,
}


def normalise_oll(benchmark: str, raw: float) -> float | None:
    """The leaderboard's normalised score (points) from a raw accuracy, where the file allows it."""
    baseline = OLL_BASELINES[benchmark]
    if baseline is None:
        return None
    return max(0.0, (raw - baseline) / (1 - baseline) * 100)


def read_open_llm_leaderboard(path: Path, when: date) -> ImportBatch:
    """Hugging Face Open LLM Leaderboard v2 contents (CSV of the open-llm-leaderboard/contents dataset)."""
    required = {"fullname", "#Params (B)", *OLL_BENCHMARKS, *(f"{b} Raw" for b in OLL_BENCHMARKS)}
    rows = _read_csv(path, required)
    batch = ImportBatch("open-llm-leaderboard", when)
    checked = {b: [0, 0] for b in OLL_BENCHMARKS}  # agree, compared
    average = [0, 0]
    rows_all_agree = [0, 0]
    for position, name, row in _named_rows(batch, rows, "fullname", "no fullname (Hub id)"):
        if (row.get("Flagged") or "").strip().lower() == "true":
            batch.reject(position, name, "flagged by the leaderboard's maintainers")
            continue
        try:
            params = parse_number(row.get("#Params (B)"), "#Params (B)")
            scores = {b: (parse_number(row[f"{b} Raw"], f"{b} Raw"), parse_number(row[b], b)) for b in OLL_BENCHMARKS}
            published_average = parse_number(row.get("Average ⬆️"), "Average")
        except ImportFormatError as error:
            batch.reject(position, name, str(error))
            continue
        model = batch.model(name)
        # The leaderboard writes 0 or -1 where it does not know the size.
        model.params_total = params * 1e9 if params and params > 0 else model.params_total
        model.license = (row.get("Hub License") or None) or model.license
        model.open_weights = True
        moe = (row.get("MoE") or "").lower() == "true"
        model.extra |= {
            "type": row.get("Type"),
            "architecture": row.get("Architecture"),
            "base_model": row.get("Base Model"),
            "moe": moe,
            "merged": (row.get("Merged") or "").lower() == "true",
            "uploaded": row.get("Upload To Hub Date"),
        }
        model.release_date = parse_date(row.get("Upload To Hub Date")) or model.release_date
        precision = row.get("Precision")
        all_agree = True
        normalised_values = []
        for benchmark, (raw, published) in scores.items():
            if raw is None or published is None:
                all_agree = False
                continue
            normalised_values.append(published)
            count = n_items("open-llm-leaderboard", benchmark)
            batch.results.append(_oll_result(name, benchmark, "accuracy", raw, "fraction", count, precision))
            batch.results.append(_oll_result(name, benchmark, "normalised", published, "points", count, precision))
            recomputed = normalise_oll(benchmark, raw)
            if recomputed is not None:
                checked[benchmark][1] += 1
                agrees = math.isclose(recomputed, published, abs_tol=1e-6)
                checked[benchmark][0] += agrees
                all_agree = all_agree and agrees
        if published_average is not None and len(normalised_values) == len(OLL_BENCHMARKS):
            mean = sum(normalised_values) / len(normalised_values)
            average[1] += 1
            average[0] += math.isclose(mean, published_average, abs_tol=1e-6)
            all_agree = all_agree and math.isclose(mean, published_average, abs_tol=1e-6)
            batch.results.append(
                _oll_result(name, "Average", "normalised", published_average, "points", None, precision)
            )
        rows_all_agree[1] += 1
        rows_all_agree[0] += all_agree
    batch.notes["recomputed"] = {
        "rule": "normalised = max(0, (raw - baseline) / (1 - baseline)) x 100; Average = mean of the six",
        "by_benchmark": {
            b: {"agree": a, "compared": c, "share": a / c if c else None} for b, (a, c) in checked.items()
        },
        "not_recomputable": [b for b, base in OLL_BASELINES.items() if base is None],
        "average": {
            "agree": average[0],
            "compared": average[1],
            "share": average[0] / average[1] if average[1] else None,
        },
        "rows_all_agree": {
            "agree": rows_all_agree[0],
            "compared": rows_all_agree[1],
            "share": rows_all_agree[0] / rows_all_agree[1] if rows_all_agree[1] else None,
        },
    }
    return batch


def _oll_result(
    name: str, benchmark: str, metric: str, value: float, scale: Scale, count: int | None, precision: str | None
) -> Result:
    return Result(
        name, benchmark, metric, value, scale, n_items=count, extra={"precision": precision} if precision else {}
    )


# ---------------------------------------------------------------------------------- LMArena
def read_lmarena(path: Path, when: date, meta: Path | None = None) -> ImportBatch:
    """LMArena text leaderboard JSON ({category: {model: {rating, rating_q025, rating_q975}}}).

    Its price/organisation/licence file (``model_api_name`` joins the leaderboard's key) is read too: given,
    or found beside it as ``lmarena_price_org_license*.json``.
    """
    data = _read_json(path)
    if not isinstance(data, dict) or "full" not in data or not isinstance(data["full"], dict):
        raise ImportFormatError(f"{path} is not an LMArena leaderboard (no 'full' category)")
    batch = ImportBatch("lmarena", when)
    position = 0
    for category, models in data.items():
        if not isinstance(models, dict):
            batch.reject(position, category, "category is not an object")
            continue
        for name, entry in models.items():
            position += 1
            if not isinstance(entry, dict):
                batch.reject(position, name, getattr(entry, "reason", "entry is not an object"))
                continue
            try:
                rating = parse_number(entry.get("rating"), "rating")
                low = parse_number(entry.get("rating_q025"), "rating_q025")
                high = parse_number(entry.get("rating_q975"), "rating_q975")
            except ImportFormatError as error:
                batch.reject(position, name, str(error))
                continue
            if rating is None:
                batch.reject(position, name, "no rating")
                continue
            if not all(v is None or 0 < v < ELO_BOUND for v in (rating, low, high)):
                batch.reject(position, name, f"a rating or bound outside 0-{ELO_BOUND:,} (not an Elo-scale rating)")
                continue
            batch.model(name)
            batch.results.append(Result(name, category, "rating", rating, "elo", ci_low=low, ci_high=high))
    meta = meta if meta is not None else _found_beside(path, "lmarena_price_org_license*.json")
    if meta is not None:
        entries = _read_json(meta, companion=True)
        if not isinstance(entries, list):
            raise ImportFormatError(f"{meta} is not a list of LMArena model entries")
        for entry in entries:
            name = _string(entry.get("model_api_name")) if isinstance(entry, dict) else None
            if not name or not isinstance(entry, dict):
                continue
            model = batch.model(name)
            model.display_name = _string(entry.get("name"))
            model.organisation = _string(entry.get("organization"))
            model.license = _string(entry.get("license"))
            model.open_weights = bool(model.license) and str(model.license).lower() != "proprietary"
            try:
                model.price_in_usd_per_mtok = parse_number(_scalar(entry.get("input_token_price")), "input price")
                model.price_out_usd_per_mtok = parse_number(_scalar(entry.get("output_token_price")), "output price")
            except ImportFormatError:
                pass  # a price we cannot read is left unknown, the model stays
        batch.notes["meta_file"] = str(meta)
    return batch


# Far above any arena's Elo-scale rating (LMArena's run ~800-1,500): a rating past it is not one.
ELO_BOUND = 10_000


def _string(value: object) -> str | None:
    """A text field of a JSON source: a string, else nothing (a list or object there is not a name)."""
    return value if isinstance(value, str) and value else None


def _scalar(value: object) -> object:
    """A number or string field of a JSON source; a list or object there is no figure."""
    return value if isinstance(value, (str, int, float)) else None


# ---------------------------------------------------------------------------------- LiveBench
def read_livebench(path: Path, when: date, categories: Path | None = None) -> ImportBatch:
    """LiveBench per-task table (CSV) with its task-to-category map (JSON, found beside it if not given).

    Category scores are the mean of their tasks, and the global average the mean of the categories: LiveBench's
    own rule.
    """
    rows = _read_csv(path, {"model"})
    categories = categories if categories is not None else _found_beside(path, "livebench_categories*.json")
    batch = ImportBatch("livebench", when)
    mapping = _livebench_categories(categories, batch) if categories else {}
    tasks = [c for c in rows[0] if c != "model" and not c.startswith("\0")] if rows else []
    for position, name, row in _named_rows(batch, rows, "model"):
        try:
            values = {task: parse_number(row.get(task), task) for task in tasks}
        except ImportFormatError as error:
            batch.reject(position, name, str(error))
            continue
        batch.model(name)
        for task, value in values.items():
            if value is not None:
                batch.results.append(Result(name, task, "score", value, "points"))
        category_scores = []
        for category, members in mapping.items():
            scores = [v for t in members if (v := values.get(t)) is not None]
            if scores and len(scores) == len(members):
                mean = sum(scores) / len(scores)
                category_scores.append(mean)
                batch.results.append(Result(name, category, "score", mean, "points", extra={"tasks": members}))
        if mapping and len(category_scores) == len(mapping):
            batch.results.append(
                Result(name, "Global Average", "score", sum(category_scores) / len(category_scores), "points")
            )
    return batch


def _livebench_categories(path: Path, batch: ImportBatch) -> dict[str, list[str]]:
    """LiveBench's task-to-category map ({category: [task, ...]}); a category whose tasks are not a list of names
    is left out, and named in the batch's notes."""
    data = _read_json(path, companion=True)
    if not isinstance(data, dict):
        what = "null" if data is None else type(data).__name__
        raise ImportFormatError(f"{path} is not a LiveBench categories file (a JSON {what}, not an object)")
    mapping: dict[str, list[str]] = {}
    for category, members in data.items():
        if isinstance(members, list) and members and all(isinstance(m, str) for m in members):
            mapping[category] = members
        else:
            batch.notes.setdefault("categories_refused", []).append(category)
    return mapping
