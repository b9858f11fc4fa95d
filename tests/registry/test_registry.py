from __future__ import annotations

import pytest

from modelrace.errors import RegistryError
from modelrace.registry import load_registry, load_registry_file

MAJOR = {
    "US": ["meta-llama", "google", "microsoft", "openai", "nvidia", "allenai", "ibm-granite"],
    "CN": [
        "Qwen",
        "deepseek-ai",
        "THUDM",
        "zai-org",
        "01-ai",
        "internlm",
        "moonshotai",
        "MiniMaxAI",
        "baidu",
    ],
    "FR": ["mistralai"],
    "GB": ["stabilityai"],
    "AE": ["tiiuae"],
    "KR": ["LGAI-EXAONE", "upstage"],
    "JP": ["sbintuitions", "pfnet"],
    "CA": ["CohereForAI"],
    "IL": ["ai21labs"],
    "IN": ["sarvamai"],
    "SG": ["aisingapore"],
}


def test_covers_at_least_150_namespaces_and_the_major_developers() -> None:
    registry = load_registry()
    assert registry.namespace_count >= 150
    for country, namespaces in MAJOR.items():
        for namespace in namespaces:
            organisation = registry.organisation(namespace)
            assert organisation is not None, namespace
            assert organisation.country == country, namespace


@pytest.mark.parametrize(
    "namespace", ["lmstudio-community", "mlx-community", "unsloth", "bartowski", "TheBloke", "RedHatAI"]
)
def test_reuploaders_are_never_credited_as_developers(namespace: str) -> None:
    registry = load_registry()
    organisation = registry.organisation(namespace)
    assert organisation is not None and organisation.kind == "re-uploader"
    attribution = registry.developer(f"{namespace}/some-private-finetune-GGUF")
    assert attribution.organisation is None or attribution.organisation.kind != "re-uploader"


def test_namespace_lookup_is_case_insensitive() -> None:
    registry = load_registry()
    assert registry.organisation("QWEN") is registry.organisation("Qwen")


def test_family_by_earliest_match() -> None:
    registry = load_registry()
    assert registry.developer("bartowski/Llama-3.1-Nemotron-70B-Instruct-GGUF").family == "Llama"
    assert registry.developer("TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF").family == "TinyLlama"
    assert registry.developer("meta-llama/CodeLlama-7b-hf").family == "Code Llama"


def test_schema_errors_name_the_place() -> None:
    bad_country = """
version: 1
reviewed: "x"
fixture_name_patterns: []
organisations:
  - {id: a, name: A, kind: company, country: USA, namespaces: [a]}
"""
    with pytest.raises(RegistryError, match=r"organisations\.0\.country"):
        load_registry_file(bad_country)
    duplicate = """
version: 1
reviewed: "x"
fixture_name_patterns: []
organisations:
  - {id: a, name: A, kind: company, country: US, namespaces: [x]}
  - {id: b, name: B, kind: company, country: US, namespaces: [X]}
"""
    with pytest.raises(RegistryError, match="listed under both"):
        load_registry_file(duplicate)
    with pytest.raises(RegistryError, match="kind"):
        load_registry_file(bad_country.replace("company", "startup").replace("USA", "US"))
