"""The chart families live in modules of their own; every section reads them through one facade, ``_charts``."""

from __future__ import annotations

import inspect

from modelrace.report import _chart_bars, _chart_lines, _chart_points
from modelrace.report import _charts as charts


def test_every_chart_of_every_family_is_reachable_through_the_facade() -> None:
    for module in (_chart_bars, _chart_lines, _chart_points):
        public = [
            name
            for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")
        ]
        assert public, module.__name__
        for name in public:
            assert getattr(charts, name) is getattr(module, name), name
            assert name in charts.__all__, name
