from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import ConfigError, ImportFormatError, ImportRefusedError, NotFoundError
from modelrace.ratings import ARENA_SOURCE, arena, import_battles, read_battles
from modelrace.store import Warehouse

runner = CliRunner()

GOOD = [
    {"model_a": "gpt-4", "model_b": "vicuna-13b", "winner": "model_a", "language": "English", "tstamp": 1682351591.5},
    {"model_a": "vicuna-13b", "model_b": "gpt-4", "winner": "model_b", "category": "coding"},
    {"model_a": "gpt-4", "model_b": "alpaca-13b", "winner": "tie (bothbad)", "timestamp": "2023-05-01T10:00:00Z"},
    {"model_a": "alpaca-13b", "model_b": "vicuna-13b", "winner": "tie", "judge": "arena_user_7"},
    {"model_a": "vicuna-13b", "model_b": "alpaca-13b", "winner": "model_a", "category": "coding"},
]
BAD = [
    ({"model_a": "gpt-4", "winner": "model_a"}, "no model_b"),
    ({"model_a": "gpt-4", "model_b": "gpt-4", "winner": "tie"}, "against itself"),
    ({"model_a": "gpt-4", "model_b": "vicuna-13b", "winner": "model_c"}, "winner 'model_c' is not one of"),
    ({"model_a": "gpt-4", "model_b": "vicuna-13b"}, "no winner"),
    ({"model_a": "gpt-4", "model_b": "vicuna-13b", "winner": "model_a", "tstamp": "yesterday"}, "timestamp"),
    # A time in the future would date the whole file there.
    ({"model_a": "gpt-4", "model_b": "vicuna-13b", "winner": "tie", "tstamp": "2999-01-01T00:00:00Z"}, "in the future"),
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows))
    elif path.suffix == ".csv":
        fields = sorted({k for r in rows for k in r})
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fields)
            writer.writeheader()
            writer.writerows(rows)
    else:
        fields = sorted({k for r in rows for k in r})
        pq.write_table(pa.Table.from_pylist([{f: r.get(f) for f in fields} for r in rows]), path)
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".parquet"])
def test_every_format_reads_the_same_battles_and_rejects_bad_rows_with_reasons(tmp_path: Path, suffix: str) -> None:
    rows = [*GOOD, *(row for row, _ in BAD)]
    if suffix in (".csv", ".parquet"):  # one type per column there
        rows = [{k: str(v) for k, v in r.items()} for r in rows]
    found = read_battles(_write(tmp_path / f"battles{suffix}", rows))
    assert [(b.model_a, b.model_b, b.winner) for _, b in found.battles] == [
        (r["model_a"], r["model_b"], r["winner"]) for r in GOOD
    ]
    reasons = [r.reason for r in found.rejected]
    for (_, expected), reason in zip(BAD, reasons, strict=False):
        assert expected in reason
    assert [r.position for r in found.rejected][: len(BAD)] == list(range(len(GOOD) + 1, len(rows) + 1))
    if suffix == ".jsonl":
        assert reasons[-1].startswith("not JSON")
    first = found.battles[0][1]
    assert first.language == "English" and first.happened_at is not None and first.happened_at.year == 2023


def test_unreadable_files_fail_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no file"):
        read_battles(tmp_path / "missing.jsonl")
    (tmp_path / "b.json").write_text('{"model_a": "x"}')
    with pytest.raises(ImportFormatError, match="no list of battles"):
        read_battles(tmp_path / "b.json")
    (tmp_path / "b.txt").write_text("x")
    with pytest.raises(ConfigError, match=r"\.json, \.jsonl, \.csv or \.parquet"):
        read_battles(tmp_path / "b.txt")


def test_import_stores_once_resolves_names_and_publishes_ratings(tmp_path: Path, warehouse: Warehouse) -> None:
    path = _write(tmp_path / "votes_2023-05.jsonl", [*GOOD, BAD[0][0]])
    summary = import_battles(warehouse, path)
    assert summary.battles == 5 and summary.rejected == 2 and summary.source == "votes_2023-05"
    assert str(summary.data_date) == "2023-05-01"
    resolved = {m.name: m for m in summary.models}
    assert resolved["gpt-4"].method == "closed-line"
    again = import_battles(warehouse, path)
    assert again.already_imported and again.batch_id == summary.batch_id
    assert warehouse.query("SELECT count(*) AS n FROM battles")[0]["n"] == 5
    rejected = warehouse.query("SELECT position, reason FROM battle_rejections ORDER BY position")
    assert [r["position"] for r in rejected] == [6, 7]
    published = warehouse.query(
        "SELECT r.source_name, r.benchmark, r.scale, r.ci_low, r.ci_high FROM results r "
        "JOIN result_imports i USING (import_id) WHERE i.source = ?",
        [ARENA_SOURCE],
    )
    assert {r["source_name"] for r in published} == {"gpt-4", "vicuna-13b", "alpaca-13b"}
    assert {r["benchmark"] for r in published} == {"human"} and {r["scale"] for r in published} == {"elo"}
    assert summary.ratings_import_id is not None and again.ratings_import_id is None  # nothing changed


def test_a_file_that_rejects_most_rows_is_refused_unless_allowed(tmp_path: Path, warehouse: Warehouse) -> None:
    path = _write(tmp_path / "votes_2023-05.jsonl", [GOOD[0], *(row for row, _ in BAD)])  # 1 good of 8 rows
    with pytest.raises(ImportRefusedError, match=r"rejects 7 of the 8 rows .*against itself"):
        import_battles(warehouse, path)
    assert warehouse.query("SELECT count(*) AS n FROM battle_batches")[0]["n"] == 0  # nothing stored
    result = runner.invoke(app, ["--db", str(warehouse.path), "--json", "import", "battles", str(path)])
    assert result.exit_code != 0 and "allow-partial" in json.loads(result.stdout)["error"]
    stored = import_battles(warehouse, path, allow_partial=True)
    assert (stored.battles, stored.rejected) == (1, 7)


def test_arena_selects_by_judge_kind_source_and_category(tmp_path: Path, warehouse: Warehouse) -> None:
    import_battles(warehouse, _write(tmp_path / "human.jsonl", GOOD))
    import_battles(
        warehouse,
        _write(tmp_path / "judged_2024-02-01.jsonl", [{"model_a": "x", "model_b": "y", "winner": "model_a"}] * 3),
        source="llm-judge",
        judged_by="model",
    )
    assert arena(warehouse).source == "human"  # the default never mixes judges
    assert {m.name for m in arena(warehouse).models} == {"gpt-4", "vicuna-13b", "alpaca-13b"}
    assert {m.name for m in arena(warehouse, "model").models} == {"x", "y"}
    assert {m.name for m in arena(warehouse, "llm-judge").models} == {"x", "y"}
    assert len(arena(warehouse, "all").models) == 5
    coding = arena(warehouse, category="coding")
    assert coding.battles == 2 and [m.battles for m in coding.models if m.name == "vicuna-13b"] == [2]
    with pytest.raises(NotFoundError, match="choose human, model, all or one of"):
        arena(warehouse, "nope")
    with pytest.raises(ConfigError, match="reserved"):
        import_battles(warehouse, _write(tmp_path / "other.jsonl", GOOD[:1]), source="human")


def test_a_batch_is_dated_by_its_data_never_by_the_files_mtime(tmp_path: Path, warehouse: Warehouse) -> None:
    # The latest battle's day, before the date in the name (the name may be the day the file was exported).
    stamped = import_battles(warehouse, _write(tmp_path / "votes_2024-01-01.jsonl", GOOD))
    assert str(stamped.data_date) == "2023-05-01" and stamped.date_basis == "contents"
    assert stamped.to_json()["date_basis"] == "contents"
    untimed = [{"model_a": "x", "model_b": "y", "winner": "model_a"}]
    named = import_battles(warehouse, _write(tmp_path / "untimed_2024-02-03.jsonl", untimed), source="named")
    assert str(named.data_date) == "2024-02-03" and named.date_basis == "file name"
    given = import_battles(warehouse, _write(tmp_path / "given.jsonl", untimed), when=date(2024, 3, 4))
    assert str(given.data_date) == "2024-03-04" and given.date_basis == "--date"
    # Nothing dates it: refused with a message asking for --date, and nothing is stored.
    batches = warehouse.query("SELECT count(*) AS n FROM battle_batches")[0]["n"]
    with pytest.raises(ImportFormatError, match="--date"):
        import_battles(warehouse, _write(tmp_path / "undated.jsonl", untimed))
    assert warehouse.query("SELECT count(*) AS n FROM battle_batches")[0]["n"] == batches


def test_cli_import_and_arena_json(tmp_path: Path, db_path: Path) -> None:
    path = _write(tmp_path / "votes.jsonl", GOOD)
    done = runner.invoke(app, ["--db", str(db_path), "import", "battles", str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["battles"] == 5 and json.loads(done.stdout)["date_basis"] == "contents"
    text_import = runner.invoke(  # a model-judged copy: the human board below stays as it is
        app,
        ["--db", str(db_path), "import", "battles", str(_write(tmp_path / "v2.jsonl", GOOD)), "--judged-by", "model"],
    )
    assert text_import.exit_code == 0 and "2023-05-01, the day of its latest battle" in text_import.stdout
    shown = runner.invoke(app, ["--db", str(db_path), "arena", "--json", "--rounds", "20"])
    assert shown.exit_code == 0, shown.output
    board = json.loads(shown.stdout)
    assert board["source"] == "human" and board["battles"] == 5
    first = board["models"][0]
    assert set(first) >= {"model", "name", "rating", "lower", "upper", "rank_min", "rank_max", "battles"}
    assert len(board["win_probability"]["matrix"]) == 3
    text = runner.invoke(app, ["--db", str(db_path), "arena"])
    assert text.exit_code == 0 and "vicuna-13b" in text.stdout
    bad = runner.invoke(app, ["--db", str(db_path), "arena", "--source", "nope"])
    assert bad.exit_code != 0 and "no battles from source 'nope'" in bad.output
    bad_anchor = runner.invoke(app, ["--db", str(db_path), "arena", "--anchor", "gpt-4"])
    assert bad_anchor.exit_code == 2 and "NAME=RATING" in bad_anchor.output


@pytest.mark.reference
def test_real_arena_votes(reference_data: Path, warehouse: Warehouse) -> None:
    summary = import_battles(warehouse, reference_data / "arena_human_battles_2023-04_06.jsonl")
    assert summary.battles == 26_919 and summary.rejected == 0 and len(summary.models) == 20
    # No vote carries a time: dated by its name, April to June 2023, as of the end of June.
    assert str(summary.data_date) == "2023-06-30" and summary.date_basis == "file name"
    board = arena(warehouse)
    assert board.battles == 26_919 and len(board.models) == 20
    assert board.models[0].name == "gpt-4" and board.models[0].rank_min == 1
    assert {m.name for m in board.models[:3]} >= {"gpt-4", "claude-v1"}
    assert sum(m.battles for m in board.models) == 2 * 26_919
    for model in board.models:
        assert model.lower <= model.rating <= model.upper
        assert model.rank_min <= model.rank <= model.rank_max
    from modelrace.ranking import load_catalogue

    catalogue = load_catalogue(warehouse)
    published = catalogue.benchmarks[f"{ARENA_SOURCE}:human"]
    assert published.scores[0].source_name == "gpt-4"
    assert published.scores[0].se is not None
