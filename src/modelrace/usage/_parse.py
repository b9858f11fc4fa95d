"""OpenRouter's usage files, read into typed rows: the rankings page, the weekly top models, the rankings-daily
dataset and the models list (prices). Each file is one dated snapshot; each section of it one series with the
base its shares are of. A bad row is rejected with its reason; a file of another layout is one clear error.

Rules a row must pass (else it is rejected, never stored):
- a model slug is ``author/name`` (``:free`` and other variants after a colon), an author slug one word;
- tokens, requests and prices are finite and not negative (numbers, or numeric text as the dataset writes them);
- a share is a finite percentage in [0, 100], and the shares of one section add up to at most 100 % (a little
  over for the source's rounding): a section that sums above that is rejected whole;
- a slug appears once per section and day.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from modelrace.errors import ImportFormatError
from modelrace.usage._read import read_json_or_lines

Layout = Literal["rankings-page", "weekly-top-models", "rankings-dataset", "models-list"]
Section = Literal["authors", "models", "prices"]
LAYOUTS: tuple[Layout, ...] = ("rankings-page", "weekly-top-models", "rankings-dataset", "models-list")
SOURCE = "openrouter"

# The bases shares are of, in the words every figure carries.
BASE_ALL = "all OpenRouter tokens"
BASE_LISTED = "the listed top models' tokens"
BASE_PRICES = "list prices (no usage)"
# The rankings page rounds shares to 0.1 %: nine of them may add up a little over a whole.
SHARE_TOLERANCE_PCT = 0.5
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(:[a-z0-9._-]+)?$")
_AUTHOR = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
# The dataset's reserved slug of the traffic outside its top 50.
OTHER = "other"


@dataclass(frozen=True)
class UsageRow:
    """One row of a usage section: a model's or an author's tokens (and what else the source gives)."""

    section: Section
    position: int
    day: date
    slug: str
    author: str
    rank: int | None = None
    tokens: float | None = None
    requests: float | None = None
    prompt_tokens: float | None = None
    completion_tokens: float | None = None
    share_pct: float | None = None
    share_base: str = BASE_LISTED
    prompt_usd_per_token: float | None = None
    completion_usd_per_token: float | None = None
    is_free: bool = False


@dataclass(frozen=True)
class UsageRejection:
    """A row not stored, and why."""

    section: str
    position: int
    slug: str | None
    reason: str
    raw: str


@dataclass
class UsageFile:
    """What one file holds: its layout, date, rows, rejections and what each section covers."""

    path: Path
    layout: Layout
    data_date: date
    date_basis: str
    rows: list[UsageRow] = field(default_factory=list)
    rejected: list[UsageRejection] = field(default_factory=list)
    coverage: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def reasons(self) -> Counter[str]:
        """How often each rejection reason occurs."""
        return Counter(r.reason for r in self.rejected)


class _RowError(ValueError):
    """Why one row is rejected."""


def _raw(row: Any) -> str:
    try:
        return json.dumps(row, default=str, sort_keys=True)[:200]
    except (TypeError, ValueError, RecursionError):
        return repr(row)[:200]


def _number(row: dict[str, Any], key: str, required: bool = False) -> float | None:
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise _RowError(f"no {key}")
        return None
    if isinstance(value, bool):
        raise _RowError(f"{key} {value!r} is not a number")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _RowError(f"{key} {value[:40]!r} is not a number") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise _RowError(f"{key} {_raw(value)[:40]} is not a number")
    if not math.isfinite(number):
        raise _RowError(f"{key} {value!r} is not finite")
    if number < 0:
        raise _RowError(f"{key} {number:g} is negative")
    return number


def _share(row: dict[str, Any]) -> float | None:
    share = _number(row, "share_pct")
    if share is not None and share > 100:
        raise _RowError(f"share_pct {share:g} is above 100 %")
    return share


def _rank(row: dict[str, Any]) -> int | None:
    value = row.get("rank")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if value is None:
        return None
    raise _RowError(f"rank {_raw(value)[:20]} is not a positive whole number")


def _slug(value: Any, what: str = "model slug") -> tuple[str, str]:
    """(slug, author) of a model slug."""
    if not isinstance(value, str) or not value.strip():
        raise _RowError(f"no {what}")
    slug = value.strip()
    if not _SLUG.match(slug):
        raise _RowError(f"{slug[:60]!r} is not an OpenRouter model slug (author/model)")
    return slug, slug.split("/", 1)[0]


def _author(value: Any) -> str:
    if not isinstance(value, str) or not _AUTHOR.match(value.strip()):
        raise _RowError(f"author {_raw(value)[:60]} is not an OpenRouter author slug")
    return value.strip()


def _day(value: Any, what: str) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


def _named_day(path: Path) -> date | None:
    for found in reversed(_DATED_NAME.findall(path.name)):
        try:
            return date.fromisoformat(found)
        except ValueError:
            continue
    return None


def _dated(path: Path, contents: date | None) -> tuple[date, str]:
    if contents is not None:
        return contents, "contents"
    named = _named_day(path)
    if named is not None:
        return named, "file name"
    raise ImportFormatError(f"{path}: neither its contents nor its name give the date of its data")


def layout_of(data: Any) -> Layout | None:
    """Which OpenRouter layout a parsed file has, or None."""
    if isinstance(data, dict):
        if isinstance(data.get("meta"), dict) and ("market_share" in data or "models" in data) and "date" not in data:
            return "rankings-page"
        if "date" in data and isinstance(data.get("models"), list):
            return "weekly-top-models"
        rows = data.get("data")
        if isinstance(rows, list):
            first = next((r for r in rows if isinstance(r, dict)), None)
            if first is not None and "model_permaslug" in first:
                return "rankings-dataset"
            if first is not None and "pricing" in first:
                return "models-list"
            if not rows and isinstance(data.get("meta"), dict) and "as_of" in data["meta"]:
                return "rankings-dataset"
    if isinstance(data, list):
        first = next((r for r in data if isinstance(r, dict)), None)
        if first is not None and "model_permaslug" in first:
            return "rankings-dataset"
    return None


def parse_usage(path: Path) -> UsageFile:
    """Read one OpenRouter file (any of the four layouts) into rows and rejections."""
    return parse_usage_data(read_json_or_lines(path), path)


def parse_usage_data(data: Any, path: Path) -> UsageFile:
    """Parse what a file (or an endpoint) gave; ``path`` names it in messages and may date it."""
    layout = layout_of(data)
    if layout == "rankings-page":
        parsed = _rankings_page(data, path)
    elif layout == "weekly-top-models":
        parsed = _weekly(data, path)
    elif layout == "rankings-dataset":
        parsed = _dataset(data, path)
    elif layout == "models-list":
        parsed = _models_list(data, path)
    else:
        raise ImportFormatError(
            f"{path} is not an OpenRouter usage file (a rankings page, weekly top models, rankings-daily rows or "
            "the models list)"
        )
    if not parsed.rows and not parsed.rejected:
        raise ImportFormatError(f"{path} ({parsed.layout}) holds no rows")
    return parsed


def _section_rows(
    parsed: UsageFile, section: Section, rows: Any, build: Any, check_sum: bool, base: str
) -> list[UsageRow]:
    """Build each row (rejecting bad ones, and repeats of a slug on one day); a section whose stated shares add
    up above 100 % is rejected whole."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        parsed.rejected.append(UsageRejection(section, 0, None, f"the {section} section is not a list", _raw(rows)))
        return []
    built: list[UsageRow] = []
    seen: set[tuple[date, str]] = set()
    for position, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise _RowError("a row is not an object")
            item: UsageRow = build(position, row)
            if (item.day, item.slug) in seen:
                raise _RowError(f"{item.slug} appears twice on {item.day}")
            seen.add((item.day, item.slug))
            built.append(item)
        except _RowError as error:
            slug = row.get("model_id") or row.get("slug") or row.get("author") if isinstance(row, dict) else None
            parsed.rejected.append(
                UsageRejection(section, position, str(slug)[:200] if slug else None, str(error), _raw(row))
            )
    if check_sum and base == BASE_ALL:
        total = sum(r.share_pct or 0.0 for r in built)
        if total > 100 + SHARE_TOLERANCE_PCT:
            reason = f"the {section} shares add up to {total:.1f} %, above 100 %"
            parsed.rejected.extend(UsageRejection(section, r.position, r.slug, reason, "") for r in built)
            return []
    return built


def _rankings_page(data: dict[str, Any], path: Path) -> UsageFile:
    meta = data["meta"]
    day, basis = _dated(path, _day(meta.get("fetched_at"), "fetched_at"))
    parsed = UsageFile(path, "rankings-page", day, basis, notes={"source_url": meta.get("source_url")})

    def author_row(position: int, row: dict[str, Any]) -> UsageRow:
        author = _author(row.get("author"))
        tokens = _number(row, "tokens", required=True)
        return UsageRow(
            "authors", position, day, author, author, _rank(row), tokens, share_pct=_share(row), share_base=BASE_ALL
        )

    def model_row(position: int, row: dict[str, Any]) -> UsageRow:
        slug, author = _slug(row.get("model_id"))
        tokens = _number(row, "tokens", required=True)
        return UsageRow(
            "models",
            position,
            day,
            slug,
            author,
            _rank(row),
            tokens,
            share_pct=_share(row),
            share_base=BASE_ALL,
            is_free=slug.endswith(":free"),
        )

    authors = _section_rows(parsed, "authors", data.get("market_share"), author_row, True, BASE_ALL)
    models = _section_rows(parsed, "models", data.get("models"), model_row, True, BASE_ALL)
    parsed.rows = [*authors, *models]
    if authors:
        parsed.coverage["authors"] = f"top {len(authors)} authors by weekly tokens"
    if models:
        parsed.coverage["models"] = f"top {len(models)} models by weekly tokens"
    return parsed


def _weekly(data: dict[str, Any], path: Path) -> UsageFile:
    stated = _day(data.get("date"), "date")
    if stated is None:
        raise ImportFormatError(f"{path}: its date {_raw(data.get('date'))[:40]} is not an ISO date")
    parsed = UsageFile(path, "weekly-top-models", stated, "contents")

    def model_row(position: int, row: dict[str, Any]) -> UsageRow:
        slug, author = _slug(row.get("slug"))
        tokens = _number(row, "total_tokens", required=True)
        prompt = _number(row, "prompt_tokens")
        completion = _number(row, "completion_tokens")
        free = bool(row.get("is_free")) or slug.endswith(":free")
        # A week that gives only total_tokens writes 0 for the split: unknown, not zero.
        split_known = bool((prompt or 0) + (completion or 0))
        requests = _number(row, "request_count")
        return UsageRow(
            "models",
            position,
            stated,
            slug,
            author,
            _rank(row),
            tokens,
            requests if requests else None,
            prompt if split_known else None,
            completion if split_known else None,
            share_base=BASE_LISTED,
            prompt_usd_per_token=0.0 if free else (_number(row, "prompt_price") or None),
            completion_usd_per_token=0.0 if free else (_number(row, "completion_price") or None),
            is_free=free,
        )

    models = data["models"]
    if isinstance(models, list) and not models:
        raise ImportFormatError(f"{path}: the week of {stated} lists no models")
    parsed.rows = _section_rows(parsed, "models", models, model_row, False, BASE_LISTED)
    if parsed.rows:
        parsed.coverage["models"] = f"top {len(parsed.rows)} models by weekly tokens"
    return parsed


def _dataset(data: Any, path: Path) -> UsageFile:
    meta = data.get("meta") if isinstance(data, dict) else None
    rows = data.get("data") if isinstance(data, dict) else data
    as_of = _day(meta.get("as_of"), "as_of") if isinstance(meta, dict) else None
    parsed = UsageFile(path, "rankings-dataset", date.min, "contents", notes={"as_of": as_of} if as_of else {})

    def model_row(position: int, row: dict[str, Any]) -> UsageRow:
        day = _day(row.get("date"), "date")
        if day is None:
            raise _RowError(f"date {_raw(row.get('date'))[:30]} is not an ISO date")
        tokens = _number(row, "total_tokens", required=True)
        if row.get("model_permaslug") == OTHER:
            return UsageRow("models", position, day, OTHER, OTHER, None, tokens, share_base=BASE_ALL)
        slug, author = _slug(row.get("model_permaslug"))
        return UsageRow("models", position, day, slug, author, None, tokens, is_free=slug.endswith(":free"))

    built = _section_rows(parsed, "models", rows, model_row, False, BASE_LISTED)
    # A day with its `other` row holds all of OpenRouter's tokens: its shares are of the whole; without it, of
    # the listed models only.
    whole = {r.day for r in built if r.slug == OTHER}
    parsed.rows = [replace(r, share_base=BASE_ALL if r.day in whole else BASE_LISTED) for r in built]
    days = sorted({r.day for r in parsed.rows})
    if days:
        parsed.data_date, parsed.date_basis = days[-1], "contents"
        listed = len([r for r in parsed.rows if r.slug != OTHER])
        parsed.coverage["models"] = (
            f"{listed} model-days over {len(days)} days ({days[0]} to {days[-1]}), top 50 a day"
            + (f"; {len(whole)} days with the `other` row" if whole else "")
        )
    else:
        parsed.data_date, parsed.date_basis = _dated(path, as_of)
    return parsed


def _models_list(data: dict[str, Any], path: Path) -> UsageFile:
    day, basis = _dated(path, _day((data.get("meta") or {}).get("as_of"), "as_of"))
    parsed = UsageFile(path, "models-list", day, basis)

    def price_row(position: int, row: dict[str, Any]) -> UsageRow:
        # The canonical slug is the permaslug the rankings use; a free variant keeps its ``:free``.
        slug, author = _slug(row.get("canonical_slug") or row.get("id"))
        free = str(row.get("id", "")).endswith(":free")
        if free and not slug.endswith(":free"):
            slug += ":free"
        pricing = row.get("pricing")
        if not isinstance(pricing, dict):
            raise _RowError("no pricing")
        prompt = _number(pricing, "prompt", required=True)
        completion = _number(pricing, "completion", required=True)
        free = free or slug.endswith(":free")
        return UsageRow(
            "prices",
            position,
            day,
            slug,
            author,
            share_base=BASE_PRICES,
            prompt_usd_per_token=0.0 if free else prompt,
            completion_usd_per_token=0.0 if free else completion,
            is_free=free or (prompt == 0 and completion == 0),
        )

    parsed.rows = _section_rows(parsed, "prices", data["data"], price_row, False, BASE_PRICES)
    if parsed.rows:
        parsed.coverage["prices"] = f"list prices of {len(parsed.rows)} models"
    return parsed
