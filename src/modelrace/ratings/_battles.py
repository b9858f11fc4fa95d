"""Battle files in LMArena's layout, read row by row (a bad row is rejected with its reason, never fatal), and
stored as one batch in one transaction; the same file twice is recognised, not duplicated.

Layout: ``model_a``, ``model_b``, ``winner`` (``model_a`` | ``model_b`` | ``tie`` | ``tie (bothbad)``), and
optionally ``language``, ``category``, ``judge``, ``timestamp`` (or LMArena's ``tstamp``: ISO text or Unix
seconds) and ``question_id``. Files: JSON (a list of objects), JSONL, CSV or Parquet, told apart by extension.

Read through :mod:`modelrace._safe_read`: regular files only, JSON nested no deeper than its bound (a row nested
deeper is one rejected row), a CSV with a BOM, timestamps within the years a datetime holds (``1e20``, ``inf``
and ``10**30`` are a row's rejection, not an OverflowError), and a row given twice with the same identity
(``tstamp``/``timestamp`` or ``question_id``: a file concatenated with itself) counted and skipped.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from modelrace._dates import latest_allowed_date
from modelrace._files import file_sha256
from modelrace._safe_read import (
    MAX_FILE_BYTES,
    JsonTextError,
    Repeats,
    TooDeep,
    csv_reader,
    find_too_deep,
    lines,
    loads_json,
    open_regular,
    read_text,
    row_key,
)
from modelrace.errors import ConfigError, ImportFormatError, refused_import
from modelrace.ranking import Resolver
from modelrace.sources import dating
from modelrace.store import Warehouse

JudgeKind = Literal["human", "model"]
JUDGE_KINDS: tuple[JudgeKind, ...] = ("human", "model")
WINNERS = ("model_a", "model_b", "tie", "tie (bothbad)")
# spellings other exports use for the same verdicts
_WINNER_ALIASES = {"both_bad": "tie (bothbad)", "bothbad": "tie (bothbad)", "tie(bothbad)": "tie (bothbad)"}
_REJECTION_SAMPLES = 20
# A battle file streamed row by row (JSONL, CSV, Parquet) may be large: LMArena's full dump is ~1 GB as JSONL.
MAX_STREAMED_BYTES = 16 << 30
# Unix seconds a datetime can hold (year 1 to 9999); outside it a tstamp is no time.
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799

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
class Battle:
    """One verdict between two models, as its source names them."""

    model_a: str
    model_b: str
    winner: str
    judge: str | None = None
    category: str | None = None
    language: str | None = None
    question_id: str | None = None
    happened_at: datetime | None = None


@dataclass(frozen=True)
class Rejection:
    """A row that could not be read, and why."""

    position: int
    reason: str
    raw: str

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"position": self.position, "reason": self.reason, "raw": self.raw}


@dataclass
class BattleFile:
    """What a file holds: valid battles (with their row numbers) and rejected rows."""

    battles: list[tuple[int, Battle]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    repeated: int = 0  # rows given again with the same identity, skipped


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


def _text(value: Any, field_name: str = "field") -> str | None:
    """A text field: a string or number as text; None for nothing; a list or object there is a row's error."""
    if type(value) is str:  # the common case first: a battle file holds ~10 text fields a row
        return value.strip() or None
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (list, dict, TooDeep)):
        deep = find_too_deep(value)
        if deep is not None:
            raise ValueError(f"{field_name} is {deep.reason}")
        raise ValueError(f"{field_name} is a JSON {'list' if isinstance(value, list) else 'object'}, not text")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        raise ValueError(f"{field_name} is a number too long for a name")
    text = str(value).strip()
    return text or None


def _seconds(value: float) -> datetime:
    """Unix seconds as a naive UTC datetime; ValueError where no datetime holds them."""
    if not math.isfinite(value) or not _MIN_SECONDS <= value <= _MAX_SECONDS:
        raise ValueError(f"timestamp {value:.6g} is not a time (outside the years 1 to 9999)")
    try:
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"timestamp {value:.6g} is not a time (outside the years 1 to 9999)") from None


def _timestamp(value: Any) -> datetime | None:
    """ISO text, or Unix seconds (LMArena's ``tstamp``); naive UTC."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and not _MIN_SECONDS <= value <= _MAX_SECONDS:
            raise ValueError("timestamp is not a time (outside the years 1 to 9999)")
        return _seconds(float(value))
    if isinstance(value, (list, dict, TooDeep)):
        raise ValueError("timestamp is not text or a number")
    text = str(value).strip()[:100]
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return _seconds(seconds)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {text[:40]!r} is neither ISO 8601 nor Unix seconds") from None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _first_given(*values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


def parse_battle(row: Any, not_after: datetime | None = None) -> Battle:
    """One row as a battle; ValueError says what is wrong with it. A time after ``not_after`` (default: a day from
    now, naive UTC) is refused: it would date the whole file in the future."""
    if not isinstance(row, dict):
        raise ValueError(getattr(row, "reason", None) or f"not an object but {type(row).__name__}")
    model_a, model_b = _text(row.get("model_a"), "model_a"), _text(row.get("model_b"), "model_b")
    if model_a is None or model_b is None:
        raise ValueError(f"no {'model_a' if model_a is None else 'model_b'}")
    if model_a == model_b:
        raise ValueError(f"{model_a!r} against itself")
    raw_winner = _text(row.get("winner"), "winner")
    if raw_winner is None:
        raise ValueError("no winner")
    winner = _WINNER_ALIASES.get(raw_winner.lower(), raw_winner.lower())
    if winner not in WINNERS:
        raise ValueError(f"winner {raw_winner[:40]!r} is not one of {', '.join(WINNERS)}")
    category = row.get("category")
    if isinstance(category, dict):  # LMArena's category_tag-like objects are not one category
        raise ValueError("category is an object, not a name")
    happened_at = _timestamp(_first_given(row.get("timestamp"), row.get("tstamp")))
    latest = not_after or latest_allowed_date()
    if happened_at is not None and happened_at > latest:
        raise ValueError(f"timestamp {happened_at.isoformat(sep=' ')} is in the future")
    return Battle(
        model_a,
        model_b,
        winner,
        judge=_text(row.get("judge"), "judge"),
        category=_text(category, "category"),
        language=_text(row.get("language"), "language"),
        question_id=_text(row.get("question_id"), "question_id"),
        happened_at=happened_at,
    )


def _rows(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(1-based position, row, why it could not even be parsed) for each row of the file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            with open_regular(path, MAX_STREAMED_BYTES) as handle:
                for position, line in lines(handle):
                    try:
                        yield position, loads_json(line, f"line {position}"), None
                    except JsonTextError as error:
                        yield position, line[:200], f"not JSON: {error.detail}"
        elif suffix == ".json":
            data = loads_json(read_text(path, MAX_FILE_BYTES), path)
            if isinstance(data, dict) and isinstance(data.get("battles"), list):
                data = data["battles"]
            if not isinstance(data, list):
                raise ImportFormatError(f"{path} holds no list of battles (a JSON list of objects)")
            for position, row in enumerate(data, 1):
                yield position, row, None
        elif suffix == ".csv":
            with open_regular(path, MAX_STREAMED_BYTES) as handle:
                for position, row in enumerate(csv_reader(handle), 1):
                    yield position, row, None
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            with open_regular(path, MAX_STREAMED_BYTES, binary=True) as handle:
                table = pq.read_table(handle)
            columns = {name: table.column(name).to_pylist() for name in table.column_names}
            for index in range(table.num_rows):
                yield index + 1, {name: values[index] for name, values in columns.items()}, None
        else:
            raise ConfigError(f"{path}: give a .json, .jsonl, .csv or .parquet file of battles")
    except (UnicodeDecodeError, csv.Error, pa.ArrowException) as error:
        raise ImportFormatError(f"{path} cannot be read as {suffix[1:]}: {error}") from None


def _identity(row: Any) -> Any:
    """A row's identity when it carries one (a time or a question id): the same row again is a repeat. A row
    without either cannot be told from a second, identical vote, and is kept."""
    if not isinstance(row, dict) or (
        row.get("tstamp") in (None, "") and row.get("timestamp") in (None, "") and row.get("question_id") in (None, "")
    ):
        return None
    return row_key(row)


def read_battles(path: Path) -> BattleFile:
    """Every row of a battle file, valid or rejected with its reason; rows repeated (same identity) counted and
    skipped."""
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    found = BattleFile()
    repeats = Repeats()
    not_after = latest_allowed_date()
    for position, row, broken in _rows(path):
        if broken is not None:
            found.rejected.append(Rejection(position, broken, str(row)[:200]))
            continue
        identity = _identity(row)
        if identity is not None and repeats.first_seen(identity, position) is not None:
            continue
        try:
            found.battles.append((position, parse_battle(row, not_after)))
        except ValueError as error:
            found.rejected.append(Rejection(position, str(error), json.dumps(row, default=str)[:200]))
    found.repeated = repeats.count
    if not found.battles and not found.rejected:
        raise ImportFormatError(f"{path} holds no battles")
    return found


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
    reserved = (*JUDGE_KINDS, "all")
    label = source or (path.stem if path.stem not in reserved else path.name)
    if label in reserved:
        raise ConfigError(f"--source {label!r} is reserved (it selects battles by judge kind); choose another name")
    digest = file_sha256(path)
    existing = warehouse.query(
        "SELECT * FROM battle_batches WHERE kind = 'import' AND file_sha256 = ? AND source = ?", [digest, label]
    )
    if existing:
        row = existing[0]
        stored = warehouse.query(
            "SELECT model_a AS name FROM battles WHERE batch_id = ? "
            "UNION SELECT model_b FROM battles WHERE batch_id = ?",
            [row["batch_id"], row["batch_id"]],
        )
        return BattleImport(
            row["batch_id"], label, row["judge_kind"], row["path"], row["data_date"], row["battles"], row["rejected"],
            True, resolve_names(resolver_for(warehouse), [r["name"] for r in stored]), (),
        )  # fmt: skip
    found = read_battles(path)
    read = len(found.battles) + len(found.rejected)
    if not allow_partial and len(found.rejected) * 2 > read:
        what = f"the file rejects {len(found.rejected):,} of the {read:,} rows"
        raise refused_import(f"battles {path}", what, Counter(rejection.reason for rejection in found.rejected))
    # The data's date: --date, else the day of the latest battle that carries a time, else the file's name.
    stamps = [b.happened_at for _, b in found.battles if b.happened_at is not None]
    dated = dating(path, when, max(stamps).date() if stamps else None)
    day = dated.value
    with warehouse.transaction() as connection:
        notes = {"repeated_rows": found.repeated} if found.repeated else None
        batch_id = new_batch(connection, "import", label, judge_kind, str(path.resolve()), digest, day, notes)
        insert_battles(connection, batch_id, judge_kind, found.battles)
        connection.execute("UPDATE battle_batches SET rejected = ? WHERE batch_id = ?", [len(found.rejected), batch_id])
        if found.rejected:
            rejected = pa.Table.from_pylist(
                [{"batch_id": batch_id, **r.to_json()} for r in found.rejected],
                schema=pa.schema(
                    [("batch_id", pa.int32()), ("position", pa.int64()), ("reason", pa.string()), ("raw", pa.string())]
                ),
            )
            connection.register("new_rejections", rejected)
            connection.execute("INSERT INTO battle_rejections SELECT * FROM new_rejections")
            connection.unregister("new_rejections")
    names = [n for _, b in found.battles for n in (b.model_a, b.model_b)]
    return BattleImport(
        batch_id,
        label,
        judge_kind,
        str(path.resolve()),
        day,
        len(found.battles),
        len(found.rejected),
        False,
        resolve_names(resolver_for(warehouse), names),
        tuple(found.rejected[:_REJECTION_SAMPLES]),
        date_basis=dated.basis,
        repeated=found.repeated,
    )
