"""Cross-check the normaliser against two independent sources on the same models.

The LF AI Model Openness Tool records a licence per component (we read the final weights' licence); the Open
LLM Leaderboard records the Hub licence. Where both name a licence we recognise for the same model, they should
agree; every disagreement must be explained in tests/fixtures/licence_disagreements.yaml.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from modelrace.licensing import load_licences

FIXTURE = Path(__file__).parent.parent / "fixtures" / "licence_disagreements.yaml"


@pytest.mark.reference
def test_mot_and_leaderboard_agree_or_are_explained(reference_data: Path) -> None:
    registry = load_licences()
    with (reference_data / "mot_model_openness_licenses_2026-05.csv").open(encoding="utf-8") as handle:
        mot = list(csv.DictReader(handle))
    with (reference_data / "open_llm_leaderboard_v2_contents_2025-02.csv").open(encoding="utf-8") as handle:
        hub_licence = {row["fullname"]: row["Hub License"] for row in csv.DictReader(handle)}
    explained = yaml.safe_load(FIXTURE.read_text())["disagreements"]
    compared, agreed, unexplained = 0, 0, []
    seen = set()
    for row in mot:
        model_id = row["huggingface"].split("huggingface.co/")[-1].strip("/")
        if not model_id or model_id not in hub_licence or model_id in seen:
            continue
        seen.add(model_id)
        ours = registry.normalise_text(row["lic:Model parameters (Final)"] or row["distribution_license"])
        theirs = registry.normalise_text(hub_licence[model_id])
        known = {None, "unknown", "other"}
        if ours.licence_id in known or theirs.licence_id in known:
            continue
        compared += 1
        if ours.licence_id == theirs.licence_id:
            agreed += 1
        elif model_id not in explained:
            unexplained.append(
                f"{model_id}: MOT {ours.raw!r} -> {ours.licence_id}, Hub {theirs.raw!r} -> {theirs.licence_id}"
            )
    print(f"licence cross-check: {agreed}/{compared} agree ({agreed / compared:.0%})")
    assert compared >= 20
    assert not unexplained, "unexplained disagreements:\n" + "\n".join(unexplained)
    assert agreed + len([m for m in explained if m in seen]) >= compared


@pytest.mark.reference
def test_every_leaderboard_hub_licence_is_recognised(reference_data: Path) -> None:
    registry = load_licences()
    with (reference_data / "open_llm_leaderboard_v2_contents_2025-02.csv").open(encoding="utf-8") as handle:
        values = {row["Hub License"] for row in csv.DictReader(handle) if row["Hub License"]}
    unknown = sorted(v for v in values if registry.normalise_text(v).licence_id is None)
    # Hub licence tags outside the registry (rare OSI licences) are reported, not guessed.
    assert set(unknown) <= {"afl-3.0", "osl-3.0", "apple-ascl"}, unknown
