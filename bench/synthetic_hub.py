"""A synthetic Hugging Face Hub with the real one's shape, for benchmarks at full scale (2.2 M models).

Shape from hub-stats (Oct 2025): 35.5 % of models have recent downloads (median 0, mean ~812, heavy tail);
28 % declare base models (adapter 42.6 %, finetune 35.9 %, quantized 19.2 %, merge 2.3 %); 23 % have
safetensors parameter counts. Parents are chosen by preferential attachment, so a few roots gather large
ecosystems, and derivatives of derivatives make deep chains. A share of uploads sit in re-uploader
namespaces (unsloth, bartowski, ...) and real developer namespaces hold the popular roots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

RELATIONS = np.array(["adapter", "finetune", "quantized", "merge"])
RELATION_P = np.array([0.426, 0.359, 0.192, 0.023])
DEVELOPERS = ["Qwen", "meta-llama", "google", "mistralai", "deepseek-ai", "microsoft", "HuggingFaceTB", "THUDM"]
REUPLOADERS = ["unsloth", "bartowski", "mlx-community", "lmstudio-community", "TheBloke", "RedHatAI"]


@dataclass
class SyntheticHub:
    """Columns of a synthetic Hub: model i's namespace, downloads, first parent and (merges) second parent."""

    n: int
    namespace: npt.NDArray[np.int64]  # index into namespaces
    namespaces: list[str]
    downloads: npt.NDArray[np.int64]
    parent: npt.NDArray[np.int64]  # -1 for roots
    second_parent: npt.NDArray[np.int64]  # -1 unless a merge
    relation: npt.NDArray[np.str_]
    params: npt.NDArray[np.int64]  # 0 when unknown

    def model_id(self, i: int) -> str:
        """The id of model i."""
        return f"{self.namespaces[self.namespace[i]]}/model-{i}"


def make_hub(n: int = 2_200_000, seed: int = 0) -> SyntheticHub:
    """Build the columns (vectorised: about two seconds for 2.2 M models)."""
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
