"""A sandbox run's cgroup: total memory and process count for the program and everything it starts.

Version 2 (``memory`` and ``pids`` controllers enabled at the hierarchy's root) or version 1 (writable ``memory``
and ``pids`` hierarchies); None where this process may not make one (the sandbox then falls back to per-process
limits, see ``_sandbox``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from pathlib import Path

_CGROUP_ROOT = Path("/sys/fs/cgroup")
_CGROUP_PREFIX = "modelrace-sandbox-"
STALE_CGROUP_S = 3600  # a cgroup of this sandbox older than this, and empty, was left by a killed process


class Cgroup:
    """One run's cgroup(s): total memory and process count for everything the program starts."""

    def __init__(self, folders: list[Path], version: int) -> None:
        self.folders = folders
        self.version = version

    @classmethod
    def create(cls, memory_bytes: int, processes: int) -> Cgroup | None:
        """A fresh cgroup holding a run to ``memory_bytes`` and ``processes`` in all, or None when this process
        may not make one."""
        name = f"{_CGROUP_PREFIX}{uuid.uuid4().hex[:12]}"
        v2 = _CGROUP_ROOT / "cgroup.subtree_control"
        if v2.is_file():
            try:
                enabled = v2.read_text().split()
            except OSError:
                enabled = []
            if {"memory", "pids"} <= set(enabled) and os.access(_CGROUP_ROOT, os.W_OK):
                folder = _CGROUP_ROOT / name
                settings = {"memory.max": memory_bytes, "memory.swap.max": 0, "pids.max": processes}
                return cls._make([(folder, settings)], 2)
        memory, pids = _CGROUP_ROOT / "memory", _CGROUP_ROOT / "pids"
        v1 = (memory / "memory.limit_in_bytes").is_file() and (pids / "cgroup.procs").is_file()
        if v1 and os.access(memory, os.W_OK) and os.access(pids, os.W_OK):
            memory_settings = {"memory.limit_in_bytes": memory_bytes}
            if (memory / "memory.memsw.limit_in_bytes").is_file():  # swap accounting: swap counts too
                memory_settings["memory.memsw.limit_in_bytes"] = memory_bytes
            return cls._make([(memory / name, memory_settings), (pids / name, {"pids.max": processes})], 1)
        return None

    @classmethod
    def _make(cls, plan: list[tuple[Path, dict[str, int]]], version: int) -> Cgroup | None:
        for parent in {folder.parent for folder, _ in plan}:
            sweep(parent)
        made: list[Path] = []
        try:
            for folder, settings in plan:
                folder.mkdir()
                made.append(folder)
                for key, value in settings.items():
                    (folder / key).write_text(str(value))
        except OSError:
            cls(made, version).remove()
            return None
        return cls(made, version)

    def enter(self) -> None:  # pragma: no cover - runs in the child before exec
        """Move the calling process into the cgroup(s) (its children follow)."""
        for folder in self.folders:
            with open(folder / "cgroup.procs", "w") as procs:
                procs.write(str(os.getpid()))

    def kill(self) -> None:
        """Kill everything still in the cgroup."""
        for _ in range(50):
            alive = set()
            for folder in self.folders:
                with contextlib.suppress(OSError):
                    alive |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            if not alive:
                return
            if self.version == 2:
                with contextlib.suppress(OSError):
                    (self.folders[0] / "cgroup.kill").write_text("1")
            for pid in alive:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)

    def out_of_memory(self) -> bool:
        """Whether the kernel killed or refused something for the memory limit."""
        folder = self.folders[0]
        try:
            if self.version == 2:
                events = dict(line.split() for line in (folder / "memory.events").read_text().splitlines())
                return int(events.get("oom_kill", 0)) > 0 or int(events.get("max", 0)) > 0
            control = (folder / "memory.oom_control").read_text().split()
            oom_kills = int(control[control.index("oom_kill") + 1]) if "oom_kill" in control else 0
            return oom_kills > 0 or int((folder / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

    def remove(self) -> None:
        """Kill what is left and delete the cgroup(s)."""
        self.kill()
        for folder in self.folders:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def sweep(parent: Path) -> None:
    """Delete this sandbox's cgroups left empty by a process killed mid-run (kill -9 skips the clean-up), once they
    are older than any run could be; a busy one is never touched (rmdir refuses a cgroup that holds processes)."""
    now = time.time()
    for folder in parent.glob(f"{_CGROUP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > STALE_CGROUP_S and not (folder / "cgroup.procs").read_text().strip():
                folder.rmdir()
