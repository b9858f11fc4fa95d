"""`modelrace models` on GGUF files, checkpoint folders and Hub repositories (through the replay Hub), and GGUF
downloads with huggingface_hub (hf://OWNER/REPO/FILE.gguf)."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from modelrace.errors import ImportFormatError
from modelrace.evals import resolve_local_model
from modelrace.evals._inspect import read_gguf, read_safetensors_folder
from modelrace.replay import HubRepo, replay_hub


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelrace", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def _safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]]) -> None:
    """A safetensors file with zero-filled tensors, written by the format's definition."""
    sizes = {"F32": 4, "BF16": 2, "F16": 2}
    header, offset = {}, 0
    for name, (dtype, shape) in tensors.items():
        count = 1
        for dim in shape:
            count *= dim
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + count * sizes[dtype]]}
        offset += count * sizes[dtype]
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(offset))


def test_gguf_header_agrees_with_the_gguf_package() -> None:
    gguf = pytest.importorskip("gguf", reason="the gguf package is not installed (pip install -e '.[hf]')")
    model = resolve_local_model("smollm2-135m-instruct")
    ours = read_gguf(model.path)
    reference = gguf.GGUFReader(model.path)
    assert ours.params == sum(int(t.n_elements) for t in reference.tensors) == 134_515_008
    assert ours.architecture == reference.fields["general.architecture"].contents() == "llama"
    assert ours.quantization == "Q4_1" == gguf.LlamaFileType(reference.fields["general.file_type"].contents()).name[7:]
    assert ours.context_length == reference.fields["llama.context_length"].contents()


def test_broken_gguf_and_safetensors_files_are_clear_errors(tmp_path: Path) -> None:
    model = resolve_local_model("smollm2-135m-instruct")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(model.path.read_bytes()[:4096])
    with pytest.raises(ImportFormatError, match="ends early"):
        read_gguf(cut)
    (tmp_path / "not.gguf").write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(ImportFormatError, match="no GGUF magic"):
        read_gguf(tmp_path / "not.gguf")
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", 5) + b"nope!")
    with pytest.raises(ImportFormatError, match="header is not JSON"):
        read_safetensors_folder(folder)


def test_checkpoint_folder_params_come_from_the_safetensors_headers(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps({"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 2048})
    )
    _safetensors(folder / "model-00001-of-00002.safetensors", {"embed": ("BF16", [100, 16]), "norm": ("BF16", [16])})
    _safetensors(folder / "model-00002-of-00002.safetensors", {"head": ("BF16", [16, 100])})
    info = read_safetensors_folder(folder)
    assert (info.architecture, info.params, info.dtype, info.context_length) == (
        "LlamaForCausalLM",
        3216,
        "BF16",
        2048,
    )


def test_hub_repository_is_listed_and_its_gguf_downloaded_with_huggingface_hub(tmp_path: Path) -> None:
    model = resolve_local_model("smollm2-135m-instruct")
    weights = tmp_path / "model.safetensors"
    _safetensors(weights, {"w": ("F32", [8, 8])})
    repo = HubRepo(
        files={"SmolLM2-135M-Instruct.Q4_1.gguf": model.path, "model.safetensors": weights, "README.md": weights},
        sha="a" * 40,
        info={"cardData": {"license": "apache-2.0"}, "safetensors": {"parameters": {"F32": 64}, "total": 64}},
    )
    env = {"HF_HOME": str(tmp_path / "hf"), "MODELRACE_CACHE": str(tmp_path / "cache"), "HF_HUB_DISABLE_XET": "1"}
    with replay_hub([], repos={"someone/smol-gguf": repo}) as hub:
        env["HF_ENDPOINT"] = hub.endpoint
        listed = cli("--json", "models", "someone/smol-gguf", env=env)
        assert listed.returncode == 0, listed.stderr
        [row] = json.loads(listed.stdout)
        assert row["kind"] == "hub repository" and row["license"] == "apache-2.0" and row["params"] == 64
        assert [s["spec"] for s in row["specs"]] == [
            "hf:someone/smol-gguf",
            "gguf:hf://someone/smol-gguf/SmolLM2-135M-Instruct.Q4_1.gguf",
        ]
        fetched = cli("--json", "models", "--fetch", "hf://someone/smol-gguf/SmolLM2-135M-Instruct.Q4_1.gguf", env=env)
        assert fetched.returncode == 0, fetched.stderr
        assert json.loads(fetched.stdout)[0]["sha256"] == model.sha256  # the same bytes, through huggingface_hub
        missing = cli("models", "someone/not-there", env=env)
        assert missing.returncode == 2 and "cannot read Hub repository 'someone/not-there'" in missing.stderr
        assert "Traceback" not in missing.stderr
