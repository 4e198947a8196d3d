"""Turning rows into the plain records rules take, and back into what the façade returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.rules.days import WEEKDAY_WORDS, format_time_of_day, time_of_minutes
from habitcore.rules.habits import CheckIn, Goal, History, Kind, Pause, Status
from habitcore.rules.reminders import ReminderRule
from habitcore.rules.schedule import parse_schedule
from habitcore.storage.tables import CheckInRow, HabitRow, PauseRow, ReminderRow, UserRow


@dataclass(frozen=True)
class Habit:
    """A habit as the library hands it out."""

    name: str
    schedule: str
    kind: Kind
    start: date
    description: str | None = None
    target: float | None = None
    unit: str | None = None
    at_most: bool = False
    archived: bool = False
    position: int = 0
    reminders: tuple[str, ...] = ()
    id: int = 0  # stable for the habit's life; a short handle where a name is too long


@dataclass(frozen=True)
class Settings:
    user: str
    timezone: str
    timezone_set: bool  # False: still the default (UTC for a remote user)
    day_start: str  # "HH:MM"
    week_start: str  # "monday" … "sunday"
    language: str
    morning_summary: bool
    active: bool


def settings_of(row: UserRow) -> Settings:
    return Settings(
        user=row.external_id,
        timezone=row.timezone,
        timezone_set=row.timezone_set,
        day_start=format_time_of_day(Zone.of(row).day_start),
        week_start=WEEKDAY_WORDS[row.week_start],
        language=row.language,
        morning_summary=row.morning_summary,
        active=row.active,
    )


@dataclass(frozen=True)
class PauseEntry:
    """A stored pause as a person manages it: with its id, and the habit it holds (None for a
    vacation, which holds every habit). ``end`` is None for a pause until resumed."""

    id: int
    habit: str | None
    start: date
    end: date | None
    habit_id: int | None = None


def pause_entry_of(row: PauseRow, names: Mapping[int | None, str]) -> PauseEntry:
    assert row.id is not None
    end = None if Pause(row.start, row.end).open else row.end
    return PauseEntry(row.id, names.get(row.habit_id), row.start, end, row.habit_id)


@dataclass(frozen=True)
class Resumed:
    """What ``Tracker.resume`` did: pauses it ended (as they were), planned ones it cancelled,
    and planned ones it kept because it was told to."""

    day: date
    ended: tuple[PauseEntry, ...] = ()
    cancelled: tuple[PauseEntry, ...] = ()
    kept: tuple[PauseEntry, ...] = ()

    def __len__(self) -> int:
        """How many pauses changed."""
        return len(self.ended) + len(self.cancelled)


class UserFields(Protocol):
    """What a user row (or a joined query row) gives the time rules."""

    @property
    def timezone(self) -> str: ...
    @property
    def day_start(self) -> int: ...
    @property
    def week_start(self) -> int: ...


class GoalFields(Protocol):
    @property
    def schedule(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def target(self) -> float | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def at_most(self) -> bool: ...


class RuleFields(Protocol):
    @property
    def minutes(self) -> int: ...
    @property
    def weekdays(self) -> int: ...


@dataclass(frozen=True)
class Zone:
    """A user's clock settings, which every time rule needs."""

    tz: ZoneInfo
    day_start: time
    week_start: int

    @classmethod
    def of(cls, user: UserFields) -> Zone:
        return cls(ZoneInfo(user.timezone), time_of_minutes(user.day_start), user.week_start)


def ident(row: HabitRow | ReminderRow | UserRow) -> int:
    """The id of a row read back from the database, which always has one."""
    if row.id is None:
        raise ValueError("this row has not been stored yet")
    return row.id


def goal_of(row: GoalFields) -> Goal:
    return Goal(parse_schedule(row.schedule), row.start, row.target, row.unit, row.at_most)


def rule_of(row: RuleFields) -> ReminderRule:
    return ReminderRule.from_mask(time_of_minutes(row.minutes), row.weekdays)


def habit_of(row: HabitRow, reminders: Iterable[ReminderRow]) -> Habit:
    return Habit(
        name=row.name,
        schedule=row.schedule,
        kind=Kind.YES_NO if row.target is None else Kind.MEASURABLE,
        start=row.start,
        description=row.description,
        target=row.target,
        unit=row.unit,
        at_most=row.at_most,
        archived=row.archived,
        position=row.position,
        reminders=tuple(str(rule_of(r)) for r in sorted(reminders, key=lambda r: r.minutes)),
        id=row.id or 0,
    )


def checkin_of(row: CheckInRow) -> CheckIn:
    return CheckIn(row.day, Status(row.status), row.amount, row.note)


def histories(
    session: Session,
    user_id: int,
    habit_ids: Sequence[int],
    since: date | None = None,
) -> dict[int, History]:
    """Check-ins and pauses of several habits in two queries, whatever their number."""
    return histories_since(session, user_id, dict.fromkeys(habit_ids, since))


def histories_since(
    session: Session, owner: int | Mapping[int, int], since: Mapping[int, date | None]
) -> dict[int, History]:
    """Each habit's check-ins from its own first day wanted (None: all), and the pauses.

    ``owner`` is the user all the habits belong to, or each habit's user.
    """
    habit_ids = list(since)
    if not habit_ids:
        return {}
    found: dict[int, dict[date, CheckIn]] = {habit_id: {} for habit_id in habit_ids}
    done, skipped = Status.DONE, Status.SKIPPED
    whole = [habit_id for habit_id, first in since.items() if first is None]
    recent = [habit_id for habit_id, first in since.items() if first is not None]
    # One query for both kinds: the recent ones from the earliest day any of them wants (the
    # few older rows are dropped below), the others whole.
    wanted: list[sa.ColumnElement[bool]] = []
    if whole:
        wanted.append(col(CheckInRow.habit_id).in_(whole))
    if recent:
        earliest = min(first for first in since.values() if first is not None)
        wanted.append(
            sa.and_(col(CheckInRow.habit_id).in_(recent), col(CheckInRow.day) >= earliest)
        )
    for habit_id, day, status, amount in session.execute(checkins_where(*wanted)):
        first = since[habit_id]
        if first is None or day >= first:
            found[habit_id][day] = CheckIn(day, done if status == "done" else skipped, amount)
    owners = dict.fromkeys(habit_ids, owner) if isinstance(owner, int) else owner
    pauses = pauses_of(session, set(owners.values()))
    return {
        habit_id: History(found[habit_id], pauses_for(pauses, owners[habit_id], habit_id))
        for habit_id in habit_ids
    }


def checkins_query(habit_ids: list[int]) -> sa.Select[int, date, str, float | None]:
    return checkins_where(col(CheckInRow.habit_id).in_(habit_ids))


def checkins_where(*wanted: sa.ColumnElement[bool]) -> sa.Select[int, date, str, float | None]:
    """(habit id, day, status, amount) of the check-ins any of ``wanted`` holds."""
    return sa.select(
        col(CheckInRow.habit_id),
        col(CheckInRow.day),
        col(CheckInRow.status),
        col(CheckInRow.amount),
    ).where(sa.or_(*wanted))


def pauses_of(session: Session, user_ids: Iterable[int]) -> list[PauseRow]:
    """Every pause of these users, per habit and user-wide, in one query."""
    return list(session.exec(select(PauseRow).where(col(PauseRow.user_id).in_(list(user_ids)))))


def pauses_for(pauses: Iterable[PauseRow], user_id: int, habit_id: int) -> tuple[Pause, ...]:
    """The pauses that apply to one habit: its own and its user's vacations."""
    spans = (
        Pause(p.start, p.end)
        for p in pauses
        if p.user_id == user_id and p.habit_id in (None, habit_id)
    )
    return tuple(sorted(spans, key=lambda p: p.start))


def day_history(
    session: Session, user_id: int, habit_id: int, checkin: CheckInRow | None
) -> History:
    """One day's history of a habit, its check-in already in hand: enough to tell whether the
    day is done or skipped. The pauses are read only when a done check-in could be paused."""
    if checkin is None:
        return History()
    found = checkin_of(checkin)
    if found.status is Status.SKIPPED:
        return History({found.day: found})
    pauses = pauses_for(pauses_of(session, [user_id]), user_id, habit_id)
    return History({found.day: found}, pauses)
