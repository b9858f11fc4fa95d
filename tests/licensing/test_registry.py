from __future__ import annotations

import pytest

from modelrace.errors import RegistryError
from modelrace.licensing import decide, load_licence_file, load_licences

REQUIRED = [
    "apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0", "openrail", "openrail++", "creativeml-openrail-m", "bigscience-bloom-rail-1.0", "llama2",
    "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma", "tongyi-qianwen", "qwen", "qwen-research",
    "deepseek", "mistral-research", "mistral-non-production", "falcon", "yi", "internlm", "glm-4", "apple-amlr",
    "nvidia-open-model-license", "other", "unknown",
]  # fmt: skip

EXPECTED = {
    "apache-2.0": "permissive",
    "mit": "permissive",
    "cc-by-4.0": "permissive",
    "cc-by-sa-4.0": "conditional",
    "cc-by-nc-4.0": "non-commercial",
    "cc-by-nc-sa-4.0": "non-commercial",
    "openrail": "conditional",
    "llama2": "conditional",
    "llama3.1": "conditional",
    "llama4": "conditional",
    "gemma": "conditional",
    "qwen": "conditional",
    "tongyi-qianwen": "conditional",
    "qwen-research": "non-commercial",
    "deepseek": "conditional",
    "mistral-research": "non-commercial",
    "mistral-non-production": "non-commercial",
    "apple-amlr": "non-commercial",
    "nvidia-open-model-license": "conditional",
    "other": "unknown",
    "unknown": "unknown",
}


def test_covers_the_required_licences_with_sources() -> None:
    registry = load_licences()
    for licence_id in REQUIRED:
        licence = registry.get(licence_id)
        assert licence.source.startswith("http"), licence_id
        assert licence.read_on


@pytest.mark.parametrize(("licence_id", "verdict"), EXPECTED.items())
def test_verdicts_follow_from_terms(licence_id: str, verdict: str) -> None:
    assert decide(load_licences().get(licence_id)).verdict == verdict


def test_conditional_verdicts_name_their_deciding_clauses() -> None:
    registry = load_licences()
    for licence in registry.licences.values():
        decision = decide(licence)
        if decision.verdict in ("conditional", "non-commercial"):
            assert decision.clauses, f"{licence.id}: no clause backs its {decision.verdict} verdict"
    llama = decide(registry.get("llama3.1"))
    assert "user_threshold" in llama.deciding_terms
    assert registry.get("llama3.1").terms.user_threshold is not None
    assert registry.get("llama3.1").terms.user_threshold.limit == 700_000_000
    assert registry.get("qwen").terms.user_threshold.limit == 100_000_000  # type: ignore[union-attr]


def test_schema_and_ambiguity_errors() -> None:
    base = """
version: 1
reviewed: "x"
licences:
  - {id: a, name: A, source: "http://a", read_on: "x", terms: {commercial_use: true}, aliases: [same]}
  - {id: b, name: B, source: "http://b", read_on: "x", terms: {commercial_use: true}, aliases: [%s]}
"""
    with pytest.raises(RegistryError, match="names both"):
        load_licence_file(base % "same")
    with pytest.raises(RegistryError, match="commercial_use"):
        load_licence_file(base.replace("commercial_use: true}, aliases: [same]", "commercial_use: maybe}") % "x")
    with pytest.raises(RegistryError, match=r"licences\.0\.terms\.colour"):
        load_licence_file(base.replace("terms: {commercial_use: true}, aliases: [same]", "terms: {colour: red}") % "x")
