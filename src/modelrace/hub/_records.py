"""One Hub model record: parsed from the API's JSON (or hub-stats rows), validated, or rejected with a reason.

The rules (also the reference for the vectorised validation of whole-Hub imports):

* the record is an object; its ``id`` (or ``modelId``) is a Hub model id (``_MODEL_ID``: at most 96 characters
  of ``[A-Za-z0-9._-]`` per part, one optional ``/``, starting with a letter or digit);
* every text that is stored is text (not a number, list or null where a value is required), valid UTF-8, holds
  no control characters and is at most ``MAX_TEXT_CHARS`` long (``MAX_LINK_CHARS`` for the licence link);
* ``tags`` is a list of at most ``MAX_TAGS`` texts (each a stored text as above, at most ``MAX_TAG_CHARS``);
* counts are whole numbers in ``0..MAX_*`` (a float that is a whole number is taken);
* ``gated`` is false, true, "auto", "manual" or null;
* dates are ISO 8601 (or datetimes), naive ones read as UTC, and lie between ``HUB_EPOCH`` and the moment of
  parsing plus a day (``_dates.FUTURE_TOLERANCE``): a record dated 9999 must never date a snapshot, nor one dated
  year 1;
* base models (``baseModels``, ``base_model:`` tags, ``cardData.base_model``) are Hub model ids like ``id``, at
  most ``MAX_BASE_MODELS`` of them, with a relation among ``RELATIONS`` (or unspecified);
* a reason is at most ``MAX_REASON_CHARS`` long and quotes values through ``repr`` (clipped), so that it is one
  line of plain text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from modelrace._dates import latest_allowed_date
from modelrace.knowledge import params_from_name

Relation = Literal["finetune", "quantized", "adapter", "merge", "unspecified"]
RELATIONS: Final[tuple[str, ...]] = ("finetune", "quantized", "adapter", "merge")
# Every field of a raw record that parse_model reads (``modelId`` only when ``id`` is absent). The readers of the
# bulk routes read these fields and no other, so that SQL and Python decide on the same values.
RECORD_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "modelId",
    "downloads",
    "downloadsAllTime",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "lastModified",
    "cardData",
    "gated",
    "safetensors",
    "baseModels",
)

# Bounds past which a figure is taken as corrupt, not as a record: the most downloaded Hub model draws
# well under 1e9 a month, and the largest open model has ~2e12 parameters.
MAX_DOWNLOADS: Final = 10**11
MAX_LIKES: Final = 10**7
MAX_PARAMS: Final = 10**14
# Bounds on stored text: the longest tag among the 9,715 most downloaded models (2024-09) has 106 characters
# and the most tags on one model is 2,163 (dataset and language tags); merges name tens of parents, not thousands.
MAX_TEXT_CHARS: Final = 256
MAX_LINK_CHARS: Final = 2048
MAX_TAG_CHARS: Final = 512
MAX_TAGS: Final = 10_000
MAX_BASE_MODELS: Final = 1_000
MAX_REASON_CHARS: Final = 300
# Hugging Face was founded in 2016 and its first Hub models date from 2019: anything earlier is corrupt. A date
# after the moment of parsing (plus a day for clocks and time zones) is corrupt too.
HUB_EPOCH: Final = datetime(2016, 1, 1)

_MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9._-]{1,96})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_GATED = {False: "false", True: "true", "auto": "auto", "manual": "manual", None: None}


class RecordError(ValueError):
    """A record that cannot be stored; the message is the reason reported to the user (one bounded line)."""

    def __init__(self, reason: str) -> None:
        reason = " ".join(reason.split())
        if len(reason) > MAX_REASON_CHARS:
            reason = reason[: MAX_REASON_CHARS - 3] + "..."
        super().__init__(reason)


def shown(value: object, width: int = 60) -> str:
    """A value as a reason quotes it: its ``repr``, clipped (a huge or nested value never makes a huge reason)."""
    if isinstance(value, (dict, list, tuple)) and value:
        return f"a {type(value).__name__} of {len(value)}"
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a pathological object, or an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """The catalog's view of one Hub model at one moment."""

    model_id: str
    namespace: str | None
    downloads_30d: int
    downloads_all_time: int | None
    likes: int | None
    pipeline_tag: str | None
    library_name: str | None
    tags: tuple[str, ...]
    gated: str | None
    license: str | None
    license_name: str | None
    license_link: str | None
    params: int | None
    params_active: int | None
    params_source: str | None
    created_at: datetime | None
    last_modified: datetime | None
    base_models: tuple[tuple[str, str], ...]

    def version_id(self) -> int:
        """A stable 64-bit hash of the descriptive attributes: equal attributes share one stored version."""
        content = repr(
            (
                self.model_id,
                self.pipeline_tag,
                self.library_name,
                self.tags,
                self.gated,
                self.license,
                self.license_name,
                self.license_link,
                self.params,
                self.params_active,
                self.params_source,
                self.created_at.isoformat() if self.created_at else None,
                self.last_modified.isoformat() if self.last_modified else None,
                self.base_models,
            )
        ).encode("utf-8", "surrogatepass")
        return int.from_bytes(hashlib.blake2b(content, digest_size=8).digest(), "big", signed=True)


def _check_text(value: str, field: str, maximum: int) -> str:
    if len(value) > maximum:
        raise RecordError(f"{field} has {len(value):,} characters, more than {maximum:,}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{field} is not valid UTF-8 text") from None
    if _CONTROL.search(value):
        raise RecordError(f"{field} {shown(value)} holds control characters")
    return value


def _text(value: object, field: str, required: bool = False, maximum: int = MAX_TEXT_CHARS) -> str | None:
    if value is None:
        if required:
            raise RecordError(f"missing {field}")
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field} is {type(value).__name__}, not text")
    return _check_text(value, field, maximum)


def _count(value: object, field: str, maximum: int, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise RecordError(f"missing {field}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise RecordError(f"{field} is {shown(value)}, not a whole number")
    if value < 0 or value > maximum:
        raise RecordError(f"{field} {shown(value, 30)} is outside 0..{maximum}")
    return value


def _timestamp(value: object, field: str, not_after: datetime) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        if len(value) > 64:
            raise RecordError(f"{field} {shown(value)} is not an ISO 8601 date")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise RecordError(f"{field} {shown(value)} is not an ISO 8601 date") from None
    else:
        raise RecordError(f"{field} is {type(value).__name__}, not a date")
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 east of UTC, or year 9999 west of it
            raise RecordError(f"{field} {shown(value)} is outside the dates a Hub record can have") from None
    if parsed < HUB_EPOCH or parsed > not_after:
        raise RecordError(
            f"{field} {parsed.isoformat(timespec='seconds')} is before the Hub existed or in the future "
            f"(allowed: {HUB_EPOCH.date()} to {not_after.isoformat(timespec='seconds')} UTC)"
        )
    return parsed


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise RecordError(f"tags is {type(value).__name__}, not a list")
    if len(value) > MAX_TAGS:
        raise RecordError(f"tags has {len(value):,} entries, more than {MAX_TAGS:,}")
    for tag in value:
        if not isinstance(tag, str):
            raise RecordError(f"a tag is {type(tag).__name__} {shown(tag, 30)}, not text")
        _check_text(tag, "a tag", MAX_TAG_CHARS)
    return tuple(value)


def _add_base(bases: dict[str, str], model_id: object, relation: str, source: str) -> None:
    if not isinstance(model_id, str) or not model_id.strip():
        raise RecordError(f"a base model in {source} is {shown(model_id)}, not a model id")
    model_id = model_id.strip()
    if not _MODEL_ID.match(model_id):
        raise RecordError(f"a base model in {source} is {shown(model_id)}, not a Hub model id")
    if relation not in RELATIONS and relation != "unspecified":
        raise RecordError(f"unknown base-model relation {shown(relation, 40)} in {source}")
    if model_id not in bases and len(bases) >= MAX_BASE_MODELS:
        raise RecordError(f"more than {MAX_BASE_MODELS:,} base models")
    if bases.get(model_id, "unspecified") == "unspecified":
        bases[model_id] = relation


def _base_models(raw: Mapping[str, Any], tags: tuple[str, ...], card: Mapping[str, Any]) -> dict[str, str]:
    bases: dict[str, str] = {}
    expanded = raw.get("baseModels")
    if expanded is not None:
        if not isinstance(expanded, Mapping):
            raise RecordError("baseModels is not an object")
        relation = expanded.get("relation") or "unspecified"
        if not isinstance(relation, str):
            raise RecordError("baseModels.relation is not text")
        parents = expanded.get("models") or []
        if not isinstance(parents, list):
            raise RecordError("baseModels.models is not a list")
        for parent in parents:
            if not isinstance(parent, Mapping):
                raise RecordError("an entry of baseModels.models is not an object")
            _add_base(bases, parent.get("id"), relation, "baseModels")
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        head, sep, tail = rest.partition(":")
        if sep and "/" not in head:
            _add_base(bases, tail, head, f"tag {shown(tag)}")
        else:
            _add_base(bases, rest, "unspecified", f"tag {shown(tag)}")
    card_bases = card.get("base_model")
    if card_bases is not None:
        card_relation = card.get("base_model_relation") or "unspecified"
        if not isinstance(card_relation, str):
            raise RecordError("cardData.base_model_relation is not text")
        parents = card_bases if isinstance(card_bases, list) else [card_bases]
        if len(parents) > MAX_BASE_MODELS:
            raise RecordError(f"more than {MAX_BASE_MODELS:,} base models")
        for parent in parents:
            _add_base(bases, parent, card_relation, "cardData.base_model")
    return bases


def _license(tags: tuple[str, ...], card: Mapping[str, Any]) -> str | None:
    card_license = card.get("license")
    if isinstance(card_license, list):
        card_license = card_license[0] if card_license else None
    if card_license is not None:
        text = _text(card_license, "cardData.license")
        if text and text.strip():
            return text.strip().lower()
    for tag in tags:
        if tag.startswith("license:"):
            return _text(tag[len("license:") :].strip().lower(), "the license tag") or None
    return None


def _params(raw: Mapping[str, Any], model_id: str) -> tuple[int | None, int | None, str | None]:
    safetensors = raw.get("safetensors")
    if isinstance(safetensors, Mapping):
        total = _count(safetensors.get("total"), "safetensors.total", MAX_PARAMS)
        if total:
            name_guess = params_from_name(model_id)
            return total, name_guess.active if name_guess else None, "safetensors"
    elif safetensors is not None:
        raise RecordError("safetensors is not an object")
    guess = params_from_name(model_id)
    if guess is None or guess.total > MAX_PARAMS:
        return None, None, None
    return guess.total, guess.active, "name"


def parse_model(raw: object, not_after: datetime | None = None) -> ModelRecord:
    """Validate one model object of ``/api/models`` (or a hub-stats row); raise RecordError with the reason.

    ``not_after`` is the latest date a record may carry (naive UTC; default: ``_dates.latest_allowed_date()``).
    """
    if not isinstance(raw, Mapping):
        raise RecordError(f"record is {type(raw).__name__}, not an object")
    latest = not_after if not_after is not None else latest_allowed_date()
    model_id = _text(raw.get("id", raw.get("modelId")), "id", required=True)
    assert model_id is not None
    if not _MODEL_ID.match(model_id):
        raise RecordError(f"id {shown(model_id, 80)} is not a Hub model id")
    card = raw.get("cardData") or {}
    if not isinstance(card, Mapping):
        raise RecordError("cardData is not an object")
    tags = _tags(raw.get("tags"))
    gated = raw.get("gated")
    if not isinstance(gated, (bool, str, type(None))) or gated not in _GATED:
        raise RecordError(f"gated is {shown(gated, 40)}, not false, auto or manual")
    params, params_active, params_source = _params(raw, model_id)
    namespace = model_id.split("/", 1)[0] if "/" in model_id else None
    return ModelRecord(
        model_id=model_id,
        namespace=namespace,
        downloads_30d=_count(raw.get("downloads", 0), "downloads", MAX_DOWNLOADS) or 0,
        downloads_all_time=_count(raw.get("downloadsAllTime"), "downloadsAllTime", MAX_DOWNLOADS),
        likes=_count(raw.get("likes"), "likes", MAX_LIKES),
        pipeline_tag=_text(raw.get("pipeline_tag"), "pipeline_tag"),
        library_name=_text(raw.get("library_name"), "library_name"),
        tags=tags,
        gated=_GATED[gated],
        license=_license(tags, card),
        license_name=_text(card.get("license_name"), "cardData.license_name"),
        license_link=_text(card.get("license_link"), "cardData.license_link", maximum=MAX_LINK_CHARS),
        params=params,
        params_active=params_active,
        params_source=params_source,
        created_at=_timestamp(raw.get("createdAt"), "createdAt", latest),
        last_modified=_timestamp(raw.get("lastModified"), "lastModified", latest),
        base_models=tuple(_base_models(raw, tags, card).items()),
    )
