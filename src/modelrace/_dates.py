"""When data may be dated: a record or a battle dated after the moment it is read (plus a day for clocks and time
zones) is corrupt, and must never date a snapshot or an import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

FUTURE_TOLERANCE: Final = timedelta(days=1)


def latest_allowed_date(now: datetime | None = None) -> datetime:
    """The latest date a record may carry when read at ``now`` (default: this moment), as naive UTC."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment + FUTURE_TOLERANCE
