"""Results files written by EleutherAI's lm-evaluation-harness."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from modelrace._safe_read import number
from modelrace.errors import ImportFormatError
from modelrace.sources._model import ImportBatch, Result
from modelrace.sources._read import (
    _read_json,
)

_MAX_ITEMS = 2**31 - 1  # a sample count stored as INTEGER


def _model_name(data: dict[str, object], config: dict[str, object]) -> str:
    name = data.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    args = config.get("model_args")
    for part in (args if isinstance(args, str) else "").split(","):
        key, _, value = part.partition("=")
        if key.strip() in ("pretrained", "model", "path") and value.strip():
            return value.strip()
    return ""


# ---------------------------------------------------------------------------------- lm-evaluation-harness
def read_lm_eval(path: Path, when: date) -> ImportBatch:
    """A results JSON written by EleutherAI lm-evaluation-harness (``results_*.json``).

    A metric that is not a finite number (NaN, Infinity, ``1e400``) is rejected with its reason; a field of the
    wrong shape (``config`` as a list, ``model_name`` as an object) is read as absent.
    """
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ImportFormatError(f"{path} is not an lm-evaluation-harness results file (no 'results' object)")
    config = data.get("config")
    config = config if isinstance(config, dict) else {}
    name = _model_name(data, config)
    if not name:
        raise ImportFormatError(f"{path} names no model (model_name or model_args pretrained=...)")
    batch = ImportBatch("lm-eval", when)
    stamp = data.get("date")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and 0 < stamp < 32_503_680_000:
        batch.contents_date = datetime.fromtimestamp(stamp, UTC).date()  # when the harness ran
    model = batch.model(name)
    args = config.get("model_args")
    version = data.get("lm_eval_version")
    model.extra |= {
        "lm_eval_version": version if isinstance(version, str) else None,
        "model_args": args if isinstance(args, str) else None,
    }
    samples = data.get("n-samples")
    samples = samples if isinstance(samples, dict) else {}
    position = 0
    for task, metrics in data["results"].items():
        if not isinstance(metrics, dict):
            position += 1
            batch.reject(position, task, getattr(metrics, "reason", "task's metrics are not an object"))
            continue
        count = samples.get(task, {}).get("effective") if isinstance(samples.get(task), dict) else None
        for key, value in metrics.items():
            metric, _, filter_name = key.partition(",")
            if metric.endswith("_stderr") or metric == "alias" or isinstance(value, bool):
                continue
            position += 1
            try:
                score = number(value, f"{task} {metric}")
            except ValueError as error:
                batch.reject(position, name, str(error))
                continue
            try:
                stderr = number(metrics.get(f"{metric}_stderr,{filter_name}"), f"{task} {metric}_stderr")
            except ValueError:
                stderr = None  # a NaN or infinite standard error is no interval; the score stays
            if score is None:
                continue  # a string (a version, a note) is no figure
            low = high = None
            if stderr is not None:
                low, high = score - 1.96 * stderr, score + 1.96 * stderr
            batch.results.append(
                Result(
                    name,
                    task,
                    metric if filter_name in ("", "none") else f"{metric},{filter_name}",
                    score,
                    "fraction",
                    ci_low=low,
                    ci_high=high,
                    n_items=count if isinstance(count, int) and 0 <= count <= _MAX_ITEMS else None,
                )
            )
    return batch
