"""Plain-language findings generated from the figures, each with the numbers and snapshot it rests on.

A headline is only written when its figures exist and say it: no leader is named among unattributed
downloads, no change is claimed without two snapshots, no "most" without a strict lead.
"""

from __future__ import annotations

from modelrace.adoption._analyses import hhi_label
from modelrace.adoption._figures import COVERAGE_THRESHOLD, Adoption, FigureValue, Headline, SnapshotRef
from modelrace.adoption._rows import FamilyCountryShare
from modelrace.knowledge import country_name

Finding = tuple[str, dict[str, FigureValue]]  # a headline's text and the figures it rests on


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def headlines(
    snapshot: SnapshotRef, scope_words: str, adoption: Adoption, family_country: list[FamilyCountryShare]
) -> list[Headline]:
    """Headlines from a snapshot's adoption figures (``family_country``: each country's families' shares)."""
    found = [
        _country_lead(adoption, scope_words, family_country),
        _family_lead(adoption),
        _largest_ecosystem(adoption),
        _concentration(adoption),
        *_reuploads_and_unattributed(adoption, scope_words),
        _change(adoption),
    ]
    return [Headline(text, numbers, snapshot.id, snapshot.taken_at) for text, numbers in filter(None, found)]


def _country_lead(adoption: Adoption, scope_words: str, family_country: list[FamilyCountryShare]) -> Finding | None:
    """The leading country's share, its own leading family, the runner-up, and the share among the known."""
    countries = [r for r in adoption.by_country if r.key != "unattributed"]
    if not countries or countries[0].share <= 0:
        return None
    lead = countries[0]
    own = [f for f in family_country if f.country == lead.key]
    text = f"Families from {country_name(lead.key)} draw {_pct(lead.share)} of {scope_words}"
    numbers: dict[str, FigureValue] = {"country": lead.key, "share": lead.share}
    if own:
        text += f"; {own[0].family} alone {_pct(own[0].share)}"
        numbers |= {"family": own[0].family, "family_share": own[0].share}
    if len(countries) > 1 and countries[1].share < lead.share:
        text += f" (next: {country_name(countries[1].key)}, {_pct(countries[1].share)})"
        numbers |= {"next_country": countries[1].key, "next_share": countries[1].share}
    known = adoption.coverage.country if adoption.coverage else 1.0
    if known < COVERAGE_THRESHOLD and known > 0:
        # Unknown is not "elsewhere": say how much is known, and the share among the known.
        text += (
            f". The country is known for only {_pct(known)} of these downloads; among those, "
            f"{country_name(lead.key)} draws {_pct(lead.share / known)}"
        )
        numbers |= {"country_coverage": known, "share_among_known": lead.share / known}
    return text + ".", numbers


def _family_lead(adoption: Adoption) -> Finding | None:
    """The most downloaded family, when it leads the second strictly."""
    families = [r for r in adoption.by_family if r.key != "unattributed"]
    if len(families) < 2 or families[0].share <= families[1].share:
        return None
    top, second = families[0], families[1]
    return (
        f"{top.key} is the most downloaded family ({_pct(top.share)}), ahead of "
        f"{second.key} ({_pct(second.share)}), counting derivatives and re-uploads with the original.",
        {"family": top.key, "share": top.share, "second": second.key, "second_share": second.share},
    )


def _largest_ecosystem(adoption: Adoption) -> Finding | None:
    """The family with the most derivatives, when it has strictly the most."""
    eco = [e for e in adoption.ecosystem.by_family if e.key != "unattributed"]
    if not eco or eco[0].derivatives <= 0 or (len(eco) > 1 and eco[0].derivatives <= eco[1].derivatives):
        return None
    e = eco[0]
    return (
        f"{e.key} has the largest ecosystem: {e.derivatives:,} derivatives "
        f"({e.finetunes:,} fine-tunes, {e.quantizations:,} quantizations, {e.adapters:,} adapters, "
        f"{e.merges:,} merges).",
        {
            "family": e.key,
            "derivatives": e.derivatives,
            "finetunes": e.finetunes,
            "quantizations": e.quantizations,
            "adapters": e.adapters,
            "merges": e.merges,
        },
    )


def _concentration(adoption: Adoption) -> Finding | None:
    """How concentrated the field is, by family and developer, when a developer leads."""
    conc = adoption.concentration
    if not conc.top1_developer:
        return None
    return (
        f"The top 5 families draw {_pct(conc.top5_share_family)} of attributed downloads; by developer the "
        f"field is {hhi_label(conc.hhi_developer)} (HHI {conc.hhi_developer:,.0f}), led by "
        f"{conc.top1_developer} with {_pct(conc.top1_share_developer)} of attributed downloads.",
        {
            "top5_share_family": conc.top5_share_family,
            "hhi_developer": conc.hhi_developer,
            "top1_developer": conc.top1_developer,
            "top1_share_developer": conc.top1_share_developer,
        },
    )


def _reuploads_and_unattributed(adoption: Adoption, scope_words: str) -> list[Finding]:
    """What re-uploaders serve, and what goes to developers the registry does not know."""
    total = adoption.totals
    found: list[Finding] = []
    if total.reuploader_share > 0:
        found.append(
            (
                f"Re-uploaders and quantizers serve {_pct(total.reuploader_share)} of {scope_words}; the model tree "
                "credits them to the original developers.",
                {"reuploader_share": total.reuploader_share},
            )
        )
    if total.attributed_share < 1:
        found.append(
            (
                f"{_pct(1 - total.attributed_share)} of {scope_words} go to models whose developer is not in the "
                "registry (unattributed); shares by country and developer are of the total, unattributed included.",
                {"unattributed_share": 1 - total.attributed_share},
            )
        )
    return found


def _change(adoption: Adoption) -> Finding | None:
    """Why shares are not compared with the earlier snapshot, or the largest attributed country's gain."""
    change = adoption.change
    if change is None:
        return None
    since = f"snapshot {change.since.id} ({change.since.data_date or change.since.taken_at[:10]})"
    if not change.comparable:
        return (
            f"Shares are not compared with {since}: {change.reason}.",
            {"since": change.since.id, "comparable": False, "reason": change.reason},
        )
    gain = next((g for g in change.by_country.gains if g.key != "unattributed"), None)
    if gain is None or change.scope is None:
        return None
    return (
        f"On {change.scope.words}, since {since}, {country_name(gain.key)} gained "
        f"{gain.change_pp:.1f} percentage points of download share "
        f"({_pct(gain.share_then)} to {_pct(gain.share_now)}).",
        {
            "country": gain.key,
            "scope": change.scope.words,
            "share_then": gain.share_then,
            "share_now": gain.share_now,
            "change_pp": gain.change_pp,
        },
    )
