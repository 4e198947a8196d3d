"""Whose day just ended: rollover for many users at their own day starts, found by index.

Each user row holds ``next_close``, the instant their current habit day ends. A frontend that
serves many people (the Telegram bot) calls ``close_due_days`` every few seconds: it reads only
the users whose day has ended, moves each one's ``next_close`` on with a compare-and-set (so of
several processes exactly one takes a user's turn), and runs ``close_days`` for them, the same
rollover ``Tracker.close_days`` runs for one user. Closing days is itself idempotent per habit,
so a turn lost to a crash is caught up at the next.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.rules.days import day_end_instant, habit_day
from habitcore.rules.rollover import DayResult, close
from habitcore.rules.tally import evaluate
from habitcore.storage.records import Zone, goal_of, histories, ident
from habitcore.storage.store import Store, changed_rows
from habitcore.storage.tables import HabitRow, UserRow, metadata

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
                    # In the claim's own transaction: a user deleted since is not re-created.
                    results[external_id] = close_days(session, user, now)
        if len(due) < BATCH:
            return results


def close_days(session: Session, user: UserRow, now: datetime) -> list[DayResult]:
    """One user's rollover: each habit day that ended since the last close, once, in order.

    Each habit's ``closed_through`` moves on with a compare-and-set, so of two processes closing
    the same user at once, each day is reported by exactly one.
    """
    zone = Zone.of(user)
    today = habit_day(now, zone.tz, zone.day_start)
    last = today - timedelta(days=1)
    rows = [
        r
        for r in session.exec(
            select(HabitRow)
            .where(HabitRow.user_id == user.id, HabitRow.archived == False)  # noqa: E712
            .order_by(col(HabitRow.position), col(HabitRow.id))
        )
        if r.closed_through is None or r.closed_through < last
    ]
    found = histories(session, user.id or 0, [r.id for r in rows if r.id])
    results: list[DayResult] = []
    for row in rows:
        first = (row.closed_through or row.start - timedelta(days=1)) + timedelta(days=1)
        claimed = changed_rows(
            session.execute(
                sa.update(HabitRow)
                .where(
                    col(HabitRow.id) == row.id,
                    col(HabitRow.closed_through).is_(None)
                    if row.closed_through is None
                    else col(HabitRow.closed_through) == row.closed_through,
                )
                .values(closed_through=last)
                .execution_options(synchronize_session=False)
            )
        )
        if claimed != 1:
            continue  # another process closed these days
        goal, history = goal_of(row), found[ident(row)]
        units = evaluate(goal, history, today, zone.week_start)
        results.extend(close(row.name, goal, history, units, first, last))
    return sorted(results, key=lambda r: (r.day, r.habit))
