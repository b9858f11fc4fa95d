from __future__ import annotations

import pytest

from modelrace.ranking import Resolver, SourceFacts, entity_key


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(hub_ids=["deepseek-ai/DeepSeek-R1-0528", "meta-llama/Llama-3.1-8B-Instruct", "bartowski/Foo-7B"])


def test_the_issue_examples(resolver: Resolver) -> None:
    qwen = resolver.resolve("qwen3-235b-a22b-instruct-2507")
    assert (qwen.hub_id, qwen.family, qwen.developer, qwen.country) == (
        "Qwen/Qwen3-235B-A22B-Instruct-2507",
        "Qwen",
        "Alibaba Cloud (Qwen)",
        "CN",
    )
    assert (qwen.params_total, qwen.params_active, qwen.open_weights) == (235e9, 22e9, True)
    gpt = resolver.resolve("gpt-4o-2024-08-06")
    assert (gpt.hub_id, gpt.developer, gpt.country, gpt.open_weights, gpt.method) == (
        None,
        "OpenAI",
        "US",
        False,
        "closed-line",
    )


@pytest.mark.parametrize(
    ("name", "developer", "open_weights", "reasoning", "method"),
    [
        ("DeepSeek R1 0528", "DeepSeek", True, True, "hub-name"),
        ("llama-3.1-8b-instruct", "Meta", True, False, "hub-name"),
        ("claude-opus-4-5-20251101-thinking-32k", "Anthropic", False, True, "closed-line"),
        ("Gemini 2.5 Pro (AI_Studio)", "Google", False, False, "closed-line"),
        ("gemma-3-27b-it", "Google", True, False, "alias"),
        ("o3-mini", "OpenAI", False, True, "closed-line"),
        ("GPT-5 (high)", "OpenAI", False, True, "closed-line"),
        ("gpt-oss-120b", "OpenAI", True, False, "alias"),
        ("Yi-34B", "01.AI", True, False, "family"),
        ("grok-4.1-thinking", "xAI", False, True, "closed-line"),
    ],
)
def test_rules(resolver: Resolver, name: str, developer: str, open_weights: bool, reasoning: bool, method: str) -> None:
    entity = resolver.resolve(name)
    assert (entity.developer, entity.open_weights, entity.reasoning, entity.method) == (
        developer,
        open_weights,
        reasoning,
        method,
    ), entity.steps


def test_provider_prefix_is_dropped_and_explained(resolver: Resolver) -> None:
    entity = resolver.resolve("chutes/Qwen3-235B-A22B")
    assert entity.developer == "Alibaba Cloud (Qwen)"
    assert any("provider prefix" in step for step in entity.steps)


def test_unmatched_is_never_guessed(resolver: Resolver) -> None:
    entity = resolver.resolve("mystery-model-7b")
    assert not entity.matched and entity.developer == "unattributed"
    assert "unmatched" in entity.steps[-2]


def test_a_source_organisation_beats_a_family_guess(resolver: Resolver) -> None:
    # "Flamingo" contains "ming" (Ant Group's Ming family): never guessed against the source's own word.
    assert resolver.resolve("Flamingo", SourceFacts(organisation="DeepMind")).developer == "Google"
    assert not resolver.resolve("Flamingo", SourceFacts(organisation="Somebody Unknown")).matched


def test_reuploads_are_not_developers(resolver: Resolver) -> None:
    assert resolver.resolve("foo-7b").hub_id is None  # bartowski/Foo-7B is a re-upload, not a candidate


def test_entity_key_drops_serving_qualifiers() -> None:
    assert entity_key("Llama 3.1 70B (Turbo, FP8)") == "llama-3.1-70b"
    assert entity_key("DeepSeek V3 (Dec '24)") == "deepseek-v3"
    assert entity_key("GPT-5 (high)") == "gpt-5-high"
    assert entity_key("Llama 3.1 405B Vertex") == "llama-3.1-405b"


def test_a_size_the_source_states_beats_one_read_from_the_name(resolver: Resolver) -> None:
    entity = resolver.resolve("BAAI/Infinity-Instruct-3M-0625-Llama3-8B", SourceFacts(params_total=8.03e9))
    assert (entity.params_total, entity.params_source) == (8.03e9, "source")
    guessed = resolver.resolve("BAAI/Infinity-Instruct-3M-0625-Llama3-8B")
    assert (guessed.params_total, guessed.params_source) == (8e9, "name")  # the largest size in the name


def test_a_precision_variant_has_its_models_curated_size() -> None:
    from modelrace.ranking._entities import Resolver

    entity = Resolver().resolve("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8")
    assert (entity.params_total, entity.params_active, entity.params_source) == (400e9, 17e9, "model card (curated)")


@pytest.mark.parametrize(
    ("name", "stated", "total", "source"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", 7.6e9, 7.6e9, "source"),  # the weights' count before the name's round number
        # a stated count more than x1.5 from the size the name states is implausible (issue #30): the name's, said so
        (
            "FINGU-AI/Chocolatine-Fusion-14B",
            8.367e9,
            14e9,
            "name (the source's size is implausible: 8.37 B disagrees with the 14 B its name states)",
        ),
        ("someone/BuddyGlass_v0.3_Xortron7MethedUpSwitchedUp", 7e6, None, None),  # 7 M: below any causal LM
        ("internlm/internlm2-chat-1_8b", 1.89e9, 1.89e9, "source"),  # the name reads as 8 B: names mislead
        ("someone/Qwen2.5-14B-Instruct-bnb-4bit", 8.4e9, 14e9, "name (packed weights)"),  # 4-bit packs two a byte
        ("unsloth/phi-4-unsloth-bnb-4bit", 8.483e9, None, None),  # packed, and no size in the name
    ],
)
def test_a_sources_size_is_taken_unless_packed(
    name: str, stated: float, total: float | None, source: str | None
) -> None:
    from modelrace.ranking._entities import Resolver

    entity = Resolver().resolve(name, SourceFacts(params_total=stated))
    assert (entity.params_total, entity.params_source) == (total, source)
    if total is None:
        assert any(step.startswith("parameters unknown:") for step in entity.steps)


def test_source_facts_of_a_stored_row_keep_what_it_states_and_nothing_else() -> None:
    facts = SourceFacts.of({"organisation": "Meta", "params_total": 0, "params_active": None, "open_weights": 1})
    assert facts == SourceFacts(organisation="Meta", open_weights=True)  # a 0 size is not stated
    assert SourceFacts.of({"organisation": "", "reasoning": True}, is_hub_id=True) == SourceFacts(
        reasoning=True, is_hub_id=True
    )
