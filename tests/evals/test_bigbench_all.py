"""Every BIG-bench task by name: kinds, subtasks, unscorable tasks, and runs end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals import RunOptions, load_task, run_eval
from modelrace.evals._bigbench_catalogue import catalogue, search
from modelrace.evals._openai import OpenAIBackend
from modelrace.evals._tasks import BIGBENCH_VERSION
from modelrace.store import Warehouse

from .fake_openai import fake_openai

runner = CliRunner()


def _task(root: Path, name: str, data: dict[str, Any]) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "task.json").write_text(json.dumps({"name": name, "description": f"about {name}", **data}))


def _mc(n: int) -> list[dict[str, Any]]:
    return [{"input": f"Is {i} even?", "target_scores": {"Yes": int(i % 2 == 0), "No": int(i % 2)}} for i in range(n)]


@pytest.fixture
def sdist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small extracted sdist in a private cache: every kind of task BIG-bench has."""
    monkeypatch.setenv("MODELRACE_CACHE", str(tmp_path))
    folder = tmp_path / "bigbench" / BIGBENCH_VERSION
    root = folder / f"bigbench-{BIGBENCH_VERSION}" / "bigbench" / "benchmark_tasks"
    _task(root, "parity", {"preferred_score": "multiple_choice_grade", "examples": _mc(6)})
    additions = [{"input": f"What is {i} plus 3?", "target": str(i + 3)} for i in range(4)]
    additions.append({"input": "What is ten plus 0?", "target": ["10", "ten"]})
    _task(root, "adding", {"preferred_score": "exact_str_match", "output_regex": r"[-+]?\d+", "examples": additions})
    _task(root, "sums", {})
    for part in ("small", "large"):
        _task(
            root,
            f"sums/{part}",
            {"preferred_score": "exact_str_match", "output_regex": r"\d+", "examples": additions[:2]},
        )
    _task(root, "mixed", {})
    _task(root, "mixed/choose", {"preferred_score": "multiple_choice_grade", "examples": _mc(2)})
    _task(root, "mixed/say", {"preferred_score": "exact_str_match", "examples": additions[:2]})
    _task(root, "summaries", {"preferred_score": "rougeLsum", "examples": [{"input": "Sum up: a b", "target": "ab"}]})
    _task(root, "empty", {"preferred_score": "exact_str_match"})
    (root / "coded").mkdir()
    (root / "coded" / "task.py").write_text("class Task: ...\n")
    (folder / ".complete").write_text("")
    return root


def test_catalogue_kinds_items_and_reasons(sdist: Path) -> None:
    tasks = catalogue()
    assert tasks["parity"].kind == "multiple_choice" and tasks["parity"].items == 6
    assert tasks["adding"].kind == "generation" and tasks["adding"].items == 5
    assert "1 items accept several answers" in (tasks["adding"].note or "")
    assert tasks["sums"].kind == "generation" and tasks["sums"].items == 4
    assert tasks["sums"].subtasks == ("sums/large", "sums/small")
    assert not tasks["mixed"].scorable and "one by one" in (tasks["mixed"].note or "")
    assert tasks["mixed/choose"].kind == "multiple_choice"
    assert "BIG-bench prefers rougeLsum" in (tasks["summaries"].note or "")
    assert not tasks["empty"].scorable and "no examples" in (tasks["empty"].note or "")
    assert not tasks["coded"].scorable and "programmatic" in (tasks["coded"].note or "")
    assert [t.name for t in search("SUMS/")] == ["sums/large", "sums/small"]
    assert (sdist.parent.parent.parent / "catalogue-v1.json").exists()  # read from the index next time


def test_tasks_by_name_and_the_reasons_others_cannot_run(sdist: Path) -> None:
    adding = load_task("bigbench:adding")
    assert adding.spec.kind == "generation" and adding.spec.answer_regex == r"[-+]?\d+"
    assert adding.spec.stop == ["\n"]
    assert adding.items[-1].target == "10" and adding.items[-1].extra.targets == ("10", "ten")
    parity = load_task("bigbench:parity")
    assert parity.spec.kind == "multiple_choice" and parity.spec.shuffle_choices
    assert all(i.choices[i.gold] == ("Yes" if n % 2 == 0 else "No") for n, i in enumerate(parity.items))
    sums = load_task("bigbench:sums")
    assert [i.id for i in sums.items] == ["sums/large/0", "sums/large/1", "sums/small/0", "sums/small/1"]
    assert load_task("bigbench:sums/small", limit=1).items[0].id == "sums/small/0"
    with pytest.raises(ConfigError, match="programmatic"):
        load_task("bigbench:coded")
    with pytest.raises(ConfigError, match="one by one"):
        load_task("bigbench:mixed")
    with pytest.raises(ConfigError, match="no task 'nothing'"):
        load_task("bigbench:nothing")


def test_three_kinds_run_end_to_end_by_name(sdist: Path, warehouse: Warehouse) -> None:
    answers = {f"What is {i} plus 3?": f" {i + 3} is the answer" for i in range(3)}  # item 3 answered wrong
    with fake_openai(answers=answers) as (url, _):
        backend = OpenAIBackend("toy", [url])
        generated = run_eval(warehouse, load_task("bigbench:adding"), backend, RunOptions())
        chosen = run_eval(warehouse, load_task("bigbench:parity"), backend, RunOptions())
        subtasks = run_eval(warehouse, load_task("bigbench:sums"), backend, RunOptions())
    assert generated.metrics["exact_match"].mean == pytest.approx(3 / 5)  # the output regex keeps the number
    assert chosen.done == 6 and "acc" in chosen.metrics
    assert subtasks.done == 4 and subtasks.metrics["exact_match"].mean == pytest.approx(1.0)


def test_cli_tasks_search(sdist: Path) -> None:
    done = runner.invoke(app, ["tasks", "--search", "sums", "--json"])
    assert done.exit_code == 0, done.output
    listed = json.loads(done.stdout)
    rows = {r["id"]: r for r in listed["tasks"]}
    sources = {s["source"].split(" (")[0]: s for s in listed["sources"]}
    assert sources["sdist"]["present"] and not sources["folder"]["present"]
    assert "git clone" in sources["folder"]["detail"]
    assert rows["bigbench:sums"]["kind"] == "generation" and rows["bigbench:sums"]["items"] == 4
    text = runner.invoke(app, ["tasks", "--search", "coded"])
    assert text.exit_code == 0 and "programmatic" in text.stdout


def _bigbench_from_bbh(bbh: Path, root: Path) -> list[str]:
    """A BIG-bench task folder built from BBH's real (BIG-bench-derived) task files: a task whose inputs list
    lettered options becomes multiple choice (target_scores over the options' texts), the others generative."""
    names = []
    for path in sorted((bbh / "tasks").glob("*.json")):
        examples = json.loads(path.read_text(encoding="utf-8"))["examples"]
        converted = []
        for example in examples:
            options = dict(re.findall(r"^\(([A-R])\) (.+)$", example["input"], re.MULTILINE))
            letter = example["target"].strip("()")
            if options and letter in options:
                question = example["input"].split("\nOptions:")[0]
                scores = {text: int(key == letter) for key, text in options.items()}
                converted.append({"input": question, "target_scores": scores})
            else:
                converted.append({"input": example["input"], "target": example["target"]})
        multiple = sum("target_scores" in e for e in converted) > len(converted) // 2
        data = {
            "preferred_score": "multiple_choice_grade" if multiple else "exact_str_match",
            "examples": [e for e in converted if ("target_scores" in e) == multiple],
        }
        _task(root, path.stem, data)
        names.append(path.stem)
    return names


@pytest.mark.reference
def test_many_real_tasks_from_a_folder(
    reference_data: Path, tmp_path: Path, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELRACE_CACHE", str(tmp_path / "cache"))  # no sdist: the folder is the only source
    checkout = tmp_path / "BIG-bench"
    names = _bigbench_from_bbh(reference_data / "bbh", checkout / "bigbench" / "benchmark_tasks")
    tasks = catalogue(str(checkout))
    assert sorted(tasks) == names and len(names) == 27
    assert all(t.scorable for t in tasks.values())
    assert tasks["date_understanding"].kind == "multiple_choice" and tasks["date_understanding"].items == 250
    assert tasks["word_sorting"].kind == "generation"
    monkeypatch.setenv("MODELRACE_BIGBENCH", str(checkout))  # the environment variable names the same folder
    assert [t.name for t in search("boolean")] == ["boolean_expressions"]
    with fake_openai(answers={}) as (url, _):
        backend = OpenAIBackend("toy", [url])
        for name in names:
            task = load_task(f"bigbench:{name}", limit=3)
            summary = run_eval(warehouse, task, backend, RunOptions())
            metric = "acc" if task.spec.kind == "multiple_choice" else "exact_match"
            assert summary.done == 3 and metric in summary.metrics, name
    done = runner.invoke(app, ["tasks", "--search", "navigate", "--data", str(checkout), "--json"])
    assert done.exit_code == 0, done.output
    assert [t["id"] for t in json.loads(done.stdout)["tasks"]] == ["bigbench:navigate"]


def test_no_source_names_the_three_ways_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelrace.evals import _bigbench_catalogue, _bigbench_sources
    from modelrace.local import _index

    monkeypatch.setenv("MODELRACE_CACHE", str(tmp_path))
    monkeypatch.delenv("MODELRACE_BIGBENCH", raising=False)
    monkeypatch.setattr(_index, "INDEX", "http://127.0.0.1:9/simple")  # an index that serves nothing
    for module in (_bigbench_sources, _bigbench_catalogue):
        monkeypatch.setattr(module, "datasets_installed", lambda: False)
    with pytest.raises(ConfigError) as raised:
        load_task("bigbench:navigate")
    message = str(raised.value)
    assert "\n" not in message
    assert "--data DIR or MODELRACE_BIGBENCH" in message and "tasksource/bigbench" in message
    assert "sdist" in message and "pip install" in message
    done = runner.invoke(app, ["eval", "--model", "openai:toy@http://127.0.0.1:9/v1", "--task", "bigbench:navigate"])
    assert done.exit_code != 0 and "MODELRACE_BIGBENCH" in done.output and "Traceback" not in done.output
    listed = runner.invoke(app, ["tasks", "--search", "x", "--json"])
    assert listed.exit_code == 0, listed.output
    assert not any(s["present"] for s in json.loads(listed.stdout)["sources"])


def test_a_broken_task_json_in_a_checkout_is_one_line_naming_it(tmp_path: Path) -> None:
    root = tmp_path / "bigbench" / "benchmark_tasks"
    _task(root, "parity", {"preferred_score": "multiple_choice_grade", "examples": _mc(2)})
    (root / "broken").mkdir()
    (root / "broken" / "task.json").write_text('{"name": "broken", "examples": [')
    (root / "listed").mkdir()
    (root / "listed" / "task.json").write_text("[1, 2]")
    done = runner.invoke(app, ["tasks", "--search", "parity", "--data", str(root)])
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output and "broken" in done.output and "not valid JSON" in done.output
    with pytest.raises(ImportFormatError, match=r"broken.*not valid JSON"):
        load_task("bigbench:broken", data=str(root))
    (root / "broken" / "task.json").unlink()
    listed = runner.invoke(app, ["tasks", "--search", "parity", "--data", str(root)])
    assert listed.exit_code == 1 and "listed" in listed.output and "is not a BIG-bench task" in listed.output
