from __future__ import annotations

import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from modelrace.errors import ConfigError, NotFoundError
from modelrace.evals import RunOptions, compare_runs, find_run, run_eval
from modelrace.evals._openai import EndpointError, OpenAIBackend
from modelrace.evals._tasks import load_task
from modelrace.store import Warehouse

from .fake_openai import fake_openai, logprob


def mc_task(tmp_path: Path, n: int = 12) -> Path:
    rows = [
        {"id": f"q{i}", "question": f"Question {i}: is it so?", "choices": ["yes", "no", "maybe"], "answer": i % 3}
        for i in range(n)
    ]
    data = tmp_path / "mc.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in rows))
    spec = tmp_path / "mc.yaml"
    spec.write_text(
        f"id: toy-mc\nkind: multiple_choice\nsource: jsonl:{data}\nprompt: '{{input}} Answer:'\n"
        "fields: {input: question, choices: choices, gold: answer}\n"
    )
    return spec


def test_scoring_sums_continuation_logprobs() -> None:
    with fake_openai() as (url, _):
        backend = OpenAIBackend("toy", [url])
        assert backend.probe_loglikelihood(), backend.probe()
        scores = backend.score_choices("Is the sky blue? Answer:", [" yes", " no way"])
        assert scores[0].logprob == pytest.approx(logprob(" Answer:", " yes"))
        assert scores[1].logprob == pytest.approx(logprob(" Answer:", " no") + logprob(" no", " way"))
        assert scores[1].tokens == 2


@pytest.mark.parametrize("mode", ["shifted", "no-echo"])
def test_servers_with_wrong_logprobs_are_refused_with_the_reason(mode: str) -> None:
    with fake_openai(mode) as (url, _):
        backend = OpenAIBackend("toy", [url])
        ok, reason = backend.probe()
        assert not ok and reason
        with pytest.raises(EndpointError, match="refusing log-likelihood scoring"):
            backend.score_choices("a", [" b"])


def test_reasoning_is_stripped_and_counted() -> None:
    with fake_openai(answers={"2+2": "4"}) as (url, _):
        generation = OpenAIBackend("think-model", [url]).generate("what is 2+2?", 64, [], chat=True)
    assert (generation.text, generation.reasoning, generation.reasoning_tokens) == ("4", "let me think", 3)


def test_load_balancing_over_several_endpoints() -> None:
    with fake_openai() as (first, state_a), fake_openai() as (second, state_b):
        backend = OpenAIBackend("toy", [first, second], concurrency=2)
        for _ in range(6):
            backend.generate("hello", 4, [], chat=False)
        assert state_a.requests == state_b.requests == 3  # one at a time: taken in turn
        backend.close()


def test_a_slow_endpoint_gets_fewer_requests_and_no_more_than_its_slots() -> None:
    with fake_openai() as (slow, slow_state), fake_openai() as (fast, fast_state):
        slow_state.delay_s = 0.3
        backend = OpenAIBackend("toy", [slow, fast], concurrency=2)
        with ThreadPoolExecutor(8) as pool:
            texts = list(pool.map(lambda _: backend.generate("hello", 4, [], chat=False).text, range(24)))
        backend.close()
    assert all(texts)
    assert slow_state.requests + fast_state.requests == 24
    assert slow_state.requests < fast_state.requests
    assert slow_state.max_in_flight <= 2 and fast_state.max_in_flight <= 2


def test_overloaded_servers_are_retried_and_dead_ones_are_clear_errors() -> None:
    with fake_openai() as (url, state):
        state.fail_first = 2
        backend = OpenAIBackend("toy", [url], retries=2)
        assert backend.generate("hello", 4, [], chat=True).text.strip() == "B"
        assert state.requests == 3
        backend.close()
    with fake_openai() as (url, state):
        state.fail_first = 10
        backend = OpenAIBackend("toy", [url], retries=1)
        with pytest.raises(EndpointError, match=r"HTTP 503: overloaded! \(after 2 attempts\)"):
            backend.generate("hello", 4, [], chat=True)
        backend.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed
    backend = OpenAIBackend("toy", [f"http://127.0.0.1:{port}/v1"], retries=0)
    with pytest.raises(EndpointError, match=f"127.0.0.1:{port}/v1/chat/completions: ClientConnectorError"):
        backend.generate("hello", 4, [], chat=True)
    backend.close()


def test_run_scores_with_ci_and_resumes(tmp_path: Path, warehouse: Warehouse) -> None:
    task = load_task(str(mc_task(tmp_path)))
    with fake_openai() as (url, state):
        backend = OpenAIBackend("toy", [url])
        half = load_task(str(mc_task(tmp_path)), limit=None)
        first = run_eval(warehouse, task, backend, RunOptions(concurrency=4))
        requests_after_first = state.requests
        again = run_eval(warehouse, half, backend, RunOptions(concurrency=4))
    assert first.done == 12 and first.resumed == 0
    assert again.run_id == first.run_id and again.resumed == 12
    assert state.requests == requests_after_first  # nothing redone
    acc = first.metrics["acc"]
    assert acc.ci_low <= acc.mean <= acc.ci_high
    assert first.manifest["task"]["hash"] == task.content_hash


def test_chat_only_server_falls_back_to_letters_under_another_metric(tmp_path: Path, warehouse: Warehouse) -> None:
    task = load_task(str(mc_task(tmp_path, 6)))
    with fake_openai("no-echo", answers={"Answer with the letter": "B"}) as (url, _):
        summary = run_eval(warehouse, task, OpenAIBackend("toy", [url]))
    assert set(summary.metrics) == {"acc_letter"}
    assert summary.manifest["chat_template"] is True  # the letter question is asked in a chat
    assert summary.to_json()["commonest_answer"] == {"answer": "no", "share": 1.0}  # the server always says B


def test_a_chat_template_is_never_claimed_for_log_likelihood_scoring(tmp_path: Path, warehouse: Warehouse) -> None:
    task = load_task(str(mc_task(tmp_path, 4)))
    with fake_openai() as (url, _):
        with pytest.raises(ConfigError, match="uses the raw prompt, not a chat template"):
            run_eval(warehouse, task, OpenAIBackend("toy", [url]), RunOptions(chat=True))
        summary = run_eval(warehouse, task, OpenAIBackend("toy", [url]))
    assert summary.manifest["chat_template"] is False and "acc" in summary.metrics


def test_compare_two_models(tmp_path: Path, warehouse: Warehouse) -> None:
    task = load_task(str(mc_task(tmp_path, 20)))
    with fake_openai("no-echo", answers={"Answer with the letter": "B"}) as (url2, _):
        a = run_eval(warehouse, task, OpenAIBackend("letters", [url2]))
        b = run_eval(warehouse, task, OpenAIBackend("other-letters", [url2]))
    result = compare_runs(warehouse, a.run_id, b.run_id)
    assert result.items == 20 and result.metric == "acc_letter"
    assert result.difference.mean == 0 and result.mcnemar is not None and result.mcnemar.p_value == 1.0
    # `modelrace compare A B --task T` with models instead of run ids: their latest runs on the task
    assert find_run(warehouse, "letters", "toy-mc") == a.run_id
    assert find_run(warehouse, b.model_spec, "toy-mc") == b.run_id
    assert find_run(warehouse, a.run_id) == a.run_id
    with pytest.raises(NotFoundError, match="run `modelrace eval --model letters --task other`"):
        find_run(warehouse, "letters", "other")


def test_an_answer_without_choices_is_a_clear_error() -> None:
    from modelrace.evals._openai import _first_choice

    with pytest.raises(EndpointError, match="has no choices"):
        _first_choice({"error": "overloaded"})


def test_a_backend_never_closed_leaves_no_complaint_at_exit() -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from evals.fake_openai import fake_openai\n"
        "from modelrace.evals._openai import OpenAIBackend\n"
        "with fake_openai() as (url, _):\n"
        "    print(OpenAIBackend('m', [url]).generate('hi', 4, [], chat=True).text.strip())\n"
    )
    tests = str(Path(__file__).parent.parent)
    done = subprocess.run([sys.executable, "-c", script, tests], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "B", "")
