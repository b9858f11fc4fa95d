"""Prices: what an hour of a chip costs to rent, and what providers charge per million tokens of a model.

Hourly prices come from the GPU price files in the reference data folder: The Full Stack's cloud GPU table
(2025-03, per-GPU on-demand column) and InferenceAtlas's catalogue (2026-02: hourly, per-minute and per-second GPU
SKUs, converted to hours; regional multiplier and fractional-GPU SKUs left out). A chip's listings are picked by
its ``price_labels`` (``data/hardware.yaml``); each provider counts once (its cheapest listing) and the figure is
the median across providers, with the range. A chip nobody rents gets an hourly price from its release price
(``ownership`` in ``data/calibration.yaml``), said so in ``source``.

Market prices per model come from Artificial Analysis (provider x model, 2025-08-14), InferenceAtlas per-token
SKUs (2026-02) and LMArena's price table (2025-12), each row's model name resolved with the ranking Resolver.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from modelrace._serialise import JsonResult
from modelrace.config import reference_data_dir
from modelrace.serving._data import calibration_file
from modelrace.serving._hardware import Chip

CLOUD_FILE = "cloud_gpu_prices_2025-03.csv"
ATLAS_FILE = "inferenceatlas_pricing_catalog_2026-02.json"
AA_FILE = "artificial_analysis_providers_2025-08-14.csv"
LMARENA_FILE = "lmarena_price_org_license_2025-12.json"
PRICE_SOURCES = {
    CLOUD_FILE: "The Full Stack, cloud GPU prices (2025-03-07)",
    ATLAS_FILE: "InferenceAtlas pricing catalogue (2026-02)",
    AA_FILE: "Artificial Analysis, providers x models (2025-08-14)",
    LMARENA_FILE: "LMArena price table (2025-12)",
}
"""Each price file's citation: the one home of these names and dates (the report's sources and charts read them)."""
PRICE_CITATIONS = {
    AA_FILE: "Artificial Analysis, 2025-08-14",
    ATLAS_FILE: "InferenceAtlas, 2026-02",
    LMARENA_FILE: "LMArena, 2025-12",
}
"""The market price files as a sentence names them (the report's intro)."""


@dataclass(frozen=True)
class Listing:
    """One provider's hourly price for one GPU."""

    provider: str
    label: str
    usd_per_hour: float
    source: str


@dataclass(frozen=True)
class HourlyPrice(JsonResult):
    """What an hour of one chip costs: median across providers, with the range and the listings."""

    chip: str
    usd_per_hour: float
    low: float
    high: float
    providers: int
    source: str
    listings: tuple[Listing, ...] = ()

    def __json__(self) -> Mapping[str, object]:
        """Every field but the listings (``--json`` gives the figure and its range, not each provider's)."""
        return {
            "chip": self.chip,
            "usd_per_hour": self.usd_per_hour,
            "low": self.low,
            "high": self.high,
            "providers": self.providers,
            "source": self.source,
        }


@dataclass(frozen=True)
class MarketPrice(JsonResult):
    """A provider's price for a model, USD per million tokens."""

    source: str
    provider: str
    model_name: str
    input_usd_per_mtok: float | None
    output_usd_per_mtok: float | None
    blended_usd_per_mtok: float | None
    output_tokens_per_s: float | None = None

    @property
    def priced(self) -> bool:
        """Whether the listing gives any price (a $0 listing gives none: ``_money``)."""
        prices = (self.input_usd_per_mtok, self.output_usd_per_mtok, self.blended_usd_per_mtok)
        return any(price is not None for price in prices)


def _money(text: str | None) -> float | None:
    cleaned = (text or "").replace("$", "").replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    # A listed $0 is a free tier or a figure the provider does not publish, not what the model costs to use.
    return value if value > 0 else None


def _folder(folder: Path | None) -> Path | None:
    return folder if folder is not None else reference_data_dir()


@cache
def gpu_listings(folder: Path | None = None) -> tuple[Listing, ...]:
    """Every hourly GPU listing in the price files found in ``folder`` (the reference data by default)."""
    root = _folder(folder)
    if root is None:
        return ()
    listings: list[Listing] = []
    cloud = root / CLOUD_FILE
    if cloud.exists():
        with cloud.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                price = _money(row.get("Per-GPU"))
                if price:
                    listing = Listing(row.get("Cloud", "?"), row.get("GPU Type", ""), price, PRICE_SOURCES[CLOUD_FILE])
                    listings.append(listing)
    atlas = root / ATLAS_FILE
    if atlas.exists():
        rows = json.loads(atlas.read_text(encoding="utf-8")).get("rows", [])
        per_hour = {"gpu_hour": 1.0, "minute": 60.0, "second": 3600.0}
        for row in rows:
            name, unit = str(row.get("sku_name", "")), str(row.get("unit_name", ""))
            key = str(row.get("sku_key", ""))
            if unit not in per_hour or "gpu" not in key.lower() or "multiplier" in key or "mig" in key.lower():
                continue
            price = row.get("unit_price_usd")
            if isinstance(price, (int, float)) and price > 0:
                hourly = float(price) * per_hour[unit]
                listings.append(Listing(str(row.get("provider", "?")), name, hourly, PRICE_SOURCES[ATLAS_FILE]))
    return tuple(listings)


def _ownership_price(chip: Chip) -> HourlyPrice | None:
    if not chip.release_price_usd:
        return None
    terms = calibration_file().ownership
    hours = terms.years * 8760 * terms.utilisation
    power = (chip.tdp_w or 0) / 1000 * terms.pue * terms.power_usd_per_kwh
    hourly = chip.release_price_usd / hours * terms.hosting_multiplier + power
    source = f"from the release price ${chip.release_price_usd:,.0f} (Epoch): {terms.source}"
    return HourlyPrice(chip.name, hourly, hourly, hourly, 0, source)


def hourly_price(chip: Chip, folder: Path | None = None) -> HourlyPrice | None:
    """Median rental price of one chip across providers (cheapest listing each); else from its release price."""
    patterns = [re.compile(p, re.IGNORECASE) for p in chip.price_labels]
    cheapest: dict[str, Listing] = {}
    for listing in gpu_listings(folder):
        if any(p.search(listing.label) for p in patterns):
            known = cheapest.get(listing.provider)
            if known is None or listing.usd_per_hour < known.usd_per_hour:
                cheapest[listing.provider] = listing
    if not cheapest:
        return _ownership_price(chip)
    prices = sorted(listing.usd_per_hour for listing in cheapest.values())
    sources = sorted({listing.source for listing in cheapest.values()})
    return HourlyPrice(
        chip.name,
        statistics.median(prices),
        prices[0],
        prices[-1],
        len(prices),
        "median across providers: " + "; ".join(sources),
        tuple(sorted(cheapest.values(), key=lambda item: item.usd_per_hour)),
    )


@dataclass(frozen=True)
class _Row:
    name: str
    price: MarketPrice
    organisation: str | None = None


@cache
def _market_rows(folder: Path | None = None) -> tuple[_Row, ...]:
    root = _folder(folder)
    if root is None:
        return ()
    rows: list[_Row] = []
    aa = root / AA_FILE
    if aa.exists():
        with aa.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = row.get("Model", "")
                price = MarketPrice(
                    PRICE_SOURCES[AA_FILE],
                    row.get("API Provider", "?"),
                    name,
                    _money(row.get("Input Price USD/1M Tokens")),
                    _money(row.get("Output Price USD/1M Tokens")),
                    _money(row.get("Blended USD/1M Tokens")),
                    _money(row.get("Median Tokens/s")),
                )
                rows.append(_Row(name, price))
    atlas = root / ATLAS_FILE
    if atlas.exists():
        pairs: dict[tuple[str, str], dict[str, float]] = {}
        for row in json.loads(atlas.read_text(encoding="utf-8")).get("rows", []):
            if row.get("workload_type") != "llm" or str(row.get("unit_name", "")).lower() != "1m_tokens":
                continue
            price = row.get("unit_price_usd")
            if not isinstance(price, (int, float)) or price <= 0:  # free tiers are not market prices (_money)
                continue
            label = f"{row.get('sku_key', '')} {row.get('sku_name', '')}".lower()
            side = "input" if "input" in label else "output" if "output" in label else "both"
            entry = pairs.setdefault((str(row.get("provider")), str(row.get("model_key"))), {})
            entry[side] = float(price)
        for (provider, model), sides in pairs.items():
            both = sides.get("both")
            price = MarketPrice(
                PRICE_SOURCES[ATLAS_FILE], provider, model, sides.get("input", both), sides.get("output", both), None
            )
            rows.append(_Row(model, price))
    arena = root / LMARENA_FILE
    if arena.exists():
        for row in json.loads(arena.read_text(encoding="utf-8")):
            name = str(row.get("name") or row.get("model_api_name") or "")
            price = MarketPrice(
                PRICE_SOURCES[LMARENA_FILE],
                str(row.get("organization") or "?"),
                name,
                _money(str(row.get("input_token_price"))),
                _money(str(row.get("output_token_price"))),
                None,
            )
            rows.append(_Row(name, price, str(row.get("organization") or "") or None))
    return tuple(rows)


@cache
def _resolved(folder: Path | None = None) -> tuple[tuple[str, str | None, MarketPrice], ...]:
    """(entity key, Hub id, price) for every market row."""
    from modelrace.ranking import Resolver, SourceFacts

    resolver = Resolver()
    out = []
    for row in _market_rows(folder):
        entity = resolver.resolve(row.name, SourceFacts(organisation=row.organisation))
        out.append((entity.key.lower(), entity.hub_id.lower() if entity.hub_id else None, row.price))
    return tuple(out)


_SUFFIXES = re.compile(r"(-(instruct|chat|it|hf|base|fp8|bf16))+$")


def match_key(name: str) -> str:
    """A name as providers write it: repository part, lower case, no '-instruct'/'-chat'/'-it' tail, no 'meta-'
    head ('meta-llama/Llama-3.1-8B-Instruct' and 'Llama 3.1 8B' both give 'llama-3.1-8b')."""
    from modelrace.ranking import entity_key

    key = entity_key(name.rsplit("/", 1)[-1])
    key = _SUFFIXES.sub("", key)
    return key.removeprefix("meta-")


def market_prices(hub_id: str | None, key: str | None, folder: Path | None = None) -> list[MarketPrice]:
    """Providers' prices for the model with this Hub id or entity key, cheapest output first."""
    wanted = {k.lower() for k in (hub_id, key) if k}
    if not wanted:
        return []
    loose = {match_key(k) for k in wanted}
    found = [
        price
        for entity_key, entity_hub, price in _resolved(folder)
        if (entity_key in wanted or entity_hub in wanted or match_key(entity_hub or entity_key) in loose)
        and price.priced
    ]
    return sorted(found, key=lambda p: (p.output_usd_per_mtok is None, p.output_usd_per_mtok or 0.0))


def all_market_prices(folder: Path | None = None) -> list[tuple[str, str | None, MarketPrice]]:
    """Every market row that gives a price, with the entity key and Hub id it resolves to (the report's frontier)."""
    return [row for row in _resolved(folder) if row[2].priced]
