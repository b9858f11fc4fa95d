"""Where BIG-bench tasks are read from (the order is :mod:`modelrace.evals._bigbench`'s docstring): a folder of
task folders, the sdist extracted in the cache, the sdist from the package index, or the Hugging Face dataset."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from modelrace.errors import ConfigError
from modelrace.evals._taskspec import BIGBENCH_VERSION
from modelrace.local import FetchError, cache_dir, extract_member, fetch_file

_COMPLETE = ".complete"  # written once every task.json and task.py of the sdist is extracted
DATA_ENV = "MODELRACE_BIGBENCH"
HF_DATASET = "tasksource/bigbench"
MISSING = (
    "no BIG-bench source here: give a BIG-bench checkout with --data DIR or {env} "
    "(git clone https://github.com/google/BIG-bench), install the datasets extra for the Hugging Face dataset "
    '{hf} (pip install -e ".[datasets]"; offline it needs the Hub cache), or fetch the bigbench '
    "{version} sdist from a package index that still serves it (MODELRACE_PYPI_SIMPLE){why}"
)


@dataclass(frozen=True)
class BigBenchSource:
    """Where BIG-bench tasks are read from, and what chose it."""

    kind: Literal["folder", "sdist", "datasets"]
    location: str
    chosen_by: str

    def describe(self) -> str:
        """One phrase for messages and listings."""
        return f"{self.kind} {self.location} ({self.chosen_by})"


def sdist_folder() -> Path:
    return cache_dir() / "bigbench" / BIGBENCH_VERSION


def sdist_root() -> Path:
    return sdist_folder() / f"bigbench-{BIGBENCH_VERSION}" / "bigbench" / "benchmark_tasks"


def task_folder(value: str, chosen_by: str) -> BigBenchSource:
    """A checkout, its ``bigbench/benchmark_tasks``, or any folder whose subfolders hold task.json files."""
    if value.startswith("hf:"):
        return BigBenchSource("datasets", value.removeprefix("hf:"), chosen_by)
    base = Path(value).expanduser()
    for root in (base / "bigbench" / "benchmark_tasks", base / "benchmark_tasks", base):
        if root.is_dir() and any((p / "task.json").is_file() or (p / "task.py").is_file() for p in root.iterdir()):
            return BigBenchSource("folder", str(root), chosen_by)
    raise ConfigError(f"BIG-bench data ({chosen_by}): {base} holds no task folders (NAME/task.json)")


def missing_message(why: str = "") -> str:
    """The one-line error when no source holds BIG-bench: the three ways to get it."""
    return MISSING.format(env=DATA_ENV, hf=HF_DATASET, version=BIGBENCH_VERSION, why=f" ({why})" if why else "")


def datasets_installed() -> bool:
    return importlib.util.find_spec("datasets") is not None


def local_sources(data: str | None = None) -> list[BigBenchSource]:
    """The sources present without any download: --data, MODELRACE_BIGBENCH, the extracted sdist."""
    found = []
    if data:
        found.append(task_folder(data, "--data"))
    if os.environ.get(DATA_ENV):
        found.append(task_folder(os.environ[DATA_ENV], DATA_ENV))
    if (sdist_folder() / _COMPLETE).exists() or sdist_root().is_dir():
        found.append(BigBenchSource("sdist", str(sdist_root()), "extracted in the cache"))
    return found


def resolve_source(data: str | None = None) -> BigBenchSource:
    """The source `bigbench:` tasks are read from (module docstring), fetching the sdist when nothing is local."""
    local = local_sources(data)
    if local:
        return local[0]
    try:
        _extract_sdist()
        return BigBenchSource("sdist", str(sdist_root()), "fetched from the package index")
    except FetchError as error:
        if datasets_installed():
            return BigBenchSource("datasets", HF_DATASET, f"the sdist is not served: {error}")
        raise ConfigError(missing_message(str(error))) from None


def _extract_sdist() -> None:
    folder = sdist_folder()
    if not (folder / _COMPLETE).exists():
        archive = fetch_file("bigbench", rf"bigbench-{BIGBENCH_VERSION}\.tar\.gz")
        extract_member(archive, r"/benchmark_tasks/.*/task\.(json|py)$", folder)
        (folder / _COMPLETE).write_text("every task.json and task.py of the sdist\n")


def tasks_root(data: str | None = None) -> Path:
    """The folder of task folders a run reads (a checkout's, or the sdist's extracted once)."""
    source = resolve_source(data)
    if source.kind == "datasets":
        raise ConfigError(f"BIG-bench from {source.describe()} has no task folders to list")
    return Path(source.location)


def cached_hf_configs() -> list[str]:
    """The BIG-bench configurations already in the ``datasets`` cache (readable offline)."""
    root = Path(os.environ.get("HF_DATASETS_CACHE") or Path.home() / ".cache" / "huggingface" / "datasets")
    folder = root / HF_DATASET.replace("/", "___")
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
