"""Tasks from Hugging Face datasets: loaded with `datasets` from a dataset folder or a builder with data files (the
Hub itself cannot be reached here), through the built-in specs' own field maps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelrace.errors import ConfigError, ImportFormatError
from modelrace.evals import builtin_specs
from modelrace.evals._tasks import load_items

datasets = pytest.importorskip("datasets", reason="datasets is not installed (pip install -e '.[datasets]')")

# Rows shaped as allenai/ai2_arc and openai/gsm8k publish them.
ARC_ROWS = [
    {
        "id": "Mercury_7175875",
        "question": "An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most "
        "likely effect of this increase in rotation?",
        "choices": {
            "text": [
                "Planetary density will decrease.",
                "Planetary years will become longer.",
                "Planetary days will become shorter.",
                "Planetary gravity will become stronger.",
            ],
            "label": ["A", "B", "C", "D"],
        },
        "answerKey": "C",
    },
    {
        "id": "NYSEDREGENTS_2015_4_7",
        "question": "Which object is the best conductor of electricity?",
        "choices": {
            "text": ["wax crayon", "plastic comb", "rubber eraser", "iron nail"],
            "label": ["1", "2", "3", "4"],
        },
        "answerKey": "4",
    },
]
GSM8K_ROWS = [
    {
        "question": "Janet has 3 apples and buys 4 more. How many apples does she have?",
        "answer": "She has 3 + 4 = <<3+4=7>>7 apples.\n#### 7",
    },
    {"question": "A box holds 1,250 pins; how many pins are in 2 boxes?", "answer": "2 * 1250 = 2500\n#### 2,500"},
]


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_arc_spec_reads_a_dataset_folder_with_nested_choices_and_letter_answers(tmp_path: Path) -> None:
    folder = tmp_path / "ai2_arc"
    _write_jsonl(folder / "test.jsonl", ARC_ROWS)
    _write_jsonl(folder / "train.jsonl", ARC_ROWS[:1])
    spec = builtin_specs()["arc-challenge"].model_copy(update={"source": f"hf:{folder}", "subset": None})
    items = load_items(spec)
    assert [i.id for i in items] == ["Mercury_7175875", "NYSEDREGENTS_2015_4_7"]  # the test split only
    assert items[0].context == f"Question: {ARC_ROWS[0]['question']}\nAnswer:"
    assert [i.gold for i in items] == [2, 3]  # "C"; "4" is a label, not an index
    assert [i.choices[2] for i in items] == ["Planetary days will become shorter.", "rubber eraser"]


def test_gsm8k_spec_extracts_the_reference_answer(tmp_path: Path) -> None:
    data = _write_jsonl(tmp_path / "gsm8k.jsonl", GSM8K_ROWS)
    spec = builtin_specs()["gsm8k"].model_copy(
        update={"source": "hf:json", "subset": None, "split": "train", "dataset_kwargs": {"data_files": str(data)}}
    )
    items = load_items(spec)
    assert [i.target for i in items] == ["7", "2,500"]
    assert items[0].context.endswith(GSM8K_ROWS[0]["question"])
    bad = _write_jsonl(tmp_path / "bad.jsonl", [{"question": "q", "answer": "no marker here"}])
    with pytest.raises(ImportFormatError, match="does not match target_regex"):
        load_items(spec.model_copy(update={"dataset_kwargs": {"data_files": str(bad)}}))


def test_unreachable_datasets_and_missing_splits_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(ConfigError, match=r"cannot load dataset 'allenai/ai2_arc' \(ARC-Challenge\).*offline"):
        load_items(builtin_specs()["arc-challenge"])
    folder = tmp_path / "only_train"
    _write_jsonl(folder / "train.jsonl", ARC_ROWS)
    with pytest.raises(ConfigError, match="split 'test'"):
        load_items(builtin_specs()["arc-challenge"].model_copy(update={"source": f"hf:{folder}", "subset": None}))
