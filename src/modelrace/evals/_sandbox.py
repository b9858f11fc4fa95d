"""Running model-written code: a separate process with limits, a fresh directory, no secrets, no network.

Isolation is bubblewrap's (Debian package ``bubblewrap``, the sandbox Flatpak uses): new user, PID, network,
IPC and UTS namespaces; the whole file system read-only except a fresh, empty working directory (and a private
/tmp); a scrubbed environment (PATH and locale only: no tokens or keys); the namespace dies with its parent.
Resource limits on top: CPU seconds, address space, file size, process count (started by root, the run drops
to the unprivileged user ``nobody``, since root is exempt from that limit), and a wall-clock timeout after which
the process group is killed. Where bubblewrap cannot run, the sandbox refuses to run model-written code
unless told, explicitly, to run it without isolation (then only the limits, the directory and the environment
apply).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from modelrace.errors import ModelraceError


class SandboxUnavailable(ModelraceError):
    """Network isolation is not available here and running without it was not allowed."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run."""

    cpu_seconds: int = 10
    wall_seconds: float = 15.0
    memory_bytes: int = 1 << 30
    file_bytes: int = 16 << 20
    processes: int = 64
    output_bytes: int = 64 << 10


@dataclass(frozen=True)
class Outcome:
    """How a run ended."""

    passed: bool
    status: str  # passed | failed | timeout | killed
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float


@cache
def network_isolation() -> str | None:
    """The bubblewrap binary when it can create namespaces here, else None."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    try:
        probe = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return bwrap if probe.returncode == 0 else None


def _isolated(bwrap: str, folder: str, env: dict[str, str], command: list[str]) -> list[str]:
    setenv = [part for key, value in env.items() for part in ("--setenv", key, value)]
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        "--bind", folder, folder,
        "--chdir", folder,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        *setenv,
        *command,
    ]  # fmt: skip


NOBODY = 65534


def _interpreter() -> str:
    """The system Python (readable by ``nobody``; a virtual environment under /root is not)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return sys.executable


def _limit(limits: Limits, drop_to_nobody: bool) -> None:  # pragma: no cover - runs in the child
    os.setsid()
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if drop_to_nobody:
        # Root is exempt from the process limit, so a run started by root runs as nobody: the fork bomb
        # then stops at the limit, and nothing root owns is writable even outside the sandbox's view.
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def run_python(
    program: str, limits: Limits | None = None, allow_network: bool = False, python: str | None = None
) -> Outcome:
    """Run a Python program in the sandbox; it passes when it exits 0 within the limits."""
    limits = limits or Limits()
    bwrap = network_isolation()
    if bwrap is None and not allow_network:
        raise SandboxUnavailable(
            "cannot isolate model-written code here (bubblewrap is missing or cannot create namespaces); refusing"
            " to run it. Install bubblewrap, or pass --unsafe-no-network-isolation to run it anyway"
        )
    with tempfile.TemporaryDirectory(prefix="modelrace-sandbox-") as folder:
        script = Path(folder) / "program.py"
        script.write_text(program, encoding="utf-8")
        drop = os.geteuid() == 0
        if drop:
            os.chown(folder, NOBODY, NOBODY)
            script.chmod(0o644)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": folder, "TMPDIR": folder}
        command = [python or _interpreter(), "-I", "-B", str(script)]
        if bwrap is not None:
            command = _isolated(bwrap, folder, env, command)
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: _limit(limits, drop),
        )
        status = ""
        try:
            stdout, stderr = process.communicate(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            status = "timeout"
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
        seconds = time.monotonic() - started
    code = process.returncode
    if not status:
        # A signal ends the program: negative code directly, or 128 + signal through bubblewrap.
        killed = code is not None and (code < 0 or (bwrap is not None and code > 128))
        status = "passed" if code == 0 else "killed" if killed else "failed"
    return Outcome(
        passed=status == "passed",
        status=status,
        returncode=code,
        stdout=stdout[: limits.output_bytes].decode("utf-8", "replace"),
        stderr=stderr[-limits.output_bytes :].decode("utf-8", "replace"),
        seconds=seconds,
    )
