"""What runs are identified by and store stays as it was before the typed rows (#24): task content hashes (and so
run ids) of tasks whose items carry extras, and the stored item outputs' keys and their order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelrace.evals import ItemExtra, load_task
from modelrace.evals._outputs import ChoiceOutput, CodeOutput, CodeSample, GenerationOutput


def test_humaneval_hash_stands() -> None:  # extras: the canonical solution and the code prompt
    assert load_task("humaneval", limit=2).content_hash == (
        "99eb8fd8f5a5f2146d6f2dabbaed4655f72fc2996e18ea195dbfd5548898d0e4"
    )


@pytest.mark.reference
def test_bbh_hashes_stand(reference_data: Path) -> None:  # extras: the subtask, and the answer text
    data = str(reference_data / "bbh")
    assert load_task("bbh:boolean_expressions", limit=3, data=data).content_hash == (
        "b9ee24b9b41aa872e83b38b5b8dde73826d9115c70bc48038961e09ede37dd93"
    )
    assert load_task("bbh-cot:boolean_expressions", limit=2, data=data).content_hash == (
        "092130e8059dadad335988144d42b0053183cb32cb0ef4a211d33f8a3d390ddd"
    )


def test_item_extras_record_only_what_the_task_gave() -> None:
    assert ItemExtra().record() == {}
    assert ItemExtra(targets=("10", "ten"), subtask="s").record() == {"targets": ("10", "ten"), "subtask": "s"}


def test_stored_outputs_keep_their_keys_in_order() -> None:
    plain = ChoiceOutput((-1.0, -2.5), 0, 1, "a")
    assert json.dumps(plain.stored()) == '{"logprobs": [-1.0, -2.5], "predicted": 0, "gold": 1, "choice": "a"}'
    protocol = ChoiceOutput((-1.0, -2.5), 0, 1, "b", predicted_norm=1)
    assert list(protocol.stored()) == ["logprobs", "predicted", "gold", "choice", "predicted_norm"]
    generated = GenerationOutput("4", " 4\n", None, False).stored()
    assert list(generated) == ["answer", "text", "reasoning_tokens", "truncated"]
    code = CodeOutput((CodeSample("passed", "return 1", False, ""),), 1, 1).stored()
    assert json.dumps(code) == (
        '{"samples": [{"status": "passed", "completion": "return 1", "truncated": false, "stderr": ""}], '
        '"passed": 1, "n": 1}'
    )
