"""`fit`/`cost` of a Hub id that no table knows, offline: one clear line at once, the Hub client never retried."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.errors import NotFoundError
from modelrace.serving import resolve_model
from modelrace.serving._model import hub_unreachable


def _no_client(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the Hub client was called although the Hub is unreachable")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No route to any host, and a Hub client that fails the test if it is used."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)

    def refuse(*_args: object, **_kwargs: object) -> socket.socket:
        raise OSError(-2, "Name or service not known")

    monkeypatch.setattr(socket, "create_connection", refuse)
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", _no_client)
    monkeypatch.setattr(huggingface_hub.HfApi, "get_safetensors_metadata", _no_client)


@pytest.mark.usefixtures("offline")
def test_unknown_hub_id_offline_says_cannot_reach_the_hub() -> None:
    with pytest.raises(NotFoundError, match=r"cannot reach the Hub at https://huggingface\.co"):
        resolve_model("someorg/unknown-model-x")


@pytest.mark.usefixtures("offline")
def test_a_size_in_the_name_still_serves_offline() -> None:
    model = resolve_model("someorg/unknown-model-7b")
    assert model.params_total == 7e9 and model.arch is None


def test_offline_mode_is_said_without_a_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "create_connection", _no_client)
    assert hub_unreachable() == "HF_HUB_OFFLINE is set"
    with pytest.raises(NotFoundError, match="HF_HUB_OFFLINE is set"):
        resolve_model("someorg/unknown-model-x")


@pytest.mark.reference
@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("command", ["fit", "cost"])
def test_cli_offline_is_one_line(command: str, reference_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELRACE_REFERENCE_DATA", str(reference_data))
    result = CliRunner().invoke(app, [command, "someorg/unknown-model-x"])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Hub" in lines[0] and "Retrying" not in result.output
