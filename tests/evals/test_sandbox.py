"""The sandbox against hostile programs: each must fail without harming or reaching anything."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from modelrace.evals._sandbox import Limits, SandboxUnavailable, network_isolation, run_python

pytestmark = pytest.mark.skipif(
    network_isolation() is None and not os.environ.get("CI"),
    reason="bubblewrap is not installed or cannot create namespaces here (CI installs it)",
)
FAST = Limits(cpu_seconds=3, wall_seconds=6.0, memory_bytes=512 << 20, processes=32)


def test_a_correct_program_passes() -> None:
    outcome = run_python("assert sum(range(10)) == 45\nprint('ok')", FAST)
    assert outcome.passed and outcome.stdout.strip() == "ok"


def test_a_failing_assertion_fails() -> None:
    outcome = run_python("assert 1 == 2", FAST)
    assert outcome.status == "failed" and "AssertionError" in outcome.stderr


def test_no_network() -> None:
    # A listener on this machine's loopback: the sandboxed program must not reach it.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    accepted: list[bool] = []

    def accept() -> None:
        server.settimeout(5)
        try:
            server.accept()
            accepted.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=accept)
    thread.start()
    program = f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=3)\nprint('connected')"
    outcome = run_python(program, FAST)
    server.close()
    thread.join()
    assert not outcome.passed and "connected" not in outcome.stdout
    assert accepted == []


def test_cannot_write_outside_its_directory(tmp_path: Path) -> None:
    target = Path("/var/tmp") / f"sandbox-escape-{os.getpid()}.txt"  # world-writable on the host
    outcome = run_python(f"open({str(target)!r}, 'w').write('x')", FAST)
    assert not outcome.passed and ("Read-only file system" in outcome.stderr or "Permission denied" in outcome.stderr)
    assert not target.exists()
    hidden = tmp_path / "owned.txt"  # the host's /tmp is not even visible: the sandbox has its own
    assert not run_python(f"open({str(hidden)!r}, 'w').write('x')", FAST).passed
    assert not hidden.exists()
    inside = run_python("import os; open('here.txt', 'w').write('x'); print(os.getcwd())", FAST)
    assert inside.passed and "modelrace-sandbox-" in inside.stdout
    assert not Path(inside.stdout.strip()).exists()  # the directory is gone afterwards


def test_no_secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    outcome = run_python("import os; print(sorted(os.environ))", FAST)
    assert outcome.passed
    assert "HF_TOKEN" not in outcome.stdout and "OPENAI_API_KEY" not in outcome.stdout
    assert "secret" not in outcome.stdout


def test_fork_bomb_is_contained() -> None:
    outcome = run_python("import os\nwhile True:\n    os.fork()", FAST)
    assert not outcome.passed


def test_memory_bomb_is_contained() -> None:
    outcome = run_python("x = bytearray(4 << 30)", FAST)
    assert not outcome.passed and "MemoryError" in outcome.stderr


def test_infinite_loop_times_out() -> None:
    outcome = run_python("while True:\n    pass", Limits(cpu_seconds=60, wall_seconds=2.0))
    assert outcome.status == "timeout" and outcome.seconds < 10


def test_cpu_limit() -> None:
    outcome = run_python("while True:\n    pass", Limits(cpu_seconds=1, wall_seconds=20.0))
    assert outcome.status == "killed" and outcome.seconds < 10


def test_huge_file_is_stopped() -> None:
    outcome = run_python("open('big', 'wb').write(b'x' * (64 << 20))", FAST)
    assert not outcome.passed


def test_refuses_without_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    import modelrace.evals._sandbox as sandbox

    monkeypatch.setattr(sandbox, "network_isolation", lambda: None)
    with pytest.raises(SandboxUnavailable, match="unsafe-no-network-isolation"):
        sandbox.run_python("print(1)", FAST)
    assert sandbox.run_python("print(1)", FAST, allow_network=True).passed
