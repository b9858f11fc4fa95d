"""BIG-Bench Hard as lm-evaluation-harness's leaderboard_bbh and bbh_cot_fewshot run it: prompts, scoring, sources,
and a real model end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import ConfigError
from modelrace.evals import BackendInfo, ChoiceScore, Generation, RunOptions, load_task, run_eval
from modelrace.evals._bbh import INVALID, NO_OPTION, cot_answer, leaderboard_prompt, task_names
from modelrace.store import Warehouse

from .fake_openai import fake_openai

runner = CliRunner()


@pytest.mark.reference
def test_leaderboard_prompt_is_the_harness_format(reference_data: Path) -> None:
    task = load_task("bbh:boolean_expressions", limit=2)
    # lm-evaluation-harness renders: description, then first_n few-shot "Q: {input}\nA: {target}\n\n", then the
    # item's "Q: {input}\nA:"; the options are scored as " " + option
    assert task.items[0].context == (
        "Evaluate the result of a random Boolean expression."
        "Q: not ( ( not not True ) ) is\nA: False\n\n"
        "Q: True and False and not True and True is\nA: False\n\n"
        "Q: not not ( not ( False ) ) is\nA: True\n\n"
        "Q: not ( True ) and ( True ) is\nA:"
    )
    assert task.items[0].choices == ("False", "True") and task.items[0].gold == 0
    assert task.spec.protocol == "leaderboard_bbh" and task.spec.choice_prefix == " " and task.available == 250
    dates = load_task("bbh:date_understanding", limit=1).items[0]
    assert dates.context.startswith("Infer the date from context.Q: Today is Christmas Eve of 1937")
    assert dates.context.endswith("Q: Today is Christmas Eve of 1937. What is the date tomorrow in MM/DD/YYYY?\n"
                                  "Options:\n(A) 12/11/1937\n(B) 12/25/1937\n(C) 01/04/1938\n(D) 12/04/1937\n"
                                  "(E) 12/25/2006\n(F) 07/25/1937\nA:")  # fmt: skip
    assert dates.choices[dates.gold or 0] == "(B)" and len(dates.choices) == 6
    group = load_task("bbh", limit=2)
    assert len(task_names("leaderboard_bbh")) == 24 and len(group.items) == 48 and group.available == 5761
    # the three items whose target is none of the options count as wrong, as in the harness
    whole = load_task("bbh:ruin_names")
    assert [i.id for i in whole.items if i.gold == NO_OPTION] == ["ruin_names/99", "ruin_names/144"]
    # the harness's few-shot examples are the questions of BBH's own chain-of-thought prompts
    for name in task_names("leaderboard_bbh"):
        prompt = (reference_data / "bbh" / "cot-prompts" / f"{name}.txt").read_text(encoding="utf-8")
        questions = re.findall(r"^Q: (.*?)\nA: ", prompt, re.MULTILINE | re.DOTALL)
        context = leaderboard_prompt(name, "?")
        for question in questions:
            assert f"Q: {question.strip()}\nA: " in context, name
    cot = load_task("bbh-cot:word_sorting", limit=1)
    assert cot.items[0].context.startswith("Sort a list of words.\n\nQ: Sort the following words alphabetically")
    assert cot.items[0].context.endswith("\nA: Let's think step by step.\n") and cot.spec.stop == ["</s>", "Q", "\n\n"]
    with pytest.raises(ConfigError, match="run it as bbh-cot:word_sorting"):
        load_task("bbh:word_sorting")


def test_cot_answer_extraction_is_the_harness_regex() -> None:
    assert cot_answer("Let's see. So the answer is (B).") == "(B)"
    assert cot_answer("So the answer is No.\nQ: another") == "No"
    assert cot_answer("So the answer is 12. Then the answer is 3.") == "12. Then the answer is 3"  # first match
    assert cot_answer("I do not know") == INVALID


class _Scripted:
    """A backend whose log-probabilities are given per choice text."""

    spec = "scripted"
    max_concurrency: int | None = 1
    local_file = None

    def __init__(self, logprobs: dict[str, float], text: str = "") -> None:
        self.logprobs, self.text, self.prompts = logprobs, text, 0

    def probe_loglikelihood(self) -> bool:
        return True

    def info(self) -> BackendInfo:
        return BackendInfo("scripted")

    def score_choices(self, context: str, choices: list[str]) -> list[ChoiceScore]:
        self.prompts += 1
        return [ChoiceScore(self.logprobs[c.strip()], 1, len(c)) for c in choices]

    def generate(self, prompt: str, max_tokens: int, stop: list[str], chat: bool) -> Generation:
        self.prompts += 1
        return Generation(self.text)


@pytest.mark.reference
def test_acc_norm_divides_by_the_options_own_length(reference_data: Path, warehouse: Warehouse) -> None:
    # "Yes" (3 chars) -3.3 vs "No" (2 chars) -2.1: per character -1.1 vs -1.05 picks No; with the separator
    # counted (4 vs 3 characters) it would be -0.825 vs -0.7, the same here, so make the lengths matter:
    # -4.0/3 = -1.333 vs -2.9/2 = -1.45 picks Yes; counting the space -1.0 vs -0.967 would pick No.
    backend = _Scripted({"Yes": -4.0, "No": -2.9})
    task = load_task("bbh:navigate", limit=4)
    summary = run_eval(warehouse, task, backend, RunOptions())
    golds = [i.gold for i in task.items]
    assert summary.metrics["acc_norm"].mean == pytest.approx(sum(g == 0 for g in golds) / 4)  # always "Yes"
    assert summary.metrics["acc"].mean == pytest.approx(sum(g == 1 for g in golds) / 4)  # always "No"
    assert summary.protocol == summary.manifest["protocol"] == "leaderboard_bbh"


@pytest.mark.reference
def test_cot_variant_is_a_separate_metric(reference_data: Path, warehouse: Warehouse) -> None:
    task = load_task("bbh-cot:navigate", limit=3)
    backend = _Scripted({}, text="Step by step. So the answer is No.")
    summary = run_eval(warehouse, task, backend, RunOptions())
    expected = sum(i.target == "No" for i in task.items) / 3
    assert set(summary.metrics) == {"cot_exact_match"}
    assert summary.metrics["cot_exact_match"].mean == pytest.approx(expected)
    assert summary.manifest["protocol"] == "bbh_cot_fewshot"


@pytest.mark.reference
def test_sources_folder_env_and_a_local_hub_dataset(
    reference_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = pytest.importorskip("datasets", reason="the datasets extra is not installed")
    rows = json.loads((reference_data / "bbh" / "tasks" / "snarks.json").read_text())["examples"][:5]
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "snarks.json").write_text(json.dumps({"examples": rows}))
    # a dataset folder in the Hub's layout (one configuration per task), as SaylorTwift/bbh is
    hub = tmp_path / "bbh-dataset"
    (hub / "snarks").mkdir(parents=True)
    datasets.Dataset.from_list(rows).to_parquet(str(hub / "snarks" / "test-00000-of-00001.parquet"))
    (hub / "README.md").write_text(
        "---\nconfigs:\n- config_name: snarks\n  data_files:\n  - split: test\n    path: snarks/test-*.parquet\n---\n"
    )
    reference = load_task("bbh:snarks", limit=5)
    from_copy = load_task("bbh:snarks", data=str(copy))
    from_hub = load_task("bbh:snarks", data=f"hf:{hub}")
    monkeypatch.setenv("MODELRACE_BBH", str(copy))
    from_env = load_task("bbh:snarks")
    assert from_copy.items == reference.items == from_hub.items == from_env.items
    assert from_copy.content_hash == from_hub.content_hash
    with pytest.raises(ConfigError, match="'navigate' is not in folder"):
        load_task("bbh:navigate")
    with pytest.raises(ConfigError, match="no folder at"):
        load_task("bbh:snarks", data=str(tmp_path / "nowhere"))


def test_a_file_that_is_not_gguf_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 20)
    done = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "eval", "--model", f"gguf:{garbage}",
                               "--task", "humaneval", "--limit", "1", "--unsafe-no-network-isolation"])  # fmt: skip
    assert done.exit_code == 2
    assert "is not a GGUF model file" in done.output and "Traceback" not in done.output
    assert len(done.output.strip().splitlines()) == 1


def test_code_tasks_refuse_before_the_first_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelrace.evals import _sandbox

    monkeypatch.setattr(_sandbox, "network_isolation", lambda: None)
    with fake_openai() as (url, state):
        done = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "eval", "--model", f"openai:toy@{url}",
                                   "--task", "humaneval", "--limit", "2"])  # fmt: skip
        generated = len(state.prompts)
    assert done.exit_code != 0 and "bubblewrap" in done.output and "Traceback" not in done.output
    assert generated == 0


@pytest.mark.reference
@pytest.mark.slow
def test_smollm2_end_to_end_on_gguf_and_hf_with_versus(
    reference_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    pytest.importorskip("transformers", reason="transformers is not installed")
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "inductor"))  # torch sets it on first import
    db = str(tmp_path / "w.duckdb")
    runs = {}
    for spec in ("gguf:smollm2-135m-instruct", "hf:smollm2-135m-instruct"):
        done = runner.invoke(app, ["--db", db, "-q", "eval", "--model", spec, "--task", "bbh:sports_understanding",
                                   "--limit", "4", "--json"])  # fmt: skip
        assert done.exit_code == 0, done.output
        runs[spec] = json.loads(done.stdout)
    gguf, hf = runs["gguf:smollm2-135m-instruct"], runs["hf:smollm2-135m-instruct"]
    assert gguf["manifest"]["protocol"] == "leaderboard_bbh" and gguf["done"] == 4
    single = gguf["metrics"]["acc_norm"]
    assert single["ci_low"] <= hf["metrics"]["acc_norm"]["mean"] <= single["ci_high"]
    # the group, one item of each of its 24 tasks, against the leaderboard's BBH Raw for the same model
    group = runner.invoke(app, ["--db", db, "-q", "eval", "--model", "gguf:smollm2-135m-instruct", "--task", "bbh",
                                "--limit", "1", "--json"])  # fmt: skip
    assert group.exit_code == 0, group.output
    ours = json.loads(group.stdout)["metrics"]["acc_norm"]
    assert json.loads(group.stdout)["done"] == 24
    imported = runner.invoke(app, ["--db", db, "-q", "import", "open-llm-leaderboard",
                                   str(reference_data / "open_llm_leaderboard_v2_contents_2025-02.csv")])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    versus = runner.invoke(app, ["--db", db, "versus", "gguf:smollm2-135m-instruct",
                                 "HuggingFaceTB/SmolLM2-135M-Instruct", "--json"])  # fmt: skip
    assert versus.exit_code == 0, versus.output
    rows = json.loads(versus.stdout)["benchmarks"]
    assert [r["benchmark"] for r in rows] == ["leaderboard_bbh (bfloat16)", "leaderboard_bbh (float16)"]
    assert rows[0]["a"] == pytest.approx(ours["mean"]) and rows[0]["b"] == pytest.approx(0.3124321328066677)
    assert "Q4_1 GGUF (ours) vs bfloat16" in rows[0]["uncertainty"]
    assert "first 1 items of each task" in rows[0]["uncertainty"]
    text = runner.invoke(
        app, ["--db", db, "versus", "gguf:smollm2-135m-instruct", "HuggingFaceTB/SmolLM2-135M-Instruct"]
    )
    assert text.exit_code == 0 and "on BBH: ahead on 0, tied on 2" in text.output.replace("\n", " ")


def test_a_limited_run_names_the_most_items_it_kept_of_one_task(tmp_path: Path) -> None:
    from modelrace.evals._protocols import _largest_task
    from modelrace.store import Warehouse

    # --limit 200 over tasks of 250, 187 and 146 items: 200 of each, the shorter tasks whole (not 533 / 3 = 178)
    kept = {"boolean_expressions": 200, "causal_judgement": 187, "penguins_in_a_table": 146}
    with Warehouse.open(tmp_path / "w.duckdb") as warehouse, warehouse.transaction() as connection:
        for task, count in kept.items():
            for index in range(count):
                connection.execute(
                    "INSERT INTO eval_items VALUES ('run', ?, true, '{}', NULL, now())", [f"{task}/{index}"]
                )
        connection.execute("INSERT INTO eval_items VALUES ('other', 'snarks/0', true, '{}', NULL, now())")
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as warehouse:
        assert _largest_task(warehouse, "run") == 200
        assert _largest_task(warehouse, "other") == 1
