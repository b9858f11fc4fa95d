"""Storing battles: a battle file (read by :mod:`._battle_file`) as one batch in one transaction, the same file
twice recognised, not duplicated; and the batches our duels append to.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from modelrace._files import file_sha256
from modelrace.errors import ConfigError, ImportFormatError, refused_import
from modelrace.ranking import Resolver
from modelrace.ratings._battle_file import Battle, BattleFile, Rejection, read_battles
from modelrace.sources import dating
from modelrace.store import Warehouse

JudgeKind = Literal["human", "model"]
JUDGE_KINDS: tuple[JudgeKind, ...] = ("human", "model")
_REJECTION_SAMPLES = 20

_BATTLE_SCHEMA = pa.schema(
    [
        ("batch_id", pa.int32()),
        ("position", pa.int64()),
        ("model_a", pa.string()),
        ("model_b", pa.string()),
        ("winner", pa.string()),
        ("judge_kind", pa.string()),
        ("judge", pa.string()),
        ("category", pa.string()),
        ("language", pa.string()),
        ("question_id", pa.string()),
        ("happened_at", pa.timestamp("us")),
    ]
)


@dataclass(frozen=True)
class ResolvedName:
    """A battle's model name and the identity entity resolution ties it to."""

    name: str
    model: str
    method: str
    developer: str = "unattributed"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "model": self.model, "developer": self.developer, "method": self.method}


@dataclass(frozen=True)
class BattleImport:
    """What `import battles` stored."""

    batch_id: int
    source: str
    judge_kind: JudgeKind
    path: str
    data_date: date
    battles: int
    rejected: int
    already_imported: bool
    models: tuple[ResolvedName, ...]
    rejection_samples: tuple[Rejection, ...]
    ratings_import_id: int | None = None
    # What dated the data: "--date", "contents" (its latest battle) or "file name"; None when found stored.
    date_basis: str | None = None
    repeated: int = 0  # rows the file gives twice (same identity), skipped

    @property
    def unmatched(self) -> list[str]:
        """Names no resolution rule ties to a developer."""
        return [m.name for m in self.models if m.method == "unmatched"]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "batch_id": self.batch_id,
            "source": self.source,
            "judge_kind": self.judge_kind,
            "path": self.path,
            "data_date": self.data_date.isoformat(),
            "date_basis": self.date_basis,
            "battles": self.battles,
            "rejected": self.rejected,
            "already_imported": self.already_imported,
            "models": [m.to_json() for m in self.models],
            "unmatched": self.unmatched,
            "rejection_samples": [r.to_json() for r in self.rejection_samples],
            "ratings_import_id": self.ratings_import_id,
            "repeated": self.repeated,
        }


def resolver_for(warehouse: Warehouse) -> Resolver:
    """A resolver that knows the warehouse's Hub ids (so a battle may name a model by its repository)."""
    hub_ids = [r["model_id"] for r in warehouse.query("SELECT model_id FROM models WHERE contains(model_id, '/')")]
    return Resolver(hub_ids=hub_ids)


def resolve_names(resolver: Resolver, names: list[str]) -> tuple[ResolvedName, ...]:
    """Each name with the identity it resolves to."""
    resolved = []
    for name in sorted(set(names)):
        entity = resolver.resolve(name)
        resolved.append(ResolvedName(name, entity.name, entity.method, entity.developer))
    return tuple(resolved)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_batch(
    connection: Any,
    kind: Literal["import", "duel"],
    source: str,
    judge_kind: JudgeKind,
    path: str,
    digest: str,
    when: date,
    notes: dict[str, Any] | None = None,
) -> int:
    """Open a batch of battles (inside the caller's transaction); returns its id."""
    batch_id = int(connection.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM battle_batches").fetchall()[0][0])
    connection.execute(
        "INSERT INTO battle_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)",
        [batch_id, kind, source, judge_kind, path, digest, when, _now(), json.dumps(notes) if notes else None],
    )
    return batch_id


def insert_battles(connection: Any, batch_id: int, judge_kind: JudgeKind, battles: list[tuple[int, Battle]]) -> None:
    """Append battles to a batch (inside the caller's transaction)."""
    if not battles:
        return
    columns: dict[str, list[Any]] = {name: [] for name in _BATTLE_SCHEMA.names}
    for position, battle in battles:
        columns["batch_id"].append(batch_id)
        columns["position"].append(position)
        columns["model_a"].append(battle.model_a)
        columns["model_b"].append(battle.model_b)
        columns["winner"].append(battle.winner)
        columns["judge_kind"].append(judge_kind)
        columns["judge"].append(battle.judge)
        columns["category"].append(battle.category)
        columns["language"].append(battle.language)
        columns["question_id"].append(battle.question_id)
        columns["happened_at"].append(battle.happened_at)
    connection.register("new_battles", pa.Table.from_pydict(columns, schema=_BATTLE_SCHEMA))
    connection.execute("INSERT INTO battles SELECT * FROM new_battles")
    connection.unregister("new_battles")
    connection.execute("UPDATE battle_batches SET battles = battles + ? WHERE batch_id = ?", [len(battles), batch_id])


def _label(path: Path, source: str | None) -> str:
    """The batch's source: ``source``, else the file's stem; the judge kinds and ``all`` are reserved."""
    reserved = (*JUDGE_KINDS, "all")
    label = source or (path.stem if path.stem not in reserved else path.name)
    if label in reserved:
        raise ConfigError(f"--source {label!r} is reserved (it selects battles by judge kind); choose another name")
    return label


def _already_stored(warehouse: Warehouse, label: str, digest: str) -> BattleImport | None:
    """The batch this very file was stored as under ``label``, if it was."""
    existing = warehouse.query(
        "SELECT * FROM battle_batches WHERE kind = 'import' AND file_sha256 = ? AND source = ?", [digest, label]
    )
    if not existing:
        return None
    row = existing[0]
    stored = warehouse.query(
        "SELECT model_a AS name FROM battles WHERE batch_id = ? UNION SELECT model_b FROM battles WHERE batch_id = ?",
        [row["batch_id"], row["batch_id"]],
    )
    return BattleImport(
        row["batch_id"], label, row["judge_kind"], row["path"], row["data_date"], row["battles"], row["rejected"],
        True, resolve_names(resolver_for(warehouse), [r["name"] for r in stored]), (),
    )  # fmt: skip


def _insert_rejections(connection: Any, batch_id: int, rejected: list[Rejection]) -> None:
    """Record a batch's rejected rows with their reasons (inside the caller's transaction)."""
    connection.execute("UPDATE battle_batches SET rejected = ? WHERE batch_id = ?", [len(rejected), batch_id])
    if not rejected:
        return
    table = pa.Table.from_pylist(
        [{"batch_id": batch_id, **r.to_json()} for r in rejected],
        schema=pa.schema(
            [("batch_id", pa.int32()), ("position", pa.int64()), ("reason", pa.string()), ("raw", pa.string())]
        ),
    )
    connection.register("new_rejections", table)
    connection.execute("INSERT INTO battle_rejections SELECT * FROM new_rejections")
    connection.unregister("new_rejections")


def _refuse_if_mostly_rejected(path: Path, found: BattleFile, allow_partial: bool) -> None:
    """Refuse (before anything is written) a file that rejects more than half of its rows."""
    read = len(found.battles) + len(found.rejected)
    if not allow_partial and len(found.rejected) * 2 > read:
        what = f"the file rejects {len(found.rejected):,} of the {read:,} rows"
        raise refused_import(f"battles {path}", what, Counter(rejection.reason for rejection in found.rejected))


def store_battles(
    warehouse: Warehouse,
    path: Path,
    source: str | None = None,
    judged_by: str = "human",
    when: date | None = None,
    *,
    allow_partial: bool = False,
) -> BattleImport:
    """Read a battle file and store it as one batch (or find it stored); ``source`` defaults to the file's stem,
    ``judged_by`` is human or model. A file that rejects more than half of its rows is refused (nothing stored)
    unless ``allow_partial``, as every other import."""
    if judged_by not in JUDGE_KINDS:
        raise ConfigError(f"judged by {judged_by!r}: choose human or model")
    judge_kind: JudgeKind = "human" if judged_by == "human" else "model"
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    label = _label(path, source)
    digest = file_sha256(path)
    stored = _already_stored(warehouse, label, digest)
    if stored is not None:
        return stored
    found = read_battles(path)
    _refuse_if_mostly_rejected(path, found, allow_partial)
    # The data's date: --date, else the day of the latest battle that carries a time, else the file's name.
    stamps = [b.happened_at for _, b in found.battles if b.happened_at is not None]
    dated = dating(path, when, max(stamps).date() if stamps else None)
    with warehouse.transaction() as connection:
        notes = {"repeated_rows": found.repeated} if found.repeated else None
        batch_id = new_batch(connection, "import", label, judge_kind, str(path.resolve()), digest, dated.value, notes)
        insert_battles(connection, batch_id, judge_kind, found.battles)
        _insert_rejections(connection, batch_id, found.rejected)
    names = [n for _, b in found.battles for n in (b.model_a, b.model_b)]
    return BattleImport(
        batch_id,
        label,
        judge_kind,
        str(path.resolve()),
        dated.value,
        len(found.battles),
        len(found.rejected),
        False,
        resolve_names(resolver_for(warehouse), names),
        tuple(found.rejected[:_REJECTION_SAMPLES]),
        date_basis=dated.basis,
        repeated=found.repeated,
    )
