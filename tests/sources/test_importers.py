from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from modelrace.errors import ImportFormatError
from modelrace.sources import data_date, import_results, normalise_oll
from modelrace.sources._artificial_analysis import read_artificial_analysis
from modelrace.sources._leaderboards import read_livebench
from modelrace.sources._lm_eval import read_lm_eval
from modelrace.sources._model import parse_number
from modelrace.store import Warehouse

FILES = {
    "open-llm-leaderboard": "open_llm_leaderboard_v2_contents_2025-02.csv",
    "lmarena": "lmarena_leaderboard_text_2025-12.json",
    "artificial-analysis": "artificial_analysis_providers_2025-08-14.csv",
    "livebench": "livebench_table_2026-01-08.csv",
    "epoch-models": "epoch_notable_ai_models_2025-12.csv",
    "epoch-benchmarks": "epoch_benchmarking_hub_2025-12.json",
}


@pytest.mark.reference
@pytest.mark.parametrize("source", FILES)
def test_real_files_import_and_keep_their_source(warehouse: Warehouse, reference_data: Path, source: str) -> None:
    summary = import_results(warehouse, source, reference_data / FILES[source])
    assert summary.models > 40
    assert summary.rejected <= 5
    stored = warehouse.query("SELECT * FROM result_imports WHERE import_id = ?", [summary.import_id])[0]
    assert stored["source"] == source and stored["path"].endswith(FILES[source])
    assert stored["data_date"] == data_date(reference_data / FILES[source])
    again = import_results(warehouse, source, reference_data / FILES[source])
    assert again.already_imported and again.import_id == summary.import_id
    assert warehouse.query("SELECT count(*) AS n FROM result_imports")[0]["n"] == 1


@pytest.mark.reference
def test_open_llm_leaderboard_recomputes_normalised_scores(warehouse: Warehouse, reference_data: Path) -> None:
    summary = import_results(warehouse, "open-llm-leaderboard", reference_data / FILES["open-llm-leaderboard"])
    recomputed = summary.notes["recomputed"]
    assert recomputed["rows_all_agree"]["share"] >= 0.99
    for benchmark in ("IFEval", "MATH Lvl 5", "GPQA", "MMLU-PRO"):
        assert recomputed["by_benchmark"][benchmark]["share"] >= 0.99
    assert recomputed["not_recomputable"] == ["BBH", "MUSR"]
    assert recomputed["average"]["share"] >= 0.99
    assert summary.rejection_samples[0]["reason"] == "flagged by the leaderboard's maintainers"
    # The file writes -1 or 0 where it does not know a size: unknown, never a negative or zero count.
    sizes = warehouse.query(
        "SELECT source_name, params_total FROM source_models WHERE source_name IN (?, ?)",
        ["cognitivecomputations/dolphin-2.9.2-Phi-3-Medium", "google/gemma-2-2b"],
    )
    assert sizes and all(row["params_total"] is None or row["params_total"] > 0 for row in sizes)


@pytest.mark.reference
def test_lmarena_reads_bounds_and_the_organisation_file(warehouse: Warehouse, reference_data: Path) -> None:
    import_results(warehouse, "lmarena", reference_data / FILES["lmarena"])
    row = warehouse.query("SELECT * FROM results WHERE source_name = 'gemini-2.5-pro' AND benchmark = 'full'")[0]
    assert row["ci_low"] < row["value"] < row["ci_high"] and row["scale"] == "elo"
    model = warehouse.query("SELECT * FROM source_models WHERE source_name = 'chatgpt-4o-latest-20241120'")[0]
    assert (model["organisation"], model["open_weights"], model["price_in_usd_per_mtok"]) == ("OpenAI", False, 2.5)


@pytest.mark.reference
def test_artificial_analysis_parses_strings(reference_data: Path) -> None:
    batch = read_artificial_analysis(reference_data / FILES["artificial-analysis"], date(2025, 8, 14))
    gpt5 = batch.models["GPT-5 (high)"]
    assert gpt5.open_weights is False and gpt5.reasoning is True
    assert gpt5.price_in_usd_per_mtok == 1.25 and gpt5.price_out_usd_per_mtok == 10.0
    scores = {r.benchmark: r.value for r in batch.results if r.source_name == "GPT-5 (high)"}
    assert scores["MMLU-Pro (Reasoning & Knowledge)"] == 87.0
    assert scores["Artificial Analysis Intelligence Index"] == 69.0
    # $0.00 rows (free tiers: GMI, Google Vertex, AI Studio) do not pull a model's median price to nothing
    assert all(m.price_in_usd_per_mtok != 0 and m.price_out_usd_per_mtok != 0 for m in batch.models.values())
    # one figure per model and benchmark, although every provider row repeats it
    assert len([r for r in batch.results if r.source_name == "GPT-5 (high)" and r.benchmark.startswith("MMLU")]) == 1


@pytest.mark.reference
def test_livebench_category_averages(warehouse: Warehouse, reference_data: Path) -> None:
    import_results(warehouse, "livebench", reference_data / FILES["livebench"])
    rows = {
        r["benchmark"]: r["value"]
        for r in warehouse.query("SELECT benchmark, value FROM results WHERE source_name = 'gpt-oss-120b'")
    }
    categories = json.loads((reference_data / "livebench_categories_2026-01-08.json").read_text())
    expected = sum(rows[t] for t in categories["Reasoning"]) / len(categories["Reasoning"])
    assert rows["Reasoning"] == pytest.approx(expected)
    assert rows["Global Average"] == pytest.approx(sum(rows[c] for c in categories) / len(categories))


@pytest.mark.reference
def test_epoch_countries_are_split_and_deduplicated(warehouse: Warehouse, reference_data: Path) -> None:
    import_results(warehouse, "epoch-models", reference_data / FILES["epoch-models"])
    extra = warehouse.query("SELECT extra FROM source_models WHERE source_name = 'Kimi K2 Thinking'")[0]["extra"]
    assert json.loads(extra)["countries"] == ["CN"]


def test_lm_eval_results(tmp_path: Path) -> None:
    path = tmp_path / "results_2025-01-01.json"
    path.write_text(
        json.dumps(
            {
                "results": {
                    "arc_easy": {"alias": "arc_easy", "acc,none": 0.5, "acc_stderr,none": 0.01, "acc_norm,none": 0.6}
                },
                "config": {"model_args": "pretrained=HuggingFaceTB/SmolLM2-135M-Instruct,dtype=float32"},
                "n-samples": {"arc_easy": {"original": 2376, "effective": 2376}},
            }
        )
    )
    batch = read_lm_eval(path, date(2025, 1, 1))
    assert list(batch.models) == ["HuggingFaceTB/SmolLM2-135M-Instruct"]
    acc = next(r for r in batch.results if r.metric == "acc")
    assert (acc.ci_low, acc.ci_high, acc.n_items) == (pytest.approx(0.4804), pytest.approx(0.5196), 2376)
    with pytest.raises(ImportFormatError, match="no 'results'"):
        path.write_text("{}")
        read_lm_eval(path, date(2025, 1, 1))


def test_bad_files_are_clear_errors(warehouse: Warehouse, tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="lacks the columns"):
        import_results(warehouse, "open-llm-leaderboard", bad)
    with pytest.raises(ImportFormatError, match="no file"):
        import_results(warehouse, "livebench", tmp_path / "missing.csv")
    bad.write_text("model,category,score\n")
    with pytest.raises(ImportFormatError, match="a header and no rows"):  # not "lacks the columns"
        import_results(warehouse, "livebench", bad, date(2026, 1, 8))
    assert warehouse.query("SELECT count(*) AS n FROM result_imports")[0]["n"] == 0


@pytest.mark.reference
def test_a_truncated_csv_loses_its_cut_row_not_its_figures(
    warehouse: Warehouse, reference_data: Path, tmp_path: Path
) -> None:
    """A download cut in the middle of a row would store its last figure cut in two ("6.0" of "6.05") and leave
    the rest of the row's tasks out: the cut row is rejected with its reason; a shifted row too."""
    text = (reference_data / FILES["livebench"]).read_text(encoding="utf-8")
    cut = tmp_path / "livebench.csv"
    cut.write_text(text[:20_000], encoding="utf-8")
    lines = text[:20_000].splitlines()
    last = lines[-1].split(",")[0]
    summary = import_results(warehouse, "livebench", cut, date(2026, 1, 8), allow_partial=True)
    assert summary.rejected >= 1 and any(
        s["name"] == last and "ends in the middle of this row" in s["reason"] for s in summary.rejection_samples
    ), summary.rejection_samples
    assert not warehouse.query("SELECT 1 FROM results WHERE source_name = ?", [last])
    shifted = tmp_path / "shifted.csv"
    shifted.write_text("\n".join([*lines[:3], lines[2] + ",1.0"]) + "\n", encoding="utf-8")
    batch = read_livebench(shifted, date(2026, 1, 8))
    assert batch.rejected == [(2, lines[2].split(",")[0], "row has 1 more fields than the header: shifted")]
    shifted.write_text("\n".join([*lines[:3], lines[2] + ","]) + "\n", encoding="utf-8")  # a trailing comma
    assert read_livebench(shifted, date(2026, 1, 8)).rejected == []


def test_number_parsing_and_oll_rule() -> None:
    assert parse_number("$0.50", "p") == 0.5
    assert parse_number("72%", "p") == 72.0
    assert parse_number("N/A", "p") is None
    assert parse_number("1,234", "p") == 1234.0
    with pytest.raises(ImportFormatError):
        parse_number("lots", "p")
    assert normalise_oll("GPQA", 0.25922818791946306) == pytest.approx(1.230425055928408)
    assert normalise_oll("GPQA", 0.2) == 0.0
    assert normalise_oll("BBH", 0.5) is None
