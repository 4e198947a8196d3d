"""Where "now" comes from.

Rules never read the clock: they take ``now`` or ``today`` as an argument. Only the façade asks a
``Clock``, so tests and frontends can hand in any moment they like (see ``habitcore.testing``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
