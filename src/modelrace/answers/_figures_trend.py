"""Figures on the time axis: whether one family (or country, developer) passed another in downloads, and when, on
every valid scope: each pair of consecutive snapshots compared on the models both hold (the same-models scope),
so that shares compare across any selections, subsets included."""

from __future__ import annotations

from datetime import date
from typing import Literal

from modelrace.answers._figure_model import Evidence, Figure, Measured, _insufficient, _Params
from modelrace.errors import NotFoundError
from modelrace.timeline import DownloadsMetric, PairStep, TrendMetric, pairwise_pass


class PassParams(_Params):
    """Did ``leader`` pass ``other`` in downloads by ``by``, across the snapshots (of ``source``, from ``since``,
    where given)? ``min_steps``: the consecutive pairs in which both must be present."""

    leader: str
    other: str
    by: Literal["country", "developer", "family"] = "family"
    source: str | None = None
    since: date | None = None
    min_steps: int = 1


def _coverage(step: PairStep) -> str:
    shown = [f"{c * 100:.0f} %" if c is not None else "?" for c in step.coverage]
    return f"the {step.models:,} models both hold, {shown[0]} and {shown[1]} of their downloads"


def trend_first_pass(evidence: Evidence, params: PassParams) -> Figure:
    """``leader``'s download share minus ``other``'s at the newest pair of snapshots where both are present (on
    the models the pair holds), and the first pair in which it passes. Bounds: the scope's unattributed share
    could be either's."""
    name = "trend.first_pass"
    chooser = DownloadsMetric(source=params.source, since=params.since)
    ids = chooser.chosen(evidence.warehouse)
    if len(ids) < 2:
        return _insufficient(name, "adoption", f"{len(ids)} snapshot(s) to follow: a history needs two or more")

    def metric_of(pair: tuple[int, int]) -> TrendMetric:
        return DownloadsMetric(snapshot_ids=pair)

    try:
        found = pairwise_pass(evidence.warehouse, metric_of, ids, params.leader, params.other, params.by)
    except NotFoundError as error:
        return _insufficient(name, "adoption", str(error))
    source = f"{len(ids)} snapshots, each consecutive pair on the models both hold"
    if len(found.steps) < params.min_steps:
        return _insufficient(
            name, "adoption",
            f"{params.leader} and {params.other} are both among the common models of {len(found.steps)} of the "
            f"{len(ids) - 1} consecutive pairs of snapshots (needs {params.min_steps})",
            source,
        )  # fmt: skip
    span = f"{found.steps[0].before} to {found.steps[-1].after}"
    if found.ahead_throughout:
        return _insufficient(
            name, "adoption",
            f"{params.leader} is ahead of {params.other} in every one of the {len(found.steps)} comparable pairs of "
            f"snapshots from {found.steps[0].before}: the passing, if any, is before the history starts",
            source, span,
        )  # fmt: skip
    last = found.steps[-1]
    lead = last.leader_shares[1] - last.other_shares[1]
    now = (
        f"at {last.after} {params.leader} {last.leader_shares[1] * 100:.1f} % against "
        f"{last.other_shares[1] * 100:.1f} % ({_coverage(last)})"
    )
    first = found.first
    if first is not None:
        text = (
            f"{params.leader} passed {params.other} between {first.before} and {first.after} ({first.refs[0]} and "
            f"{first.refs[1]}: {first.leader_shares[0] * 100:.1f} % -> {first.leader_shares[1] * 100:.1f} % against "
            f"{first.other_shares[0] * 100:.1f} % -> {first.other_shares[1] * 100:.1f} %, on {_coverage(first)}); "
            + now
        )
    else:
        text = f"{params.leader} has not passed {params.other} in {len(found.steps)} comparable pairs; " + now
    caveats = [
        "each pair of consecutive snapshots is compared on the models both hold: a share among those models, "
        "not of the Hub (the coverage says how much of each snapshot's downloads they hold)",
        "attribution by each model's own id (its developer's namespace, or a re-upload's name)",
    ]
    return Figure(
        name,
        {
            "value": Measured(
                lead, lead, lead, "pp", f"{params.leader}'s lead over {params.other} at {last.after}"
            ),
            "passed": Measured(1.0 if first is not None else 0.0, format="int", label="passed in the history"),
        },
        text, "on the pair's common models", source, str(first.after if first else last.after), "adoption",
        caveats=caveats,
    )  # fmt: skip
