"""Licence figures (read from one join of attribution and licences) against the same sums done row by row."""

from __future__ import annotations

from collections import defaultdict

import pytest

from modelrace.adoption import open_scope
from modelrace.licensing import snapshot_licence_figures
from modelrace.store import Warehouse


def test_figures_equal_row_by_row_sums(licensed: Warehouse) -> None:
    scope = open_scope(licensed)
    figures = snapshot_licence_figures(scope)
    rows = licensed.connection.execute(
        f"""SELECT a.country, a.downloads_30d * a.credit AS credited, a.is_primary, l.verdict, l.licence_source,
                   l.conflict FROM {scope.table} a JOIN licences_{scope.snapshot.snapshot_id} l USING (model_key)
            WHERE NOT a.is_fixture"""
    ).fetchall()
    total = sum(r[1] for r in rows)
    assert total > 0
    by_verdict: dict[str, float] = defaultdict(float)
    by_country: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for country, credited, _, verdict, _, _ in rows:
        by_verdict[verdict] += credited / total
        by_country[country][verdict] += credited
    for verdict, share in figures.by_verdict.items():
        assert share == pytest.approx(by_verdict.get(verdict, 0.0))
    for row in figures.by_country:
        country_total = sum(by_country[row.key].values())
        for verdict, downloads in by_country[row.key].items():
            assert row.shares[verdict] == pytest.approx(downloads / country_total)
    assert {r.key for r in figures.by_country} == set(by_country)
    assert figures.conflicts.count == sum(1 for r in rows if r[2] and r[5] is not None)
    assert figures.coverage is not None
    stated = sum(r[1] for r in rows if r[4] == "own") / total
    assert figures.coverage.stated == pytest.approx(stated)
    # The intermediate join is dropped: the same figures again on the same connection.
    assert snapshot_licence_figures(scope) == figures
