"""Importers for published results, each reading the format its upstream publisher distributes."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
from typing import Any

from modelrace.errors import ImportFormatError
from modelrace.knowledge import country_code, n_items
from modelrace.sources._model import ImportBatch, Result, Scale, parse_date, parse_number

Importer = Callable[[Path, date], ImportBatch]


def _read_csv(path: Path, required: set[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFormatError(f"{path} is not a readable CSV file: {error}") from None
    columns = set(rows[0]) if rows else set()
    missing = required - columns
    if missing:
        raise ImportFormatError(f"{path} lacks the columns {', '.join(sorted(missing))}")
    return rows


def _named_rows(
    batch: ImportBatch, rows: list[dict[str, str]], column: str, missing: str = "no model name"
) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(position, model name, row) for each row that names its model; the others are rejected, counted."""
    for position, row in enumerate(rows):
        name = (row.get(column) or "").strip()
        if name:
            yield position, name, row
        else:
            batch.reject(position, None, missing)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ImportFormatError(f"{path} is not a readable JSON file: {error}") from None


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
        model.params_total = params * 1e9 if params else model.params_total
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
            try:
                rating = parse_number(entry.get("rating"), "rating")
                low = parse_number(entry.get("rating_q025"), "rating_q025")
                high = parse_number(entry.get("rating_q975"), "rating_q975")
            except (ImportFormatError, AttributeError) as error:
                batch.reject(position, name, str(error))
                continue
            if rating is None:
                batch.reject(position, name, "no rating")
                continue
            batch.model(name)
            batch.results.append(Result(name, category, "rating", rating, "elo", ci_low=low, ci_high=high))
    if meta is None:
        found = sorted(path.parent.glob("lmarena_price_org_license*.json"))
        meta = found[-1] if found else None
    if meta is not None:
        entries = _read_json(meta)
        if not isinstance(entries, list):
            raise ImportFormatError(f"{meta} is not a list of LMArena model entries")
        for entry in entries:
            name = entry.get("model_api_name") if isinstance(entry, dict) else None
            if not name:
                continue
            model = batch.model(name)
            model.display_name = entry.get("name")
            model.organisation = entry.get("organization")
            model.license = entry.get("license")
            model.open_weights = bool(model.license) and str(model.license).lower() != "proprietary"
            try:
                model.price_in_usd_per_mtok = parse_number(entry.get("input_token_price"), "input price")
                model.price_out_usd_per_mtok = parse_number(entry.get("output_token_price"), "output price")
            except ImportFormatError:
                pass  # a price we cannot read is left unknown, the model stays
        batch.notes["meta_file"] = str(meta)
    return batch


# ---------------------------------------------------------------------------------- Artificial Analysis
AA_BENCHMARKS = (
    "Artificial Analysis Intelligence Index",
    "MMLU-Pro (Reasoning & Knowledge)",
    "GPQA Diamond (Scientific Reasoning)",
    "Humanity's Last Exam (Reasoning & Knowledge)",
    "LiveCodeBench (Coding)",
    "SciCode (Coding)",
    "IFBench (Instruction Following)",
    "AIME 2025 (Competition Math)",
    "AA-LCR (Long Context Reasoning)",
    "AIME 2024 (Competition Math)",
    "Math 500 (Competition Math)",
    "HumanEval (Coding)",
)
_EFFORT = ("(high)", "(medium)", "(low)", "(minimal)", "reasoning", "thinking")


_PROVIDER_WORD = re.compile(r"\([^)]*\)|\S+")


def provider_variant(name: str, provider: str) -> str:
    """The model a provider's listing names: trailing words or parenthesised groups that are all part of the
    provider's name are the provider's variant ('Llama 3.3 70B Vertex' by 'Google Vertex', 'Llama 3.3 70B (Turbo,
    FP8)' by 'Deepinfra (Turbo, FP8)'), never the model's ('GPT-5 (high)' by OpenAI keeps its effort)."""
    provider_words = set(re.findall(r"[a-z0-9.]+", provider.lower()))
    parts = _PROVIDER_WORD.findall(name.strip())
    while len(parts) > 1:
        words = re.findall(r"[a-z0-9.]+", parts[-1].lower())
        if not words or not set(words) <= provider_words:
            break
        parts.pop()
    return " ".join(parts)


def read_artificial_analysis(path: Path, when: date) -> ImportBatch:
    """Artificial Analysis provider x model table: scores per model, prices and speed per provider.

    A provider's variant of a model ("Llama 3.3 70B Vertex", "... Snowflake") is the same model: its scores are
    gathered across providers into one figure (the median) with the spread (lowest, highest, per provider) kept.
    """
    rows = _read_csv(path, {"API Provider", "Model", "License", *AA_BENCHMARKS[:3]})
    batch = ImportBatch("artificial-analysis", when)
    per_model: dict[str, dict[str, list[float]]] = {}
    per_score: dict[tuple[str, str], dict[str, float]] = {}
    for position, listed, row in _named_rows(batch, rows, "Model"):
        provider = (row.get("API Provider") or "").strip()
        name = provider_variant(listed, provider)
        try:
            scores = {b: parse_number(row.get(b), b) for b in AA_BENCHMARKS}
            blended = parse_number(row.get("Blended USD/1M Tokens"), "blended price")
            price_in = parse_number(row.get("Input Price USD/1M Tokens"), "input price")
            price_out = parse_number(row.get("Output Price USD/1M Tokens"), "output price")
            speed = parse_number(row.get("Median Tokens/s"), "median tokens/s")
            latency = parse_number(row.get("Median First Chunk (s)"), "first chunk")
        except ImportFormatError as error:
            batch.reject(position, listed, str(error))
            continue
        model = batch.model(name)
        model.open_weights = (row.get("License") or "").strip().lower() == "open"
        model.reasoning = any(marker in name.lower() for marker in _EFFORT) or model.reasoning
        model.extra.setdefault("api_ids", [])
        model.extra.setdefault("listed_as", [])
        if row.get("API ID") and row["API ID"] not in model.extra["api_ids"]:
            model.extra["api_ids"].append(row["API ID"])
        if listed != name and listed not in model.extra["listed_as"]:
            model.extra["listed_as"].append(listed)
        gathered = per_model.setdefault(name, {"in": [], "out": [], "blended": [], "speed": [], "latency": []})
        for key, value in (
            ("in", price_in),
            ("out", price_out),
            ("blended", blended),
            ("speed", speed),
            ("latency", latency),
        ):
            if value is not None:
                gathered[key].append(value)
        for benchmark, value in scores.items():
            if value is not None:
                per_score.setdefault((name, benchmark), {})[provider or f"row {position}"] = value
    for (name, benchmark), by_provider in per_score.items():
        values = sorted(by_provider.values())
        is_index = benchmark.startswith("Artificial Analysis")
        extra: dict[str, Any] = {"providers": len(values)}
        if len(values) > 1:
            extra |= {
                "spread_low": values[0],
                "spread_high": values[-1],
                "by_provider": dict(sorted(by_provider.items())),
            }
        batch.results.append(
            Result(
                name,
                benchmark,
                "index" if is_index else "accuracy",
                median(values),
                "points",
                n_items=n_items("artificial-analysis", benchmark),
                extra=extra,
            )
        )
    for name, gathered in per_model.items():
        model = batch.models[name]
        model.price_in_usd_per_mtok = median(gathered["in"]) if gathered["in"] else None
        model.price_out_usd_per_mtok = median(gathered["out"]) if gathered["out"] else None
        model.extra |= {
            "providers": len(gathered["speed"]) or None,
            "blended_usd_per_mtok_median": median(gathered["blended"]) if gathered["blended"] else None,
            "output_tokens_per_s_median": median(gathered["speed"]) if gathered["speed"] else None,
            "first_chunk_s_median": median(gathered["latency"]) if gathered["latency"] else None,
        }
    return batch


# ---------------------------------------------------------------------------------- LiveBench
def read_livebench(path: Path, when: date, categories: Path | None = None) -> ImportBatch:
    """LiveBench per-task table (CSV) with its task-to-category map (JSON, found beside it if not given).

    Category scores are the mean of their tasks, and the global average the mean of the categories: LiveBench's
    own rule.
    """
    rows = _read_csv(path, {"model"})
    if categories is None:
        found = sorted(path.parent.glob("livebench_categories*.json"))
        categories = found[-1] if found else None
    mapping: dict[str, list[str]] = _read_json(categories) if categories else {}
    batch = ImportBatch("livebench", when)
    tasks = [c for c in rows[0] if c != "model"] if rows else []
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
    for entry in data.get("index") or []:
        name = entry.get("model_version") if isinstance(entry, dict) else None
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
        for result in results if isinstance(results, list) else []:
            position += 1
            name = result.get("model_version") if isinstance(result, dict) else None
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


# ---------------------------------------------------------------------------------- lm-evaluation-harness
def read_lm_eval(path: Path, when: date) -> ImportBatch:
    """A results JSON written by EleutherAI lm-evaluation-harness (``results_*.json``)."""
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ImportFormatError(f"{path} is not an lm-evaluation-harness results file (no 'results' object)")
    config = data.get("config") or {}
    name = data.get("model_name") or ""
    if not name:
        args = str(config.get("model_args") or "")
        for part in args.split(","):
            key, _, value = part.partition("=")
            if key.strip() in ("pretrained", "model", "path"):
                name = value.strip()
                break
    if not name:
        raise ImportFormatError(f"{path} names no model (model_name or model_args pretrained=...)")
    batch = ImportBatch("lm-eval", when)
    stamp = data.get("date")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and 0 < stamp < 32_503_680_000:
        batch.contents_date = datetime.fromtimestamp(stamp, UTC).date()  # when the harness ran
    model = batch.model(name)
    model.extra |= {"lm_eval_version": data.get("lm_eval_version"), "model_args": config.get("model_args")}
    samples = data.get("n-samples") or {}
    for task, metrics in data["results"].items():
        if not isinstance(metrics, dict):
            continue
        count = samples.get(task, {}).get("effective") if isinstance(samples.get(task), dict) else None
        for key, value in metrics.items():
            metric, _, filter_name = key.partition(",")
            if metric.endswith("_stderr") or metric == "alias" or not isinstance(value, (int, float)):
                continue
            stderr = metrics.get(f"{metric}_stderr,{filter_name}")
            low = high = None
            if isinstance(stderr, (int, float)) and stderr == stderr:
                low, high = value - 1.96 * stderr, value + 1.96 * stderr
            batch.results.append(
                Result(
                    name,
                    task,
                    metric if filter_name in ("", "none") else f"{metric},{filter_name}",
                    float(value),
                    "fraction",
                    ci_low=low,
                    ci_high=high,
                    n_items=int(count) if isinstance(count, int) else None,
                )
            )
    return batch


IMPORTERS: dict[str, Importer] = {
    "open-llm-leaderboard": read_open_llm_leaderboard,
    "lmarena": read_lmarena,
    "artificial-analysis": read_artificial_analysis,
    "livebench": read_livebench,
    "epoch-models": read_epoch_models,
    "epoch-benchmarks": read_epoch_benchmarks,
    "lm-eval": read_lm_eval,
}


@dataclass(frozen=True)
class ImporterInfo:
    """How one importer is offered on the command line: what it reads, and the companion file some take."""

    summary: str
    path_help: str = ""
    companion: str | None = None  # the reader's keyword for a second file (found beside PATH when not given)
    companion_help: str = ""


IMPORTER_INFO: dict[str, ImporterInfo] = {
    "open-llm-leaderboard": ImporterInfo(
        "Open LLM Leaderboard v2 contents CSV (recomputes normalised scores and reports agreement).", "contents CSV"
    ),
    "lmarena": ImporterInfo(
        "LMArena text leaderboard (ratings with 95 % bounds per category) and its organisation/price file.",
        "leaderboard-text JSON",
        "meta",
        "price/organisation/licence JSON (default: found beside)",
    ),
    "artificial-analysis": ImporterInfo(
        "Artificial Analysis provider x model table (scores, prices, speed, latency).", "providers CSV"
    ),
    "livebench": ImporterInfo(
        "LiveBench per-task table, with category and global averages by LiveBench's rule.",
        "per-task table CSV",
        "categories",
        "task-to-category JSON (default: found beside)",
    ),
    "epoch-models": ImporterInfo(
        "Epoch AI Notable / Large-Scale AI Models CSV (organisation, country, size, access, dates).", "models CSV"
    ),
    "epoch-benchmarks": ImporterInfo("Epoch AI Benchmarking Hub results JSON.", "results JSON"),
    "lm-eval": ImporterInfo("A results JSON written by EleutherAI lm-evaluation-harness.", "results JSON"),
}
