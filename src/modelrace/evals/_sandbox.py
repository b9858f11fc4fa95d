"""Running model-written code: a separate process with limits, an empty view of the host, no secrets, no network.

Isolation is bubblewrap's (Debian package ``bubblewrap``, the sandbox Flatpak uses): new user, PID, network,
IPC and UTS namespaces, a scrubbed environment (PATH and locale only: no tokens or keys), and a view of the host
that holds only ``/usr`` (the interpreter and its libraries), read-only: the project tree, ``/etc``, ``/home``
and every other host file are not there at all. The only writable place is a size-limited tmpfs (``/tmp``, the
working directory ``/tmp/sandbox`` in it); ``/dev`` is bubblewrap's minimal one, read-only. The namespace dies
with its parent.

Limits, all enforced by the kernel:

* **total memory and processes of the whole run** (the program and every child): a cgroup when this process
  may create one (root, with cgroup v2 memory and pids controllers enabled at the hierarchy's root or the v1
  memory and pids hierarchies writable), holding ``memory_bytes`` (swap included where accounted) and
  ``processes``. Without a cgroup (an unprivileged user without a delegated cgroup, and no systemd), the same
  totals hold through per-process limits set *inside* the new user namespace: at most ``FALLBACK_PROCESSES``
  processes (RLIMIT_NPROC counts per user namespace since Linux 5.14, so it holds for an ordinary user and does
  not count the user's other processes) of at most ``memory_bytes / FALLBACK_PROCESSES`` address space each;
* per process: CPU seconds, address space, file size, no core files;
* the tmpfs: ``disk_bytes`` in all (it is memory, so within the cgroup's total too);
* output: stdout and stderr are read up to ``output_bytes`` each, and the run is killed when either goes past
  (a program printing in a loop once took the host to 22 GB while its output was read whole);
* wall clock: the run is killed after ``wall_seconds``.

What per-process limits cannot count, a seccomp filter (installed inside the sandbox before the program starts,
inherited by every child) refuses: ``memfd_create`` and System V shared memory (pages held in a file or segment
belong to no process's address space, and on a cgroup v1 host without swap accounting they were swapped out of
the cgroup's count too: 3,000 MB held against a 1 GiB limit) and new user namespaces (``unshare``/``clone`` with
``CLONE_NEWUSER``; ``clone3``, whose flags a filter cannot read, answers ENOSYS and the C library falls back to
``clone``). bubblewrap's ``--disable-userns`` closes nested user namespaces too where it has it (0.8+). Where no
filter can be installed (an architecture it is not written for) and no cgroup can be made, no hard limit holds
on the run's total memory: the sandbox refuses to run model-written code and says why.

Root is exempt from RLIMIT_NPROC, so a run started by root drops to the unprivileged user ``nobody`` before
bubblewrap starts. Where bubblewrap cannot run, the sandbox refuses to run model-written code unless told,
explicitly, to run it without isolation (then only the per-process limits, a fresh directory and the scrubbed
environment apply). ``isolation()`` says what this machine provides.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

from modelrace.errors import ModelraceError
from modelrace.evals._cgroup import Cgroup
from modelrace.evals._seccomp import INSTALL_FILTER, seccomp_available, seccomp_filter, system_python

NOBODY = 65534
FALLBACK_PROCESSES = 8  # without a cgroup: processes per run, each with memory_bytes / this of address space
SANDBOX_DIR = "/tmp/sandbox"  # the working directory inside the sandbox (on the size-limited tmpfs)


class SandboxUnavailable(ModelraceError):
    """Network isolation is not available here and running without it was not allowed, or no hard limit can be
    set on a run's total memory."""


@cache
def _disables_userns(bwrap: str) -> bool:
    """Whether this bubblewrap has ``--disable-userns`` (0.8+)."""
    try:
        shown = subprocess.run([bwrap, "--help"], capture_output=True, timeout=10, check=False, text=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--disable-userns" in shown.stdout + shown.stderr


def _userns_options(bwrap: str) -> list[str]:
    return ["--unshare-user", "--disable-userns"] if _disables_userns(bwrap) else []


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run (memory and processes are totals over the program and all its children)."""

    cpu_seconds: int = 10
    wall_seconds: float = 15.0
    memory_bytes: int = 1 << 30
    file_bytes: int = 16 << 20
    disk_bytes: int = 64 << 20
    processes: int = 64
    output_bytes: int = 64 << 10


@dataclass(frozen=True)
class Outcome:
    """How a run ended; ``limit`` names the limit that ended it, when one did."""

    passed: bool
    status: str  # passed | failed | timeout | killed
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    limit: str | None = None  # wall | output | memory | cpu


@cache
def network_isolation() -> str | None:
    """The bubblewrap binary when it can build the sandbox here, as the runs will (as nobody when root), else None.

    The probe uses the options a run needs (``--size`` needs bubblewrap 0.5+), so an old or restricted bubblewrap
    is refused up front instead of failing every program.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    drop = os.geteuid() == 0
    probe_command = [
        bwrap, *_host_view("/usr/bin/true"),
        "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
        "--size", str(1 << 20), "--tmpfs", "/tmp", "--remount-ro", "/",
        "--unshare-all", *_userns_options(bwrap), "--die-with-parent", "--new-session", "--clearenv",
        "/usr/bin/true",
    ]  # fmt: skip
    try:
        probe = subprocess.run(
            probe_command,
            capture_output=True,
            timeout=10,
            check=False,
            cwd="/",
            preexec_fn=lambda: _start(None, drop),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return bwrap if probe.returncode == 0 else None


def isolation(limits: Limits | None = None) -> dict[str, object]:
    """What this machine provides for the sandbox, as this process (for ``doctor``-style checks and the docs)."""
    limits = limits or Limits()
    cgroup = Cgroup.create(limits.memory_bytes, limits.processes)
    kind = f"cgroup v{cgroup.version}" if cgroup else f"per-process limits ({FALLBACK_PROCESSES} processes)"
    if cgroup is not None:
        cgroup.remove()
    return {
        "bubblewrap": network_isolation(),
        "total_memory_and_processes": kind,
        "seccomp_filter": seccomp_available(),
        "runs_as": "nobody (dropped from root)" if os.geteuid() == 0 else f"uid {os.geteuid()}",
    }


# -- the run ------------------------------------------------------------------------------------------------------
# Runs first inside the sandbox, then becomes the program: limits set here, after bubblewrap made the user
# namespace, count only this run's processes (RLIMIT_NPROC is per user namespace).
_BOOT = INSTALL_FILTER + (
    "import resource\n"
    "cpu, memory, files, processes = (int(v) for v in sys.argv[1:5])\n"
    "resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))\n"
    "resource.setrlimit(resource.RLIMIT_AS, (memory, memory))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))\n"
    "if sys.argv[6]:\n"
    "    _seccomp(sys.argv[6])\n"
    "os.execv(sys.executable, [sys.executable, '-I', '-B', sys.argv[5]])\n"
)


def _host_view(python: str) -> list[str]:
    """Read-only mounts for the interpreter and its libraries: /usr, and the interpreter's prefix if elsewhere."""
    view = ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / link
        if path.is_symlink():
            view += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            view += ["--ro-bind", str(path), str(path)]
    prefix = Path(python).resolve().parent.parent
    if not prefix.is_relative_to("/usr") and prefix != Path("/"):
        view += ["--ro-bind", str(prefix), str(prefix)]
    return view


def _isolated(bwrap: str, python: str, limits: Limits, env: dict[str, str], program_fd: int) -> list[str]:
    setenv = [part for key, value in env.items() for part in ("--setenv", key, value)]
    return [
        bwrap,
        *_host_view(python),
        "--proc", "/proc",
        "--dev", "/dev",
        "--remount-ro", "/dev",
        "--size", str(limits.disk_bytes), "--tmpfs", "/tmp",
        "--dir", SANDBOX_DIR,
        "--file", str(program_fd), f"{SANDBOX_DIR}/program.py",
        "--chdir", SANDBOX_DIR,
        "--remount-ro", "/",
        "--unshare-all",
        *_userns_options(bwrap),
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        *setenv,
    ]  # fmt: skip


def _start(cgroup: Cgroup | None, drop_to_nobody: bool) -> None:  # pragma: no cover - runs in the child
    os.setsid()
    if cgroup is not None:
        cgroup.enter()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if drop_to_nobody:
        # Root is exempt from the process limit, so a run started by root runs as nobody: the fork bomb
        # then stops at the limit, and nothing root owns is writable even outside the sandbox's view.
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def _read_capped(process: subprocess.Popen[bytes], limits: Limits, deadline: float) -> tuple[bytes, bytes, str | None]:
    """Read stdout and stderr as they come, at most ``output_bytes`` each; stop at the first limit reached."""
    streams: dict[int, bytearray] = {}
    selector = selectors.DefaultSelector()
    for stream in (process.stdout, process.stderr):
        assert stream is not None
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ)
        streams[stream.fileno()] = bytearray()
    open_streams = 2
    try:
        while open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(streams[_fd(process.stdout)]), bytes(streams[_fd(process.stderr)]), "wall"
            for key, _ in selector.select(timeout=min(left, 0.5)):
                buffer = streams[key.fd]
                try:
                    chunk = os.read(key.fd, max(1, limits.output_bytes + 1 - len(buffer)))
                except BlockingIOError:
                    continue
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                buffer += chunk
                if len(buffer) > limits.output_bytes:
                    return bytes(streams[_fd(process.stdout)]), bytes(streams[_fd(process.stderr)]), "output"
    finally:
        selector.close()
    return bytes(streams[_fd(process.stdout)]), bytes(streams[_fd(process.stderr)]), None


def _fd(stream: IO[bytes] | None) -> int:
    assert stream is not None
    return stream.fileno()


def _cgroup_or_refusal(limits: Limits, syscall_filter: bytes | None) -> Cgroup | None:
    """The run's cgroup; without one the seccomp filter must hold (else no limit holds the total memory)."""
    cgroup = Cgroup.create(limits.memory_bytes, limits.processes)
    if cgroup is None and syscall_filter is None:
        raise SandboxUnavailable(
            "cannot hold the total memory of model-written code here: no cgroup can be made (not root, no "
            "delegated cgroup) and the seccomp filter that refuses memfd and shared memory cannot be installed "
            f"({platform.machine()}), so per-process limits alone would let a run hold many times its limit; "
            "refusing to run it. Run as root or in a delegated cgroup"
        )
    return cgroup


def _command(
    stack: contextlib.ExitStack,
    program: str,
    limits: Limits,
    bwrap: str | None,
    python: str,
    boot_args: list[str],
    source: IO[bytes],
) -> tuple[list[str], str, dict[str, str]]:
    """(command, working directory, environment): inside bubblewrap, or, explicitly unsafe, in a fresh host
    directory with the per-process limits and the scrubbed environment."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    limit_args, filter_arg = boot_args[:-1], boot_args[-1]
    if bwrap is not None:
        env |= {"HOME": SANDBOX_DIR, "TMPDIR": SANDBOX_DIR}
        command = [
            *_isolated(bwrap, python, limits, env, source.fileno()),
            python, "-I", "-B", "-c", _BOOT, *limit_args, f"{SANDBOX_DIR}/program.py", filter_arg,
        ]  # fmt: skip
        return command, "/", env
    cwd = stack.enter_context(tempfile.TemporaryDirectory(prefix="modelrace-sandbox-"))
    script = Path(cwd) / "program.py"
    script.write_text(program, encoding="utf-8", errors="surrogateescape")
    if os.geteuid() == 0:
        os.chown(cwd, NOBODY, NOBODY)
        script.chmod(0o644)
    env |= {"HOME": cwd, "TMPDIR": cwd}
    return [python, "-I", "-B", "-c", _BOOT, *limit_args, str(script), filter_arg], cwd, env


def _run_process(
    command: list[str], cwd: str, env: dict[str, str], source: IO[bytes], limits: Limits, cgroup: Cgroup | None
) -> tuple[subprocess.Popen[bytes], bytes, bytes, str | None, float]:
    """Start the run, read its output within the limits, and make sure every process of it is gone."""
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(source.fileno(),),
        preexec_fn=lambda: _start(cgroup, os.geteuid() == 0),
    )
    try:
        stdout, stderr, stopped_by = _read_capped(process, limits, started + limits.wall_seconds)
        if stopped_by is None:  # both streams closed: the program may still run (it closed them itself)
            try:
                process.wait(timeout=max(0.0, started + limits.wall_seconds - time.monotonic()))
            except subprocess.TimeoutExpired:
                stopped_by = "wall"
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if cgroup is not None:
            cgroup.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    return process, stdout, stderr, stopped_by, time.monotonic() - started


def _status(code: int | None, isolated: bool, stopped_by: str | None, out_of_memory: bool) -> tuple[str, str | None]:
    """(status, the limit that ended the run): a signal ends the program with a negative code, or with 128 + the
    signal through bubblewrap."""
    if stopped_by == "wall":
        return "timeout", stopped_by
    if stopped_by == "output":
        return "killed", stopped_by
    killed = code is not None and (code < 0 or (isolated and code > 128))
    status = "passed" if code == 0 else "killed" if killed else "failed"
    if status == "killed":
        signal_number = -code if code is not None and code < 0 else (code or 0) - 128
        stopped_by = "memory" if out_of_memory else "cpu" if signal_number == signal.SIGXCPU else None
    elif status == "failed" and out_of_memory:
        stopped_by = "memory"
    return status, stopped_by


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
    python = python or system_python()
    syscall_filter = seccomp_filter() if seccomp_available(python) else None
    cgroup = _cgroup_or_refusal(limits, syscall_filter)
    processes, memory = limits.processes, limits.memory_bytes
    if cgroup is None:  # the totals through per-process limits (see the module's docstring)
        processes = min(processes, FALLBACK_PROCESSES)
        memory = memory // processes
    boot_args = [str(limits.cpu_seconds), str(memory), str(limits.file_bytes), str(processes)]
    boot_args.append(syscall_filter.hex() if syscall_filter is not None else "")
    with contextlib.ExitStack() as stack:
        if cgroup is not None:
            stack.callback(cgroup.remove)
        source = stack.enter_context(tempfile.TemporaryFile())
        source.write(program.encode("utf-8", "surrogateescape"))
        source.flush()
        source.seek(0)
        command, cwd, env = _command(stack, program, limits, bwrap, python, boot_args, source)
        process, stdout, stderr, stopped_by, seconds = _run_process(command, cwd, env, source, limits, cgroup)
        out_of_memory = cgroup is not None and cgroup.out_of_memory()
    status, stopped_by = _status(process.returncode, bwrap is not None, stopped_by, out_of_memory)
    return Outcome(
        passed=status == "passed",
        status=status,
        returncode=process.returncode,
        stdout=stdout[: limits.output_bytes].decode("utf-8", "replace"),
        stderr=stderr[: limits.output_bytes].decode("utf-8", "replace"),
        seconds=seconds,
        limit=stopped_by,
    )
