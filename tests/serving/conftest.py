from __future__ import annotations

from pathlib import Path

import pytest

from modelrace.serving import HardwareRegistry, load_hardware
from modelrace.serving._hardware import EPOCH_FILE


@pytest.fixture
def registry(reference_data: Path) -> HardwareRegistry:
    """The real registry (Epoch's file + curated additions), without the local CPU (no bandwidth test)."""
    return load_hardware(reference_data / EPOCH_FILE, include_cpu=False)
