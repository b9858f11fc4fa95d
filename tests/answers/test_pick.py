from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace import answers, evals
from modelrace.answers import PickConstraints, PickTask, PickTaskFile, get_task, load_tasks, parse_tasks, pick
from modelrace.answers._pick_scoring import _lower
from modelrace.cli.main import app
from modelrace.errors import ConfigError, RegistryError
from modelrace.knowledge import benchmark_catalog
from modelrace.store import Warehouse

runner = CliRunner()


def test_the_task_map_is_data_with_a_schema() -> None:
    tasks = load_tasks().tasks
    assert set(tasks) == {"general", "coding", "math", "reasoning", "chat"}
    catalog = benchmark_catalog()
    for task in tasks.values():
        for benchmark in task.benchmarks:
            source = benchmark.id.split(":", 1)[0]
            assert source in catalog and benchmark.weight > 0 and benchmark.why
    bad = (
        "version: 1\nreviewed: x\ntasks:\n  coding:\n    description: d\n    benchmarks:\n"
        "      - {id: 'lmarena:coding', weight: 0, why: w}\n"
    )
    with pytest.raises(RegistryError, match=r"tasks\.yaml: tasks\.coding\.benchmarks\.0\.weight"):
        parse_tasks(bad)


def test_a_pick_task_is_named_apart_from_an_evaluation_task() -> None:
    assert isinstance(load_tasks(), PickTaskFile) and isinstance(get_task("math"), PickTask)
    assert not hasattr(answers, "Task") and evals.Task is not PickTask
    with pytest.raises(ConfigError, match=r"--task 'cooking': choose one of general, coding"):
        get_task("cooking")


@pytest.mark.reference
def test_default_pick_ranks_open_models_by_their_lower_bound(reference: Warehouse) -> None:
    result = pick(reference, PickConstraints(limit=8))
    assert len(result.candidates) == 8
    assert all(c.licence_verdict != "closed" for c in result.candidates)
    lows = [c.interval[0] if c.interval else c.score for c in result.candidates]
    assert lows == sorted(lows, reverse=True)
    assert not result.candidates[0].tied_with_first
    assert all(0 < c.coverage <= 1 and c.confidence in ("high", "medium", "low") for c in result.candidates)
    assert any(e.constraint == "open-only" for e in result.excluded)
    assert {b.benchmark for b in result.benchmarks if b.used} == {
        "lmarena:full",
        "artificial-analysis:Artificial Analysis Intelligence Index",
        "livebench:Global Average",
    }
    for candidate in result.candidates:
        # a model missing a benchmark is not scored as zero there: its score is the mean of what it has
        weights = sum(s.weight for s in candidate.benchmarks)
        mean = sum(s.weight * s.standard_score for s in candidate.benchmarks) / weights
        assert candidate.score == pytest.approx(mean)
    tied = [c for c in result.candidates if c.tied_with_first]
    assert all("statistically tied with the first" in c.reasons for c in tied)
    closed = pick(reference, PickConstraints(open_only=False, limit=5))
    assert any(c.licence_verdict == "closed" for c in closed.candidates)


@pytest.mark.reference
def test_pick_on_two_rtx_4090_for_coding(reference: Warehouse) -> None:
    result = pick(reference, PickConstraints(task="coding", hardware="RTX 4090", count=2, limit=5))
    assert result.candidates
    for candidate in result.candidates:
        assert candidate.fits is True and candidate.headroom_gb is not None and candidate.headroom_gb >= 0
        assert candidate.quant and candidate.usd_per_mtok is not None
        assert any("fits on 2 x NVIDIA GeForce RTX 4090" in r for r in candidate.reasons)
        # priced at the serving point `cost` and the report use, and saying so
        assert candidate.price_basis is not None and "batch 8, 1,024 in / 256 out" in candidate.price_basis
    hardware = [e for e in result.excluded if e.constraint == "hardware"]
    assert hardware and "needs" in hardware[0].detail
    pinned = pick(reference, PickConstraints(task="coding", hardware="RTX 4090", count=2, quant="bf16", limit=5))
    assert all(c.quant == "bf16" for c in pinned.candidates)
    longer = pick(reference, PickConstraints(task="chat", hardware="H100", context=500_000, limit=3))
    assert any(e.constraint in ("context", "hardware") for e in longer.excluded)


@pytest.mark.reference
def test_licence_country_and_price_constraints(reference: Warehouse) -> None:
    permissive = pick(reference, PickConstraints(licence="permissive", limit=6))
    assert permissive.candidates and all(c.licence_verdict == "permissive" for c in permissive.candidates)
    assert any(e.constraint == "licence" for e in permissive.excluded)
    conditional = pick(reference, PickConstraints(licence="conditional", limit=10))
    assert {c.licence_verdict for c in conditional.candidates} <= {"permissive", "conditional"}
    no_china = pick(reference, PickConstraints(exclude_countries=("China",), limit=6))
    assert no_china.candidates and all(c.country != "CN" for c in no_china.candidates)
    assert any(e.constraint == "country" for e in no_china.excluded)
    american = pick(reference, PickConstraints(only_countries=("US",), limit=4))
    assert american.candidates and all(c.country == "US" for c in american.candidates)
    cheap = pick(reference, PickConstraints(max_usd_per_mtok=0.3, limit=5))
    assert cheap.candidates and all(c.usd_per_mtok is not None and c.usd_per_mtok <= 0.3 for c in cheap.candidates)
    math = pick(reference, PickConstraints(task="math", limit=3))
    assert all(
        s.benchmark in {b.id for b in load_tasks().tasks["math"].benchmarks} for s in math.candidates[0].benchmarks
    )
    with pytest.raises(ConfigError, match="--only-country 'Atlantis'"):
        pick(reference, PickConstraints(only_countries=("Atlantis",)))
    with pytest.raises(ConfigError, match="--task 'poetry'"):
        pick(reference, PickConstraints(task="poetry"))


@pytest.mark.reference
def test_nothing_qualifies_is_a_clear_answer(reference: Warehouse, reference_warehouse: Path) -> None:
    result = pick(reference, PickConstraints(only_countries=("FR",), max_usd_per_mtok=0.0001))
    assert result.candidates == [] and "no model meets every constraint" in result.message
    assert result.excluded
    cli = runner.invoke(
        app,
        ["--db", str(reference_warehouse), "pick", "--only-country", "FR", "--max-usd-per-mtok", "0.0001", "--json"],
    )
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.stdout)
    assert data["candidates"] == [] and data["excluded"]
    assert {"model", "constraint"} <= set(data["excluded"][0])
    text = runner.invoke(
        app, ["--db", str(reference_warehouse), "pick", "--only-country", "FR", "--max-usd-per-mtok", "0.0001"]
    )
    assert text.exit_code == 0 and "no model meets every constraint" in text.stdout
    ok = runner.invoke(app, ["--db", str(reference_warehouse), "pick", "--task", "coding", "--top", "3", "--json"])
    assert 1 <= len(json.loads(ok.stdout)["candidates"]) <= 3
    candidate = json.loads(ok.stdout)["candidates"][0]
    old = runner.invoke(app, ["--db", str(reference_warehouse), "pick", "--task", "coding", "--limit", "2", "--json"])
    assert len(json.loads(old.stdout)["candidates"]) <= 2 and "--limit is deprecated, use --top" in old.stderr
    assert {"model", "score", "interval", "tied_with_first", "country", "licence_verdict", "fits", "usd_per_mtok",
            "reasons"} <= set(candidate)  # fmt: skip
    bad = runner.invoke(app, ["--db", str(reference_warehouse), "pick", "--hardware", "no-such-chip"])
    assert bad.exit_code == 1 and "unknown chip" in bad.stderr


def test_lower_bound_orders_by_evidence() -> None:
    from modelrace.answers._pick_scoring import _Scored
    from modelrace.ranking import Resolver

    entity = Resolver().resolve("gpt-4o")
    sure = _Scored(entity, [], 1.0, 0.1, 1.0, [])
    unsure = _Scored(entity, [], 1.2, 0.5, 0.3, [])
    assert _lower(sure) > _lower(unsure)
