"""Results files written by EleutherAI's lm-evaluation-harness."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from modelrace.errors import ImportFormatError
from modelrace.sources._model import ImportBatch, Result
from modelrace.sources._read import (
    _read_json,
)


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
