"""Reading a GGUF file's header: metadata keys and tensor shapes, not the tensor data.

Read here, not with the `gguf` package: its reader turns every tokenizer string into numpy views (9 s for a Qwen2.5
file with a 151k vocabulary), while what modelrace needs (``modelrace models``, memory fit) is a few dozen scalar
keys and the tensor shapes (0.1 s). Arrays are kept only where asked; otherwise their length stands for them, and
fixed-size arrays (token scores, types) are skipped in one seek. The format:
https://github.com/ggml-org/ggml/blob/master/docs/gguf.md.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from modelrace.errors import ImportFormatError

# GGUF value types: 0-7 and 10-12 scalars (struct format), 8 string, 9 array
_SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
MAX_STRING_BYTES = 1 << 24
# general.file_type (llama.cpp's LLAMA_FTYPE)
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
    12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
    19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
    26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 38: "MXFP4",
}  # fmt: skip


def file_type_name(file_type: int | None) -> str | None:
    """``general.file_type`` as llama.cpp names it (Q4_K_M, ...)."""
    return None if file_type is None else FILE_TYPES.get(file_type, f"type {file_type}")


def weight_count(shape: tuple[int, ...]) -> int:
    """Number of weights in a tensor of this shape."""
    total = 1
    for dim in shape:
        total *= dim
    return total


@dataclass(frozen=True)
class RawTensor:
    """One tensor's entry in the header: name, shape (ne[0] first) and GGML type id."""

    name: str
    shape: tuple[int, ...]
    type_id: int

    @property
    def count(self) -> int:
        """Number of weights."""
        return weight_count(self.shape)


@dataclass(frozen=True)
class RawHeader:
    """A GGUF header: version, every metadata key (arrays as lists only where asked, else their length), tensors."""

    version: int
    meta: dict[str, Any]
    tensors: tuple[RawTensor, ...]


class _Reader:
    def __init__(self, handle: BinaryIO, path: Path) -> None:
        self.handle, self.path = handle, path

    def take(self, fmt: str) -> Any:
        size = struct.calcsize("<" + fmt)
        data = self.handle.read(size)
        if len(data) != size:
            raise ImportFormatError(f"{self.path}: the GGUF header ends early")
        return struct.unpack("<" + fmt, data)[0]

    def string(self) -> str:
        length = self.take("Q")
        if length > MAX_STRING_BYTES:
            raise ImportFormatError(f"{self.path}: a GGUF string claims {length:,} bytes")
        return bytes(self.handle.read(length)).decode("utf-8", "replace")

    def value(self, kind: int, keep: bool) -> Any:
        if kind in _SCALAR:
            return self.take(_SCALAR[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item, count = self.take("I"), self.take("Q")
            if item in _SCALAR and not keep:  # skip fixed-size arrays (token scores, types) in one seek
                self.handle.seek(count * struct.calcsize("<" + _SCALAR[item]), 1)
                return count
            values = [self.value(item, keep) for _ in range(count)]
            return values if keep else count
        raise ImportFormatError(f"{self.path}: unknown GGUF value type {kind}")


def read_header(path: Path, keep_array: Callable[[str], bool] = lambda key: False) -> RawHeader:
    """Read the header of the GGUF file at ``path``; ``keep_array(key)`` says which arrays to read whole."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFormatError(f"cannot open {path}: {error.strerror or error}") from None
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
            meta[key] = reader.value(reader.take("I"), keep=keep_array(key))
        tensors = []
        for _ in range(tensor_count):
            name = reader.string()
            shape = tuple(reader.take("Q") for _ in range(reader.take("I")))
            type_id = reader.take("I")
            reader.take("Q")  # offset
            tensors.append(RawTensor(name, shape, type_id))
    return RawHeader(version, meta, tuple(tensors))
