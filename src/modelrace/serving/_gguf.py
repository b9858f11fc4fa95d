"""What a GGUF header says about memory: every tensor's shape and type, and the architecture keys.

The header is read with the reader `modelrace models` uses (``modelrace.evals._inspect``), which skips the
tokenizer arrays in one seek each; here the tensor types and the attention keys are kept as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelrace.errors import ImportFormatError
from modelrace.serving._data import quantizations_file

_FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
    12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
    25: "IQ4_NL", 30: "IQ4_XS", 32: "BF16", 38: "MXFP4",
}  # fmt: skip
_ARCH_KEYS = (
    ".block_count",
    ".embedding_length",
    ".feed_forward_length",
    ".context_length",
    ".attention.head_count",
    ".attention.head_count_kv",
    ".attention.key_length",
    ".attention.value_length",
    ".attention.sliding_window",
    ".attention.kv_lora_rank",
    ".rope.dimension_count",
    ".expert_count",
    ".expert_used_count",
    ".expert_shared_count",
    ".expert_feed_forward_length",
    ".leading_dense_block_count",
    ".vocab_size",
)


@dataclass(frozen=True)
class GgufTensor:
    """One tensor: name, shape (ne[0] first: the row length) and GGML type."""

    name: str
    shape: tuple[int, ...]
    type_name: str

    @property
    def count(self) -> int:
        """Number of weights."""
        total = 1
        for dim in self.shape:
            total *= dim
        return total

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
    from modelrace.evals._inspect import _Reader  # imported here: the evals package is heavy to import

    type_names = quantizations_file().type_ids
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFormatError(f"cannot open {path}: {error}") from None
    with handle:
        reader = _Reader(handle, path)
        if handle.read(4) != b"GGUF":
            raise ImportFormatError(f"{path} is not a GGUF file (no GGUF magic)")
        version = reader.take("I")
        if version < 2:
            raise ImportFormatError(f"{path}: GGUF version {version} is too old to read")
        tensor_count, key_count = reader.take("Q"), reader.take("Q")
        meta: dict[str, Any] = {}
        for _ in range(key_count):
            key = reader.string()
            kind = reader.take("I")
            wanted = key in ("general.architecture", "general.name", "general.file_type") or key.endswith(_ARCH_KEYS)
            value = reader.value(kind, keep=wanted)
            if wanted or key == "tokenizer.ggml.tokens":
                meta[key] = value  # an unkept array's value is its length: the vocabulary size
        tensors = []
        for _ in range(tensor_count):
            name = reader.string()
            shape = tuple(reader.take("Q") for _ in range(reader.take("I")))
            type_id = reader.take("I")
            reader.take("Q")  # offset
            tensors.append(GgufTensor(name, shape, type_names.get(type_id, f"type {type_id}")))
    arch = meta.get("general.architecture")
    file_type = meta.get("general.file_type")
    tokens = meta.get("tokenizer.ggml.tokens")
    return GgufHeader(
        path=path,
        file_size=path.stat().st_size,
        architecture=arch,
        name=meta.get("general.name"),
        file_type=_FILE_TYPES.get(file_type, f"type {file_type}") if file_type is not None else None,
        vocab=meta.get(f"{arch}.vocab_size") or (tokens if isinstance(tokens, int) else None),
        meta=meta,
        tensors=tuple(tensors),
    )
