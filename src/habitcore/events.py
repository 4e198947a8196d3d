"""Outside events (a Telegram update) taking effect exactly once, however often delivered.

A frontend handles each event inside ``handled_once``: the event's changes and the record that
it was handled commit together (``habitcore.storage.units``), so a repeated delivery finds the
record and its work is discarded. Records are kept ``KEPT``: a sender retries for minutes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from habitcore.storage import units
from habitcore.storage.store import Store
from habitcore.storage.units import AlreadyHandled, Unit

__all__ = ["KEPT", "AlreadyHandled", "Unit", "forget_handled", "handled_once"]

KEPT = timedelta(days=1)


def handled_once(
    store: Store, source: str, event_id: int, now: datetime
) -> AbstractContextManager[Unit]:
    """A unit of work for the event; after the block, ``unit.duplicate`` says whether it had
    been handled before (its work then discarded: say nothing more about it)."""
    return store.unit(source, event_id, now)


def forget_handled(store: Store, now: datetime) -> int:
    """Drop the records older than ``KEPT``; how many went."""
    with store.write() as session:
        return units.forget_handled(session, now - KEPT)
