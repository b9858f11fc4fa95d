"""Reading a safetensors file's header: the JSON that names each tensor's dtype and shape, not the tensor data."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from modelrace.errors import ImportFormatError


def safetensors_header(path: Path) -> dict[str, Any]:
    """The JSON header of a safetensors file (8-byte little-endian length, then the header)."""
    with path.open("rb") as handle:
        raw = handle.read(8)
        if len(raw) != 8:
            raise ImportFormatError(f"{path} is not a safetensors file (too short)")
        length = struct.unpack("<Q", raw)[0]
        if length > 100 << 20:
            raise ImportFormatError(f"{path}: the safetensors header claims {length:,} bytes")
        try:
            header = json.loads(handle.read(length))
        except (ValueError, UnicodeDecodeError):
            raise ImportFormatError(f"{path} is not a safetensors file (its header is not JSON)") from None
    if not isinstance(header, dict):
        raise ImportFormatError(f"{path} is not a safetensors file (its header is not an object)")
    return header
