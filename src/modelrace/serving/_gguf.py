"""What a GGUF header says about memory: every tensor's shape and type, and the architecture keys.

The header is read by :mod:`modelrace._gguf` (the reader `modelrace models` uses too), which skips the tokenizer
arrays in one seek each; here the tensor types and the architecture keys are what matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelrace._gguf import file_type_name, read_header, weight_count
from modelrace.errors import ImportFormatError
from modelrace.serving._data import quantizations_file


@dataclass(frozen=True)
class GgufTensor:
    """One tensor: name, shape (ne[0] first: the row length) and GGML type."""

    name: str
    shape: tuple[int, ...]
    type_name: str

    @property
    def count(self) -> int:
        """Number of weights."""
        return weight_count(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes of its data."""
        kind = quantizations_file().types.get(self.type_name)
        if kind is None:
            raise ImportFormatError(f"tensor {self.name}: GGML type {self.type_name} is not known to modelrace")
        return self.count // kind.block * kind.bytes


@dataclass(frozen=True)
class GgufHeader:
    """The memory-relevant content of a GGUF file's header."""

    path: Path
    file_size: int
    architecture: str | None
    name: str | None
    file_type: str | None
    vocab: int | None
    meta: dict[str, Any]
    tensors: tuple[GgufTensor, ...]

    @property
    def params(self) -> int:
        """Total parameters."""
        return sum(t.count for t in self.tensors)

    @property
    def weights_bytes(self) -> int:
        """Bytes of tensor data (the weights as loaded)."""
        return sum(t.nbytes for t in self.tensors)

    def key(self, suffix: str) -> Any:
        """An architecture key (``.block_count`` ...) of this file's architecture."""
        return self.meta.get(f"{self.architecture}{suffix}")


def read_gguf_header(path: Path) -> GgufHeader:
    """Read the header of the GGUF file at ``path`` (not its tensor data)."""
    type_names = quantizations_file().type_ids
    raw = read_header(path)
    meta = raw.meta
    arch = meta.get("general.architecture")
    tokens = meta.get("tokenizer.ggml.tokens")  # an array not read whole: its length, the vocabulary size
    return GgufHeader(
        path=path,
        file_size=path.stat().st_size,
        architecture=arch,
        name=meta.get("general.name"),
        file_type=file_type_name(meta.get("general.file_type")),
        vocab=meta.get(f"{arch}.vocab_size") or (tokens if isinstance(tokens, int) else None),
        meta=meta,
        tensors=tuple(GgufTensor(t.name, t.shape, type_names.get(t.type_id, f"type {t.type_id}")) for t in raw.tensors),
    )
