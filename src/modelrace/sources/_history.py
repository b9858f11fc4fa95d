"""Leaderboard history: many board files (or a folder) at once, LMArena's all-time history CSV (one board per
date) and the 2026 Arena top-50 daily boards, each board stored as its own dated import.

Rules (docs/provenance.md, "History"):

- Every board is one import, dated by its contents (the CSV's ``date`` column, a top-50 file's ``fetched_at``),
  else by its file name; a board that gives neither is refused with one line, the other files go on.
- A board is recognised when stored already (the digest of its own rows for a CSV board, so that a longer
  history CSV re-imports only its new dates; the file's SHA-256 otherwise). A board of a date that another
  import of the same source already holds with different contents is refused with one line: two versions of
  one day cannot both be "the board of that day" (``modelrace drop import N`` first to replace it).
- Within a folder, board files (JSON, with their 95 % intervals) are read before history CSVs (no interval),
  so that where both give the same day the richer one is kept.
- Licences and organisations the files state are stored as the source's evidence (``source_models``); the
  resolver's own identity of a model wins where they disagree (``modelrace resolve`` says so). A licence
  string outside :data:`STATED_CLOSED` and :data:`STATED_OPEN` is kept, its open/closed left unknown, and said
  once per file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from modelrace._files import file_sha256
from modelrace.errors import ImportFormatError, ModelraceError
from modelrace.sources._leaderboards import read_lmarena
from modelrace.sources._model import ImportBatch, Result, dating, parse_number
from modelrace.sources._read import _named_rows, _read_csv, _read_json
from modelrace.sources._store import (
    ImportSummary,
    _latest_board_import,
    _refuse_if_damaging,
    insert_batch,
    stored_summary,
)
from modelrace.store import Warehouse

# The source the 2026 Arena top-50 boards are stored under: a board of the 50 (some days 20 to 71) best models
# only, so not a successor of the full LMArena board that the leaderboard reads (its small models would vanish).
TOP50_SOURCE: Final = "arena-top50"
HISTORY_COLUMNS: Final = frozenset({"key", "Model", "rating", "License", "Organization", "date"})

# Licence strings the LMArena and Arena files state, lower-cased: closed (API only) or open weights (under any
# terms, non-commercial included: the weights are published). Anything else is an unknown licence string.
STATED_CLOSED: Final = frozenset({"proprietary", "propretary", "closed"})
STATED_OPEN: Final = frozenset(
    {
        "open", "apache 2.0", "apache-2.0", "mit", "non-commercial", "cc-by-nc-4.0", "cc-by-nc-sa-4.0",
        "llama 2 community", "llama 3 community", "llama 3.1 community", "llama 3.1", "llama 3.2", "llama-3.3",
        "llama 4", "qianwen license", "qwen", "gemma license", "gemma", "yi license", "deepseek license",
        "deepseek", "falcon-180b tii license", "jamba open", "ai2 impact low-risk", "dbrx license", "mrl",
        "nvidia open model", "mistral research", "nexusflow", "other", "cc-by-4.0", "openrail", "bsd",
    }
)  # fmt: skip


def stated_open_weights(licence: str | None) -> bool | None:
    """What a stated licence says of the weights: False (proprietary), True (a licence the weights are published
    under), None (none stated, or a string we do not know)."""
    if licence is None or not licence.strip():
        return None
    lowered = licence.strip().lower()
    if lowered in STATED_CLOSED:
        return False
    return True if lowered in STATED_OPEN else None


def _unknown_licence(licence: str | None) -> bool:
    return bool(licence and licence.strip()) and stated_open_weights(licence) is None


@dataclass(frozen=True)
class DatedBoard:
    """One board read from a file: its batch (dated), where it came from and the digest that recognises it."""

    batch: ImportBatch
    location: str
    digest: str


@dataclass(frozen=True)
class ImportProblem:
    """A file or board that was not stored (or stored with a caveat), in one line."""

    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        """JSON-ready."""
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class BoardImports:
    """What an import of many board files stored, found stored, and refused (one line each)."""

    imports: list[ImportSummary]
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Boards newly stored."""
        return sum(not s.already_imported for s in self.imports)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: every board's summary and every problem."""
        return {
            "boards": len(self.imports),
            "stored": self.stored,
            "already_imported": len(self.imports) - self.stored,
            "imports": [s.to_json() for s in self.imports],
            "problems": [p.to_json() for p in self.problems],
        }


# ---------------------------------------------------------------------------------- the history CSV
def is_history_csv(path: Path) -> bool:
    """Whether a CSV file's header is the LMArena history layout (key, Model, rating, License, Organization,
    date)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return {column.strip() for column in header.strip().split(",")} >= HISTORY_COLUMNS


def _board_date(raw: str | None) -> date | None:
    text = (raw or "").strip()
    for layout in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


def read_lmarena_history(path: Path) -> tuple[list[DatedBoard], list[ImportProblem]]:
    """LMArena's all-time history CSV: one board (source ``lmarena``, benchmark ``full``, no interval) per
    ``date``; rows without a readable date, or a second row of a key on one date, are rejected with why."""
    rows = _read_csv(path, set(HISTORY_COLUMNS))
    location = str(path.resolve())
    by_date: dict[date, ImportBatch] = {}
    undated: list[int] = []
    unknown: Counter[str] = Counter()
    holder = ImportBatch("lmarena", date.min)  # collects the rows _named_rows rejects before a date is known
    for position, key, row in _named_rows(holder, rows, "key", "no model key"):
        when = _board_date(row.get("date"))
        if when is None:
            undated.append(position)
            continue
        batch = by_date.setdefault(when, _history_batch(when))
        if key in batch.models:
            batch.reject(position, key, f"a second row for {key} on {when}: the first is kept")
            continue
        try:
            rating = parse_number(row.get("rating"), "rating")
        except ImportFormatError as error:
            batch.reject(position, key, str(error))
            continue
        if rating is None or not math.isfinite(rating):
            batch.reject(position, key, f"rating {row.get('rating')!r} is not a finite number")
            continue
        model = batch.model(key)
        model.display_name = (row.get("Model") or "").strip() or None
        model.organisation = (row.get("Organization") or "").strip() or None
        model.license = (row.get("License") or "").strip() or None
        model.open_weights = stated_open_weights(model.license)
        if _unknown_licence(model.license):
            unknown[str(model.license)] += 1
        batch.results.append(Result(key, "full", "rating", rating, "elo"))
    problems = []
    if holder.rejected:
        reasons = Counter(reason for _, _, reason in holder.rejected)
        shown = "; ".join(f"{n:,} x {r}" for r, n in reasons.most_common(3))
        problems.append(ImportProblem(location, f"{len(holder.rejected):,} rows skipped ({shown})"))
    repeated = int(holder.notes.get("repeated_rows", 0))
    if repeated:
        problems.append(ImportProblem(location, f"{repeated:,} rows given again, identically: skipped"))
    if undated:
        shown = ", ".join(str(p + 2) for p in undated[:5])  # +2: the header is line 1
        problems.append(
            ImportProblem(location, f"{len(undated):,} rows without a readable date (lines {shown}): skipped")
        )
    for licence, count in sorted(unknown.items()):
        problems.append(
            ImportProblem(location, f"unknown licence string {licence!r} ({count:,} rows): open/closed left unknown")
        )
    boards = []
    for when in sorted(by_date):
        batch = by_date[when]
        batch.notes["history_file"] = location
        boards.append(DatedBoard(batch, f"{location}#{when.isoformat()}", _digest_of(batch)))
    return boards, problems


def _history_batch(when: date) -> ImportBatch:
    batch = ImportBatch("lmarena", when, contents_date=when)
    batch.date_basis = "contents"
    return batch


def _digest_of(batch: ImportBatch) -> str:
    """The digest of one board's own rows (its models, results and date), independent of the other boards of
    the file it came from."""
    canonical = json.dumps(
        [
            batch.data_date.isoformat(),
            sorted((m.source_name, m.display_name, m.organisation, m.license) for m in batch.models.values()),
            sorted((r.source_name, r.benchmark, r.value) for r in batch.results),
        ],
        default=str,
    )
    return "board:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------- the 2026 top-50 boards
def is_top50(data: object) -> bool:
    """Whether parsed JSON is the Arena top-50 layout ({meta, models: [{rank, model, score, ci, ...}]})."""
    return isinstance(data, dict) and isinstance(data.get("models"), list) and isinstance(data.get("meta"), dict)


def read_arena_top50(path: Path, data: dict[str, Any] | None = None) -> ImportBatch:
    """A daily Arena top-50 text board: ``score`` with ``ci`` read as the half-width of a 95 % interval, the
    stated ``vendor`` and ``license``; dated by ``meta.fetched_at`` (the board's own ``last_updated`` noted)."""
    data = data if data is not None else _read_json(path)
    if not is_top50(data):
        raise ImportFormatError(f"{path} is not an Arena top-50 board ({{meta, models: [...]}})")
    assert data is not None
    meta: dict[str, Any] = data["meta"]
    fetched = str(meta.get("fetched_at") or "")[:10]
    try:
        contents_date: date | None = date.fromisoformat(fetched) if fetched else None
    except ValueError:
        contents_date = None
    batch = ImportBatch(TOP50_SOURCE, date.min, contents_date=contents_date)
    unknown: Counter[str] = Counter()
    for position, entry in enumerate(data["models"]):
        name = str(entry.get("model") or "").strip() if isinstance(entry, dict) else ""
        if not name:
            batch.reject(position, None, "no model name")
            continue
        try:
            score = parse_number(entry.get("score"), "score")
            half_width = parse_number(entry.get("ci"), "ci")
        except ImportFormatError as error:
            batch.reject(position, name, str(error))
            continue
        if score is None or not math.isfinite(score):
            batch.reject(position, name, f"score {entry.get('score')!r} is not a finite number")
            continue
        if name in batch.models:
            batch.reject(position, name, f"a second row for {name}: the first is kept")
            continue
        model = batch.model(name)
        model.organisation = (str(entry.get("vendor") or "").strip()) or None
        model.license = (str(entry.get("license") or "").strip()) or None
        model.open_weights = stated_open_weights(model.license)
        if _unknown_licence(model.license):
            unknown[str(model.license)] += 1
        finite = half_width is not None and math.isfinite(half_width) and half_width >= 0
        batch.results.append(
            Result(
                name,
                "full",
                "rating",
                score,
                "elo",
                ci_low=score - half_width if finite and half_width is not None else None,
                ci_high=score + half_width if finite and half_width is not None else None,
                extra={k: entry[k] for k in ("rank", "votes") if entry.get(k) is not None},
            )
        )
    batch.notes |= {
        "interval": "ci is the half-width of a 95 % interval",
        "board_last_updated": meta.get("last_updated"),
        "source_url": meta.get("source_url"),
    }
    if unknown:
        batch.notes["unknown_licences"] = dict(unknown)
    return batch


# ---------------------------------------------------------------------------------- many files
def board_files(paths: Iterable[Path]) -> list[Path]:
    """The files to read: each file given, and each folder's board JSONs then history CSVs (sorted by name; the
    organisation/price companion files are not boards)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file())
            found += [p for p in inside if p.suffix == ".json" and not p.name.startswith("lmarena_price_org_license")]
            found += [p for p in inside if p.suffix == ".csv"]
        else:
            found.append(path)
    return found


def _boards_of(path: Path, when: date | None, meta: Path | None) -> tuple[list[DatedBoard], list[ImportProblem]]:
    """The dated boards one file holds (and its caveats)."""
    if not path.is_file():
        raise ImportFormatError(f"no file at {path}")
    location = str(path.resolve())
    if path.suffix.lower() == ".csv":
        if not is_history_csv(path):
            raise ImportFormatError(
                f"{path} is not an LMArena history CSV (columns {', '.join(sorted(HISTORY_COLUMNS))})"
            )
        if when is not None:
            raise ImportFormatError(f"{path}: a history CSV dates each board by its own date column; drop --date")
        return read_lmarena_history(path)
    data = _read_json(path)
    problems: list[ImportProblem] = []
    if is_top50(data):
        batch = read_arena_top50(path, data)
        if "unknown_licences" in batch.notes:
            for licence, count in sorted(batch.notes["unknown_licences"].items()):
                problems.append(
                    ImportProblem(location, f"unknown licence string {licence!r} ({count:,} rows): open/closed unknown")
                )
    else:
        batch = read_lmarena(path, date.min, meta)
    dated = dating(path, when, batch.contents_date)
    batch.data_date, batch.date_basis = dated.value, dated.basis
    return [DatedBoard(batch, location, file_sha256(path))], problems


def _summary(row: dict[str, Any], newer: int | None) -> ImportSummary:
    return ImportSummary(
        row["import_id"], row["source"], row["path"], row["data_date"], row["models"], row["results"],
        row["rejected"], True, json.loads(row["notes"]) if row["notes"] else {}, [], row.get("date_basis"), 0, newer,
    )  # fmt: skip


def _check_board(warehouse: Warehouse, board: DatedBoard, *, allow_partial: bool, force: bool) -> ImportSummary | None:
    """The summary of a board stored already, or None for one to store; raises for one that must not be (its date
    held by another version, or a refused import)."""
    batch = board.batch
    existing = warehouse.query(
        "SELECT * FROM result_imports WHERE source = ? AND file_sha256 = ?", [batch.source, board.digest]
    )
    newest = warehouse.query(
        "SELECT max(data_date) AS newest FROM result_imports WHERE source = ? AND results > 0", [batch.source]
    )[0]["newest"]
    # The board the leaderboard reads (with its benchmark count, a scan of its results) matters only to a board
    # at least as new: an older one replaces nothing (a history imported after today's board).
    older = newest is not None and batch.data_date < newest
    previous = None if older and not existing else _latest_board_import(warehouse, batch.source)
    if existing:
        newer = previous["import_id"] if previous and previous["import_id"] != existing[0]["import_id"] else None
        return _summary(existing[0], newer)
    same_day = warehouse.query(
        "SELECT import_id, path FROM result_imports WHERE source = ? AND data_date = ? ORDER BY import_id LIMIT 1",
        [batch.source, batch.data_date],
    )
    if same_day:
        raise ImportFormatError(
            f"{batch.source} board of {batch.data_date} is already stored with different contents (import "
            f"{same_day[0]['import_id']}, {same_day[0]['path']}): not stored; `modelrace drop import "
            f"{same_day[0]['import_id']}` first to replace it"
        )
    # A top-50 board's size is the publisher's choice of the day (20 to 71 models): no sign of a truncated file.
    _refuse_if_damaging(batch, Path(board.location), previous, allow_partial, force or batch.source == TOP50_SOURCE)
    return None


def _stored(import_id: int, board: DatedBoard) -> ImportSummary:
    return stored_summary(import_id, board.batch, board.location)


def store_boards(
    warehouse: Warehouse, boards: Sequence[DatedBoard], *, allow_partial: bool, force: bool
) -> tuple[list[ImportSummary], list[ImportProblem]]:
    """Store the boards of one file (or find them stored), those to store in one transaction: a file's boards
    are all written or none; a board that must not be stored costs one line."""
    found: list[ImportSummary | DatedBoard] = []
    problems: list[ImportProblem] = []
    for board in boards:
        try:
            known = _check_board(warehouse, board, allow_partial=allow_partial, force=force)
        except ModelraceError as error:
            problems.append(ImportProblem(board.location, str(error)))
            continue
        found.append(board if known is None else known)
    if any(isinstance(item, DatedBoard) for item in found):
        with warehouse.transaction() as connection:
            found = [
                _stored(insert_batch(connection, item.batch, item.location, item.digest), item)
                if isinstance(item, DatedBoard)
                else item
                for item in found
            ]
    return [item for item in found if isinstance(item, ImportSummary)], problems


def import_boards(
    warehouse: Warehouse,
    paths: Sequence[Path],
    when: date | None = None,
    *,
    meta: Path | None = None,
    allow_partial: bool = False,
    force: bool = False,
) -> BoardImports:
    """Import every board the files (or folders) hold, each as its own dated import, oldest first within a
    file; a file or board that cannot be stored costs one line (``problems``), the others are kept."""
    files = board_files(paths)
    if when is not None and len(files) > 1:
        raise ImportFormatError("--date dates one board: give one file with it, not several")
    imports: list[ImportSummary] = []
    problems: list[ImportProblem] = []
    for path in files:
        try:
            boards, caveats = _boards_of(path, when, meta)
        except ModelraceError as error:
            problems.append(ImportProblem(str(path), str(error)))
            continue
        problems += caveats
        stored, refused = store_boards(warehouse, boards, allow_partial=allow_partial, force=force)
        imports += stored
        problems += refused
    return BoardImports(imports, problems)
