"""modelrace: measure the open-weight model race, with sources, dates and uncertainty."""

from __future__ import annotations

__version__ = "0.1.0"
