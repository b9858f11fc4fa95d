"""The seccomp filter every sandboxed program runs under: what per-process limits cannot count is refused.

``memfd_create`` and System V shared memory (pages that belong to no process's address space) are refused, and new
user namespaces (``unshare``/``clone`` with ``CLONE_NEWUSER``; ``clone3``, whose flags a filter cannot read, answers
ENOSYS so the C library falls back to ``clone``). :mod:`modelrace.evals._sandbox` says why and when it is used.
"""

from __future__ import annotations

import os
import platform
import struct
import subprocess
import sys
from functools import cache


def system_python() -> str:
    """The system Python (under /usr, which the sandbox shows; a virtual environment in the project is not)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return sys.executable


# -- the seccomp filter ----------------------------------------------------------------------------------------
# Classic BPF over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]} (linux/seccomp.h, filter.h).
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _KILL_PROCESS, _ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_EPERM, _ENOSYS = 1, 38
CLONE_NEWUSER = 0x10000000
# (audit arch, memfd_create, shmget, clone, unshare, clone3, memfd_secret) per machine
_SYSCALLS: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "x86_64": (0xC000003E, 319, 29, 56, 272, 435, 447),
    "aarch64": (0xC00000B7, 279, 194, 220, 97, 435, 447),
}


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def seccomp_filter(machine: str | None = None) -> bytes | None:
    """The filter every sandboxed program runs under (see the module docstring), or None for a machine it is not
    written for: memfd_create and shmget refused (EPERM), memfd_secret and clone3 absent (ENOSYS), unshare and
    clone refused with CLONE_NEWUSER; another architecture's system calls (x32) kill the process."""
    numbers = _SYSCALLS.get(machine or platform.machine())
    if numbers is None:
        return None
    arch, memfd, shmget, clone, unshare, clone3, memfd_secret = numbers
    program = [_insn(_LD_ABS, 4), _insn(_JEQ, arch, 1, 0), _insn(_RET, _KILL_PROCESS), _insn(_LD_ABS, 0)]
    if arch == 0xC000003E:  # x32 system calls share the arch, numbered from 0x40000000
        program += [_insn(_JGE, 0x40000000, 0, 1), _insn(_RET, _ERRNO | _ENOSYS)]
    for number, errno in ((memfd, _EPERM), (shmget, _EPERM), (clone3, _ENOSYS), (memfd_secret, _ENOSYS)):
        program += [_insn(_JEQ, number, 0, 1), _insn(_RET, _ERRNO | errno)]
    for number in (clone, unshare):  # flags are the first argument of both; its low word holds CLONE_NEWUSER
        program += [
            _insn(_JEQ, number, 0, 4),
            _insn(_LD_ABS, 16),
            _insn(_JSET, CLONE_NEWUSER, 0, 1),
            _insn(_RET, _ERRNO | _EPERM),
            _insn(_LD_ABS, 0),
        ]
    program.append(_insn(_RET, _ALLOW))
    return b"".join(program)


# Installs the filter (hex in argv[1]) in this process: no new privileges, then the filter; exit 125 if refused.
INSTALL_FILTER = (
    "import ctypes, os, sys\n"
    "def _seccomp(hex_filter):\n"
    "    code = bytes.fromhex(hex_filter)\n"
    "    class Program(ctypes.Structure):\n"
    "        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]\n"
    "    buffer = ctypes.create_string_buffer(code, len(code))\n"
    "    program = Program(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))\n"
    "    libc = ctypes.CDLL(None, use_errno=True)\n"
    "    ul = ctypes.c_ulong\n"
    "    refused = libc.prctl(38, ul(1), ul(0), ul(0), ul(0)) != 0\n"  # PR_SET_NO_NEW_PRIVS
    "    refused = refused or libc.prctl(22, ul(2), ctypes.byref(program), ul(0), ul(0)) != 0\n"  # SECCOMP_FILTER
    "    if refused:\n"
    "        why = os.strerror(ctypes.get_errno())\n"
    "        sys.stderr.write('modelrace sandbox: the seccomp filter was refused: ' + why + '\\n')\n"
    "        os._exit(125)\n"
)


@cache
def seccomp_available(python: str | None = None) -> bool:
    """Whether the filter installs here and holds (memfd_create refused under it), with the sandbox's Python."""
    code = seccomp_filter()
    if code is None:
        return False
    probe = INSTALL_FILTER + (
        "_seccomp(sys.argv[1])\n"
        "try:\n    os.memfd_create('probe')\nexcept PermissionError:\n    sys.exit(0)\nsys.exit(1)\n"
    )
    try:
        done = subprocess.run(
            [python or system_python(), "-I", "-B", "-c", probe, code.hex()],
            capture_output=True,
            timeout=20,
            check=False,
            cwd="/",
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
