"""The statements that find due reminder firings and take them under a lease.

A due firing is read with all a decision needs (its habit, its user, that day's check-in) in one
statement, whose cost follows the number due, not the number of users: the due reminders are
taken first through the ``reminders.next_fire`` index and a limit, then the rest is looked up by
key. ``habitcore.delivery`` decides; this module only reads and takes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from habitcore.storage.tables import CheckInRow, HabitRow, ReminderRow, UserRow, metadata

_REMINDERS = metadata.tables["reminders"]


class Due(NamedTuple):
    """One due firing with all a decision needs, read as plain columns in one query."""

    reminder_id: int
    habit_id: int
    minutes: int
    weekdays: int
    next_fire: datetime
    next_day: date
    snoozed: bool
    user_id: int
    name: str
    schedule: str
    start: date
    target: float | None
    unit: str | None
    at_most: bool
    external_id: str
    timezone: str
    day_start: int
    week_start: int
    language: str
    status: str | None
    amount: float | None


# The reminder's own columns a decision needs, after its id.
_FIRING = ("habit_id", "minutes", "weekdays", "next_fire", "next_day", "snoozed")


def _due(*columns: Any, now: datetime, user_id: int | None, prefix: str | None) -> Any:
    """A select of ``columns`` from the reminders due at ``now`` that nobody holds: no lease,
    or one that passed unconfirmed (its worker died)."""
    free = sa.or_(col(ReminderRow.lease_until).is_(None), col(ReminderRow.lease_until) <= now)
    due: Any = sa.select(*columns).where(col(ReminderRow.next_fire) <= now, free)
    if user_id is not None:
        due = due.join(HabitRow, col(HabitRow.id) == ReminderRow.habit_id).where(
            col(HabitRow.user_id) == user_id
        )
    elif prefix is not None:
        # Only firings of users whose external id starts with ``prefix``, filtered inside the
        # limited scan: another frontend's backlog can then never fill the batch.
        # OFFSET 0 keeps PostgreSQL from flattening the EXISTS into a semi-join that hashes
        # the whole users and habits tables; it then probes them by key for each due row.
        owner = (
            sa.select(sa.literal(1))
            .select_from(HabitRow)
            .join(UserRow, col(UserRow.id) == HabitRow.user_id)
            .where(
                col(HabitRow.id) == ReminderRow.habit_id,
                col(UserRow.external_id).startswith(prefix, autoescape=True),
            )
            .offset(0)
        )
        due = due.where(owner.exists())
    return due


def _decidable(session: Session, firing: Any) -> Any:
    """``firing`` (a subquery of due reminders' columns) joined to what deciding needs.

    The due reminders are taken first, through the ``next_fire`` index and the limit; their
    habits, users and that day's check-ins are then looked up by key, so the cost follows the
    number due, not the number of users. PostgreSQL is told so with LATERAL lookups: left to
    itself its planner hashes whole tables once they are large.
    """
    habit_columns = (
        col(HabitRow.user_id),
        col(HabitRow.name),
        col(HabitRow.schedule),
        col(HabitRow.start),
        col(HabitRow.target),
        col(HabitRow.unit),
        col(HabitRow.at_most),
    )
    user_columns = (
        col(UserRow.external_id),
        col(UserRow.timezone),
        col(UserRow.day_start),
        col(UserRow.week_start),
        col(UserRow.language),
    )
    on_day = sa.and_(
        col(CheckInRow.habit_id) == firing.c.habit_id, col(CheckInRow.day) == firing.c.next_day
    )
    if session.get_bind().dialect.name == "postgresql":
        habits = (
            sa.select(*habit_columns)
            .where(col(HabitRow.id) == firing.c.habit_id)
            .offset(0)
            .lateral("h")
        )
        checkins = (
            sa.select(col(CheckInRow.status), col(CheckInRow.amount))
            .where(on_day)
            .offset(0)
            .lateral("c")
        )
        users_on: Any = col(UserRow.id) == habits.c.user_id
        joined = (
            firing.join(habits, sa.true()).join(UserRow, users_on).outerjoin(checkins, sa.true())
        )
        picked = [*habits.c, *user_columns, *checkins.c]
    else:
        # SQLite runs the limited subquery first and joins by key on its own.
        joined = (
            firing.join(HabitRow, col(HabitRow.id) == firing.c.habit_id)
            .join(UserRow, col(UserRow.id) == HabitRow.user_id)
            .outerjoin(CheckInRow, on_day)
        )
        picked = [*habit_columns, *user_columns, col(CheckInRow.status), col(CheckInRow.amount)]
    return sa.select(*firing.c, *picked).select_from(joined).order_by(firing.c.next_fire)


def find(
    session: Session, now: datetime, limit: int, user_id: int | None, prefix: str | None
) -> list[Due]:
    """Up to ``limit`` firings due at ``now`` that nobody holds, oldest first (see ``_due``)."""
    firing = _due(
        _REMINDERS.c.id.label("reminder_id"),
        *(_REMINDERS.c[name] for name in _FIRING),
        now=now,
        user_id=user_id,
        prefix=prefix,
    )
    limited = firing.order_by(col(ReminderRow.next_fire)).limit(limit).subquery("due")
    return [Due(*row) for row in session.execute(_decidable(session, limited))]


def take(
    session: Session,
    now: datetime,
    limit: int,
    user_id: int | None,
    prefix: str | None,
    *,
    worker: str,
    until: datetime,
) -> list[Due]:
    """Up to ``limit`` due firings, put under ``worker``'s lease until ``until``, read as
    ``find`` reads them."""
    taking = sa.update(_REMINDERS).values(claimed_by=worker, lease_until=until)
    if session.get_bind().dialect.name == "postgresql":
        # One statement takes the batch and reads it: rows another worker is taking this
        # moment are skipped rather than waited for, so no two workers take the same firing.
        pick = (
            _due(col(ReminderRow.id), now=now, user_id=user_id, prefix=prefix)
            .order_by(col(ReminderRow.next_fire))
            .limit(limit)
            .with_for_update(skip_locked=True, of=_REMINDERS)
        )
        # id = ANY(ARRAY(SELECT ...)): the ids are found once, then each row is reached by key.
        # With IN (SELECT ...) the planner may join the whole table against the batch instead
        # (seen up to 60,000 users: a claim that grew with the table, not with the batch).
        taken = (
            taking.where(_REMINDERS.c.id == sa.any_(sa.func.array(pick.scalar_subquery())))
            .returning(
                _REMINDERS.c.id.label("reminder_id"), *(_REMINDERS.c[name] for name in _FIRING)
            )
            .cte("taken")
        )
        return [Due(*row) for row in session.execute(_decidable(session, taken))]
    # SQLite lets one writer in at a time (BEGIN IMMEDIATE): what this finds, nobody else takes.
    rows = find(session, now, limit, user_id, prefix)
    if rows:
        session.execute(taking.where(_REMINDERS.c.id.in_([row.reminder_id for row in rows])))
    return rows
