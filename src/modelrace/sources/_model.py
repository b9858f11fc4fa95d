"""What an importer produces: the models a source names and the figures it publishes for them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from modelrace._safe_read import finite
from modelrace.errors import ImportFormatError

Scale = Literal["fraction", "points", "elo"]


@dataclass
class SourceModel:
    """A model as a source describes it (every field optional but its name)."""

    source_name: str
    display_name: str | None = None
    organisation: str | None = None
    country: str | None = None
    params_total: float | None = None
    params_active: float | None = None
    release_date: date | None = None
    license: str | None = None
    open_weights: bool | None = None
    reasoning: bool | None = None
    price_in_usd_per_mtok: float | None = None
    price_out_usd_per_mtok: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    """One published figure."""

    source_name: str
    benchmark: str
    metric: str
    value: float
    scale: Scale
    ci_low: float | None = None
    ci_high: float | None = None
    n_items: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportBatch:
    """Everything one file holds, plus what was refused and any checks the importer ran."""

    source: str
    data_date: date
    models: dict[str, SourceModel] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    rejected: list[tuple[int, str | None, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    contents_date: date | None = None  # the date the file's contents give, when they give one
    date_basis: str | None = None  # how data_date was found (--date, contents, file name)

    def model(self, name: str) -> SourceModel:
        """The source model of that name, created on first use."""
        if name not in self.models:
            self.models[name] = SourceModel(name)
        return self.models[name]

    def reject(self, position: int, name: str | None, reason: str) -> None:
        """Count a row that cannot be imported, with why."""
        self.rejected.append((position, name, reason))


_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")
# A range of months within a year (``..._2023-04_06``: April to June 2023): the data is as of its end.
_MONTHS_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})_(\d{2})(?!\d)")

DateBasis = Literal["--date", "contents", "file name"]


@dataclass(frozen=True)
class DataDate:
    """The date of an import's data and how it was found (docs/provenance.md)."""

    value: date
    basis: DateBasis


def date_from_name(path: Path) -> date | None:
    """The date a file name gives (``..._2025-12.csv`` is 2025-12-01, ``..._2024-09-20.json`` 2024-09-20, a range
    of months ``..._2023-04_06.jsonl`` its last day, 2023-06-30)."""
    months = _MONTHS_IN_NAME.search(path.name)
    if months is not None:
        in_year, first, last = (int(part) for part in months.groups())
        if 1 <= first <= last <= 12:
            return date(in_year, last, calendar.monthrange(in_year, last)[1])
        return None
    match = _DATE_IN_NAME.search(path.name)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day or 1))
    except ValueError:
        return None


def dating(path: Path, given: date | None = None, contents: date | None = None) -> DataDate:
    """The data's date: ``--date``, else the date the file's contents give, else the one its name gives.

    Never the file's modification time (a copied or truncated file is "new"): without any, a clear error asks for
    ``--date``.
    """
    if given is not None:
        return DataDate(given, "--date")
    if contents is not None:
        return DataDate(contents, "contents")
    named = date_from_name(path)
    if named is not None:
        return DataDate(named, "file name")
    raise ImportFormatError(
        f"{path}: neither its contents nor its name give the date of its data; pass --date YYYY-MM-DD "
        "(the file's modification time is not the data's date)"
    )


def data_date(path: Path, given: date | None = None) -> date:
    """The data's date (see :func:`dating`): given, else from the file name; never the mtime."""
    return dating(path, given).value


def parse_number(raw: object, field_name: str) -> float | None:
    """'$0.50', '72%', '1,234', '' and 'N/A' as numbers (None when empty); percent stays in points.

    NaN is missing (Epoch writes it for no figure); an infinity, ``1e400`` or a number over
    :data:`~modelrace._safe_read.MAX_MAGNITUDE` is refused: it would lead every ranking it entered.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        if raw != raw:
            return None  # NaN is missing
        try:
            return finite(float(raw), field_name)
        except (ValueError, OverflowError):  # str() of a huge int would itself fail: the value is not quoted
            raise ImportFormatError(f"{field_name} is not a finite number in range") from None
    text = str(raw).strip().replace(",", "").replace("$", "").replace("%", "")
    if text in ("", "-", "N/A", "n/a", "NA", "nan", "None", "null"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise ImportFormatError(f"{field_name} {str(raw)[:30]!r} is not a number") from None
    if value != value:
        return None
    try:
        return finite(value, field_name)
    except ValueError:
        raise ImportFormatError(f"{field_name} {str(raw)[:30]!r} is not a finite number in range") from None


def parse_date(raw: object) -> date | None:
    """An ISO date (or datetime) string, else None."""
    if not isinstance(raw, str):  # NaN, a number or an object is no date
        return None
    text = raw.strip()[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
