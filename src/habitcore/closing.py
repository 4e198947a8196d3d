"""Whose day just ended: rollover for many users at their own day starts, found by index.

Each user row holds ``next_close``, the instant their current habit day ends. A frontend that
serves many people (the Telegram bot) calls ``close_due_days`` every few seconds: it reads only
the users whose day has ended, moves each one's ``next_close`` on with a compare-and-set (so of
several processes exactly one takes a user's turn), and runs ``Tracker.close_days`` for them.
Closing days is itself idempotent per habit, so a turn lost to a crash is caught up at the next.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from habitcore.clock import FixedClock
from habitcore.days import day_end_instant
from habitcore.records import Zone
from habitcore.rollover import DayResult
from habitcore.store import Store, changed_rows
from habitcore.tables import UserRow, metadata
from habitcore.tracker import Tracker

BATCH = 1000


def users_to_close(
    session: Session, now: datetime, limit: int = BATCH, prefix: str | None = None
) -> list[tuple[int, str, datetime]]:
    """(user id, external id, next_close) of users whose habit day ended by ``now``."""
    query = (
        sa.select(col(UserRow.id), col(UserRow.external_id), col(UserRow.next_close))
        .where(col(UserRow.next_close) <= now)
        .order_by(col(UserRow.next_close))
        .limit(limit)
    )
    if prefix is not None:
        query = query.where(col(UserRow.external_id).startswith(prefix, autoescape=True))
    return [(int(i), str(e), n) for i, e, n in session.execute(query)]


def close_due_days(
    store: Store, now: datetime, prefix: str | None = None
) -> dict[str, list[DayResult]]:
    """Close the ended days of every user whose day start has come; results by external id.

    ``prefix`` limits this to users whose external id starts with it, as in ``due_reminders``.
    """
    table = metadata.tables["users"]
    results: dict[str, list[DayResult]] = {}
    while True:
        with store.read() as session:
            due = users_to_close(session, now, prefix=prefix)
        for user_id, external_id, ends in due:
            with store.write() as session:
                user = session.get(UserRow, user_id)
                if user is None:
                    continue
                zone = Zone.of(user)
                claimed = changed_rows(
                    session.execute(
                        sa.update(table)
                        .where(table.c.id == user_id, table.c.next_close == ends)
                        .values(next_close=day_end_instant(now, zone.tz, zone.day_start))
                    )
                )
            if claimed == 1:
                tracker = Tracker(store, user=external_id, clock=FixedClock(now))
                results[external_id] = tracker.close_days(now)
        if len(due) < BATCH:
            return results
