"""Report charts are built without Altair's per-chart validation (speed, issue #15): check them here instead."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from modelrace.hub import import_hub_json
from modelrace.report import build_report
from modelrace.store import Warehouse


def test_every_report_chart_is_a_valid_vega_lite_spec(
    db_path: Path, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    models = [dict(m) for m in edge_cases["valid"]]
    path = tmp_path / "models.json"
    path.write_text(json.dumps(models))
    with Warehouse.open(db_path) as warehouse:
        import_hub_json(warehouse, path, taken_at=datetime(2025, 10, 1), selection="complete")
        for model in models:
            model["downloads"] = (
                int(model.get("downloads") or 0) * 3 if "Qwen" in model["id"] else model.get("downloads")
            )
        path.write_text(json.dumps(models))
        import_hub_json(warehouse, path, taken_at=datetime(2025, 11, 1), selection="complete")
        report = build_report(warehouse)
    schema = load_schema()
    charts = [chart for section in report.sections for chart in section.charts]
    assert len(charts) >= 5
    for chart in charts:
        validate_jsonschema(chart.spec, schema)  # raises on an invalid spec
