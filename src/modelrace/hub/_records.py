"""One Hub model record: parsed from the API's JSON (or hub-stats rows), validated, or rejected with a reason."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from modelrace.hub._params import params_from_name

Relation = Literal["finetune", "quantized", "adapter", "merge", "unspecified"]
RELATIONS: Final[tuple[str, ...]] = ("finetune", "quantized", "adapter", "merge")

# Bounds past which a figure is taken as corrupt, not as a record: the most downloaded Hub model draws
# well under 1e9 a month, and the largest open model has ~2e12 parameters.
MAX_DOWNLOADS: Final = 10**11
MAX_LIKES: Final = 10**7
MAX_PARAMS: Final = 10**14

_MODEL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9._-]{1,96})?$")
_GATED = {False: "false", True: "true", "auto": "auto", "manual": "manual", None: None}


class RecordError(ValueError):
    """A record that cannot be stored; the message is the reason reported to the user."""


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


def _text(value: object, field: str, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise RecordError(f"missing {field}")
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field} is {type(value).__name__}, not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{field} is not valid UTF-8 text") from None
    return value


def _count(value: object, field: str, maximum: int, required: bool = False) -> int | None:
    if value is None:
        if required:
            raise RecordError(f"missing {field}")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise RecordError(f"{field} is {value!r}, not a whole number")
    if value < 0 or value > maximum:
        raise RecordError(f"{field} {value} is outside 0..{maximum}")
    return value


def _timestamp(value: object, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise RecordError(f"{field} {value[:40]!r} is not an ISO 8601 date") from None
    else:
        raise RecordError(f"{field} is {type(value).__name__}, not a date")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise RecordError(f"tags is {type(value).__name__}, not a list")
    for tag in value:
        _text(tag, "a tag")
    return tuple(value)


def _add_base(bases: dict[str, str], model_id: object, relation: str, source: str) -> None:
    if not isinstance(model_id, str) or not model_id.strip():
        raise RecordError(f"a base model in {source} is {model_id!r}, not a model id")
    _text(model_id, f"a base model in {source}")
    model_id = model_id.strip()
    if relation not in RELATIONS and relation != "unspecified":
        raise RecordError(f"unknown base-model relation {relation!r} in {source}")
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
            _add_base(bases, tail, head, f"tag {tag!r}")
        else:
            _add_base(bases, rest, "unspecified", f"tag {tag!r}")
    card_bases = card.get("base_model")
    if card_bases is not None:
        card_relation = card.get("base_model_relation") or "unspecified"
        if not isinstance(card_relation, str):
            raise RecordError("cardData.base_model_relation is not text")
        for parent in card_bases if isinstance(card_bases, list) else [card_bases]:
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
            return tag[len("license:") :].strip().lower() or None
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


def parse_model(raw: object) -> ModelRecord:
    """Validate one model object of ``/api/models`` (or a hub-stats row); raise RecordError with the reason."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"record is {type(raw).__name__}, not an object")
    model_id = _text(raw.get("id", raw.get("modelId")), "id", required=True)
    assert model_id is not None
    if not _MODEL_ID.match(model_id):
        raise RecordError(f"id {model_id[:80]!r} is not a Hub model id")
    card = raw.get("cardData") or {}
    if not isinstance(card, Mapping):
        raise RecordError("cardData is not an object")
    tags = _tags(raw.get("tags"))
    gated = raw.get("gated")
    if not isinstance(gated, (bool, str, type(None))) or gated not in _GATED:
        raise RecordError(f"gated is {str(gated)[:40]!r}, not false, auto or manual")
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
        license_link=_text(card.get("license_link"), "cardData.license_link"),
        params=params,
        params_active=params_active,
        params_source=params_source,
        created_at=_timestamp(raw.get("createdAt"), "createdAt"),
        last_modified=_timestamp(raw.get("lastModified"), "lastModified"),
        base_models=tuple(_base_models(raw, tags, card).items()),
    )
