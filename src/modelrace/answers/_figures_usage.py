"""Figures from usage (OpenRouter): a country's or developer's lead by tokens, and open-weight models' share.

Intervals are **attribution bounds**, as for downloads: where the base is all OpenRouter tokens, the share no
listed row holds ("not listed") could belong to anyone, so a lead lies between ``margin - not listed`` and
``margin + not listed``; a share of openness "unknown" or not listed could be open or not. Where the base is the
listed rows' tokens (the weekly top models), the interval is only the openness-unknown share. Each figure is on
one series' newest day, with the base named, and needs ``min_days`` days held.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from modelrace.answers._figure_model import Evidence, Figure, Measured, _insufficient, _Params, _word
from modelrace.errors import ModelraceError
from modelrace.usage import NOT_LISTED, OPEN, UNKNOWN_OPENNESS, Series, UsageSeries, usage_series


class UsageLeadParams(_Params):
    """Does ``key`` lead usage by country or developer (tokens, on the newest day of a series)?"""

    by: Literal["country", "developer"] = "country"
    key: str
    series: Series | None = None
    min_days: int = Field(default=1, ge=1)


class OpenShareParams(_Params):
    """Open-weight models' share of tokens on the newest day of a series."""

    series: Series | None = None
    min_days: int = Field(default=1, ge=1)


def _series(evidence: Evidence, by: Literal["country", "developer", "open"], series: Series | None) -> UsageSeries:
    return usage_series(evidence.warehouse, by, "tokens", series)


def _source(found: UsageSeries) -> tuple[str, str]:
    return found.source, found.dates[-1].isoformat()


def usage_lead(evidence: Evidence, params: UsageLeadParams) -> Figure:
    """Margin of ``key``'s token share over the largest other listed row, with attribution bounds for what is not
    listed."""
    name = "usage.lead"
    try:
        found = _series(evidence, params.by, params.series)
    except ModelraceError as error:
        return _insufficient(name, "usage", str(error))
    if not found.points:
        return _insufficient(name, "usage", f"{found.source} holds no days")
    source, when = _source(found)
    if len(found.dates) < params.min_days:
        why = f"{found.source} holds {len(found.dates)} days, fewer than the {params.min_days} this figure needs"
        return _insufficient(name, "usage", why, source, when)
    latest = found.latest()
    base = latest[0].base
    not_listed = next((p.share or 0.0 for p in latest if p.key == NOT_LISTED), 0.0)
    listed = [p for p in latest if p.key != NOT_LISTED]
    wanted = params.key.lower()
    mine = next((p for p in listed if p.key.lower() == wanted), None)
    share = mine.share or 0.0 if mine else 0.0
    rival = next((p for p in listed if p.key.lower() != wanted), None)
    rival_share = rival.share or 0.0 if rival else 0.0
    margin = share - rival_share
    key_words = _word(params.key, params.by)
    rival_words = _word(rival.key, params.by) if rival else None
    rank = 1 + sum((p.share or 0.0) > share for p in listed)
    led = sum(
        1
        for day in found.dates
        if (top := next((p for p in found.on(day) if p.key != NOT_LISTED), None)) and top.key.lower() == wanted
    )
    text = (
        f"{key_words}: {share * 100:.1f} % of {base} on {when} (rank {rank})"
        + (f"; {rival_words} {rival_share * 100:.1f} %" if rival else "")
        + (f"; {not_listed * 100:.1f} % not listed" if not_listed else "")
        + f"; first on {led} of the {len(found.dates)} days held"
    )
    caveats = [f"{found.source}: {latest[0].coverage}; OpenRouter is one router among many and sees no self-hosted use"]
    return Figure(
        name,
        {
            "value": Measured(
                margin,
                margin - not_listed,
                margin + not_listed,
                "pp",
                f"{key_words}'s lead over {rival_words}" if rival_words else f"{key_words}'s lead",
            ),
            "share": Measured(share, share, share + not_listed, "pct", f"{key_words}'s share of {base}"),
            "days_led": Measured(led / len(found.dates), format="pct", label=f"share of days {key_words} was first"),
        },
        text,
        "attribution bounds" if not_listed else None,
        source,
        when,
        "usage",
        caveats=caveats,
    )


def usage_open_share(evidence: Evidence, params: OpenShareParams) -> Figure:
    """Open-weight models' share of tokens, between what is known open and that plus what is unknown or not
    listed."""
    name = "usage.open_share"
    try:
        found = _series(evidence, "open", params.series)
    except ModelraceError as error:
        return _insufficient(name, "usage", str(error))
    if not found.points:
        return _insufficient(name, "usage", f"{found.source} holds no days")
    source, when = _source(found)
    if len(found.dates) < params.min_days:
        why = f"{found.source} holds {len(found.dates)} days, fewer than the {params.min_days} this figure needs"
        return _insufficient(name, "usage", why, source, when)
    latest = {p.key: p.share or 0.0 for p in found.latest()}
    base = found.latest()[0].base
    known = latest.get(OPEN, 0.0)
    unknown = latest.get(UNKNOWN_OPENNESS, 0.0) + latest.get(NOT_LISTED, 0.0)
    first = {p.key: p.share or 0.0 for p in found.on(found.dates[0])}
    text = (
        f"open-weight models: {known * 100:.1f} % of {base} on {when}"
        + (f" (up to {(known + unknown) * 100:.1f} % with the {unknown * 100:.1f} % unknown)" if unknown else "")
        + f"; {first.get(OPEN, 0.0) * 100:.1f} % on {found.dates[0]}"
    )
    caveats = [
        f"{found.source}: {found.latest()[0].coverage}; OpenRouter is one router among many and sees no self-hosted "
        "use, where open weights run most",
        f"unresolved slugs (openness unknown): {', '.join(found.unmatched)}" if found.unmatched else "",
    ]
    return Figure(
        name,
        {"value": Measured(known, known, known + unknown, "pct", f"open-weight models' share of {base}")},
        text,
        "attribution bounds" if unknown else None,
        source,
        when,
        "usage",
        caveats=[c for c in caveats if c],
    )
