"""Head-to-head commands: import battles, arena ratings, and duels judged by a model."""

from __future__ import annotations

from datetime import date as date_type
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import (
    CommandGroup,
    JsonOption,
    emit,
    open_warehouse,
    state,
    stdout,
    use_json,
    user_errors,
)
from modelrace.errors import ConfigError

group = CommandGroup()


# What dated a battle file, as the import's summary says it.
_BASIS = {"--date": "as --date gives", "contents": "the day of its latest battle", "file name": "as its name gives"}


def _parse_date(value: str | None) -> date_type | None:
    if value is None:
        return None
    try:
        return date_type.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--date {value!r} is not an ISO date (YYYY-MM-DD)") from None


@group.imports.command("battles")
def import_battles_command(
    path: Annotated[Path, typer.Argument(help="Battles: JSON, JSONL, CSV or Parquet in LMArena's layout.")],
    source: Annotated[
        str | None, typer.Option(help="A label `arena --source` selects them by (default: the file's stem).")
    ] = None,
    judged_by: Annotated[str, typer.Option("--judged-by", help="human or model: who gave the verdicts.")] = "human",
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Date of the data (default: the day of the latest battle with a timestamp, else the file name).",
        ),
    ] = None,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="Store it even if it rejects more than half of its rows.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Load pairwise battles (model_a, model_b, winner); bad rows are rejected with their reasons."""
    from modelrace.ratings import import_battles

    use_json(as_json)
    with user_errors():
        when = _parse_date(date)
        with open_warehouse() as warehouse:
            summary = import_battles(warehouse, path, source, judged_by, when, allow_partial=allow_partial)

    def render() -> None:
        if summary.already_imported:
            stdout.print(
                f"{escape(str(path))} was already imported as batch {summary.batch_id} ({escape(summary.source)}); "
                "nothing to do",
                highlight=False,
            )
            return
        basis = _BASIS.get(summary.date_basis or "", summary.date_basis)
        stdout.print(
            f"batch {summary.batch_id} ({escape(summary.source)}, judged by {summary.judge_kind}, data of "
            f"{summary.data_date}, {basis}): {summary.battles:,} battles among {len(summary.models)} models, "
            f"{summary.rejected:,} rejected",
            highlight=False,
        )
        for rejection in summary.rejection_samples[:5]:
            stdout.print(f"  rejected row {rejection.position}: {escape(rejection.reason)}", highlight=False)
        if summary.unmatched:
            stdout.print(
                f"  names no rule resolves ({len(summary.unmatched)}): {escape(', '.join(summary.unmatched[:20]))}",
                highlight=False,
            )
        if summary.ratings_import_id is not None:
            stdout.print(f"  ratings published as results import {summary.ratings_import_id} (modelrace-arena)")

    emit(summary.to_json(), render)


def _anchor(value: str | None) -> tuple[str, float] | None:
    if value is None:
        return None
    name, equals, rating = value.rpartition("=")
    try:
        return (name, float(rating)) if equals and name else None
    except ValueError:
        return None


@group.commands.command("arena")
def arena_command(
    source: Annotated[
        str | None,
        typer.Option(help="human, model, all, or a battle source's label (default: human votes, else model)."),
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only battles of this category.")] = None,
    rounds: Annotated[int, typer.Option(min=0, help="Bootstrap rounds for the 95 % intervals.")] = 100,
    anchor: Annotated[
        str | None, typer.Option(help="NAME=RATING: shift the scale so NAME rates RATING (default: mean 1000).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Bradley-Terry ratings from pairwise battles, with bootstrap 95 % intervals and rank ranges."""
    from modelrace.ratings import arena

    use_json(as_json)
    with user_errors():
        anchored = _anchor(anchor)
        if anchor is not None and anchored is None:
            raise ConfigError(f"--anchor {anchor!r}: write NAME=RATING, e.g. gpt-4=1200")
        with open_warehouse(read_only=True) as warehouse:
            board = arena(warehouse, source, category, rounds, anchor=anchored)

    def render() -> None:
        title = f"arena: {board.source}" + (f", {board.category}" if board.category else "")
        # model names whole at any width (what a user copies); the columns that do not fit are named
        table = data_table(
            [
                TerminalColumn("rank", "number"),
                TerminalColumn("model", "id"),
                TerminalColumn("rating", "number"),
                TerminalColumn("95 % CI", "number"),
                TerminalColumn("ranks", "number"),
                TerminalColumn("battles", "number"),
                TerminalColumn("developer"),
            ],
            [
                (
                    str(model.rank),
                    model.name + (f" ({model.model})" if model.model != model.name else ""),
                    f"{model.rating:.0f}",
                    f"{model.lower:.0f}-{model.upper:.0f}",
                    f"{model.rank_min}-{model.rank_max}" if model.rank_min != model.rank_max else str(model.rank_min),
                    f"{model.battles:,}",
                    model.developer,
                )
                for model in board.models
            ],
            title=title,
            width=stdout.width,
        )
        stdout.print(table)
        scale = f"anchored at {board.anchor[0]} = {board.anchor[1]:g}" if board.anchor else "the average model is 1000"
        stdout.print(
            f"{board.battles:,} battles; Bradley-Terry, ties half a win each; {escape(scale)}; 400 points = 10:1 odds; "
            f"{board.bootstrap_rounds} bootstrap rounds. Win probabilities: --json.",
            highlight=False,
        )

    emit(board.to_json(), render)


@group.commands.command("duel")
def duel_command(
    model_a: Annotated[str, typer.Argument(help="A model spec (gguf:..., hf:..., openai:MODEL@URL).")],
    model_b: Annotated[str, typer.Argument(help="The other model spec.")],
    prompts: Annotated[Path, typer.Option(help="Prompts: JSONL/JSON (prompt, input or turns), CSV or text lines.")],
    judge: Annotated[str, typer.Option(help="The judge's model spec (typically openai:MODEL@URL).")],
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N prompts.")] = None,
    max_tokens: Annotated[int, typer.Option(min=1, help="Answer length budget, in tokens.")] = 512,
    concurrency: Annotated[int, typer.Option(min=1, help="Prompts in flight (servers); 1 in process.")] = 4,
    as_json: JsonOption = False,
) -> None:
    """Both models answer the same prompts; a judge model compares the answers in both orders (a disagreement
    between orders is a tie). Resumable; the verdicts become battles judged by a model."""
    from modelrace._progress import progress_bar
    from modelrace.evals import make_backend
    from modelrace.ratings import DuelOptions, load_prompts, run_duel

    use_json(as_json)
    with user_errors():
        items = load_prompts(prompts)
        backends = (make_backend(model_a, concurrency), make_backend(model_b, concurrency))
        judge_backend = make_backend(judge, concurrency)
        options = DuelOptions(limit=limit, max_tokens=max_tokens, concurrency=concurrency, prompts_path=str(prompts))
        with open_warehouse() as warehouse, progress_bar(state.show_progress) as progress:
            summary = run_duel(warehouse, backends, judge_backend, items, options, progress)

    def render() -> None:
        stdout.print(
            f"duel {summary.duel_id}: {escape(summary.name_a)} vs {escape(summary.name_b)}, judged by "
            f"{escape(summary.judge)}: {summary.done}/{summary.items} prompts"
            + (f" ({summary.resumed} resumed)" if summary.resumed else ""),
            highlight=False,
        )
        stdout.print(
            f"  {escape(summary.name_a)} won {summary.wins_a}, {escape(summary.name_b)} won {summary.wins_b}, "
            f"ties {summary.ties} (of which the judge disagreed with itself across orders: {summary.disagreements})",
            highlight=False,
        )
        if summary.ratings_import_id is not None:
            stdout.print(f"  ratings published as results import {summary.ratings_import_id} (modelrace-arena)")

    emit(summary.to_json(), render)
