"""`modelrace hardware`, `fit` and `cost` through the CLI: pure JSON, one-line errors, non-zero exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app

pytestmark = pytest.mark.reference


@pytest.fixture
def runner(reference_data: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MODELRACE_REFERENCE_DATA", str(reference_data))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return CliRunner()


def test_hardware_json_is_a_list_of_chips(runner: CliRunner) -> None:
    result = runner.invoke(app, ["hardware", "--rule", "2023-10", "--vendor", "nvidia", "--json"])
    assert result.exit_code == 0, result.output
    chips = json.loads(result.stdout)
    by_name = {c["name"]: c for c in chips}
    assert by_name["NVIDIA H100 SXM5 80GB"]["export_class"] == "3A090.a"
    assert {"name", "tpp", "export_class", "reason"} <= set(chips[0])
    assert all(c["manufacturer"] == "NVIDIA" for c in chips)


def test_hardware_china_licence_lists_only_controlled_chips(runner: CliRunner) -> None:
    result = runner.invoke(app, ["hardware", "--rule", "2022-10", "--china-licence", "--json"])
    names = {c["name"] for c in json.loads(result.stdout)}
    assert "NVIDIA H100 SXM5 80GB" in names and "NVIDIA A800 SXM" not in names


def test_fit_json(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["fit", "Qwen/Qwen2.5-7B-Instruct", "--hardware", "RTX 4090", "--context", "32768", "--json"]
    )
    assert result.exit_code == 0, result.output
    fit = json.loads(result.stdout)
    assert fit["kv_cache_bytes"] == 28 * 4 * 128 * 2 * 2 * 32768
    assert fit["fits"] is True  # 15.2 GB of bf16 weights + 1.9 GB KV + 1.1 GB overhead on 24 GB
    assert {"weights_bytes", "kv_cache_bytes", "total_bytes", "fits"} <= set(fit)
    big = runner.invoke(app, ["fit", "Qwen/Qwen2.5-72B-Instruct", "--hardware", "RTX 4090", "--json"])
    assert json.loads(big.stdout)["fits"] is False


def test_cost_json(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["cost", "meta-llama/Llama-3.1-8B-Instruct", "--hardware", "H100", "--batch", "16", "--json"]
    )
    assert result.exit_code == 0, result.output
    cost = json.loads(result.stdout)
    for field in ("output_tokens_per_s", "ttft_s", "usd_per_hour", "usd_per_mtok_output"):
        assert cost[field] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "Qwen/Qwen2.5-7B-Instruct", "--hardware", "Z9000"], "unknown chip 'Z9000'"),
        (["fit", "Qwen/Qwen2.5-7B-Instruct", "--hardware", "V100"], "ambiguous"),
        (["fit", "no-such-model-anywhere"], "unknown model"),
        (["fit", "meta-llama/Llama-2-7b-hf", "--context", "100000"], "impossible context"),
        (["cost", "Qwen/Qwen2.5-7B-Instruct", "--batch", "0"], "must be >= 1"),
        (["hardware", "--rule", "1999-13"], "unknown export rule"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    as_json = runner.invoke(app, [*args, "--json"])
    assert as_json.exit_code != 0
    assert message in json.loads(as_json.stdout)["error"]


def test_fit_on_a_local_path_never_asks_the_hub(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file or folder that is not weights is said to be one, at once (it was taken for a Hub id: five retries)."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: a Hub call would fail slowly
    (tmp_path / "notes.txt").write_text("x")
    for path, said in ((tmp_path / "notes.txt", "local .txt file"), (tmp_path, "folder without *.safetensors")):
        result = runner.invoke(app, ["fit", str(path), "--hardware", "RTX 4090", "--json"])
        assert result.exit_code != 0 and said in json.loads(result.stdout)["error"], result.output


def test_hardware_rule_by_name_and_date(runner: CliRunner) -> None:
    diffusion = runner.invoke(app, ["hardware", "--rule", "diffusion", "--vendor", "huawei"])
    assert diffusion.exit_code == 0, diffusion.output
    assert "rescinded 2025-05-13" in diffusion.stdout and "tier 1" in diffusion.stdout
    dated = runner.invoke(app, ["hardware", "--rule", "2024-06-30", "--vendor", "nvidia", "--json"])
    by_name = {c["name"]: c for c in json.loads(dated.stdout)}
    assert by_name["NVIDIA HGX H20"]["licence_china"] == "not required"  # the 2023-10 rule, before the H20 measure


def test_hardware_china_licence_on_a_date(runner: CliRunner) -> None:
    result = runner.invoke(app, ["hardware", "--china-licence", "--date", "2024-06-30", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["rule"] == "2023-10"
    free = {c["name"] for c in body["without_licence"]}
    assert {"NVIDIA HGX H20", "NVIDIA GeForce RTX 4090 D", "Huawei Ascend 910B"} <= free
    assert "NVIDIA H100 SXM5 80GB" in {c["name"] for c in body["licence_required"]}
    bad = runner.invoke(app, ["hardware", "--date", "2024-13-01"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_hardware_gap_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["hardware", "--gap", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    quarters = body["quarters"]
    assert quarters[0]["quarter"] == "2022Q1"
    assert {"us", "china", "tpp_ratio", "bandwidth_ratio", "memory_ratio", "rule"} <= set(quarters[-1])
    assert quarters[-1]["us"]["tpp"] > quarters[-1]["china"]["tpp"]
    assert any("MetaX" in name for name in body["excluded_doubtful"])
    from modelrace.cli import _app

    original = _app.stdout._width
    try:
        _app.stdout.width = 80  # chip names whole at 80 columns (they are what --hardware takes)
        text = runner.invoke(app, ["hardware", "--gap"]).stdout
    finally:
        _app.stdout._width = original
    assert quarters[-1]["us"]["chip"] in text and quarters[-1]["china"]["chip"] in text and "…" not in text


def test_a_configuration_that_does_not_fit_has_no_throughput_and_no_price(runner: CliRunner) -> None:
    args = ["cost", "deepseek-r1", "--hardware", "H100 SXM5", "--count", "8"]
    cost = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert cost["fits"] is False
    for field in ("output_tokens_per_s", "ttft_s", "usd_per_hour", "usd_per_mtok_output", "price_source"):
        assert cost[field] is None, field
    assert cost["smallest_count"] == 9 and "smallest count that fits is 9" in cost["does_not_fit"]
    text = runner.invoke(app, args).stdout
    assert "does not fit" in text and "output tokens/s" not in text and "per million output tokens" not in text
    assert "$" not in text.split("market:")[0]  # no price before the providers' own


def test_cost_and_the_report_default_to_the_same_stated_serving_point(runner: CliRunner) -> None:
    from modelrace.cli.serving import SERVING_BATCH
    from modelrace.serving import SERVING_POINT
    from modelrace.serving._report import REPORT_WORKLOAD

    assert REPORT_WORKLOAD == SERVING_POINT and SERVING_POINT.batch == SERVING_BATCH == 8
    cost = json.loads(runner.invoke(app, ["cost", "Qwen/Qwen2.5-7B-Instruct", "--hardware", "H100", "--json"]).stdout)
    assert (cost["batch"], cost["input_tokens"], cost["output_tokens"]) == (8, 1024, 256)
    assert cost["serving_point"] == "batch 8, 1,024 in / 256 out"
    text = runner.invoke(app, ["cost", "Qwen/Qwen2.5-7B-Instruct", "--hardware", "H100"]).stdout
    assert "per million output tokens at batch 8, 1,024 in / 256 out" in text


def test_cost_shows_its_basis(runner: CliRunner) -> None:
    cost = json.loads(
        runner.invoke(app, ["cost", "meta-llama/Llama-3.1-8B-Instruct", "--hardware", "H100", "--json"]).stdout
    )
    basis = cost["basis"]
    assert basis["efficiency_bandwidth"] == cost["efficiency"]["bandwidth"]
    assert "vLLM" in basis["bandwidth_from"] and "MLPerf" in basis["compute_from"]
    assert (basis["chip_family"], basis["model_kind"]) == ("Hopper", "dense")
    assert basis["calibration_fitted_on"]
