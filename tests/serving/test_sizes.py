"""One size per model: the leaderboard's size classes and the cost table agree, implausible source sizes are
reported by the resolver, and MoE sizes keep total and active apart."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from modelrace.knowledge import implausible_size, size_class
from modelrace.ranking import Resolver, SourceFacts
from modelrace.serving import HardwareRegistry, KnownSize, resolve_model

# (name, what the Open LLM Leaderboard states)
ISSUE_MODELS = [
    ("FINGU-AI/Chocolatine-Fusion-14B", 8.367e9),
    ("mistralai/Mistral-Large-Instruct-2411", 122.61e9),
    ("darkc0de/BuddyGlass_v0.3_Xortron7MethedUpSwitchedUp", 7e6),
]


@pytest.mark.parametrize(
    ("stated", "name", "why"),
    [
        (8.367e9, "FINGU-AI/Chocolatine-Fusion-14B", "disagrees with the 14 B its name states"),
        (7e6, "darkc0de/BuddyGlass_v0.3_Xortron7MethedUpSwitchedUp", "below any causal language model"),
        (0.0, "x/y", "not a parameter count"),
        (-1.0, "x/y", "not a parameter count"),
    ],
)
def test_implausible_sizes_say_why(stated: float, name: str, why: str) -> None:
    reason = implausible_size(stated, name)
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    ("stated", "name"),
    [
        (7.6e9, "Qwen/Qwen2.5-7B-Instruct"),  # rounding
        (46.7e9, "mistralai/Mixtral-8x7B-v0.1"),  # 8x7B counts the shared layers 8 times
        (1.89e9, "internlm/internlm2-chat-1_8b"),  # "1_8b" is 1.8 B, not 8 B: the source is believed
        (32e6, "Felladrin/Minueza-32M-UltraChat"),
        (122.61e9, "mistralai/Mistral-Large-Instruct-2411"),
    ],
)
def test_plausible_sizes_pass(stated: float, name: str) -> None:
    assert implausible_size(stated, name) is None


def test_resolve_reports_an_implausible_source_size() -> None:
    entity = Resolver().resolve("darkc0de/BuddyGlass_v0.3_Xortron7MethedUpSwitchedUp", SourceFacts(params_total=7e6))
    assert entity.params_total is None  # out of every size class rather than leading <1B
    assert any("implausible" in step and "7 M" in step for step in entity.steps)


@pytest.mark.reference
def test_one_size_across_the_leaderboard_and_the_cost_table(registry: HardwareRegistry) -> None:
    from modelrace.report._cost_section import report_cost_figures

    resolver = Resolver()
    entities = {
        name: resolver.resolve(name, SourceFacts(params_total=stated, is_hub_id=True)) for name, stated in ISSUE_MODELS
    }
    # the leaderboard's view: what the catalogue resolves from the source's row
    classes = [
        SimpleNamespace(
            size_class=size_class(e.params_total, e.params_active, "total"),
            leader=SimpleNamespace(model=name, params_total=e.params_total, params_active=e.params_active),
        )
        for name, e in entities.items()
    ]
    board: Any = SimpleNamespace(benchmarks=[SimpleNamespace(name="Open LLM Leaderboard", classes=classes)])
    figures = report_cost_figures(board, [])
    assert figures is not None
    rows = {row.model: row for row in figures.models}
    chocolatine = entities["FINGU-AI/Chocolatine-Fusion-14B"]
    assert chocolatine.params_total == 14e9 and size_class(14e9, None, "total") != size_class(8.367e9, None, "total")
    for name, entity in entities.items():
        if entity.params_total is None:  # BuddyGlass: in no size class, so in no cost row either
            assert name not in rows
            continue
        assert rows[name].params_total == entity.params_total, name
    assert "leaderboard" in rows["mistralai/Mistral-Large-Instruct-2411"].size_basis
    # without the leaderboard's size, the cost table alone knew none for Mistral Large (the issue's "no count")
    alone = resolve_model("mistralai/Mistral-Large-Instruct-2411", allow_hub=False,
                          known=KnownSize(122.61e9, None, "test"))  # fmt: skip
    assert alone.params_total == 122.61e9 and alone.params_source == "test"
