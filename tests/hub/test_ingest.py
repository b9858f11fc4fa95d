"""The snapshot writer never lets one record stop a write, counts every rejection and keeps pages apart."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from modelrace.hub import Provenance, SnapshotWriter
from modelrace.hub._ingest_stats import MAX_DISTINCT_REASONS, OTHER_REASONS
from modelrace.store import Warehouse


def test_every_rejection_is_counted_by_reason_not_only_the_first_thousand(warehouse: Warehouse) -> None:
    with SnapshotWriter(warehouse, Provenance("hub-json")) as writer:
        for i in range(1500):
            writer.add_raw({"id": f"a/m{i}", "tags": [None]})
        writer.add_raw({"id": "a/good"})
        writer.commit()
    assert writer.stats.rejected == 1500
    assert writer.stats.reasons() == {"a tag is NoneType None, not text": 1500}
    assert len(writer.stats.rejection_samples) == 1000  # samples stay bounded; the counts do not stop
    assert warehouse.query("SELECT count(*) AS n FROM rejections")[0]["n"] == 1500


def test_distinct_reasons_are_bounded(warehouse: Warehouse) -> None:
    with SnapshotWriter(warehouse, Provenance("hub-json")) as writer:
        for i in range(MAX_DISTINCT_REASONS + 50):
            writer.add_raw({"id": "a/b", "downloads": f"text-{i}"})
        writer.commit()
    reasons = writer.stats.reasons()
    assert len(reasons) == MAX_DISTINCT_REASONS + 1
    assert reasons[OTHER_REASONS] == 50
    assert sum(reasons.values()) == writer.stats.rejected


def test_page_rejections_are_stored_apart_from_record_positions(warehouse: Warehouse) -> None:
    with SnapshotWriter(warehouse, Provenance("hub-api")) as writer:
        writer.add_raw({"id": "a/b", "downloads": "x"})  # record position 0
        writer.reject_page(0, "page 0 is not JSON", listing="pipeline_tag=text-generation")
        writer.reject_page(0, "page 0 is not JSON", listing="pipeline_tag=feature-extraction")
        snapshot = writer.commit()
    assert (writer.stats.rejected, writer.stats.rejected_pages) == (1, 2)
    assert warehouse.query("SELECT position, model_id FROM rejections") == [{"position": 0, "model_id": "a/b"}]
    pages = warehouse.query("SELECT snapshot_id, listing, page, reason FROM page_rejections ORDER BY listing")
    assert [(p["listing"], p["page"]) for p in pages] == [
        ("pipeline_tag=feature-extraction", 0),
        ("pipeline_tag=text-generation", 0),
    ]
    assert {p["snapshot_id"] for p in pages} == {snapshot.snapshot_id}
    assert writer.stats.reasons()["page 0 is not JSON"] == 2


class _Hostile(Mapping[str, Any]):
    """A mapping whose every read fails: stands for any bug or oddity a parser may meet."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("boom")

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key: str, default: Any = None) -> Any:
        raise RuntimeError("boom")


def test_a_record_that_breaks_the_parser_is_a_rejection_not_a_crash(warehouse: Warehouse) -> None:
    with SnapshotWriter(warehouse, Provenance("hub-json")) as writer:
        writer.add_raw(_Hostile())
        writer.add_raw({"id": "a/good"})
        writer.commit()
    assert (writer.stats.accepted, writer.stats.rejected) == (1, 1)
    assert "unreadable record (RuntimeError)" in writer.stats.reasons()


def test_reasons_and_ids_are_bounded_when_stored(warehouse: Warehouse) -> None:
    with SnapshotWriter(warehouse, Provenance("hub-json")) as writer:
        writer.reject(0, "x" * 5000, "why\n" * 500)
        writer.reject_page(1, "p" * 5000)
        writer.commit()
    row = warehouse.query("SELECT model_id, reason FROM rejections")[0]
    assert len(row["model_id"]) <= 200 and len(row["reason"]) <= 300 and "\n" not in row["reason"]
    assert len(warehouse.query("SELECT reason FROM page_rejections")[0]["reason"]) <= 300
