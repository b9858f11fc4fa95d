"""The "Cost to serve and chips" section: memory and cost of the leading models, market prices, the chip race."""

from __future__ import annotations

from typing import Any

from modelrace.adoption import TopModel
from modelrace.errors import ConfigError
from modelrace.ranking import Leaderboard
from modelrace.report import _charts as charts
from modelrace.report._model import Chart, Column, Section, Table
from modelrace.serving import (
    AA_FILE,
    COST_CHIPS,
    EPOCH_CITATION,
    FIT_CHIPS,
    PRICE_CITATIONS,
    PRICE_SOURCES,
    ChipPoint,
    CostFigures,
    KnownSize,
    ModelCostRow,
    PricePoint,
    cost_figures,
    load_hardware,
    rule_sources,
)

TOP_DOWNLOADED = 10
LEADERBOARD_SIZE = "the leaderboard's size (resolve)"


GENERATING_TAGS = frozenset({"text-generation", "text2text-generation", "image-text-to-text"})


def report_cost_figures(capability: Leaderboard | None, top_models: list[TopModel]) -> CostFigures | None:
    """The cost figures for each size class's leader on the headline benchmarks and the most downloaded models
    (adoption's ``top_models`` rows); None without the reference hardware data (Epoch's file)."""
    try:
        registry = load_hardware(include_cpu=False)
    except ConfigError:
        return None
    leaders = [
        (entry.leader, f"leads {entry.size_class} ({bench.name})")
        for bench in (capability.benchmarks if capability else [])
        for entry in bench.classes
        if entry.size_class != "unknown size"
    ]
    models = [(leader.model, why) for leader, why in leaders]
    # the size the leaderboard placed each leader by: the cost table shows the same one (issue #30)
    sizes = {
        leader.model: KnownSize(float(leader.params_total), leader.params_active, "as the leaderboard")
        for leader, _ in leaders
        if leader.params_total
    }
    # the most downloaded models that write tokens (a cost per output token means nothing for an embedder or CLIP)
    writers = [row for row in top_models if row.pipeline_tag in GENERATING_TAGS][:TOP_DOWNLOADED]
    models += [(row.model_id, "most downloaded") for row in writers]
    # what the snapshot knows of their size, where no table or name says it
    stored = {row.model_id: float(row.params) for row in writers if row.params}
    return cost_figures(models, registry, stored_params=stored, sizes=sizes)


def _gb(value: float) -> float:
    return round(value / 1e9, 1)


def cost_section(figures: CostFigures) -> Section:
    """Build the section from :func:`modelrace.serving.cost_figures`: the models' table, the market frontier, the
    chip race and the hardware gap (each part left out where it has nothing to show)."""
    section = Section(id="cost", title="Cost to serve and chips", intro=_intro(figures))
    section.tables.append(_models_table(figures))
    if figures.price_points:
        section.charts.append(_frontier_chart(figures.price_points))
        section.tables.append(_frontier_countries_table(figures.price_points))
    if figures.chips:
        section.charts.append(_chips_chart(figures))
        section.tables.append(_china_table(figures.chips))
    if figures.gap:
        section.charts.append(_gap_chart(figures))
    return section


def _intro(figures: CostFigures) -> str:
    workload = figures.workload
    return (
        f"What it takes to serve the models that lead each size class and the most downloaded ones: memory at"
        f" {figures.context:,} tokens of context (weights at the precision each model is published in, bf16"
        " unless it ships in fp8, as the table says; bf16 KV cache; runtime overhead), the single chips"
        f" that hold it, and the cost per million output tokens at batch {workload.batch}"
        f" ({workload.input_tokens} tokens in, {workload.output_tokens} out) from a roofline model calibrated on"
        " MLPerf Inference v4.1-v6.0 (MoE apart) and published vLLM measurements, priced at the median rental"
        " across providers"
        " (or the release price amortised where nobody rents the chip). Market prices are what providers"
        f" charged ({'; '.join(PRICE_CITATIONS.values())}). Chips come"
        " from Epoch AI's ML Hardware data (to 2026-03) and are classified under each version of the US export"
        " rules from 2022-08 to the 2026-06 guidance (consumer cards outside the 2023 density branches); chips"
        " whose figures no shipping part reaches are flagged and left out of the charts. Estimates, not"
        " measurements: see docs/cost.md for the model and its measured error."
    )


def _model_cells(row: ModelCostRow) -> dict[str, Any]:
    """One model's cells, a cost per chip (shown to three significant digits under 1 by format_value, never
    rounded to 0)."""
    return {
        "model": row.model,
        "why": row.why,
        "params_b": round(row.params_total / 1e9, 2),
        "size_basis": row.size_basis,
        "memory_gb": _gb(row.memory_bytes_8k),
        "weights": row.weights,
        "fits_on": _fits_words(row.fits_on),
        "market": row.market_output_usd_per_mtok,
        "market_source": row.market_source,
        **row.usd_per_mtok,
    }


def _models_table(figures: CostFigures) -> Table:
    workload = figures.workload
    chip_names = list(figures.models[0].usd_per_mtok) if figures.models else list(COST_CHIPS)
    note = "Empty cost: the model does not fit on one such chip."
    return Table(
        id="cost-models",
        title=f"Memory at {figures.context:,} tokens and USD per million output tokens at batch {workload.batch}"
        f" ({workload.input_tokens:,} in / {workload.output_tokens:,} out, the serving point `cost` defaults to)",
        columns=[
            Column("model", "model"),
            Column("why", "listed as"),
            Column("params_b", "params (B)", "float"),
            Column("size_basis", "size from"),
            Column("weights", "weights"),
            Column("memory_gb", "memory (GB)", "float"),
            Column("fits_on", "fits on one"),
            *[Column(name, f"$/Mtok {name} (batch {workload.batch})", "float") for name in chip_names],
            Column("market", "market $/Mtok out (cheapest)", "float"),
            Column("market_source", "market price from"),
        ],
        rows=[_model_cells(row) for row in figures.models],
        source="; ".join(figures.sources),
        note=f"{note} " + "; ".join(figures.skipped) if figures.skipped else note,
    )


def _price_cells(point: PricePoint) -> dict[str, Any]:
    """A price point's fields and its side in words (the charts' colour)."""
    return {**point.to_json(), "side": "open" if point.open_weights else "closed"}


def _frontier_chart(points: list[PricePoint]) -> Chart:
    return Chart(
        id="cost-frontier",
        title="Market price against capability, open and closed",
        spec=charts.scatter(
            [_price_cells(point) for point in points],
            x="usd_per_mtok",
            y="score",
            color="side",
            title="Market price against capability",
            subtitle="cheapest blended price per model; larger points: each side's price/score frontier",
            x_title="USD per million tokens (blended, log)",
            y_title="Artificial Analysis Intelligence Index",
            frontier_by="side",  # two frontiers: joined as one, they zigzag between the sides
        ),
        source=f"{PRICE_SOURCES[AA_FILE]}; countries by modelrace's resolver",
    )


def _frontier_countries_table(points: list[PricePoint]) -> Table:
    return Table(
        id="cost-frontier-countries",
        title="Price/score frontier models by country",
        columns=[Column("model", "model"), Column("side", "side"), Column("country", "country"),
                 Column("usd_per_mtok", "$/Mtok blended", "float"), Column("score", "index", "float")],
        rows=[_price_cells(point) for point in points if point.frontier],
        source=PRICE_SOURCES[AA_FILE],
    )  # fmt: skip


def _chips_chart(figures: CostFigures) -> Chart:
    left_out = (
        f" Left out as doubtful (not confirmed by a curated source): {'; '.join(figures.doubtful_chips)}."
        if figures.doubtful_chips
        else ""
    )
    return Chart(
        id="cost-chips",
        title="The chip race: TPP against memory bandwidth, by export class today",
        spec=charts.log_log_scatter(
            [chip.to_json() for chip in figures.chips],
            x="tpp",
            y="bandwidth_tb_s",
            color="class_now",
            title="TPP against memory bandwidth",
            subtitle="colour: US export class today (domestic: Chinese-made); both axes log; "
            f"{len(figures.doubtful_chips)} chips with doubtful figures left out",
            x_title="TPP (log)",
            y_title="memory bandwidth (TB/s, log)",
            label="chip",
            color_title="US export class today",
        ),
        source=f"{EPOCH_CITATION}; classes by modelrace from the rules' thresholds." + left_out,
    )


def _china_table(chips: list[ChipPoint]) -> Table:
    recent = sorted((chip for chip in chips if chip.bandwidth_tb_s >= 0.5), key=lambda chip: -chip.tpp)
    return Table(
        id="cost-china",
        title="What a lab in China can buy without a US licence: 2022 rule against today",
        columns=[Column("chip", "chip"), Column("class_2022", "class (2022-10)"),
                 Column("china_without_licence_2022", "no licence needed (2022)"),
                 Column("class_now", "class (today)"),
                 Column("china_without_licence_now", "no licence needed (today)")],
        rows=[chip.to_json() for chip in recent],
        source=f"{EPOCH_CITATION}; {rule_sources('current')}",
        note="Chips with at least 0.5 TB/s of memory bandwidth. Chinese-made chips need no US licence.",
    )  # fmt: skip


def _gap_chart(figures: CostFigures) -> Chart:
    return Chart(
        id="cost-gap",
        title="The hardware gap: the best chip a US lab can buy over the best a China lab can buy without a US licence",
        spec=charts.ratio_lines(
            [point.to_json() for point in figures.gap],
            x="end",
            y="ratio",
            series="figure",
            title="The hardware gap, US over China, per quarter",
            subtitle="each quarter's best chips under the rule then in force (TPP; memory bandwidth and "
            "memory: each side's maximum); 1 = no gap; log axis"
            + (f". Now: {figures.headline}" if figures.headline else ""),
            y_title="US / China (log)",
        ),
        source=f"{EPOCH_CITATION} and modelrace's curated chips; rule versions in "
        "serving/data/export_rules.yaml; data-centre chips with no doubtful figure (docs/cost.md)",
    )


def _fits_words(fits_on: list[str], shown: int = 3) -> str:
    """Which of the listed chips hold the model, short enough for a table cell (a cell naming all ten chips made
    the table's first row 619 px tall); the JSON keeps the whole list."""
    if not fits_on:
        return "none (needs several chips)"
    if len(fits_on) == len(FIT_CHIPS):
        return f"every chip listed ({len(FIT_CHIPS)})"
    named = ", ".join(fits_on[:shown]) + (", ..." if len(fits_on) > shown else "")
    return f"{len(fits_on)} of {len(FIT_CHIPS)}: {named}"
