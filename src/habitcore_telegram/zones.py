"""A shared location to a time zone, offline: the coordinates never leave the machine."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _finder() -> Any:
    # Imported and loaded (a few hundred ms) the first time anyone shares a location.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point; over open sea the nautical zone (``Etc/GMT-3``)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    with _lock:
        found = _finder().timezone_at(lat=latitude, lng=longitude)
    return str(found) if found else None
