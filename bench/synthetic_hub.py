"""A synthetic Hugging Face Hub with the real one's shape, for benchmarks at full scale (2.2 M models).

Shape from hub-stats (Oct 2025): 35.5 % of models have recent downloads (median 0, mean ~812, heavy tail);
28 % declare base models (adapter 42.6 %, finetune 35.9 %, quantized 19.2 %, merge 2.3 %); 23 % have
safetensors parameter counts. Parents are chosen by preferential attachment, so a few roots gather large
ecosystems, and derivatives of derivatives make deep chains. A share of uploads sit in re-uploader
namespaces (unsloth, bartowski, ...) and real developer namespaces hold the popular roots.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

RELATIONS = np.array(["adapter", "finetune", "quantized", "merge"])
RELATION_P = np.array([0.426, 0.359, 0.192, 0.023])
DEVELOPERS = ["Qwen", "meta-llama", "google", "mistralai", "deepseek-ai", "microsoft", "HuggingFaceTB", "THUDM"]
REUPLOADERS = ["unsloth", "bartowski", "mlx-community", "lmstudio-community", "TheBloke", "RedHatAI"]


@dataclass
class SyntheticHub:
    """Columns of a synthetic Hub: model i's namespace, downloads, first parent and (merges) second parent.

    Model i keeps its index (and id) for ever; a deleted model stays in the arrays with ``present`` False, so
    a derivative of it keeps naming it as its base (a missing base, as on the Hub).
    """

    n: int
    namespace: npt.NDArray[np.int64]  # index into namespaces
    namespaces: list[str]
    downloads: npt.NDArray[np.int64]
    parent: npt.NDArray[np.int64]  # -1 for roots
    second_parent: npt.NDArray[np.int64]  # -1 unless a merge
    relation: npt.NDArray[np.str_]
    params: npt.NDArray[np.int64]  # 0 when unknown
    attributes: ModelAttributes | None = None  # what the hub-stats layout adds (make_hub(..., attributes=True))

    def model_id(self, i: int) -> str:
        """The id of model i."""
        return f"{self.namespaces[self.namespace[i]]}/model-{i}"


@dataclass
class ModelAttributes:
    """Per-model descriptive columns of the hub-stats layout, stable from day to day unless a model changes."""

    present: npt.NDArray[np.bool_]
    licence: npt.NDArray[np.int64]  # index into LICENSES
    architecture: npt.NDArray[np.int64]
    pipeline: npt.NDArray[np.int64]
    has_model_index: npt.NDArray[np.bool_]
    card_lists_bases: npt.NDArray[np.bool_]  # card's base_model as a list (else a string, for single bases)
    created_us: npt.NDArray[np.int64]  # microseconds since the epoch
    modified_us: npt.NDArray[np.int64]
    downloads_all_time: npt.NDArray[np.int64]


def make_hub(n: int = 2_200_000, seed: int = 0, attributes: bool = False) -> SyntheticHub:
    """Build the columns (vectorised: about two seconds for 2.2 M models); ``attributes`` adds hub-stats ones."""
    rng = np.random.default_rng(seed)
    users = [f"user{k}" for k in range(max(1, n // 8))]
    namespaces = DEVELOPERS + REUPLOADERS + users
    namespace = rng.integers(len(DEVELOPERS) + len(REUPLOADERS), len(namespaces), n)
    developer_models = rng.random(n) < 0.01
    namespace[developer_models] = rng.integers(0, len(DEVELOPERS), developer_models.sum())
    has_parent = rng.random(n) < 0.28
    has_parent[0] = False
    relation = RELATIONS[rng.choice(4, n, p=RELATION_P)]
    reupload = has_parent & (relation == "quantized") & (rng.random(n) < 0.6)
    namespace[reupload] = rng.integers(len(DEVELOPERS), len(DEVELOPERS) + len(REUPLOADERS), reupload.sum())
    # Preferential attachment: parents drawn towards early (popular) models, never later ones (no cycles).
    index = np.arange(n)
    u = rng.random(n)
    parent = np.where(has_parent, np.floor(index * u**3).astype(np.int64), -1)
    second_parent = np.where(has_parent & (relation == "merge"), np.floor(index * rng.random(n)).astype(np.int64), -1)
    second_parent[second_parent == parent] = -1
    downloads = np.zeros(n, dtype=np.int64)
    active = rng.random(n) < 0.355
    heavy = (rng.pareto(1.1, active.sum()) * 190).astype(np.int64)
    downloads[active] = np.minimum(heavy, 50_000_000)
    downloads[developer_models] *= 50
    params = np.where(rng.random(n) < 0.23, (10 ** rng.uniform(8, 11.5, n)).astype(np.int64), 0)
    return SyntheticHub(
        attributes=_attributes(n, downloads, np.random.default_rng(seed + 7)) if attributes else None,
        n=n,
        namespace=namespace,
        namespaces=namespaces,
        downloads=downloads,
        parent=parent,
        second_parent=second_parent,
        relation=relation,
        params=params,
    )


def record(hub: SyntheticHub, i: int) -> dict[str, Any]:
    """Model i as a ``/api/models`` object with ``expand`` fields."""
    model_id = hub.model_id(i)
    tags = ["transformers", "safetensors", "license:apache-2.0", "text-generation"]
    raw: dict[str, Any] = {
        "_id": f"{i:024x}",
        "id": model_id,
        "author": model_id.split("/")[0],
        "downloads": int(hub.downloads[i]),
        "downloadsAllTime": int(hub.downloads[i]) * 7,
        "likes": int(hub.downloads[i] // 1000),
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": "2024-09-16T11:55:40.000Z",
        "lastModified": "2025-01-12T02:27:23.000Z",
        "private": False,
        "gated": False,
    }
    if hub.params[i]:
        raw["safetensors"] = {"parameters": {"BF16": int(hub.params[i])}, "total": int(hub.params[i])}
    if hub.parent[i] >= 0:
        relation = str(hub.relation[i])
        parents = [hub.model_id(int(hub.parent[i]))]
        if hub.second_parent[i] >= 0:
            parents.append(hub.model_id(int(hub.second_parent[i])))
        raw["baseModels"] = {"relation": relation, "models": [{"id": p} for p in parents]}
        tags += [f"base_model:{p}" for p in parents] + [f"base_model:{relation}:{p}" for p in parents]
    raw["tags"] = tags
    return raw


def pages(hub: SyntheticHub, page_size: int = 1000, limit: int | None = None) -> Iterator[list[dict[str, Any]]]:
    """The hub as ``/api/models`` pages, generated lazily."""
    stop = min(hub.n, limit or hub.n)
    for start in range(0, stop, page_size):
        yield [record(hub, i) for i in range(start, min(start + page_size, stop))]


def page_bodies(hub: SyntheticHub, page_size: int = 1000, limit: int | None = None) -> list[bytes]:
    """The hub as ``/api/models`` page bodies, bytes as the Hub sends them (compact UTF-8 JSON), each record with
    a ``cardData`` object like the Hub's (licence, library, language, base models: ~0.1 kB)."""
    bodies = []
    for page in pages(hub, page_size, limit):
        for raw in page:
            card: dict[str, Any] = {"license": "apache-2.0", "library_name": "transformers", "language": ["en"]}
            if "baseModels" in raw:
                parents = [m["id"] for m in raw["baseModels"]["models"]]
                card["base_model"] = parents if len(parents) > 1 else parents[0]
            raw["cardData"] = card
        bodies.append(json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode())
    return bodies


# -- the hub-stats layout (cfahlgren1/hub-stats models.parquet) and day-to-day drift ------------------------------

LICENSES = np.array(["apache-2.0", "mit", "llama3.1", "other", "cc-by-nc-4.0", "gemma", "openrail"])
LICENSE_P = np.array([0.42, 0.22, 0.1, 0.1, 0.08, 0.05, 0.03])
ARCHITECTURES = np.array(["llama", "qwen2", "mistral", "gemma2", "bert", "gpt2", "phi3"])
PIPELINES = np.array(["text-generation", "text-classification", "feature-extraction", "image-classification", "none"])
PIPELINE_P = np.array([0.45, 0.2, 0.15, 0.1, 0.1])
TAKEN_US = int(np.datetime64("2025-10-01T00:00:00", "us").astype(np.int64))
DAY_US = 86_400 * 10**6
# ~15 % of cards carry an evaluation block, the bulk of a real card's bytes (hub-stats cards average ~1 kB).
_MODEL_INDEX = (
    ', "model-index": [{"name": "m", "results": ['
    + ", ".join(
        f'{{"task": {{"type": "text-generation"}}, "dataset": {{"name": "bench-{k}", "type": "b{k}"}}, '
        f'"metrics": [{{"type": "acc", "value": 0.{k}5}}]}}'
        for k in range(6)
    )
    + "]}]"
)
_BASE_TYPE = pa.struct(
    [("relation", pa.string()), ("models", pa.list_(pa.struct([("_id", pa.string()), ("id", pa.string())])))]
)


def _attributes(n: int, downloads: npt.NDArray[np.int64], rng: np.random.Generator) -> ModelAttributes:
    created = TAKEN_US - (rng.random(n) * 3 * 365 * DAY_US).astype(np.int64)
    return ModelAttributes(
        present=np.ones(n, dtype=bool),
        licence=rng.choice(len(LICENSES), n, p=LICENSE_P),
        architecture=rng.integers(0, len(ARCHITECTURES), n),
        pipeline=rng.choice(len(PIPELINES), n, p=PIPELINE_P),
        has_model_index=rng.random(n) < 0.15,
        card_lists_bases=rng.random(n) < 0.7,
        created_us=created,
        modified_us=created + ((TAKEN_US - created) * rng.random(n)).astype(np.int64),
        downloads_all_time=downloads * 7,
    )


def _rows_of_slots(slots: list[pa.Array]) -> pa.ListArray:
    """Per-row lists from equal-length slot columns (a null slot is no element), built without a Python loop."""
    n = len(slots[0])
    flat = pa.concat_arrays([s.cast(slots[0].type) for s in slots])  # slot-major
    row_major = np.arange(len(slots) * n).reshape(len(slots), n).T.ravel()
    values = flat.take(pa.array(row_major))
    valid = values.is_valid()
    counts = np.zeros(n + 1, dtype=np.int32)
    counts[1:] = np.asarray(valid).reshape(n, len(slots)).sum(axis=1)
    return pa.ListArray.from_arrays(pa.array(np.cumsum(counts, dtype=np.int32)), values.filter(valid))


def _join(*pieces: pa.Array | str) -> pa.Array:
    """Element-wise string concatenation (scalars broadcast)."""
    return pc.binary_join_element_wise(*pieces, "")


def hub_stats_table(hub: SyntheticHub) -> pa.Table:
    """The hub's present models as a hub-stats ``models.parquet`` table (the published file's column types).

    Base models are stated three ways, as on the Hub: the ``baseModels`` struct, ``base_model:`` tags and the
    card's ``base_model`` (a string or a list). Cards are JSON text. Vectorised (Arrow compute): ~10 s at 2.2 M.
    """
    attrs = hub.attributes
    assert attrs is not None, "make_hub(..., attributes=True)"
    rows = pa.array(np.flatnonzero(attrs.present))
    every_id = pc.binary_join_element_wise(
        pa.array(hub.namespaces).take(pa.array(hub.namespace)),
        pc.cast(pa.array(np.arange(hub.n)), pa.string()),
        "/model-",
    )
    ids = every_id.take(rows)
    parent = hub.parent[rows]
    second = hub.second_parent[rows]
    has_parent = pa.array(parent >= 0)
    is_merge = pa.array(second >= 0)
    first_id = every_id.take(pa.array(np.maximum(parent, 0)))
    first_id = pc.if_else(has_parent, first_id, pa.scalar(None, pa.string()))
    second_id = pc.if_else(is_merge, every_id.take(pa.array(np.maximum(second, 0))), pa.scalar(None, pa.string()))
    relation = pc.if_else(
        has_parent, pa.array(hub.relation[rows].astype(object), pa.string()), pa.scalar(None, pa.string())
    )
    licence = pa.array(LICENSES).take(pa.array(attrs.licence[rows]))
    pipeline = pa.array(PIPELINES).take(pa.array(attrs.pipeline[rows]))
    pipeline = pc.if_else(pc.equal(pipeline, "none"), pa.scalar(None, pa.string()), pipeline)
    tags = _rows_of_slots(
        [
            pa.array(["transformers"] * len(rows)),
            pa.array(["safetensors"] * len(rows)),
            pa.array(ARCHITECTURES).take(pa.array(attrs.architecture[rows])),
            pipeline,
            _join("base_model:", first_id),
            _join("base_model:", second_id),
            _join("base_model:", relation, ":", first_id),
            _join("base_model:", relation, ":", second_id),
            _join("license:", licence),
            pa.array(["endpoints_compatible"] * len(rows)),
            pa.array(["region:us"] * len(rows)),
        ]
    )
    quoted_first = _join('"', first_id, '"')
    card_bases = pc.if_else(
        is_merge,
        _join('["', first_id, '", "', second_id, '"]'),
        pc.if_else(pa.array(attrs.card_lists_bases[rows]), _join("[", quoted_first, "]"), quoted_first),
    )
    cards = _join(
        '{"license": "',
        licence,
        '", "library_name": "transformers", "language": ["en"]',
        pc.coalesce(_join(', "base_model": ', card_bases), ""),
        pc.if_else(pa.array(attrs.has_model_index[rows]), _MODEL_INDEX, ""),
        "}",
    )
    hex_id = pc.utf8_lpad(pc.cast(pa.array(np.maximum(parent, 0)), pa.string()), 24, "0")
    entries = _rows_of_slots(
        [
            pc.if_else(has_parent, pa.StructArray.from_arrays([hex_id, first_id], names=["_id", "id"]), None),
            pc.if_else(is_merge, pa.StructArray.from_arrays([hex_id, second_id], names=["_id", "id"]), None),
        ]
    )
    base_models = pa.StructArray.from_arrays([relation, entries], fields=list(_BASE_TYPE), mask=pc.invert(has_parent))
    params = hub.params[rows]
    unknown = params == 0
    downloads = hub.downloads[rows]
    return pa.table(
        {
            "id": ids,
            "author": pa.array(hub.namespaces).take(pa.array(hub.namespace[rows])),
            "createdAt": pa.array(attrs.created_us[rows].astype("datetime64[us]"), pa.timestamp("us")),
            "lastModified": pa.array(attrs.modified_us[rows].astype("datetime64[us]"), pa.timestamp("us")),
            "downloads": pa.array(downloads, pa.int64()),
            "downloadsAllTime": pa.array(attrs.downloads_all_time[rows], pa.int64()),
            "likes": pa.array(downloads // 1000, pa.int64()),
            "trendingScore": pa.array(np.zeros(len(rows)), pa.float64()),
            "tags": tags,
            "cardData": cards,
            "safetensors": pa.StructArray.from_arrays(
                [
                    pa.StructArray.from_arrays([pa.array(params, mask=unknown)], names=["BF16"]),
                    pa.array(params, mask=unknown),
                ],
                names=["parameters", "total"],
                mask=pa.array(unknown),
            ),
            "gguf": pa.nulls(len(rows), pa.string()),
            "baseModels": base_models,
            "pipeline_tag": pipeline,
            "library_name": pa.array(["transformers"] * len(rows), pa.string()),
        }
    )


def write_hub_stats(path: Path, hub: SyntheticHub) -> Path:
    """Write the hub as a hub-stats ``models.parquet`` (row groups of 100 k, Snappy, as published)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    pq.write_table(hub_stats_table(hub), partial, row_group_size=100_000)
    partial.rename(path)
    return path


def cached_hub_stats(
    n: int = 2_200_000, seed: int = 0, folder: Path = Path("/tmp/modelrace-bench"), day: int = 0
) -> Path:
    """A synthetic hub-stats file of n models under /tmp, written once and reused (the generator takes ~1 min);
    ``day`` > 0: the same hub that many days of :func:`drift` later."""
    path = folder / (f"hub-stats-{n}-seed{seed}.parquet" if day == 0 else f"hub-stats-{n}-seed{seed}-day{day}.parquet")
    if path.exists():
        return path
    hub = make_hub(n, seed, attributes=True)
    for later in range(1, day + 1):
        hub = drift(hub, later)
    return write_hub_stats(path, hub)


def drift(hub: SyntheticHub, day: int, seed: int = 0) -> SyntheticHub:
    """The hub one day later: realistic day-to-day change for a history of daily snapshots.

    Per day (the Hub's growth in 2025, at 2.2 M models): 0.35 % new models (~7,700), half of them derivatives
    of popular models; 30-day downloads of active models move by a log-normal factor (sigma 0.15) and 0.3 % of
    inactive ones wake up; all-time downloads grow by a thirtieth of the 30-day count; 0.3 % of models are
    edited (a new lastModified: a new stored version); 0.03 % are deleted. Unchanged models keep every field.
    """
    attrs = hub.attributes
    assert attrs is not None, "make_hub(..., attributes=True)"
    rng = np.random.default_rng(seed * 1000 + day)
    today_us = TAKEN_US + day * DAY_US
    downloads = hub.downloads.copy()
    active = downloads > 0
    downloads[active] = (downloads[active] * rng.lognormal(0, 0.15, int(active.sum()))).astype(np.int64)
    waking = ~active & (rng.random(hub.n) < 0.003)
    downloads[waking] = rng.integers(1, 200, int(waking.sum()))
    present = attrs.present & (rng.random(hub.n) >= 0.0003)
    present[: min(hub.n, 1000)] = attrs.present[: min(hub.n, 1000)]  # the popular early models stay
    modified = attrs.modified_us.copy()
    edited = rng.random(hub.n) < 0.003
    modified[edited] = today_us - rng.integers(0, DAY_US, int(edited.sum()))
    added = int(attrs.present.sum() * 0.0035)
    new = _attributes(added, np.zeros(added, dtype=np.int64), rng)
    new.created_us = today_us - rng.integers(0, DAY_US, added)
    new.modified_us = new.created_us
    derived = rng.random(added) < 0.5
    return replace(
        hub,
        n=hub.n + added,
        namespace=np.concatenate([hub.namespace, rng.integers(len(DEVELOPERS), len(hub.namespaces), added)]),
        downloads=np.concatenate([downloads, np.where(rng.random(added) < 0.2, rng.integers(1, 500, added), 0)]),
        parent=np.concatenate([hub.parent, np.where(derived, (hub.n * rng.random(added) ** 4).astype(np.int64), -1)]),
        second_parent=np.concatenate([hub.second_parent, np.full(added, -1, dtype=np.int64)]),
        relation=np.concatenate([hub.relation, RELATIONS[rng.choice(4, added, p=RELATION_P)]]),
        params=np.concatenate([hub.params, np.zeros(added, dtype=np.int64)]),
        attributes=ModelAttributes(
            present=np.concatenate([present, new.present]),
            licence=np.concatenate([attrs.licence, new.licence]),
            architecture=np.concatenate([attrs.architecture, new.architecture]),
            pipeline=np.concatenate([attrs.pipeline, new.pipeline]),
            has_model_index=np.concatenate([attrs.has_model_index, new.has_model_index]),
            card_lists_bases=np.concatenate([attrs.card_lists_bases, new.card_lists_bases]),
            created_us=np.concatenate([attrs.created_us, new.created_us]),
            modified_us=np.concatenate([modified, new.modified_us]),
            downloads_all_time=np.concatenate([attrs.downloads_all_time + hub.downloads // 30, new.downloads_all_time]),
        ),
    )
