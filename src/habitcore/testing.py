"""Helpers for testing code built on habitcore: a clock you set, and a throwaway store.

from habitcore.testing import FakeClock, memory_tracker
clock = FakeClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
tracker = memory_tracker(clock=clock)
clock.advance(hours=12)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from habitcore.storage.store import Store
from habitcore.tracker import LOCAL_USER, Tracker


class FakeClock:
    """A ``Clock`` that stands still until told to move."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware datetime")
        self._now = now

    def advance(self, **kwargs: float) -> datetime:
        self._now += timedelta(**kwargs)
        return self._now


def memory_store() -> Store:
    """A fresh store in memory: one shared SQLite connection, gone when dropped."""
    engine = sa.create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    return Store(engine)


def memory_tracker(
    *, user: str = LOCAL_USER, clock: FakeClock | None = None, timezone: str = "UTC"
) -> Tracker:
    """A tracker on a fresh in-memory store, its user in ``timezone`` (UTC unless told)."""
    tracker = Tracker(memory_store(), user=user, clock=clock or FakeClock())
    tracker.set_timezone(timezone)
    return tracker
