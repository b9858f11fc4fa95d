"""Serving commands: the chip registry with export classes, memory fit, and cost to serve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from modelrace._terminal import TerminalColumn, data_table
from modelrace.cli._app import CommandGroup, JsonOption, emit, stdout, use_json, user_errors

if TYPE_CHECKING:
    from modelrace.serving import ChipTable, CostEstimate, FitResult, HardwareGap, HardwareRow

DEFAULT_CHIP = "H100 SXM5"
"""serving.DEFAULT_CHIP, spelled here so that `--help` does not load the serving package (checked by tests/cli)."""

SERVING_BATCH = 8
"""serving.SERVING_POINT's batch (1,024 in / 256 out), spelled here for the same reason; tests check they agree."""

group = CommandGroup()

_GB = 1e9


def _gb(value: float | None) -> str:
    return "?" if value is None else f"{value / _GB:,.1f} GB"


def _num(value: float | None, digits: int = 0) -> str:
    return "?" if value is None else f"{value:,.{digits}f}"


def _tb(value: float | None) -> str:
    return "?" if value is None else f"{value / 1e12:.2f} TB/s"


def _render_gap(gap: HardwareGap) -> None:
    # chip names whole at any width (kind "id": users pass them to --hardware); what does not fit is named
    out = data_table(
        [
            TerminalColumn("quarter", "id"),
            TerminalColumn("US best", "id"),
            TerminalColumn("China best", "id"),
            TerminalColumn("TPP x", "number"),
            TerminalColumn("bandwidth x", "number"),
            TerminalColumn("memory x", "number"),
            TerminalColumn("US TPP", "number"),
            TerminalColumn("China TPP", "number"),
            TerminalColumn("rule", "id"),
        ],
        [
            (
                q.quarter,
                q.us.chip if q.us else "?",
                q.china.chip if q.china else "?",
                *[("?" if r is None else f"{r:.2f}") for r in (q.tpp_ratio, q.bandwidth_ratio, q.memory_ratio)],
                f"{q.us.tpp:,.0f}" if q.us else "?",
                f"{q.china.tpp:,.0f}" if q.china else "?",
                q.rule,
            )
            for q in gap.quarters
        ],
        title="The hardware gap: best chip a US lab can buy vs a China lab without a US licence",
        width=stdout.width,
    )
    stdout.print(out)
    stdout.print(Text(f"Scope: {gap.scope}. Sources: " + "; ".join(gap.sources), style="dim"), highlight=False)
    if gap.excluded_doubtful:
        stdout.print(Text(f"Left out as doubtful: {len(gap.excluded_doubtful)} chips (see --json)", style="dim"))


def _render_rule(table: ChipTable) -> None:
    state = table.state
    if state is None:
        stdout.print(Text(f"{table.rule}: no US export rule on AI chips yet"), highlight=False)
        return
    stdout.print(Text(f"Rule {state.id}: {state.name}", style="bold"), highlight=False)
    stdout.print(
        Text(
            f"  effective {state.effective}"
            + (f", rescinded {state.rescinded}" if state.rescinded else "")
            + f"; classes from {state.classes_from}; review for China: {state.review}"
        ),
        highlight=False,
    )
    if state.bandwidth_measure:
        measure = state.bandwidth_measure
        stdout.print(
            Text(
                f"  H20-class measure ({state.bandwidth_measure_from}): memory >= "
                f"{measure.memory_bandwidth_gbps_min:,.0f} GB/s or interconnect >= "
                f"{measure.interconnect_gbps_min:,.0f} GB/s needs a licence"
            ),
            highlight=False,
        )
    if state.case_by_case:
        policy = state.case_by_case
        stdout.print(
            Text(
                f"  case by case below TPP {policy.tpp_max:,.0f} and {policy.memory_bandwidth_gbps_max:,.0f} GB/s, "
                f"if: {'; '.join(policy.conditions)}. {policy.beyond}"
            ),
            highlight=False,
        )
    if state.headquarters:
        stdout.print(Text(f"  {state.headquarters}"), highlight=False)
    for tier in state.tiers:
        stdout.print(Text(f"  tier {tier.tier}: {tier.who}: {tier.terms}"), highlight=False)
    stdout.print(Text(f"  source: {state.source}", style="dim"), highlight=False)


def _chip_table(title: str, rows: tuple[HardwareRow, ...] | list[HardwareRow]) -> Table:
    out = Table(title=title, show_lines=False)
    for column in ("chip", "memory", "bandwidth", "TPP", "density", "market", "class", "licence (China)", "review"):
        out.add_column(column, justify="right" if column in ("memory", "bandwidth", "TPP", "density") else "left")
    for row in rows:
        chip = row.chip
        bandwidth = _tb(chip.bandwidth_bytes_per_s) + (" (doubtful)" if chip.doubtful else "")
        out.add_row(
            Text(chip.name),
            _gb(chip.memory_bytes),
            bandwidth,
            _num(chip.tpp),
            _num(chip.density, 2),
            chip.market,
            Text(row.export.export_class),
            Text(row.export.licence_china),
            Text((row.export.review or "")[:40]),
        )
    return out


@group.commands.command("hardware")
def hardware_command(
    rule: Annotated[
        str,
        typer.Option(
            help="Export rule version (2022-08, 2022-10, 2023-10, 2025-01, 2025-04, 2026-01, 2026-06), a name "
            "(diffusion, h20, case-by-case ...), a date (the rule in force then) or current (the newest)."
        ),
    ] = "current",
    vendor: Annotated[str | None, typer.Option(help="Only this manufacturer's chips (substring).")] = None,
    china_licence: Annotated[
        bool,
        typer.Option(
            "--china-licence",
            help="Only chips that need a US licence to go to China (D:5); with --date: also what a lab in China "
            "could buy without one on that date.",
        ),
    ] = False,
    on: Annotated[
        str | None,
        typer.Option("--date", help="YYYY-MM-DD: the rule in force on that date, the chips released by then."),
    ] = None,
    gap: Annotated[
        bool, typer.Option("--gap", help="The hardware gap per quarter since 2022: US lab vs China lab.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Every chip: memory, bandwidth, TPP, density and its US export class under a rule, with the reason."""
    from modelrace.serving import hardware_gap, hardware_table, load_hardware, parse_date

    use_json(as_json)
    if gap:
        with user_errors():
            series: HardwareGap = hardware_gap(load_hardware(include_cpu=False))
        emit(series.to_json(), lambda: _render_gap(series))
        return
    with user_errors():
        when = parse_date(on) if on is not None else None
        table: ChipTable = hardware_table(load_hardware(include_cpu=when is None), rule, vendor, china_licence, when)

    def render() -> None:
        _render_rule(table)
        if table.on is not None:
            stdout.print(
                _chip_table(
                    f"What a lab in China could buy without a US licence on {table.on} (rule {table.rule})",
                    table.without_licence,
                )
            )
            licensed = [r for r in table.rows if r.export.licence_china == "required"]
            stdout.print(_chip_table(f"Needing a US licence for China on {table.on}", licensed))
        else:
            stdout.print(_chip_table(f"Chips under the {escape(table.rule)} export rule", table.rows))
        stdout.print(Text(f"{len(table.rows)} chips. Sources: " + "; ".join(table.sources), style="dim"))
        doubtful = [r.chip for r in table.rows if r.chip.doubtful]
        for chip in doubtful:
            stdout.print(Text(f"doubtful: {chip.name}: {'; '.join(chip.doubts)}", style="dim"), highlight=False)
        stdout.print(Text("Export rules and measures:", style="bold"))
        for event in table.events:
            stdout.print(Text(f"  {event.date} {event.id}: {event.what} ({event.source})"), highlight=False)

    emit(table.to_json(), render)


def _render_fit(fit: FitResult) -> None:
    model = fit.model
    stdout.print(Text(f"{model.name} on {fit.count} x {fit.chip.name}", style="bold"), highlight=False)
    stdout.print(
        Text(
            f"parameters {model.params_total / 1e9:,.2f} B ({model.params_source})"
            + (f", {model.params_active / 1e9:,.2f} B active" if model.params_active < model.params_total else "")
        ),
        highlight=False,
    )
    stdout.print(Text(f"weights   {_gb(fit.weights_bytes):>10}  {fit.quant}, {fit.weights.method}"), highlight=False)
    stdout.print(
        Text(f"KV cache  {_gb(fit.kv_cache_bytes):>10}  {fit.context:,} tokens x {fit.batch}, {fit.kv_dtype}"),
        highlight=False,
    )
    stdout.print(Text(f"overhead  {_gb(fit.overhead_bytes):>10}  runtime, per device"), highlight=False)
    stdout.print(Text(f"total     {_gb(fit.total_bytes):>10}  of {_gb(fit.memory_bytes)}"), highlight=False)
    verdict = {True: "[green]fits[/]", False: "[red]does not fit[/]", None: "[dim]unknown (no memory figure)[/]"}
    stdout.print(f"{verdict[fit.fits]}, headroom {escape(_gb(fit.headroom_bytes))}", highlight=False)
    stdout.print(
        Text(
            f"largest context at batch {fit.batch}: {_num(fit.max_context)}; largest batch at {fit.context:,}: "
            f"{_num(fit.max_batch)}"
        ),
        highlight=False,
    )
    stdout.print(Text(f"KV cache from {fit.kv_source}", style="dim"), highlight=False)


@group.commands.command("fit")
def fit_command(
    model: Annotated[
        str, typer.Argument(help="Hub id, model name, GGUF path or eval spec (gguf:smollm2-135m-instruct).")
    ],
    hardware: Annotated[
        str, typer.Option(help="Chip name (substring, case-insensitive); 'cpu' = this machine.")
    ] = DEFAULT_CHIP,
    count: Annotated[int, typer.Option(help="Number of chips (tensor parallel).")] = 1,
    quant: Annotated[
        str | None, typer.Option(help="bf16, fp8, int4, Q4_K_M ... (default: the file's, else bf16).")
    ] = None,
    context: Annotated[
        int | None, typer.Option(help="Tokens per sequence (default: 8,192 or the model's maximum).")
    ] = None,
    batch: Annotated[int, typer.Option(help="Sequences held at once.")] = 1,
    kv_dtype: Annotated[str, typer.Option(help="KV cache dtype: bf16, fp8, q8_0 ...")] = "bf16",
    as_json: JsonOption = False,
) -> None:
    """Memory of a model: weights, KV cache, overhead; whether it fits, and the largest context and batch that do."""
    from modelrace.serving import fit_named

    use_json(as_json)
    with user_errors():
        fit = fit_named(model, hardware, count, quant, context, batch, kv_dtype)
    emit(fit.to_json(), lambda: _render_fit(fit))


def _render_cost(cost: CostEstimate) -> None:
    _render_fit(cost.fit)
    point = f"batch {cost.workload.batch}, {cost.workload.input_tokens:,} in / {cost.workload.output_tokens:,} out"
    speed = cost.throughput
    if speed is None:
        stdout.print(Text(f"does not fit: {cost.does_not_fit}", style="bold red"), highlight=False)
        stdout.print(Text("no throughput and no price for a configuration that cannot run"), highlight=False)
    else:
        stdout.print(
            Text(
                f"throughput {speed.output_tokens_per_s:,.1f} output tokens/s ({point}), "
                f"{speed.per_sequence_tokens_per_s:,.1f} per sequence, decode {speed.decode_bound}-bound"
            ),
            highlight=False,
        )
        stdout.print(Text(f"time to first token {speed.ttft_s:.3f} s"), highlight=False)
        if cost.price is None:
            stdout.print(
                Text("no hourly price for this chip in the price sources, and no release price"), highlight=False
            )
        else:
            stdout.print(
                Text(
                    f"${cost.usd_per_hour:,.2f}/hour ({cost.price.providers} providers, range "
                    f"${cost.price.low * cost.fit.count:,.2f}-${cost.price.high * cost.fit.count:,.2f}; "
                    f"{cost.price.source})"
                ),
                highlight=False,
            )
            stdout.print(
                Text(f"${_num(cost.usd_per_mtok_output, 3)} per million output tokens at {point}", style="bold")
            )
    if cost.basis is not None:
        basis = cost.basis
        stdout.print(
            Text(
                f"basis: bandwidth efficiency {basis.efficiency_bandwidth:.3f} ({basis.bandwidth_from}); compute "
                f"efficiency {basis.efficiency_compute:.3f} ({basis.compute_from}); calibrated "
                f"{basis.calibration_fitted_on}"
                + (
                    f"; measured error for {basis.chip_family} {basis.model_kind}: {basis.calibration_error}"
                    if basis.calibration_error
                    else f"; no measurement for {basis.chip_family} {basis.model_kind}"
                ),
                style="dim",
            ),
            highlight=False,
        )
    if cost.market:
        stdout.print(Text(f"market: {len(cost.market)} provider prices", style="bold"))
        for price in cost.market[:10]:
            stdout.print(
                Text(
                    f"  {price.provider}: ${_num(price.output_usd_per_mtok, 2)} out / "
                    f"${_num(price.input_usd_per_mtok, 2)}"
                    f" in per Mtok ({price.source})"
                ),
                highlight=False,
            )
    else:
        stdout.print(Text("market: no provider sells this model in the price sources", style="dim"))


@group.commands.command("cost")
def cost_command(
    model: Annotated[
        str, typer.Argument(help="Hub id, model name, GGUF path or eval spec (gguf:smollm2-135m-instruct).")
    ],
    hardware: Annotated[
        str, typer.Option(help="Chip name (substring, case-insensitive); 'cpu' = this machine.")
    ] = DEFAULT_CHIP,
    count: Annotated[int, typer.Option(help="Number of chips (tensor parallel).")] = 1,
    batch: Annotated[
        int, typer.Option(help="Sequences served together (default: the report's serving point, 8).")
    ] = SERVING_BATCH,
    input_tokens: Annotated[int, typer.Option(help="Prompt tokens per request.")] = 1024,
    output_tokens: Annotated[int, typer.Option(help="Generated tokens per request.")] = 256,
    quant: Annotated[
        str | None, typer.Option(help="bf16, fp8, int4, Q4_K_M ... (default: the file's, else bf16).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Throughput, time to first token, $/hour and $ per million output tokens, beside providers' prices."""
    from modelrace.serving import Workload, cost_named

    use_json(as_json)
    with user_errors():
        cost = cost_named(model, hardware, count, Workload(batch, input_tokens, output_tokens), quant)
    emit(cost.to_json(), lambda: _render_cost(cost))
