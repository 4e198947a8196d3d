"""Where "now", and the machine's own time zone, come from.

Rules never read the clock: they take ``now`` or ``today`` as an argument. Only the façade asks a
``Clock``, so tests and frontends can hand in any moment they like (see ``habitcore.testing``).
The machine's zone lives here for the same reason: it is read from the environment, once, when
a local user is created.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock stopped at one instant: for work done as of a given moment."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at


def system_timezone_name() -> str:
    """The machine's IANA zone name, or ``"UTC"`` when it cannot be told.

    A local user's default zone; ``TZ`` wins, then ``/etc/localtime``'s link target.
    """
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        if not candidate:
            continue
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
        return candidate
    return "UTC"
