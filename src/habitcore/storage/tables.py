"""The database tables, as SQLModel classes.

Rows stay inside the store: rules get the plain records of ``habitcore.rules.habits`` instead.
Instants are stored as naive UTC (SQLite has no time zones) and handed back timezone-aware. Local
times of day are minutes after midnight; dates are habit days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("habitcore stores only timezone-aware instants")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - SQLite returns datetime via SQLAlchemy
            value = datetime.fromisoformat(value)
        instant: datetime = value
        return instant.replace(tzinfo=UTC)


def _instant(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


# SQLite reuses the highest rowid after a delete unless told not to; an id handed to a
# frontend (a reminder behind a Telegram button) must never come to mean another row.
_NO_REUSE = {"sqlite_autoincrement": True}


class UserRow(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = _NO_REUSE

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=200, unique=True)
    timezone: str = Field(max_length=64)
    timezone_set: bool = Field(default=False)
    day_start: int = Field(default=0)  # minutes after local midnight
    week_start: int = Field(default=0)  # 0 = Monday
    language: str = Field(default="en", max_length=16)
    active: bool = Field(default=True)  # False: the frontend cannot reach them (blocked bot)
    morning_summary: bool = Field(default=True)
    # When the user's current habit day ends (their next day start): rollover is due then.
    # NULL for a user who cannot be reached. Finding whose day just ended reads this index only.
    next_close: datetime | None = _instant(default=None, index=True)
    created_at: datetime = _instant()


class HabitRow(SQLModel, table=True):
    __tablename__ = "habits"
    # Active names are unique per user: ``active_key`` is the name key while the habit is
    # active and NULL once archived, and NULLs never clash in a unique constraint (on any
    # backend, without a partial index).
    __table_args__ = (
        sa.UniqueConstraint("user_id", "active_key", name="uq_habits_active_name"),
        _NO_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    name_key: str = Field(max_length=400)
    active_key: str | None = Field(default=None, max_length=400)
    description: str | None = Field(default=None, max_length=1000)
    schedule: str = Field(max_length=40)
    target: float | None = Field(default=None)
    unit: str | None = Field(default=None, max_length=20)
    at_most: bool = Field(default=False)
    start: date
    archived: bool = Field(default=False)
    position: int = Field(default=0)
    closed_through: date | None = Field(default=None)  # the last habit day rollover reported
    # Bumped by every change that can alter a figure of a past day (a check-in on a past day,
    # a pause, a new schedule or target, a new week start): a kept tally of another revision
    # is stale.
    revision: int = Field(default=0)
    created_at: datetime = _instant()


@event.listens_for(HabitRow, "before_insert")
@event.listens_for(HabitRow, "before_update")
def _keep_active_key(_mapper: Any, _connection: Any, habit: HabitRow) -> None:
    habit.active_key = None if habit.archived else habit.name_key


class CheckInRow(SQLModel, table=True):
    __tablename__ = "checkins"
    __table_args__ = (sa.UniqueConstraint("habit_id", "day", name="uq_checkins_habit_day"),)

    id: int | None = Field(default=None, primary_key=True)
    habit_id: int = Field(foreign_key="habits.id", ondelete="CASCADE")
    day: date
    status: str = Field(max_length=10)
    amount: float | None = Field(default=None)
    note: str | None = Field(default=None, max_length=2000)


class HabitOriginRow(SQLModel, table=True):
    """A source a habit was imported from, so a second import of it matches the habit.

    ``key`` is ``"loop:uuid:…"`` for a Loop backup that has uuids, else the format, the
    identity of the file's habit list and the source's own habit id (see habitcore.exchange).
    """

    __tablename__ = "habit_origins"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_habit_origins_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    habit_id: int = Field(foreign_key="habits.id", ondelete="CASCADE", index=True)
    key: str = Field(max_length=300)


class TokenRow(SQLModel, table=True):
    """A token that acts as one user over HTTP. Only its SHA-256 digest is kept: a 256-bit
    random token needs no slow hash, and a leaked table holds nothing that opens a door."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "label", name="uq_api_tokens_user_label"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    label: str = Field(max_length=100)
    digest: str = Field(max_length=64, unique=True)
    created_at: datetime = _instant()
    last_used_at: datetime | None = _instant(default=None)


class TallyRow(SQLModel, table=True):
    """A habit's figures kept as of the end of a day (``habitcore.rules.tally.Tally`` as JSON)."""

    __tablename__ = "tallies"

    habit_id: int = Field(foreign_key="habits.id", ondelete="CASCADE", primary_key=True)
    revision: int  # the habit's revision the tally was folded from
    week_start: int
    day: date  # the last day folded
    data: str = Field(sa_type=sa.Text)


class PauseRow(SQLModel, table=True):
    """A pause of one habit, or of all a user's habits when ``habit_id`` is NULL."""

    __tablename__ = "pauses"
    __table_args__ = _NO_REUSE  # a pause is named by its id (habit-api, habit unpause)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    habit_id: int | None = Field(default=None, foreign_key="habits.id", ondelete="CASCADE")
    start: date
    end: date


class ReminderRow(SQLModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = _NO_REUSE

    id: int | None = Field(default=None, primary_key=True)
    habit_id: int = Field(foreign_key="habits.id", ondelete="CASCADE", index=True)
    minutes: int  # local wall time, minutes after midnight
    weekdays: int = Field(default=127)  # bit d set: fires on weekday d (0 = Monday)
    # The next instant it fires and the habit day that firing is for. NULL: nothing scheduled
    # (archived habit, unreachable user). Finding what is due reads this index only.
    next_fire: datetime | None = _instant(default=None, index=True)
    next_day: date | None = Field(default=None)
    snoozed: bool = Field(default=False)
    # The habit day of the last firing decided, so that rescheduling (a new time zone or day
    # start) never hands out a day already sent, suppressed or missed.
    last_day: date | None = Field(default=None)
    # A lease on the firing at ``next_fire``: the worker that claimed it and until when. It
    # is due again for everyone once ``lease_until`` has passed unconfirmed (the worker died),
    # so a claim is never lost; NULL when nobody holds it. Not indexed: a claim then writes
    # only its row, and a worker names the rows it renews by id.
    claimed_by: str | None = Field(default=None, max_length=80)
    lease_until: datetime | None = _instant(default=None)


class ReminderLogRow(SQLModel, table=True):
    """What became of each firing: sent (once the frontend confirmed it), suppressed, missed or
    undelivered. A firing under lease has no entry yet."""

    __tablename__ = "reminder_log"

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminders.id", ondelete="CASCADE", index=True)
    day: date
    fire_at: datetime = _instant()
    decided_at: datetime = _instant()
    decision: str = Field(max_length=12)


class HandledEventRow(SQLModel, table=True):
    """An event from outside (a Telegram update, say) whose change is committed: recorded in
    the same transaction as the change, so a delivery repeated by the sender, or handed to two
    workers, takes effect once. Kept a day (a sender retries for minutes, not days)."""

    __tablename__ = "handled_events"

    source: str = Field(max_length=40, primary_key=True)
    event_id: int = Field(sa_type=sa.BigInteger, primary_key=True)
    handled_at: datetime = _instant(index=True)


class DialogRow(SQLModel, table=True):
    """Where a person is in a conversation of several steps (an ``/add`` half done), kept in the
    database so that the next step may reach any worker process. ``kind`` NULL: no dialog open;
    the row stays so that ``serial`` (new for every step, named by the buttons of that step)
    never repeats for the person."""

    __tablename__ = "dialogs"

    owner: str = Field(max_length=200, primary_key=True)  # the user's external id
    kind: str | None = Field(default=None, max_length=40)
    data: str = Field(default="{}", sa_type=sa.Text)  # JSON
    serial: int = Field(default=0)
    started_at: datetime = _instant()


metadata = SQLModel.metadata
