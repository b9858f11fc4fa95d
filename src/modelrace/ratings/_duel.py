"""Duels: two models answer the same prompts and a judge model compares the answers, in both orders.

Rules:
- Both models answer each prompt through their backends (greedy, chat template applied).
- The judge sees the prompt and the two answers twice, once in each order, and ends each judgement with
  ``[[A]]``, ``[[B]]`` or ``[[C]]`` (a tie), MT-Bench's pairwise format. Its last such mark counts; none is
  "unclear".
- A model wins only when both orders name it; any other combination (the judge's position bias showing as a
  disagreement, a tie, an unclear judgement) is a tie.
- A duel's id is a hash of its manifest (the three backends' descriptions, the prompts, the judge template and
  the token budgets): the same command resumes it. Each prompt's answers, both judgements and its battle are
  written in one transaction the moment it is judged, so a killed duel keeps every finished prompt.
- Battles go into the ratings' battles table as judged by a model (source ``duel``), so ``arena --source
  model`` rates them apart from human votes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from modelrace import __version__
from modelrace._progress import NoProgress, ProgressSink
from modelrace._serialise import to_jsonable
from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals import Backend, model_identity, run_bounded  # model_identity: how eval runs are named
from modelrace.ratings._arena import publish_ratings
from modelrace.ratings._battle_file import Battle
from modelrace.ratings._battles import insert_battles, new_batch
from modelrace.store import Warehouse

Verdict = Literal["first", "second", "tie", "unclear"]
Winner = Literal["model_a", "model_b", "tie"]
DUEL_SOURCE = "duel"
JUDGE_TEMPLATE_VERSION = 1
JUDGE_TEMPLATE = """Please act as an impartial judge and evaluate the quality of the responses provided by two AI \
assistants to the user question displayed below. Choose the assistant that follows the user's instructions and \
answers the user's question better: consider helpfulness, relevance, accuracy, depth, creativity and level of \
detail. Avoid any position bias: the order in which the responses are presented must not influence your decision, \
nor their length, nor the assistants' names. Be as objective as possible. Explain your comparison briefly, then \
give your final verdict strictly in this format: "[[A]]" if assistant A is better, "[[B]]" if assistant B is \
better, and "[[C]]" for a tie.

[User Question]
{question}

[The Start of Assistant A's Answer]
{first}
[The End of Assistant A's Answer]

[The Start of Assistant B's Answer]
{second}
[The End of Assistant B's Answer]"""
_VERDICTS: dict[str, Verdict] = {"A": "first", "B": "second", "C": "tie"}
_MARK = re.compile(r"\[\[\s*([ABC])\s*\]\]")


@dataclass(frozen=True)
class DuelPrompt:
    """One prompt both models answer."""

    id: str
    prompt: str
    category: str | None = None


@dataclass(frozen=True)
class DuelOptions:
    """Token budgets, concurrency, and how many of the prompts to judge (the duel stays the same: a later run
    without a limit resumes it)."""

    limit: int | None = None
    max_tokens: int = 512
    judge_max_tokens: int = 512
    concurrency: int = 4
    prompts_path: str = ""


@dataclass(frozen=True)
class DuelSummary:
    """Where a duel stands: its verdicts so far."""

    duel_id: str
    model_a: str
    model_b: str
    name_a: str
    name_b: str
    judge: str
    items: int
    done: int
    resumed: int
    wins_a: int
    wins_b: int
    ties: int
    disagreements: int
    unclear: int
    ratings_import_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (documented in docs/json.md)."""
        return {
            "duel_id": self.duel_id,
            "model_a": self.model_a,
            "model_b": self.model_b,
            "name_a": self.name_a,
            "name_b": self.name_b,
            "judge": self.judge,
            "items": self.items,
            "done": self.done,
            "resumed_items": self.resumed,
            "wins_a": self.wins_a,
            "wins_b": self.wins_b,
            "ties": self.ties,
            "disagreements": self.disagreements,
            "unclear": self.unclear,
            "ratings_import_id": self.ratings_import_id,
        }


def _prompt_text(row: dict[str, Any]) -> str | None:
    for key in ("prompt", "input", "question"):
        if isinstance(row.get(key), str) and row[key].strip():
            return str(row[key])
    turns = row.get("turns")  # MT-Bench's question files: the first turn
    if isinstance(turns, list) and turns and isinstance(turns[0], str):
        return turns[0]
    return None


def load_prompts(path: Path, limit: int | None = None) -> list[DuelPrompt]:
    """Prompts from JSONL/JSON (``prompt``, ``input``, ``question`` or MT-Bench ``turns``; optional ``id`` or
    ``question_id`` and ``category``), CSV with such columns, or a text file (one prompt a line)."""
    if not path.is_file():
        raise ConfigError(f"no prompts file at {path}")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
        if suffix == ".jsonl":
            rows: list[Any] = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif suffix == ".json":
            rows = json.loads(text)
            if not isinstance(rows, list):
                raise ImportFormatError(f"{path}: a JSON prompts file is a list of objects")
        elif suffix == ".csv":
            rows = list(csv.DictReader(text.splitlines()))
        else:
            rows = [{"prompt": line} for line in text.splitlines() if line.strip()]
    except (ValueError, UnicodeDecodeError, csv.Error) as error:
        raise ImportFormatError(f"{path} cannot be read as {suffix[1:] or 'text'}: {error}") from None
    prompts = []
    for index, row in enumerate(rows, 1):
        found = _prompt_text(row) if isinstance(row, dict) else None
        if found is None:
            raise ImportFormatError(f"{path}: row {index} has no prompt (a prompt, input, question or turns field)")
        identifier = row.get("id", row.get("question_id", index))
        category = row.get("category")
        prompts.append(DuelPrompt(str(identifier), found, str(category) if category else None))
    if len({p.id for p in prompts}) != len(prompts):
        raise ImportFormatError(f"{path}: prompt ids repeat (give each row a unique id)")
    if not prompts:
        raise ImportFormatError(f"{path} holds no prompts")
    return prompts[:limit] if limit is not None else prompts


def parse_verdict(judgement: str) -> Verdict:
    """The judge's final mark: first ([[A]]), second ([[B]]), tie ([[C]]), or unclear (no mark)."""
    marks = _MARK.findall(judgement)
    if not marks:
        return "unclear"
    return _VERDICTS[marks[-1]]


def combine(verdict_ab: Verdict, verdict_ba: Verdict) -> Winner:
    """The battle's winner from both orders (A shown first, then B shown first): a win needs both to agree."""
    if verdict_ab == "first" and verdict_ba == "second":
        return "model_a"
    if verdict_ab == "second" and verdict_ba == "first":
        return "model_b"
    return "tie"


def _stable_info(backend: Backend) -> dict[str, Any]:
    info = json.loads(json.dumps(to_jsonable(backend.info()), sort_keys=True, default=str))
    info.pop("logprob_probe", None)  # may change between resumptions
    return {"spec": backend.spec, **info}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class _Judged:
    answer_a: str
    answer_b: str
    verdict_ab: Verdict
    verdict_ba: Verdict
    judgement_ab: str
    judgement_ba: str


def _judge_one(prompt: DuelPrompt, backends: tuple[Backend, Backend], judge: Backend, options: DuelOptions) -> _Judged:
    answer_a = backends[0].generate(prompt.prompt, options.max_tokens, [], chat=True).text.strip()
    answer_b = backends[1].generate(prompt.prompt, options.max_tokens, [], chat=True).text.strip()
    orders = ((answer_a, answer_b), (answer_b, answer_a))
    judgements = [
        judge.generate(
            JUDGE_TEMPLATE.format(question=prompt.prompt, first=first, second=second),
            options.judge_max_tokens,
            [],
            chat=True,
        ).text
        for first, second in orders
    ]
    return _Judged(
        answer_a,
        answer_b,
        parse_verdict(judgements[0]),
        parse_verdict(judgements[1]),
        judgements[0],
        judgements[1],
    )


def _workers(options: DuelOptions, *backends: Backend) -> int:
    limits = [b.max_concurrency for b in backends if b.max_concurrency]
    return max(1, min([options.concurrency, *limits]))


def run_duel(
    warehouse: Warehouse,
    backends: tuple[Backend, Backend],
    judge: Backend,
    prompts: list[DuelPrompt],
    options: DuelOptions | None = None,
    progress: ProgressSink | None = None,
) -> DuelSummary:
    """Judge every prompt not already judged in this duel (same manifest), writing each as it is judged."""
    options = options or DuelOptions()
    progress = progress or NoProgress()
    selected = prompts[: options.limit] if options.limit is not None else prompts
    names = tuple(model_identity(b).source_name for b in backends)
    if names[0] == names[1]:
        raise ConfigError(f"both sides are {names[0]}: a model cannot duel itself")
    prompts_hash = hashlib.sha256(json.dumps([[p.id, p.prompt, p.category] for p in prompts]).encode()).hexdigest()
    manifest = {
        "a": _stable_info(backends[0]),
        "b": _stable_info(backends[1]),
        "judge": _stable_info(judge),
        "names": list(names),
        "prompts": {"path": options.prompts_path, "items": len(prompts), "hash": prompts_hash},
        "judge_template": JUDGE_TEMPLATE_VERSION,
        "sampling": {"temperature": 0, "max_tokens": options.max_tokens, "judge_max_tokens": options.judge_max_tokens},
        "modelrace": __version__,
    }
    stable = dict(manifest, prompts={"items": len(prompts), "hash": prompts_hash})  # the path may move
    duel_id = hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()[:16]
    existing = warehouse.query("SELECT batch_id FROM duels WHERE duel_id = ?", [duel_id])
    if existing:
        batch_id = int(existing[0]["batch_id"])
    else:
        with warehouse.transaction() as connection:
            batch_id = new_batch(
                connection, "duel", DUEL_SOURCE, "model", f"duel:{duel_id}", duel_id, _now().date(),
                {"duel_id": duel_id, "judge": judge.spec},
            )  # fmt: skip
            connection.execute(
                "INSERT INTO duels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'running')",
                [
                    duel_id,
                    batch_id,
                    backends[0].spec,
                    backends[1].spec,
                    names[0],
                    names[1],
                    judge.spec,
                    json.dumps(manifest, default=str),
                    len(prompts),
                    _now(),
                ],
            )
    done = {r["item_id"] for r in warehouse.query("SELECT item_id FROM duel_items WHERE duel_id = ?", [duel_id])}
    positions = {p.id: index for index, p in enumerate(prompts, 1)}
    pending = [p for p in selected if p.id not in done]
    progress.start(f"{names[0]} vs {names[1]}, judged by {judge.spec}", len(selected))
    progress.advance(len(selected) - len(pending))
    workers = _workers(options, *backends, judge)

    def record(prompt: DuelPrompt, judged: _Judged) -> None:
        _store(warehouse, duel_id, batch_id, positions[prompt.id], prompt, judged, names, judge.spec)
        progress.advance()

    run_bounded(pending, lambda prompt: _judge_one(prompt, backends, judge, options), record, workers)
    summary = summarise_duel(warehouse, duel_id, resumed=len(done & {p.id for p in selected}))
    if summary.done >= summary.items:
        warehouse.connection.execute(
            "UPDATE duels SET status = 'finished', finished_at = ? WHERE duel_id = ? AND status <> 'finished'",
            [_now(), duel_id],
        )
    return replace(summary, ratings_import_id=publish_ratings(warehouse))


def _store(
    warehouse: Warehouse,
    duel_id: str,
    batch_id: int,
    position: int,
    prompt: DuelPrompt,
    judged: _Judged,
    names: tuple[str, ...],
    judge_spec: str,
) -> None:
    """One judged prompt and its battle, together."""
    winner = combine(judged.verdict_ab, judged.verdict_ba)
    now = _now()
    with warehouse.transaction() as connection:
        connection.execute(
            "INSERT INTO duel_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                duel_id,
                prompt.id,
                prompt.prompt,
                judged.answer_a,
                judged.answer_b,
                judged.verdict_ab,
                judged.verdict_ba,
                judged.judgement_ab,
                judged.judgement_ba,
                winner,
                now,
            ],
        )
        battle = Battle(names[0], names[1], winner, judge_spec, prompt.category, None, prompt.id, now)
        insert_battles(connection, batch_id, "model", [(position, battle)])


def summarise_duel(warehouse: Warehouse, duel_id: str, resumed: int = 0) -> DuelSummary:
    """A duel's verdicts so far."""
    rows = warehouse.query("SELECT * FROM duels WHERE duel_id = ?", [duel_id])
    if not rows:
        raise ConfigError(f"no duel {duel_id}")
    duel = rows[0]
    tally = warehouse.query(
        """SELECT count(*) AS done,
                  count(*) FILTER (WHERE winner = 'model_a') AS wins_a,
                  count(*) FILTER (WHERE winner = 'model_b') AS wins_b,
                  count(*) FILTER (WHERE winner = 'tie') AS ties,
                  count(*) FILTER (WHERE verdict_ab IN ('first', 'second') AND verdict_ab = verdict_ba)
                      AS disagreements,
                  count(*) FILTER (WHERE 'unclear' IN (verdict_ab, verdict_ba)) AS unclear
           FROM duel_items WHERE duel_id = ?""",
        [duel_id],
    )[0]
    return DuelSummary(
        duel_id=duel_id,
        model_a=duel["model_a"],
        model_b=duel["model_b"],
        name_a=duel["name_a"],
        name_b=duel["name_b"],
        judge=duel["judge"],
        items=duel["items_total"],
        done=tally["done"],
        resumed=resumed,
        wins_a=tally["wins_a"],
        wins_b=tally["wins_b"],
        ties=tally["ties"],
        disagreements=tally["disagreements"],
        unclear=tally["unclear"],
    )
