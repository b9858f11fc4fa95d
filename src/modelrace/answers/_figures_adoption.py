"""Figures from adoption and licences: a country's or family's lead, derivative shares, concentration, the
permissive share of a family's downloads. Each is answered on the best data held (``Evidence.best``: the newest
snapshot whose selection can decide it), in the evidence's model scope (language models by default)."""

from __future__ import annotations

from modelrace.adoption import RelationColumn
from modelrace.answers._figure_model import (
    DerivativeParams,
    Evidence,
    Figure,
    HhiParams,
    LeadParams,
    LicenceShareParams,
    Measured,
    _insufficient,
    _snapshot_caveats,
    _snapshot_source,
    _word,
)
from modelrace.errors import NotFoundError
from modelrace.licensing import explain_licence, load_licences


def adoption_lead(evidence: Evidence, params: LeadParams) -> Figure:
    """The lead on the best data held (``Evidence.best``): see ``_adoption_lead_on``."""
    return evidence.best("adoption.lead", "adoption", lambda pinned: _adoption_lead_on(pinned, params))


def _adoption_lead_on(evidence: Evidence, params: LeadParams) -> Figure:
    """Margin of ``key``'s download share over the largest other row of a breakdown (root view for country,
    developer, family; uploader view for uploader and uploader_country), with attribution bounds."""
    name = "adoption.lead"
    try:
        figures = evidence.adoption
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    rows = figures.adoption.shares(f"by_{params.breakdown}")
    column = params.breakdown
    unattributed = sum(r.share for r in rows if r.key == "unattributed")
    attributed = [r for r in rows if r.key != "unattributed"]
    if not attributed:
        return _insufficient(
            name, "adoption", f"no attributed downloads in snapshot {snapshot.snapshot_id}", source, when
        )
    wanted = params.key.lower()
    mine = next((r for r in attributed if r.key.lower() == wanted), None)
    share = mine.share if mine else 0.0
    rivals = [r for r in attributed if r.key.lower() != wanted]
    rival = rivals[0] if rivals else None
    rival_share = rival.share if rival else 0.0
    margin = share - rival_share
    rank = 1 + sum(r.share > share for r in attributed)
    key_words = _word(params.key, column)
    rival_words = _word(rival.key, column) if rival else None
    text = (
        f"{key_words}: {share * 100:.1f} % of {figures.scope_words} (rank {rank})"
        + (f"; {rival_words} {rival_share * 100:.1f} %" if rival else "")
        + f"; {unattributed * 100:.1f} % unattributed"
    )
    return Figure(
        name,
        {
            "value": Measured(
                margin,
                margin - unattributed,
                margin + unattributed,
                "pp",
                f"{key_words}'s lead over {rival_words}" if rival_words else f"{key_words}'s lead",
            ),
            "share": Measured(share, share, share + unattributed, "pct", f"{key_words}'s share"),
            "rank": Measured(rank, format="int", label=f"{key_words}'s rank"),
        },
        text,
        "attribution bounds",
        source,
        when,
        "adoption",
        caveats=caveats,
        insufficient=blocked,
    )


_RELATION_COLUMNS: dict[str, RelationColumn] = {
    "finetune": "finetunes",
    "quantized": "quantizations",
    "adapter": "adapters",
    "merge": "merges",
    "any": "derivatives",
}


def adoption_derivative_share(evidence: Evidence, params: DerivativeParams) -> Figure:
    """The derivative share on the best data held (``Evidence.best``): see ``_adoption_derivative_share_on``."""
    return evidence.best(
        "adoption.derivative_share", "adoption", lambda pinned: _adoption_derivative_share_on(pinned, params)
    )


def _adoption_derivative_share_on(evidence: Evidence, params: DerivativeParams) -> Figure:
    """A root family's share of the snapshot's derivatives of one relation (models, not downloads)."""
    name = "adoption.derivative_share"
    try:
        figures = evidence.adoption
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    caveats = [
        *caveats,
        "every derivative in the snapshot counts, whenever it was made (the listing has no dates)",
        "a derivative of several families (through a merge) counts for each of them, once in the total",
    ]
    column = _RELATION_COLUMNS[params.relation]
    rows = figures.adoption.ecosystem.by_family
    # each derivative once (a fine-tune of a merge of two families is in both families' rows)
    total = figures.adoption.ecosystem.totals.count(column)
    if not total:
        return _insufficient(name, "adoption", f"snapshot {snapshot.snapshot_id} records no {column}", source, when)
    unattributed = sum(r.count(column) for r in rows if r.key == "unattributed") / total
    attributed = sorted((r for r in rows if r.key != "unattributed"), key=lambda r: -r.count(column))
    wanted = params.family.lower()
    count = next((r.count(column) for r in attributed if r.key.lower() == wanted), 0)
    rival = next((r for r in attributed if r.key.lower() != wanted), None)
    share = count / total
    lead = share - (rival.count(column) / total if rival else 0.0)
    text = (
        f"{params.family}: {count:,} of {total:,} {column} ({share * 100:.1f} %)"
        + (f"; {rival.key} {rival.count(column):,}" if rival else "")
        + f"; {unattributed * 100:.1f} % from unattributed roots"
    )
    return Figure(
        name,
        {
            "value": Measured(  # a merge of several families counts for each: the bound stops at all of them
                share, share, min(1.0, share + unattributed), "pct", f"{params.family}'s share of the {column}"
            ),
            "lead": Measured(
                lead,
                lead - unattributed,
                lead + unattributed,
                "pp",
                f"{params.family}'s lead over {rival.key} in {column}" if rival else f"{params.family}'s lead",
            ),
        },
        text,
        "attribution bounds",
        source,
        when,
        "adoption",
        caveats=caveats,
        insufficient=blocked,
    )


def adoption_hhi(evidence: Evidence, params: HhiParams) -> Figure:
    """The concentration on the best data held (``Evidence.best``): see ``_adoption_hhi_on``."""
    return evidence.best("adoption.hhi", "adoption", lambda pinned: _adoption_hhi_on(pinned, params))


def _adoption_hhi_on(evidence: Evidence, params: HhiParams) -> Figure:
    """The Herfindahl-Hirschman index (0-10,000) of downloads by developer or family, over attributed downloads."""
    name = "adoption.hhi"
    try:
        figures = evidence.adoption
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    concentration = figures.adoption.concentration
    hhi = concentration.hhi_developer if params.by == "developer" else concentration.hhi_family
    top = concentration.top1_developer if params.by == "developer" else concentration.top1_family
    top_share = concentration.top1_share_developer if params.by == "developer" else concentration.top1_share_family
    caveats = [
        *caveats,
        f"over the {concentration.attributed_share * 100:.0f} % of downloads attributed to a {params.by}; "
        "unattributed ones are many small uploaders, left out",
    ]
    text = f"HHI by {params.by} {hhi:,.0f} (0-10,000); largest {top} with {top_share * 100:.1f} %"
    return Figure(
        name, {"value": Measured(hhi, format="int", label=f"HHI by {params.by}")}, text, None, source, when,
        "adoption", caveats=caveats,
        insufficient=blocked,
    )  # fmt: skip


# ------------------------------------------------------------------------------------------------ licences
def licensing_permissive_share(evidence: Evidence, params: LicenceShareParams) -> Figure:
    """The permissive share on the best data held (``Evidence.best``): see ``_licensing_permissive_share_on``."""
    return evidence.best(
        "licensing.permissive_share", "licensing", lambda pinned: _licensing_permissive_share_on(pinned, params)
    )


def _licensing_permissive_share_on(evidence: Evidence, params: LicenceShareParams) -> Figure:
    """Share of a family's downloads (root view) under a permissive licence; unknown verdicts bound it."""
    name = "licensing.permissive_share"
    try:
        figures = evidence.licensing
    except NotFoundError as error:
        return _insufficient(name, "licensing", str(error))
    snapshot = evidence.snapshot
    source, when = _snapshot_source(snapshot)
    caveats, blocked = _snapshot_caveats(snapshot)
    row = next((r for r in figures.by_family if r.key.lower() == params.family.lower()), None)
    if row is None or not row.downloads_30d:
        return _insufficient(
            name, "licensing", f"no {params.family} downloads in snapshot {snapshot.snapshot_id}", source, when
        )
    permissive, unknown = row.permissive, row.unknown
    text = (
        f"{permissive * 100:.1f} % of {params.family} downloads are under a permissive licence, "
        f"{row.conditional * 100:.1f} % conditional, {row.non_commercial * 100:.1f} % non-commercial, "
        f"{unknown * 100:.1f} % unknown"
    )
    if params.licence:
        registry = load_licences()
        if params.licence in registry.licences:
            explained = explain_licence(registry.get(params.licence))
            clauses = "; ".join(f"§{c.section} {c.text}" for c in explained.deciding_clauses[:2])
            text += f"; the {explained.name} itself is {explained.verdict}" + (f" ({clauses})" if clauses else "")
    caveats = [*caveats, figures.notice]
    return Figure(
        name,
        {
            "value": Measured(
                permissive,
                permissive,
                permissive + unknown,
                "pct",
                f"share of {params.family} downloads under a permissive licence",
            )
        },
        text,
        "bounds: downloads whose licence is unknown could be either",
        source,
        when,
        "licensing",
        caveats=caveats,
        insufficient=blocked,
    )
