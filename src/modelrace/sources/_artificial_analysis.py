"""The Artificial Analysis provider x model table: one model per provider variant merged, the spread kept."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

from modelrace.errors import ImportFormatError
from modelrace.knowledge import n_items
from modelrace.sources._model import ImportBatch, Result, parse_number
from modelrace.sources._read import (
    _named_rows,
    _read_csv,
)

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
            # A listed $0 (a free tier, or no figure) is no price: it would pull the median towards nothing.
            if value is not None and (value > 0 or key in ("speed", "latency")):
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
