from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals import RunOptions, load_task, run_eval
from modelrace.evals._openai import OpenAIBackend
from modelrace.evals._sandbox import network_isolation
from modelrace.evals._scoring import code_program
from modelrace.evals._tasks import BIGBENCH_VERSION, TaskSpec, load_items
from modelrace.store import Warehouse

from .fake_openai import fake_openai


def test_humaneval_ships_164_problems() -> None:
    task = load_task("humaneval")
    assert len(task.items) == 164
    assert task.items[0].id == "HumanEval/0" and task.items[0].entry_point == "has_close_elements"
    assert load_task("humaneval", limit=5).content_hash != task.content_hash


def test_user_jsonl_and_csv(tmp_path: Path) -> None:
    rows = tmp_path / "q.csv"
    rows.write_text("id,q,a\n1,2+2?,4\n2,3+3?,6\n")
    spec = TaskSpec(
        id="t", kind="generation", source=f"csv:{rows}", fields={"input": "q", "target": "a"}, prompt="Q: {input} A:"
    )
    items = load_items(spec)
    assert [i.context for i in items] == ["Q: 2+2? A:", "Q: 3+3? A:"] and items[1].target == "6"
    broken = TaskSpec(id="t", kind="generation", source=f"csv:{rows}", fields={"input": "question"})
    with pytest.raises(ImportFormatError, match="no field 'question'"):
        load_items(broken)
    with pytest.raises(ConfigError, match="no task"):
        load_task("no-such-task")


def test_bigbench_tasks_are_read_from_the_sdist_layout_and_shuffled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELRACE_CACHE", str(tmp_path))
    folder = (
        tmp_path
        / "bigbench"
        / BIGBENCH_VERSION
        / f"bigbench-{BIGBENCH_VERSION}"
        / "bigbench"
        / "benchmark_tasks"
        / "toy"
    )
    folder.mkdir(parents=True)
    examples = [
        {"input": f"q{i}", "target_scores": {"right": 1, "wrong a": 0, "wrong b": 0, "wrong c": 0}} for i in range(40)
    ]
    (folder / "task.json").write_text(
        json.dumps({"examples": examples, "example_input_prefix": "Q: ", "example_output_prefix": "\nA:"})
    )
    plain = load_items(TaskSpec(id="toy", kind="multiple_choice", source="bigbench:toy"))
    shuffled = load_items(TaskSpec(id="toy", kind="multiple_choice", source="bigbench:toy", shuffle_choices=True))
    assert {i.gold for i in plain} == {0}  # the gold answer is always listed first in the file
    assert len({i.gold for i in shuffled}) > 1
    assert all(i.choices[i.gold] == "right" for i in shuffled)
    again = load_items(TaskSpec(id="toy", kind="multiple_choice", source="bigbench:toy", shuffle_choices=True))
    assert [i.gold for i in again] == [i.gold for i in shuffled]  # seeded
    assert plain[0].context == "Q: q0\nA:"


@pytest.mark.skipif(network_isolation() is None and not os.environ.get("CI"), reason="bubblewrap is not available")
def test_humaneval_runs_code_in_the_sandbox(warehouse: Warehouse) -> None:
    task = load_task("humaneval", limit=4)
    answers = {item.context: item.extra.canonical for item in task.items[:3]}  # the 4th gets a wrong answer
    with fake_openai(answers=answers) as (url, _):
        summary = run_eval(warehouse, task, OpenAIBackend("toy", [url]), RunOptions(concurrency=2))
    assert summary.metrics["pass@1"].mean == pytest.approx(0.75)
    outputs = [json.loads(r["output"]) for r in warehouse.query("SELECT output FROM eval_items ORDER BY item_id")]
    assert [o["passed"] for o in outputs] == [1, 1, 1, 0]


def test_kill_9_mid_run_resumes_without_redoing_items(tmp_path: Path, db_path: Path) -> None:
    data = tmp_path / "gen.jsonl"
    data.write_text("\n".join(json.dumps({"id": f"q{i:02d}", "q": f"say {i}", "a": "B"}) for i in range(30)))
    spec = tmp_path / "gen.yaml"
    spec.write_text(
        f"id: toy-gen\nkind: generation\nsource: jsonl:{data}\nfields: {{input: q, target: a}}\nmax_tokens: 4\n"
    )
    with fake_openai() as (url, state):
        state.delay_s = 0.15
        command = [
            sys.executable,
            "-m",
            "modelrace",
            "--db",
            str(db_path),
            "-q",
            "eval",
            "--model",
            f"openai:toy@{url}",
            "--task",
            str(spec),
            "--concurrency",
            "1",
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(state.prompts) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        before = list(state.prompts)
        state.delay_s = 0.0
        done = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["done"] == 30 and summary["resumed_items"] >= 8
    with Warehouse.open(db_path) as wh:
        assert wh.query("SELECT count(*) AS n, count(DISTINCT item_id) AS d FROM eval_items")[0] == {"n": 30, "d": 30}
    redone = [p for p in state.prompts[len(before) :] if p in before]
    # At most what was in flight when the process was killed: the runner keeps two items per worker queued (one
    # running, the next ready), so with --concurrency 1 the item being answered and the one started behind it.
    assert len(redone) <= 2


def test_fewshot_prefix_is_shared_and_its_examples_are_not_evaluated(tmp_path: Path) -> None:
    data = tmp_path / "mc.jsonl"
    data.write_text(
        "\n".join(json.dumps({"id": f"q{i}", "q": f"Q{i}?", "c": ["a", "b"], "g": i % 2}) for i in range(10))
    )
    spec = tmp_path / "t.yaml"
    spec.write_text(
        f"id: fs\nkind: multiple_choice\nsource: jsonl:{data}\n"
        "fields: {input: q, choices: c, gold: g}\nfewshot: 3\nseed: 7\n"
    )
    task = load_task(str(spec))
    assert len(task.items) == 7
    prefixes = {item.context.rsplit("\n\n", 1)[0] for item in task.items}
    assert len(prefixes) == 1  # one shared few-shot prefix
    shots = [line for line in next(iter(prefixes)).split("\n\n")]
    assert len(shots) == 3 and all(shot.endswith((" a", " b")) for shot in shots)
    evaluated = {item.id for item in task.items}
    assert not any(f"Q{i}?" in next(iter(prefixes)) for i in range(10) if f"q{i}" in evaluated)
    reseeded = load_task(str(spec), seed=8)  # --seed draws other examples, and the task hash says so
    assert {i.id for i in reseeded.items} != evaluated and reseeded.content_hash != task.content_hash
    assert load_task(str(spec), seed=7).content_hash == task.content_hash


def test_math_answers_are_checked_for_equivalence(tmp_path: Path, warehouse: Warehouse) -> None:
    from modelrace.evals._scoring import math_equivalent

    assert math_equivalent("\\frac{1}{2}", "The answer is $0.5$")
    assert not math_equivalent("2", "The answer is $3$")
    data = tmp_path / "math.jsonl"
    data.write_text(
        "\n".join(json.dumps({"id": f"m{i}", "q": f"half of {i}", "a": f"\\frac{{{i}}}{{2}}"}) for i in (1, 3))
    )
    spec = tmp_path / "math.yaml"
    spec.write_text(
        f"id: toy-math\nkind: generation\ncheck: math\nsource: jsonl:{data}\nfields: {{input: q, target: a}}\n"
    )
    with fake_openai(answers={"half of 1": "It is $0.5$", "half of 3": "It is $2$"}) as (url, _):
        summary = run_eval(warehouse, load_task(str(spec)), OpenAIBackend("toy", [url]))
    assert summary.metrics["math_equivalent"].mean == pytest.approx(0.5)


def test_any_accepted_target_counts(tmp_path: Path) -> None:
    from modelrace.evals import Item, ItemExtra, Task
    from modelrace.evals._scoring import evaluate_item

    spec = TaskSpec(id="several", kind="generation", source="jsonl:unused")
    task = Task(spec, (), "hash")
    item = Item("1", "Name a primary colour.", target="red", extra=ItemExtra(targets=("red", "blue", "yellow")))
    with fake_openai(answers={"primary colour": "Blue"}) as (url, _):
        scored = evaluate_item(item, task, OpenAIBackend("toy", [url]), RunOptions())
    assert scored.correct and scored.metrics == {"exact_match": 1.0}
    with fake_openai(answers={"primary colour": "green"}) as (url, _):
        scored = evaluate_item(item, task, OpenAIBackend("toy", [url]), RunOptions())
    assert scored.correct is False


def test_bad_user_tasks_are_clear_errors(tmp_path: Path) -> None:
    data = tmp_path / "q.jsonl"
    data.write_text(json.dumps({"input": "2+2?", "choices": ["3", "4"], "gold": "5"}))
    bad_gold = TaskSpec(id="t", kind="multiple_choice", source=f"jsonl:{data}")
    with pytest.raises(ImportFormatError, match="answer '5' is not one of its choices"):
        load_items(bad_gold)
    bad_template = TaskSpec(id="t", kind="multiple_choice", source=f"jsonl:{data}", prompt="{question}")
    with pytest.raises(ImportFormatError, match="prompt template does not fit row 1"):
        load_items(bad_template)
    data.write_text(json.dumps({"input": "2+2?", "choices": ["3", "4"], "gold": "4"}))
    assert load_items(bad_gold)[0].gold == 1  # a column named like the input field is no conflict
    data.write_text("[1, 2]")
    with pytest.raises(ImportFormatError, match="not an object"):
        load_items(bad_gold)


def test_code_programs_from_completions_and_from_fenced_chat_answers() -> None:
    [item] = load_task("humaneval", limit=1).items
    body = item.extra.canonical
    assert code_program(item, body) == item.context + body  # a base model continues the function
    signature = "from typing import List\n\ndef has_close_elements(numbers, threshold):\n"
    whole = f"Here you go:\n```python\n{signature}{body}```\nDone."
    program = code_program(item, whole)
    assert program.startswith(item.context.rstrip() + "\n    pass\n") and program.endswith(body)
    compile(program, "program", "exec")
    cut = "```python\n" + body  # the budget ran out inside the block: what there is still runs
    assert code_program(item, cut) == item.context + body


@pytest.mark.skipif(network_isolation() is None, reason="bubblewrap cannot create namespaces here")
def test_humaneval_instruct_tests_the_fenced_function_of_a_chat_answer(warehouse: Warehouse) -> None:
    task = load_task("humaneval-instruct", limit=3)
    assert task.spec.chat_template and task.items[0].context.startswith("Complete the following Python function")
    answers = {
        item.extra.code_prompt: f"Sure.\n```python\n{item.extra.code_prompt}{item.extra.canonical}```"
        for item in task.items[:2]
    }
    with fake_openai(answers=answers) as (url, state):
        summary = run_eval(warehouse, task, OpenAIBackend("toy", [url]), RunOptions(concurrency=2))
    assert summary.metrics["pass@1"].mean == pytest.approx(2 / 3)
    assert summary.manifest["chat_template"] is True
    assert all("```python" in prompt for prompt in state.prompts)
