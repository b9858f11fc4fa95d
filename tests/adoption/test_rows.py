"""Adoption's typed rows: read by attribute, serialised under their breakdown's column as the tables always were."""

from __future__ import annotations

import json

from modelrace._serialise import to_jsonable
from modelrace.adoption import DerivativeCounts, EcosystemRow, LeftOut, Mover, ShareRow, TopModel, describe_model
from modelrace.store import Warehouse


def test_a_share_row_is_named_by_its_breakdown_first_then_measure_share_models_and_context() -> None:
    family = ShareRow("family", "Qwen", 700, 0.7, 3, developer="Alibaba Cloud (Qwen)", country="CN")
    assert json.dumps(to_jsonable(family)) == (
        '{"family": "Qwen", "downloads_30d": 700, "share": 0.7, "models": 3, '
        '"developer": "Alibaba Cloud (Qwen)", "country": "CN"}'
    )
    developer = ShareRow("developer", "Meta", 10, 0.1, 1, country="US")
    assert list(developer.to_json()) == ["developer", "downloads_30d", "share", "models", "country"]
    # a country row carries no context; the measure names its key
    country = ShareRow("country", "CN", 5, 0.5, 2, measure="downloads_all_time")
    assert country.to_json() == {"country": "CN", "downloads_all_time": 5, "share": 0.5, "models": 2}
    # a library row is a share row of its own column, without context even when one was given
    library = ShareRow("library_name", "gguf", 5, 1.0, 2, country="US")
    assert list(library.to_json()) == ["library_name", "downloads_30d", "share", "models"]


def test_an_ecosystem_row_names_its_family_with_developer_and_country_a_country_row_alone() -> None:
    counts = {"finetunes": 2, "quantizations": 1, "adapters": 0, "merges": 1, "unspecified": 0, "derivatives": 4}
    family = EcosystemRow(
        **counts, column="family", key="Llama", derivative_downloads_30d=9, developer="Meta", country="US"
    )
    assert list(family.to_json()) == ["family", "developer", "country", *counts, "derivative_downloads_30d"]
    country = EcosystemRow(**counts, column="country", key="US", derivative_downloads_30d=9)
    assert country.to_json() == {"country": "US", **counts, "derivative_downloads_30d": 9}
    assert family.count("merges") == 1 and family.count("derivatives") == 4
    assert DerivativeCounts(**counts).to_json() == counts


def test_movers_left_out_and_top_models_serialise_as_their_tables() -> None:
    assert Mover("family", "DeepSeek", 0.1, 0.3, 20.0).to_json() == {
        "family": "DeepSeek",
        "share_then": 0.1,
        "share_now": 0.3,
        "change_pp": 20.0,
    }
    assert LeftOut(3, "replay", "a subset").to_json() == {"snapshot": 3, "provenance": "replay", "reason": "a subset"}
    model = TopModel("a/b", 1, None, 2, "u", "US", "a/b", "d", "f", "US", None, "mit", 7, None, "text-generation")
    assert list(model.to_json())[:3] == ["model_id", "downloads_30d", "downloads_all_time"]
    assert list(model.to_json())[-1] == "pipeline_tag"


def test_a_roots_description_counts_its_derivatives_by_attribute(two_snapshots: Warehouse) -> None:
    info = describe_model(two_snapshots, "Qwen/Qwen2.5-7B")
    assert info.ecosystem is not None
    assert info.ecosystem.finetunes >= 1 and info.ecosystem.quantizations >= 1
    assert list(info.to_json()["ecosystem"]) == [
        "finetunes",
        "quantizations",
        "adapters",
        "merges",
        "unspecified",
        "derivative_downloads_30d",
    ]
    assert describe_model(two_snapshots, "bartowski/Qwen2.5-7B-Instruct-GGUF").ecosystem is None
