from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from modelrace.licensing import load_licences

REGISTRY = load_licences()
KNOWN_NAMES = sorted(
    {name for lic in REGISTRY.licences.values() for name in [lic.id, *lic.hub_ids, *lic.aliases, lic.name]}
)


@pytest.mark.parametrize(
    ("raw", "expected", "method"),
    [
        ("apache-2.0", "apache-2.0", "exact"),
        ("Apache-2.0", "apache-2.0", "exact"),
        ("  APACHE LICENSE, VERSION 2.0 ", "apache-2.0", "exact"),
        ("Apache Licence 2.0", "apache-2.0", "canonical"),
        ("apache_2.0", "apache-2.0", "canonical"),
        ("https://www.apache.org/licenses/LICENSE-2.0.txt", "apache-2.0", "url"),
        ("https://creativecommons.org/licenses/by-nc/4.0/", "cc-by-nc-4.0", "url"),
        ("https://example.com/my-license", None, "unknown"),
        ("Llama 3.1 Community License Agreement", "llama3.1", "exact"),
        ("Meta Llama 3 Community License Agreement", "llama3", "exact"),
        ("llama-3.2", "llama3.2", "exact"),
        ("Gemma Terms of Use", "gemma", "exact"),
        ("Tongyi Qianwen LICENSE AGREEMENT", "tongyi-qianwen", "exact"),
        ("gemmma", "gemma", "fuzzy"),
        ("deepseeek license", "deepseek", "fuzzy"),
        ("cc-by-sa-3.0", None, "unknown"),  # never "corrected" to another version
        ("llama3.4", None, "unknown"),
        ("ask me on discord", None, "unknown"),
        ("", None, "none"),
        (None, None, "none"),
    ],
)
def test_examples(raw: str | None, expected: str | None, method: str) -> None:
    found = REGISTRY.normalise_text(raw)
    assert (found.licence_id, found.method) == (expected, method)
    assert found.raw == raw  # the raw value is always kept


def test_other_resolves_through_card_name_then_link() -> None:
    by_name = REGISTRY.normalise("other", "tii-falcon-llm-license", None)
    assert (by_name.licence_id, by_name.method) == ("falcon", "license_name")
    by_link = REGISTRY.normalise(
        "other", "custom", "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE"
    )
    assert (by_link.licence_id, by_link.method) == ("qwen", "license_link")
    assert REGISTRY.normalise("other", "my own terms", None).licence_id == "other"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_resolved_or_reported_unknown(raw: str) -> None:
    found = REGISTRY.normalise_text(raw)
    assert found.raw == raw
    assert found.licence_id is None or found.licence_id in REGISTRY.licences


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KNOWN_NAMES), st.sampled_from(["upper", "lower", "title", "pad"]))
def test_case_and_spacing_do_not_matter(name: str, change: str) -> None:
    variant = {"upper": name.upper(), "lower": name.lower(), "title": name.title(), "pad": f"  {name}  "}[change]
    assert REGISTRY.normalise_text(variant).licence_id == REGISTRY.normalise_text(name).licence_id


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(KNOWN_NAMES), st.data())
def test_a_typo_never_lands_on_another_licence(name: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(name) - 1))
    edit = data.draw(st.sampled_from(["delete", "replace", "insert", "swap"]))
    letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789.- "))
    if edit == "delete":
        typo = name[:position] + name[position + 1 :]
    elif edit == "replace":
        typo = name[:position] + letter + name[position + 1 :]
    elif edit == "insert":
        typo = name[:position] + letter + name[position:]
    else:
        typo = (
            name[:position] + name[position + 1 : position + 2] + name[position : position + 1] + name[position + 2 :]
        )
    original = REGISTRY.normalise_text(name).licence_id
    found = REGISTRY.normalise_text(typo)
    # A typo that spells another licence's name (up to case and punctuation) names that licence; what is
    # checked is the guess: a fuzzy correction must return the licence the typo came from, or nothing.
    assume(found.method not in ("exact", "canonical"))
    assert found.licence_id in (original, None), f"{typo!r} (from {name!r}) -> {found}"
