"""Where each person is in a conversation of several steps (adding a habit, renaming, an import).

Kept in the database, not in a process's memory: a frontend with several worker processes may
get a person's next message on another worker than the last, and the conversation goes on; a
restart forgets nothing. A dialog left alone for ``TTL`` is over. Each step has a ``serial``,
new for every step and never reused for the person, so a button made for one step cannot act
in another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from habitcore.clock import Clock
from habitcore.storage.store import Store
from habitcore.storage.tables import DialogRow

TTL = timedelta(hours=1)
MAX_DATA = 8_000  # characters of JSON a step may carry: names, ids, a schedule


@dataclass(frozen=True)
class Dialog:
    kind: str
    data: dict[str, Any]
    serial: int
    started: datetime


class Dialogs:
    """The open dialogs of the people of one store, by their external user id."""

    def __init__(self, store: Store, clock: Clock, *, ttl: timedelta = TTL) -> None:
        self.store = store
        self.clock = clock
        self.ttl = ttl

    def begin(self, owner: str, kind: str, **data: Any) -> Dialog:
        """Open a dialog (or its next step) for ``owner``, in place of any open one."""
        text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        if len(text) > MAX_DATA:
            raise ValueError(f"a dialog step carries at most {MAX_DATA} characters of data")
        now = self.clock.now()
        with self.store.write() as session:
            row = session.get(DialogRow, owner, with_for_update=True)
            if row is None:
                row = DialogRow(owner=owner, serial=_first_serial(now), started_at=now)
                session.add(row)
            row.kind, row.data, row.serial, row.started_at = kind, text, row.serial + 1, now
            serial = row.serial
        return Dialog(kind, dict(data), serial, now)

    def get(self, owner: str) -> Dialog | None:
        """The open dialog, or None (none begun, ended, or left alone too long)."""
        with self.store.read() as session:
            row = session.get(DialogRow, owner)
            if row is None or row.kind is None:
                return None
            dialog = Dialog(row.kind, json.loads(row.data), row.serial, row.started_at)
        if self.clock.now() - dialog.started > self.ttl:
            return None
        return dialog

    def end(self, owner: str) -> Dialog | None:
        """Close ``owner``'s dialog; the one that was open (None: none was)."""
        with self.store.write() as session:
            row = session.get(DialogRow, owner)
            if row is None or row.kind is None:
                return None
            ended = Dialog(row.kind, json.loads(row.data), row.serial, row.started_at)
            row.kind = None
        return ended

    def forget(self, owner: str) -> None:
        """Remove every trace of ``owner`` (their account is being deleted); serials begun later
        start past the old ones (``_first_serial``)."""
        with self.store.write() as session:
            session.execute(sa.delete(DialogRow).where(col(DialogRow.owner) == owner))


def _first_serial(now: datetime) -> int:
    """Where a person's serials start: the clock's seconds, so that after ``forget`` (an account
    deleted and begun again) no serial of the old buttons comes round again, unless the person
    took more dialog steps than seconds have passed since their first."""
    return int(now.timestamp()) % 1_000_000_000
