"""Calibrate the roofline and print every estimate against its measurement.

1. Accelerator bandwidth efficiency: the vLLM decode-step measurements in serving/data/calibration.yaml marked
   "fit: bandwidth" (geometric mean of measured / estimate at full bandwidth); the throughput points are checks.
2. Accelerator compute efficiency: MLPerf Inference v4.1 Offline token rates (single node, known accelerator),
   each system modelled at the largest batch its memory holds (capped at 1,024), FP8 where the chip has it
   (MLPerf's closed division allows FP8 at 99 % accuracy; the NVIDIA and AMD submissions use it). Median ratio.
   Prompt/answer lengths: GPT-J 1,000 / 70 (CNN-DailyMail articles; GEN_LEN 4,114,386 characters over 13,368
   samples at 4.4 characters per token), Llama 2 70B 800 / 294 (TOKENS_PER_SAMPLE 293.7; prompts capped at
   1,024), Mixtral 8x7B 500 / 146 (TOKENS_PER_SAMPLE 145.9). The input lengths are assumptions: their error
   goes into the factor.
3. CPU bandwidth efficiency: llama.cpp (llama-cpp-python) decode of the packaged GGUF models on this machine,
   32 tokens each after a short prompt, 2 threads (the CPU is shared: figures vary run to run).

Run: MODELRACE_REFERENCE_DATA=../shared/data python bench/bench_cost_calibration.py [--no-local]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Sequence

from modelrace.config import reference_data_dir
from modelrace.serving import Architecture, Chip, HardwareRegistry, Workload, load_hardware, resolve_model, roofline
from modelrace.serving._cost import model_shape
from modelrace.serving._data import Efficiency, calibration_file
from modelrace.serving._fit import fit_model
from modelrace.serving._hardware import local_cpu
from modelrace.serving._model import ModelRef

FULL = Efficiency(bandwidth=1.0, compute=1.0, bandwidth_from="full", compute_from="full")
MLPERF_CHIPS = {
    "NVIDIA H100-SXM-80GB": "H100 SXM5",
    "NVIDIA H200-SXM-141GB": "H200",
    "NVIDIA H200-SXM-141GB-CTS": "H200",
    "NVIDIA H100-PCIe-80GB": "H100 PCIe",
    "NVIDIA H100-NVL-94GB": "H100 NVL",
    "NVIDIA L40S": "L40S",
    "AMD Instinct MI300X-NPS1-SPX-192GB-750W": "MI300X",
    "AMD MI300X-NPS1-SPX-192GB-750W": "MI300X",
    "NVIDIA B200-SXM-180GB": "B200",
    "NVIDIA GeForce RTX 4090": "RTX 4090",
}
GPTJ = Architecture(
    name="GPT-J 6B", layers=28, hidden=4096, heads=16, kv_heads=16, head_dim=256, ffn=16384, vocab=50400,
    tied=False, context=2048, source="EleutherAI/gpt-j-6b config.json", params_total=6.05e9,
)  # fmt: skip
# MLPerf Inference v5.1 and v6.0 (same layout): the newer chips and the MoE models. Mean prompt / answer lengths are
# assumptions from the benchmarks' data sets (their error goes into the factor): Llama 3.1 8B on CNN-DailyMail
# 870 / 64 (GPT-J's set, Llama 3 tokenizer), Llama 3.1 405B 9,400 / 680 (its long-context mix), DeepSeek-R1
# 800 / 3,900 (reasoning answers), gpt-oss-120b 1,000 / 2,000.
NEW_CHIPS = {
    "NVIDIA B200-SXM-180GB": "B200",
    "NVIDIA H200-SXM-141GB": "H200",
    "NVIDIA H100-SXM-80GB": "H100 SXM5",
    "AMD Instinct MI325X 256GB HBM3e": "MI325X",
    "AMD Instinct MI300X 192GB HBM3": "MI300X",
    "NVIDIA GB200": "NVIDIA GB200",
    "NVIDIA B300-SXM-270GB": "NVIDIA B300 (Blackwell Ultra)",
    "NVIDIA GB300": "NVIDIA GB300 (Blackwell Ultra)",
    "AMD Instinct MI355X 288GB HBM3e": "AMD Instinct MI355X",
    "AMD Instinct MI350X 288GB HBM3e": "AMD Instinct MI350X",
    "AMD Instinct MI350X": "AMD Instinct MI350X",
    "NVIDIA L40S": "L40S",
}
NEW_MODELS: dict[str, tuple[str, int, int]] = {
    "llama2-70b-99": ("meta-llama/Llama-2-70b-chat-hf", 800, 294),
    "llama2-70b-99.9": ("meta-llama/Llama-2-70b-chat-hf", 800, 294),
    "llama3.1-8b": ("meta-llama/Llama-3.1-8B-Instruct", 870, 64),
    "llama3.1-405b": ("meta-llama/Llama-3.1-405B-Instruct", 9400, 680),
    "mixtral-8x7b": ("mistralai/Mixtral-8x7B-Instruct-v0.1", 500, 146),
    "deepseek-r1": ("deepseek-ai/DeepSeek-R1", 800, 3900),
    "gpt-oss-120b": ("openai/gpt-oss-120b", 1000, 2000),
}
MLPERF_WEIGHTS = {"fp4": "fp4", "nvfp4": "fp4", "mxfp4": "fp4", "fp8": "fp8"}
MLPERF_MODELS: dict[str, tuple[str, int, int]] = {
    "gptj-99": ("gpt-j", 1000, 70),
    "llama2-70b-99": ("meta-llama/Llama-2-70b-chat-hf", 800, 294),
    "mixtral-8x7b": ("mistralai/Mixtral-8x7B-Instruct-v0.1", 500, 146),
}


def _model(name: str) -> ModelRef:
    if name == "gpt-j":
        return ModelRef("gpt-j-6b", None, None, 6.05e9, 6.05e9, "model card", GPTJ, None, None, None)
    return resolve_model(name)


def _estimate(model: ModelRef, chip: Chip, count: int, workload: Workload, quant: str, efficiency: Efficiency) -> float:
    fit = fit_model(model, chip, count, quant, workload.input_tokens + workload.output_tokens, workload.batch)
    return roofline(model_shape(fit), chip, count, workload, efficiency).output_tokens_per_s


def _decode_rate(model: ModelRef, chip: Chip, batch: int, prompt: int, answer: int, efficiency: Efficiency) -> float:
    fit = fit_model(model, chip, 1, "bf16", prompt + answer, batch)
    return (
        batch
        * roofline(model_shape(fit), chip, 1, Workload(batch, prompt, answer), efficiency).per_sequence_tokens_per_s
    )


def _spread(ratios: Sequence[float]) -> str:
    logs = [abs(math.log(r)) for r in ratios]
    return f"n={len(ratios)}, median |error| x{math.exp(statistics.median(logs)):.2f}, worst x{math.exp(max(logs)):.2f}"


def published(registry: HardwareRegistry, efficiency: Efficiency | None) -> tuple[list[float], list[float]]:
    """(fit ratios at full bandwidth, check ratios at the given efficiency)."""
    fit_ratios, checks = [], []
    print("\npublished vLLM measurements (estimate vs measured, output tokens/s)")
    for m in calibration_file().measurements:
        chip, model = registry.find(m.hardware), resolve_model(m.model)
        workload = Workload(m.batch, m.input_tokens, m.output_tokens)
        if m.kind == "decode_step":
            full = _decode_rate(model, chip, m.batch, m.input_tokens, m.output_tokens, FULL)
            estimate = _decode_rate(model, chip, m.batch, m.input_tokens, m.output_tokens, efficiency or FULL)
        else:
            full = _estimate(model, chip, 1, workload, m.weights, FULL)
            estimate = _estimate(model, chip, 1, workload, m.weights, efficiency or FULL)
        if (m.note or "").startswith("fit: bandwidth"):
            fit_ratios.append(m.measured_tokens_per_s / full)
        checks.append(estimate / m.measured_tokens_per_s)
        print(
            f"  {m.id:32} estimate {estimate:8.1f}  measured {m.measured_tokens_per_s:8.1f}"
            f"  x{estimate / m.measured_tokens_per_s:.2f}  ({m.note})"
        )
    return fit_ratios, checks


def mlperf(registry: HardwareRegistry, efficiency: Efficiency) -> list[float]:
    """measured / estimate at the given bandwidth efficiency and full compute, per MLPerf Offline system."""
    folder = reference_data_dir(required=True)
    assert folder is not None
    rows = json.loads((folder / "mlperf_inference_v4.1_summary_results.json").read_text())
    ratios: list[float] = []
    print("\nMLPerf Inference v4.1 Offline (per system: estimate at full compute vs measured, output tokens/s)")
    seen: set[tuple[str, str, float, float]] = set()
    for row in rows:
        chip_name, model_name = MLPERF_CHIPS.get(row.get("Accelerator", "")), row.get("Model")
        if row.get("Performance_Units") != "Tokens/s" or row.get("Scenario") != "Offline" or row.get("Nodes") != 1:
            continue
        if chip_name is None or model_name not in MLPERF_MODELS:
            continue
        count, measured = int(row["a#"]), float(row["Performance_Result"])
        key = (chip_name, model_name, count, measured)
        if key in seen:
            continue
        seen.add(key)
        chip = registry.find(chip_name)
        model_id, prompt, answer = MLPERF_MODELS[model_name]
        model = _model(model_id)
        quant = "fp8" if chip.fp8_flops else "bf16"
        probe = fit_model(model, chip, count, quant, prompt + answer, 1)
        if not probe.fits:
            continue
        batch = max(1, min(1024, probe.max_batch or 1))
        partial = efficiency.model_copy(update={"compute": 1.0, "compute_moe": None})
        estimate = _estimate(model, chip, count, Workload(batch, prompt, answer), quant, partial)
        ratios.append(measured / estimate)
        print(
            f"  {chip_name:10} x{count} {model_name:14} batch {batch:3}  estimate {estimate:9.0f}"
            f"  measured {measured:9.0f}  ratio {measured / estimate:.2f}"
        )
    return ratios


def mlperf_new(registry: HardwareRegistry, efficiency: Efficiency) -> dict[tuple[str, str], list[float]]:
    """measured / estimate (fitted bandwidth, full compute) for the MLPerf v5.1 and v6.0 Offline rows, by
    (chip family, dense or MoE): active parameters for compute, total for memory, the experts a batch touches
    read per step. Printed row by row, dense and MoE apart."""
    from modelrace.serving._cost import chip_family

    folder = reference_data_dir(required=True)
    assert folder is not None
    by_group: dict[tuple[str, str], list[float]] = {}
    partial = efficiency.model_copy(update={"compute": 1.0, "compute_moe": None})
    for kind in ("dense", "MoE"):
        print(f"\nMLPerf Inference v5.1 / v6.0 Offline, {kind} (estimate at full compute vs measured, output tokens/s)")
        for version in ("5.1", "6.0"):
            rows = json.loads((folder / f"mlperf_inference_v{version}_summary_results.json").read_text())
            seen: set[tuple[str, str, int, float]] = set()
            for row in rows:
                if row.get("Performance_Units") != "Tokens/s" or row.get("Scenario") != "Offline":
                    continue
                chip_name, model_name = NEW_CHIPS.get(row.get("Accelerator", "")), row.get("Model", "")
                if row.get("Nodes") != 1 or chip_name is None or model_name not in NEW_MODELS:
                    continue
                count, measured = int(row["a#"]), float(row["Performance_Result"])
                key = (chip_name, model_name, count, measured)
                if key in seen or measured <= 0:
                    continue
                seen.add(key)
                chip = registry.find(chip_name)
                model_id, prompt, answer = NEW_MODELS[model_name]
                model = resolve_model(model_id, allow_hub=False)
                if (model.params_active < model.params_total) != (kind == "MoE"):
                    continue
                stated = str(row.get("weight_data_types") or "").lower()
                quant = MLPERF_WEIGHTS.get(stated, "fp8" if chip.fp8_flops else "bf16")
                probe = fit_model(model, chip, count, quant, prompt + answer, 1)
                if not probe.fits:
                    continue
                batch = max(1, min(1024, probe.max_batch or 1))
                estimate = _estimate(model, chip, count, Workload(batch, prompt, answer), quant, partial)
                ratio = measured / estimate
                by_group.setdefault((chip_family(chip), kind), []).append(ratio)
                print(
                    f"  v{version} {chip_name[:22]:22} x{count} {model_name:14} {quant:4} batch {batch:4}"
                    f"  estimate {estimate:9.0f}  measured {measured:9.0f}  ratio {ratio:.2f}"
                )
    return by_group


def local(cpu: Chip) -> list[float]:
    """measured / estimate at full bandwidth for llama.cpp decode of the packaged models here."""
    try:
        import llama_cpp
    except ImportError:
        print("\nllama-cpp-python is not installed: no local calibration")
        return []
    import subprocess
    import sys

    from modelrace.evals import packaged_models, resolve_local_model

    probe = subprocess.run(
        [sys.executable, "-c", "import llama_cpp, sys; llama_cpp.Llama(sys.argv[1], n_ctx=64, verbose=False)"
         ".eval([1, 2, 3])", str(resolve_local_model("smollm2-135m-instruct").path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        print(f"\nllama.cpp cannot run here (exit {probe.returncode}, e.g. built for a CPU feature this one lacks)")
        return []
    ratios = []
    print(
        f"\nllama.cpp decode on this machine ({cpu.name}, "
        f"streaming bandwidth {(cpu.bandwidth_bytes_per_s or 0) / 1e9:.1f} GB/s)"
    )
    for model_id in packaged_models():
        path = resolve_local_model(model_id).path
        llm = llama_cpp.Llama(str(path), n_ctx=256, n_threads=2, verbose=False)
        prompt = llm.tokenize(b"The history of the race between open and closed language models")
        llm.eval(prompt)
        tokens = 32
        start = time.perf_counter()
        for _ in range(tokens):
            token = llm.sample(temp=0.0)
            llm.eval([token])
        measured = tokens / (time.perf_counter() - start)
        model = resolve_model(f"gguf:{model_id}")
        estimate = _decode_rate_gguf(model, cpu, len(prompt))
        ratios.append(measured / estimate)
        print(
            f"  {model_id:30} estimate {estimate:7.1f}  measured {measured:7.1f} tokens/s"
            f"  ratio {measured / estimate:.2f}"
        )
        del llm
    return ratios


def _decode_rate_gguf(model: ModelRef, cpu: Chip, prompt: int) -> float:
    fit = fit_model(model, cpu, 1, None, prompt + 32, 1)
    return roofline(model_shape(fit), cpu, 1, Workload(1, prompt, 32), FULL).per_sequence_tokens_per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-local", action="store_true", help="skip the llama.cpp measurement on this machine")
    args = parser.parse_args()
    registry = load_hardware(include_cpu=False)
    current = calibration_file()
    fit_ratios, _ = published(registry, None)
    bandwidth = math.exp(statistics.mean(math.log(r) for r in fit_ratios))
    compute_ratios = mlperf(registry, current.accelerator.model_copy(update={"bandwidth": bandwidth}))
    compute = statistics.median(compute_ratios)
    fitted = current.accelerator.model_copy(update={"bandwidth": bandwidth, "compute": compute})
    print(f"\nfitted accelerator efficiency: bandwidth {bandwidth:.3f}, compute {compute:.3f}")
    print("MLPerf Offline after the fit:", _spread([r / compute for r in compute_ratios]))
    _, checks = published(registry, fitted)
    print("published vLLM after the fit:", _spread(checks))
    groups = mlperf_new(registry, fitted)
    moe_pooled = [r for (_, kind), rs in groups.items() if kind == "MoE" for r in rs]
    compute_moe = statistics.median(moe_pooled) if moe_pooled else compute
    dense_pooled = [r for (_, kind), rs in groups.items() if kind == "dense" for r in rs]
    print(
        f"\nfitted MoE compute efficiency {compute_moe:.3f} (median over {len(moe_pooled)} MoE rows); dense rows "
        f"alone would fit {statistics.median(dense_pooled) if dense_pooled else float('nan'):.3f} (kept at the v4.1 "
        f"fit {compute:.3f}: above 1 is no share of peak, the prompt/answer assumptions absorb it)"
    )
    print("MLPerf v5.1 / v6.0 Offline after the fit: estimate / measured by chip family and kind")
    for (family, kind), ratios in sorted(groups.items()):
        share = compute_moe if kind == "MoE" else compute
        errors = [share / r for r in ratios]  # estimate / measured
        print(f"  {family:13} {kind:5} median estimate/measured x{statistics.median(errors):.2f};", _spread(errors))
    if not args.no_local:
        cpu = local_cpu()
        cpu_ratios = local(cpu)
        if cpu_ratios:
            cpu_bandwidth = math.exp(statistics.mean(math.log(r) for r in cpu_ratios))
            print(
                f"fitted CPU bandwidth efficiency {cpu_bandwidth:.3f};",
                _spread([r / cpu_bandwidth for r in cpu_ratios]),
            )
    print(
        f"\nin serving/data/calibration.yaml now: accelerator bandwidth {current.accelerator.bandwidth}, "
        f"compute {current.accelerator.compute}; cpu bandwidth {current.cpu.bandwidth}"
    )


if __name__ == "__main__":
    main()
