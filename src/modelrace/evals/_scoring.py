"""Scoring one item: multiple choice by log-likelihood (or a letter answer), generation by exact or math
equivalence, code by running the model's program in the sandbox."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from modelrace.errors import ConfigError
from modelrace.evals._backends import Backend
from modelrace.evals._outputs import (
    ChoiceOutput,
    CodeOutput,
    CodeSample,
    CotOutput,
    GenerationOutput,
    ItemOutput,
    LetterOutput,
)
from modelrace.evals._sandbox import Limits, run_python
from modelrace.evals._stats import pass_at_k
from modelrace.evals._tasks import Item, Task, TaskSpec

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class RunOptions:
    """How to run: concurrency, seed, chat template, and whether code may run without isolation."""

    seed: int = 0
    concurrency: int = 1
    chat: bool | None = None  # None: the task's setting
    allow_unisolated_code: bool = False
    letter_fallback: bool = True


@dataclass(frozen=True)
class ScoredItem:
    """One item scored: whether the task's primary metric counts it correct (None where it is pass@k over several
    samples), its metrics, and what the model answered (stored as the item's JSON output)."""

    correct: bool | None
    metrics: dict[str, float]
    output: ItemOutput


def effective_chat(task: Task, backend: Backend, options: RunOptions) -> bool:
    """Whether the chat template is applied, as the run will really do it. Log-likelihood multiple choice scores
    the raw prompt, so asking for a chat template there is an error rather than a false line in the manifest;
    the letter fallback always asks in a chat."""
    requested = task.spec.chat_template if options.chat is None else options.chat
    if task.spec.kind != "multiple_choice":
        return requested
    if not backend.probe_loglikelihood():
        return True
    if requested:
        raise ConfigError(
            f"task {task.spec.id}: multiple-choice log-likelihood scoring uses the raw prompt, not a chat template "
            "(drop --chat / chat_template; chat models are compared through generation tasks or the letter fallback)"
        )
    return False


def math_equivalent(target: str, answer: str) -> bool:
    """Whether an answer equals the target mathematically (1/2 = 0.5 = \\frac{1}{2}), by math-verify."""
    try:
        from math_verify import parse, verify
    except ImportError:
        raise ConfigError("math answers are checked with math-verify: pip install math-verify") from None
    # Items are scored in worker threads, where math-verify's signal-based timeout cannot run; answers are
    # bounded by the task's token budget.
    gold = parse(target if "$" in target else f"${target}$", parsing_timeout=None)
    return bool(gold) and bool(verify(gold, parse(answer, parsing_timeout=None), timeout_seconds=None))


def _letter_prompt(item: Item) -> str:
    options = "\n".join(f"{LETTERS[i]}. {choice.strip()}" for i, choice in enumerate(item.choices))
    return f"{item.context.strip()}\n\n{options}\n\nAnswer with the letter of the correct option only."


def _extract_letter(text: str, count: int) -> int | None:
    found = re.search(rf"\b([{LETTERS[:count]}])\b", text.strip().upper())
    return LETTERS.index(found.group(1)) if found else None


FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


def code_program(item: Item, completion: str) -> str:
    """The program to test: the completion appended to the code prompt (a base model continues the function), or,
    when the answer is a fenced code block that defines the function (an instruct model answering a chat), that
    block after the prompt closed with ``pass``, so the prompt's imports and helpers stay defined."""
    code_prompt = item.extra.code_prompt if item.extra.code_prompt is not None else item.context
    fenced = FENCE.search(completion)
    if fenced is None:
        return f"{code_prompt}{completion}"
    code = fenced.group(1)
    if item.entry_point and re.search(rf"^\s*def {re.escape(item.entry_point)}\s*\(", code, re.MULTILINE):
        return f"{code_prompt.rstrip()}\n    pass\n\n\n{code}"
    return f"{code_prompt}{code}"


def _choice_by_loglikelihood(item: Item, spec: TaskSpec, backend: Backend) -> ScoredItem:
    assert item.gold is not None
    # "Answer: " + " 7am" would score a double space: the separator belongs to the choice.
    context = item.context.rstrip() if spec.choice_prefix[:1].isspace() else item.context
    scores = backend.score_choices(context, [spec.choice_prefix + c for c in item.choices])
    logprobs = [s.logprob for s in scores]
    predicted = max(range(len(scores)), key=lambda i: logprobs[i])
    # lm-evaluation-harness divides by the option's own length, without the separator before it
    lengths = [len(c) for c in item.choices] if spec.protocol is not None else [s.characters for s in scores]
    normalised = max(range(len(scores)), key=lambda i: logprobs[i] / max(lengths[i], 1))
    metrics = {"acc": float(predicted == item.gold), "acc_norm": float(normalised == item.gold)}
    if spec.protocol is not None:  # the protocol's metric is acc_norm: it decides "correct"
        output = ChoiceOutput(tuple(logprobs), predicted, item.gold, item.choices[normalised], normalised)
        return ScoredItem(normalised == item.gold, metrics, output)
    output = ChoiceOutput(tuple(logprobs), predicted, item.gold, item.choices[predicted])
    return ScoredItem(predicted == item.gold, metrics, output)


def _choice_by_letter(item: Item, backend: Backend, options: RunOptions) -> ScoredItem:
    assert item.gold is not None
    if not options.letter_fallback:
        raise ConfigError(f"{backend.spec} gives no log-probabilities and the letter fallback is off")
    generation = backend.generate(_letter_prompt(item), 16, [], chat=True)
    predicted = _extract_letter(generation.text, len(item.choices))
    correct = predicted == item.gold
    choice = item.choices[predicted] if predicted is not None else None
    # A different metric: a letter answer is not a log-likelihood choice, and is never mixed with one.
    output = LetterOutput(generation.text, predicted, item.gold, choice)
    return ScoredItem(correct, {"acc_letter": float(correct)}, output)


def _chain_of_thought(item: Item, spec: TaskSpec, backend: Backend, chat: bool) -> ScoredItem:
    """bbh_cot_fewshot: the harness's regex filter, then exact (case-sensitive) match."""
    from modelrace.evals._bbh import cot_answer

    generation = backend.generate(item.context, spec.max_tokens, spec.stop, chat)
    answer = cot_answer(generation.text)
    correct = answer == (item.target or "")
    output = CotOutput(answer, generation.text, generation.truncated)
    return ScoredItem(correct, {"cot_exact_match": float(correct)}, output)


def _generation(item: Item, spec: TaskSpec, backend: Backend, chat: bool) -> ScoredItem:
    generation = backend.generate(item.context, spec.max_tokens, spec.stop, chat)
    answer = generation.text.strip()
    if spec.answer_regex:
        match = re.search(spec.answer_regex, answer)
        answer = match.group(1) if match and match.groups() else (match.group(0) if match else "")
    if spec.check == "math":
        correct = math_equivalent(item.target or "", answer)
    else:
        # Some tasks accept several answers (BIG-bench's generative targets): any of them counts.
        accepted = list(item.extra.targets or ()) or [item.target or ""]
        correct = answer.strip().lower() in {t.strip().lower() for t in accepted}
    output = GenerationOutput(answer, generation.text, generation.reasoning_tokens, generation.truncated)
    metric = "math_equivalent" if spec.check == "math" else "exact_match"
    return ScoredItem(correct, {metric: float(correct)}, output)


def _code(item: Item, spec: TaskSpec, backend: Backend, chat: bool, options: RunOptions) -> ScoredItem:
    """Sample, run each completion against the item's tests in the sandbox; pass@k over the samples."""
    passed, samples = 0, []
    for _ in range(spec.samples):
        generation = backend.generate(item.context, spec.max_tokens, spec.stop, chat)
        program = f"{code_program(item, generation.text)}\n\n{item.tests}\n\ncheck({item.entry_point})\n"
        outcome = run_python(program, Limits(), allow_network=options.allow_unisolated_code)
        passed += outcome.passed
        samples.append(CodeSample(outcome.status, generation.text, generation.truncated, outcome.stderr[-500:]))
    n = spec.samples
    metrics = {"pass@1": pass_at_k(n, passed, 1)}
    if n >= 10:
        metrics["pass@10"] = pass_at_k(n, passed, 10)
    return ScoredItem(passed == n if n == 1 else None, metrics, CodeOutput(tuple(samples), passed, n))


def evaluate_item(item: Item, task: Task, backend: Backend, options: RunOptions) -> ScoredItem:
    """Score one item: whether it is correct, its metrics, and the model's output."""
    spec = task.spec
    chat = spec.chat_template if options.chat is None else options.chat
    if spec.kind == "multiple_choice":
        if backend.probe_loglikelihood():
            return _choice_by_loglikelihood(item, spec, backend)
        return _choice_by_letter(item, backend, options)
    if spec.kind == "generation" and spec.protocol is not None:
        return _chain_of_thought(item, spec, backend, chat)
    if spec.kind == "generation":
        return _generation(item, spec, backend, chat)
    return _code(item, spec, backend, chat, options)
