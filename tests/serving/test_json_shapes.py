"""The `--json` shapes of serving's typed results: each row's ``__json__`` hook (keys that differ from its fields)
gives the documented keys in their order, JSON-ready, and the serialiser reaches the same through nested rows."""

from __future__ import annotations

import json
from datetime import date

from tests.serving._chips import make_chip

from modelrace._serialise import to_jsonable
from modelrace.serving import (
    ChipTable,
    HardwareRegistry,
    HourlyPrice,
    MarketPrice,
    MarketSummary,
    RuleEvent,
    estimate_cost,
    fit_and_cost_table,
    fit_model,
    hardware_table,
    resolve_model,
)
from modelrace.serving._prices import Listing

FIT_KEYS = [
    "model", "hardware", "count", "quant", "kv_dtype", "context", "batch", "weights_bytes", "weights_method",
    "bits_per_weight", "kv_cache_bytes", "kv_source", "overhead_bytes", "total_bytes", "memory_bytes", "fits",
    "headroom_bytes", "max_context", "max_batch",
]  # fmt: skip
THROUGHPUT_KEYS = [
    "output_tokens_per_s", "per_sequence_tokens_per_s", "ttft_s", "decode_step_s", "prefill_s", "decode_bound",
    "efficiency",
]  # fmt: skip


def _price(provider: str, output: float | None) -> MarketPrice:
    return MarketPrice("test prices", provider, "Llama 3.1 8B", None, output, None)


def test_fit_json_flattens_the_weights_and_names_the_chip() -> None:
    model = resolve_model("meta-llama/Llama-3.1-8B-Instruct", allow_hub=False)
    fit = fit_model(model, make_chip(), context=4096)
    body = fit.to_json()
    assert list(body) == FIT_KEYS
    assert body["hardware"] == "Test chip" and body["weights_method"] == fit.weights.method
    assert body["total_bytes"] == fit.total_bytes and body["fits"] is True
    shown = body["model"]
    assert "key" not in shown and shown["architecture"]["tied_embeddings"] is False  # ``tied``, named in full
    assert to_jsonable(fit) == body and json.loads(json.dumps(body)) == body  # JSON-ready all the way down


def test_cost_json_of_what_does_not_fit_keeps_every_key_null() -> None:
    model = resolve_model("meta-llama/Llama-3.1-8B-Instruct", allow_hub=False)
    cost = estimate_cost(model, make_chip(memory_bytes=4e9))
    body = cost.to_json()
    assert cost.throughput is None and body["fits"] is False and body["does_not_fit"]
    assert {key: body[key] for key in THROUGHPUT_KEYS} == dict.fromkeys(THROUGHPUT_KEYS)
    keys = list(body)
    assert keys.index("memory_bytes") + 1 == keys.index(THROUGHPUT_KEYS[0])  # flattened in place, in order
    assert (body["usd_per_hour"], body["usd_per_hour_range"], body["price_providers"]) == (None, None, 0)
    assert body["basis"]["chip_family"] == "other" and list(body)[-1] == "market"


def test_market_summary_gives_the_cheapest_and_the_upper_median() -> None:
    prices = tuple(_price(name, output) for name, output in (("a", 3.0), ("b", 1.0), ("c", None), ("d", 2.0),
                                                            ("e", 4.0)))  # fmt: skip
    summary = MarketSummary.of(prices)
    assert (summary.providers, summary.output_usd_per_mtok_min, summary.output_usd_per_mtok_median) == (5, 1.0, 3.0)
    assert summary.to_json()["prices"][2] == {
        "source": "test prices", "provider": "c", "model_name": "Llama 3.1 8B", "input_usd_per_mtok": None,
        "output_usd_per_mtok": None, "blended_usd_per_mtok": None, "output_tokens_per_s": None,
    }  # fmt: skip
    assert MarketSummary.of(()).to_json() == {
        "providers": 0, "output_usd_per_mtok_min": None, "output_usd_per_mtok_median": None, "prices": []
    }  # fmt: skip


def test_an_hourly_price_leaves_its_listings_out() -> None:
    listing = Listing("cloud", "H100", 2.0, "test")
    price = HourlyPrice("H100", 2.0, 2.0, 2.0, 1, "test", (listing,))
    assert price.to_json() == {"chip": "H100", "usd_per_hour": 2.0, "low": 2.0, "high": 2.0, "providers": 1,
                               "source": "test"}  # fmt: skip


def test_chip_rows_and_the_dated_table() -> None:
    chip = make_chip(name="Old chip", tpp=100.0, release_date=date(2020, 5, 14), aliases=("old",), doubts=("x",))
    registry = HardwareRegistry((chip,), ("test",))
    table = hardware_table(registry)
    (row,) = table.to_json()  # no date: the documented list of chips
    assert "aliases" not in row and "price_labels" not in row and row["doubtful"] is True and row["doubts"] == ["x"]
    assert row["release_date"] == "2020-05-14" and list(row)[-4:] == [
        "export_class", "licence_china", "reason", "licence_terms",
    ]  # fmt: skip
    dated: ChipTable = hardware_table(registry, on=date(2024, 6, 30))
    body = dated.to_json()
    assert list(body) == ["date", "rule", "rule_details", "without_licence", "licence_required", "undetermined"]
    assert body["date"] == "2024-06-30" and body["rule_details"]["id"] == dated.rule
    assert [r["name"] for r in body["without_licence"]] == ["Old chip"]  # below every threshold
    events = dated.events
    assert all(isinstance(e, RuleEvent) for e in events) and [e.date for e in events] == sorted(e.date for e in events)


def test_the_fit_and_cost_summary_is_typed() -> None:
    summary = fit_and_cost_table([8e9, 1e12], [make_chip()]).summary()
    assert summary.models == 2
    counted = summary.chips["Test chip"]
    assert counted.fit == 1 and counted.median_usd_per_mtok_output is None  # the test chip has no price
    assert summary.to_json() == {"models": 2, "chips": {"Test chip": {"fit": 1, "median_usd_per_mtok_output": None}}}
