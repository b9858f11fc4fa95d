"""Chips for tests."""

from __future__ import annotations

from dataclasses import replace

from modelrace.serving import Chip


def make_chip(**figures: object) -> Chip:
    """A chip with only the figures a test gives (the rest unknown)."""
    base = Chip(
        name="Test chip",
        manufacturer="NVIDIA",
        kind="accelerator",
        release_date=None,
        memory_bytes=80e9,
        bandwidth_bytes_per_s=2e12,
        fp16_flops=300e12,
        fp8_flops=None,
        int8_ops=None,
        tpp=None,
        die_size_mm2=None,
        interconnect_gbps=None,
        release_price_usd=None,
        tdp_w=None,
        domestic_china=False,
    )
    return replace(base, **figures)  # type: ignore[arg-type]
