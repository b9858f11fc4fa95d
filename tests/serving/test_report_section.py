"""The report's cost section: figures for named models, market frontier, chips, and the section's tables."""

from __future__ import annotations

import pytest

from modelrace.report._cost_section import cost_section
from modelrace.serving import HardwareRegistry
from modelrace.serving._report import COST_CHIPS, cost_figures

pytestmark = pytest.mark.reference


def test_cost_figures_and_section(registry: HardwareRegistry) -> None:
    models = [
        ("meta-llama/Llama-3.1-8B-Instruct", "most downloaded"),
        ("Qwen/Qwen2.5-72B-Instruct", "leads 40-100B"),
        ("deepseek-ai/DeepSeek-V3", "leads >100B"),
        ("no-such-model-anywhere", "most downloaded"),
    ]
    figures = cost_figures(models, registry)
    rows = {row.model: row for row in figures.models}
    llama = rows["meta-llama/Llama-3.1-8B-Instruct"]
    assert "NVIDIA GeForce RTX 4090" in llama.fits_on and llama.usd_per_mtok["NVIDIA H100 SXM5 80GB"] is not None
    assert rows["deepseek-ai/DeepSeek-V3"].fits_on == []  # 671 B in fp8 fits on no single chip
    # each row says the precision its memory counts: DeepSeek ships in fp8, Llama in bf16 (not "bf16" for all)
    assert (rows["deepseek-ai/DeepSeek-V3"].weights, llama.weights) == ("fp8", "bf16")
    assert all(v is None for v in rows["deepseek-ai/DeepSeek-V3"].usd_per_mtok.values())
    assert len(figures.skipped) == 1 and "no-such-model-anywhere" in figures.skipped[0]
    assert any(p.open_weights for p in figures.price_points) and any(not p.open_weights for p in figures.price_points)
    assert any(p.frontier for p in figures.price_points)
    h20 = next(c for c in figures.chips if c.chip == "NVIDIA HGX H20")
    assert h20.china_without_licence_2022 and not h20.china_without_licence_now
    undetermined = [c for c in figures.chips if c.class_2022 == "undetermined"]
    assert undetermined and all(c.china_without_licence_2022 is None for c in undetermined)  # unknown, not "no"
    section = cost_section(figures)
    assert section.id == "cost" and "Epoch" in section.intro
    table = section.tables[0]
    assert len(table.rows) == 3 and len(COST_CHIPS) == 5
    assert "Epoch AI" in table.source and "2025-03" in table.source
    assert {c.id for c in section.charts} == {"cost-frontier", "cost-chips", "cost-gap"}
    # doubtful figures stay out of the chip chart's scale, which is log on both axes; the gap chart says today's tile
    chip_chart = next(c for c in section.charts if c.id == "cost-chips")
    plotted = {row["chip"] for row in chip_chart.spec["data"]["values"]}
    assert "GroqChip LPU v1" not in plotted and "MetaX MXC500 (OAM)" not in plotted and "NVIDIA B200" in plotted
    assert chip_chart.spec["encoding"]["y"]["scale"]["type"] == "log"
    assert chip_chart.spec["encoding"]["color"]["title"] == "US export class today"  # words, not the field's name
    assert "GroqChip LPU v1" in chip_chart.source
    assert figures.headline and "Ascend" in figures.headline
    gap_chart = next(c for c in section.charts if c.id == "cost-gap")
    assert {row["figure"] for row in gap_chart.spec["layer"][1]["data"]["values"]} == {
        "TPP",
        "memory bandwidth",
        "memory",
    }
    # each side's frontier is its own line (joined as one, it zigzagged between open and closed points)
    frontier = next(c for c in section.charts if c.id == "cost-frontier")
    line = next(layer for layer in frontier.spec["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["detail"] == {"field": "side", "type": "nominal"}
    # where each model's cheapest market price comes from is named beside it
    assert any(row.get("market") and row.get("market_source") for row in table.rows)


def test_a_size_the_snapshot_holds_is_used_where_no_table_or_name_gives_one(registry: HardwareRegistry) -> None:
    """gpt2 has no size in its name nor in the curated tables, but the Hub snapshot holds its safetensors count:
    it gets a cost row (it was skipped as "no parameter count")."""
    models = [("openai-community/gpt2", "most downloaded")]
    assert cost_figures(models, registry).skipped  # without the snapshot's count
    figures = cost_figures(models, registry, stored_params={"openai-community/gpt2": 137_022_720})
    (row,) = figures.models
    assert row.params_total == 137_022_720 and not figures.skipped


def test_the_cost_section_lists_only_models_that_write_tokens(registry: HardwareRegistry) -> None:
    """A cost per million output tokens means nothing for an embedder or CLIP: the most downloaded models it lists
    are the ones whose pipeline writes text."""
    from modelrace.adoption import TopModel
    from modelrace.report._cost_section import report_cost_figures

    def row(model_id: str, pipeline_tag: str, params: int) -> TopModel:
        return TopModel(
            model_id, 1, None, None, "u", "US", model_id, "d", "f", "US", None, None, params, None, pipeline_tag
        )

    top = [
        row("BAAI/bge-m3", "feature-extraction", 567_754_752),
        row("openai-community/gpt2", "text-generation", 137_022_720),
    ]
    figures = report_cost_figures(None, top)
    assert figures is not None and [row.model for row in figures.models] == ["openai-community/gpt2"]


def test_chip_charts_are_valid_vega_lite(registry: HardwareRegistry) -> None:
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    section = cost_section(cost_figures([], registry))
    schema = load_schema()
    charts = [c for c in section.charts if c.id in ("cost-chips", "cost-gap")]
    assert len(charts) == 2
    for chart in charts:
        validate_jsonschema(chart.spec, schema)


def test_the_fits_cell_stays_short() -> None:
    from modelrace.report._cost_section import _fits_words
    from modelrace.serving import FIT_CHIPS

    assert _fits_words([]) == "none (needs several chips)"
    assert _fits_words(list(FIT_CHIPS)) == f"every chip listed ({len(FIT_CHIPS)})"
    assert _fits_words(["H200", "B200"]) == f"2 of {len(FIT_CHIPS)}: H200, B200"
    assert _fits_words(["a", "b", "c", "d"]) == f"4 of {len(FIT_CHIPS)}: a, b, c, ..."
