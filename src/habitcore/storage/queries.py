"""Every statement the façade needs, as functions of a session and a user id.

The façade decides what may happen and in which transaction; these functions say how it is asked
of the database, and how a name reaches a habit (``habit_row``), the one lookup every frontend
shares. None of them commits, so a method of ``Tracker`` can call several and
still do all of it or none. Each function that reaches a habit by id also checks that the habit
belongs to the user: one person can never touch another's rows through a guessed number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.errors import DuplicateHabit, HabitArchived, HabitNotArchived, HabitNotFound
from habitcore.rules.days import day_end_instant
from habitcore.rules.habits import clean_name, match_name, name_key
from habitcore.storage.records import Zone
from habitcore.storage.tables import (
    CheckInRow,
    HabitOriginRow,
    HabitRow,
    PauseRow,
    ReminderLogRow,
    ReminderRow,
    TallyRow,
    TokenRow,
    UserRow,
)

# -- users ------------------------------------------------------------------------------------


def user_id_of(session: Session, external_id: str) -> int | None:
    return session.exec(select(UserRow.id).where(UserRow.external_id == external_id)).first()


def user(session: Session, user_id: int) -> UserRow | None:
    return session.get(UserRow, user_id)


def user_named(session: Session, external_id: str) -> UserRow | None:
    """The whole user row by external id: a ``Tracker`` reads it once, when it is made."""
    return session.exec(select(UserRow).where(UserRow.external_id == external_id)).first()


def new_user(
    session: Session, external_id: str, timezone: str, timezone_set: bool, now: datetime
) -> int:
    """Add a user, their first rollover due at the end of the habit day holding ``now``."""
    row = UserRow(
        external_id=external_id, timezone=timezone, timezone_set=timezone_set, created_at=now
    )
    zone = Zone.of(row)
    row.next_close = day_end_instant(now, zone.tz, zone.day_start)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def delete_user(session: Session, user_id: int) -> None:
    """Erase a user with every habit, pause and reminder of theirs."""
    delete_habits(session, habit_ids(session, user_id))
    session.execute(sa.delete(PauseRow).where(col(PauseRow.user_id) == user_id))
    session.execute(sa.delete(TokenRow).where(col(TokenRow.user_id) == user_id))
    session.execute(sa.delete(UserRow).where(col(UserRow.id) == user_id))


# -- habits -----------------------------------------------------------------------------------


# A habit is named by its name (any case) or by its ``Habit.id``.
HabitRef = str | int


def habit_row(
    session: Session, user_id: int, ref: HabitRef | None, archived: bool | None = False
) -> HabitRow:
    """The user's habit called ``ref`` (any case) or with id ``ref``.

    By name, an active habit wins over archived namesakes; an id names exactly one habit, which
    is how a frontend that keeps a short handle (a Telegram button) reaches an archived one.

    ``archived`` says which kind is wanted (None: either); the wrong kind is refused with a
    sentence that says how to get the other.
    """
    if isinstance(ref, int) and not isinstance(ref, bool):
        found = habit_by_id(session, user_id, ref)
        if found is None:
            raise HabitNotFound(f"#{ref}")
        rows = [found]
    else:
        rows = habits_keyed(session, user_id, name_key(clean_name(ref or "")))
        if not rows:
            raise HabitNotFound(clean_name(ref or ""))
    if archived is not None:
        wanted = [r for r in rows if r.archived == archived]
        if not wanted:
            if archived:
                raise HabitNotArchived(rows[0].name)
            raise HabitArchived(rows[0].name)
        rows = wanted
    return rows[0]


def find_habit(
    session: Session, user_id: int, text: HabitRef, *, archived: bool, exact: bool
) -> HabitRow:
    """The habit a person means by ``text``: a name in any case, a unique prefix of one
    (unless ``exact``: commands that delete or rename take the whole name), or an id (``7`` or
    ``"#7"``), which reaches any habit, archived or not. By name, only active habits are
    candidates, or with ``archived=True`` only archived ones; a name that belongs to the other
    kind is a ``HabitArchived`` (or ``HabitNotArchived``) saying so, never "no such habit".
    """
    typed_id = _id_of(text)
    if typed_id is not None:
        return habit_row(session, user_id, typed_id, archived=None)
    rows = habit_rows(session, user_id, archived=archived)
    try:
        return rows[match_name([r.name for r in rows], str(text), exact=exact)]
    except HabitNotFound:
        key = name_key(clean_name(text))
        others = habit_rows(session, user_id, archived=not archived)
        namesake = next((r.name for r in others if r.name_key == key), None)
        if namesake is None:
            raise
        raise (HabitNotArchived if archived else HabitArchived)(namesake) from None


def _id_of(text: HabitRef) -> int | None:
    """The habit id in ``7`` or ``"#7"``; None for a name."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    typed = str(text).strip()
    if typed.startswith("#") and typed[1:].isdigit() and len(typed) <= 19:
        return int(typed[1:])
    return None


def refuse_duplicate(
    session: Session, user_id: int, name: str, *, unarchiving: bool = False
) -> None:
    """Raise ``DuplicateHabit`` when an active habit of the user already has this name.

    The user's row is locked first, until the transaction ends: two writers adding one name at
    once (two bot workers on PostgreSQL) would otherwise both find it free, and the loser would
    meet the unique constraint as a database error. Locked, the second waits for the first and
    then sees its habit. SQLite's writers take turns already; it has no row locks to take.
    """
    session.execute(sa.select(col(UserRow.id)).where(col(UserRow.id) == user_id).with_for_update())
    clash = active_name(session, user_id, name_key(name))
    if clash is not None:
        # As it is spelled, which may differ in case from ``name``.
        raise DuplicateHabit(clash, unarchiving=unarchiving)


def habit_rows(session: Session, user_id: int, *, archived: bool | None) -> list[HabitRow]:
    """The user's habits in their order; ``archived=None`` for both kinds."""
    query = select(HabitRow).where(HabitRow.user_id == user_id)
    if archived is not None:
        query = query.where(HabitRow.archived == archived)
    return list(session.exec(query.order_by(col(HabitRow.position), col(HabitRow.id))))


def active_names(session: Session, external_id: str) -> list[str]:
    """The names of a user's active habits in their order; none for a user not stored."""
    query = (
        select(HabitRow.name)
        .join(UserRow, col(UserRow.id) == col(HabitRow.user_id))
        .where(UserRow.external_id == external_id, HabitRow.archived == False)  # noqa: E712
        .order_by(col(HabitRow.position), col(HabitRow.id))
    )
    return list(session.exec(query))


def habit_ids(session: Session, user_id: int) -> list[int]:
    return list(session.exec(select(HabitRow.id).where(HabitRow.user_id == user_id)).all())  # type: ignore[arg-type]


def habit_by_id(session: Session, user_id: int, habit_id: int) -> HabitRow | None:
    found = session.get(HabitRow, habit_id)
    return found if found is not None and found.user_id == user_id else None


def habits_keyed(session: Session, user_id: int, key: str) -> list[HabitRow]:
    """The user's habits whose name folds to ``key``: active first, then the newest archived."""
    query = select(HabitRow).where(HabitRow.user_id == user_id, HabitRow.name_key == key)
    return list(session.exec(query.order_by(col(HabitRow.archived), col(HabitRow.id).desc())))


def active_name(session: Session, user_id: int, key: str) -> str | None:
    """The spelling of the active habit whose name folds to ``key``, if there is one."""
    return session.exec(
        select(HabitRow.name).where(
            HabitRow.user_id == user_id,
            HabitRow.name_key == key,
            HabitRow.archived == False,  # noqa: E712 - SQL, not Python
        )
    ).first()


def next_position(session: Session, user_id: int) -> int:
    """The position after the user's last habit (0 for a first habit)."""
    last = session.execute(
        sa.select(sa.func.coalesce(sa.func.max(HabitRow.position), -1)).where(
            col(HabitRow.user_id) == user_id
        )
    ).scalar_one()
    return int(last) + 1


def new_habit(
    session: Session, user_id: int, name: str, schedule: str, start: date, today: date
) -> HabitRow:
    """Add a habit as the user's last one; the caller sets what else it has, then flushes."""
    row = HabitRow(
        user_id=user_id,
        name=name,
        name_key=name_key(name),
        schedule=schedule,
        start=start,
        position=next_position(session, user_id),
        # Only days that end from now on are news; a backdated start is history.
        closed_through=max(start, today) - timedelta(days=1),
    )
    session.add(row)
    return row


def bump(session: Session, user_id: int, habit_ids: Iterable[int | None] | None = None) -> None:
    """Mark kept tallies of these habits (None: all of the user's) stale."""
    query = sa.update(HabitRow).where(col(HabitRow.user_id) == user_id)
    if habit_ids is not None:
        query = query.where(col(HabitRow.id).in_([i for i in habit_ids if i is not None]))
    session.execute(
        query.values(revision=HabitRow.revision + 1).execution_options(synchronize_session=False)
    )


def delete_habits(session: Session, ids: Sequence[int]) -> None:
    """Delete habits with everything hanging from them, children first."""
    if not ids:
        return
    reminder_ids = sa.select(col(ReminderRow.id)).where(col(ReminderRow.habit_id).in_(ids))
    session.execute(
        sa.delete(ReminderLogRow).where(col(ReminderLogRow.reminder_id).in_(reminder_ids))
    )
    for table in (ReminderRow, TallyRow, HabitOriginRow, CheckInRow, PauseRow):
        session.execute(sa.delete(table).where(col(table.habit_id).in_(ids)))
    session.execute(sa.delete(HabitRow).where(col(HabitRow.id).in_(ids)))


# -- check-ins --------------------------------------------------------------------------------


def checkin(session: Session, habit_id: int | None, day: date) -> CheckInRow | None:
    return session.exec(
        select(CheckInRow).where(CheckInRow.habit_id == habit_id, CheckInRow.day == day)
    ).first()


def checkins(session: Session, habit_id: int | None, since: date | None) -> list[CheckInRow]:
    query = select(CheckInRow).where(CheckInRow.habit_id == habit_id)
    if since is not None:
        query = query.where(col(CheckInRow.day) >= since)
    return list(session.exec(query.order_by(col(CheckInRow.day))))


# -- pauses -----------------------------------------------------------------------------------


def pauses(session: Session, user_id: int, habit_id: int | None) -> list[PauseRow]:
    """One habit's pauses, or the vacations (``habit_id=None``), earliest first."""
    return list(
        session.exec(
            select(PauseRow)
            .where(PauseRow.user_id == user_id, PauseRow.habit_id == habit_id)
            .order_by(col(PauseRow.start))
        )
    )


def every_pause(session: Session, user_id: int, habit_id: int | None = None) -> list[PauseRow]:
    """All of a user's pauses (or those that hold one habit: its own and the vacations)."""
    query = select(PauseRow).where(PauseRow.user_id == user_id)
    if habit_id is not None:
        query = query.where(
            sa.or_(col(PauseRow.habit_id) == habit_id, col(PauseRow.habit_id).is_(None))
        )
    return list(session.exec(query.order_by(col(PauseRow.start), col(PauseRow.id))))


def pause(session: Session, user_id: int, pause_id: int) -> PauseRow | None:
    found = session.get(PauseRow, pause_id)
    return found if found is not None and found.user_id == user_id else None


def habit_names(session: Session, user_id: int) -> dict[int | None, str]:
    rows = session.execute(
        sa.select(col(HabitRow.id), col(HabitRow.name)).where(col(HabitRow.user_id) == user_id)
    )
    return {ident: name for ident, name in rows}


def end_pauses(
    session: Session, user_id: int, habit_id: int | None, day: date, *, planned: bool
) -> tuple[list[PauseRow], list[PauseRow], list[PauseRow]]:
    """Make the pauses (as ``pauses``) holding ``day`` end the day before, dropping one that
    began on ``day``, and drop those planned after it unless ``planned`` is False.

    Returns (ended, cancelled, kept) as they were before the change.
    """
    ended: list[PauseRow] = []
    cancelled: list[PauseRow] = []
    kept: list[PauseRow] = []
    for row in sorted(pauses_ending_from(session, user_id, habit_id, day), key=_when):
        if row.start > day and not planned:
            kept.append(row)
            continue
        (cancelled if row.start > day else ended).append(_copy(row))
        if row.start >= day:
            session.delete(row)
        else:
            row.end = day - timedelta(days=1)
            session.add(row)
    return ended, cancelled, kept


def _copy(row: PauseRow) -> PauseRow:
    """The pause as it is now, apart from the session, to report after the row changes."""
    return PauseRow(
        id=row.id, user_id=row.user_id, habit_id=row.habit_id, start=row.start, end=row.end
    )


def _when(row: PauseRow) -> tuple[date, int]:
    return row.start, row.id or 0


def pauses_ending_from(
    session: Session, user_id: int, habit_id: int | None, day: date
) -> list[PauseRow]:
    """The pauses (as ``pauses``) that hold ``day`` or begin after it."""
    return list(
        session.exec(
            select(PauseRow).where(
                PauseRow.user_id == user_id,
                PauseRow.habit_id == habit_id,
                col(PauseRow.end) >= day,
            )
        )
    )


# -- reminders --------------------------------------------------------------------------------


def reminders_by_habit(
    session: Session, rows: Sequence[HabitRow]
) -> dict[int | None, list[ReminderRow]]:
    found: dict[int | None, list[ReminderRow]] = {}
    ids = [r.id for r in rows]
    if ids:
        for reminder in session.exec(select(ReminderRow).where(col(ReminderRow.habit_id).in_(ids))):
            found.setdefault(reminder.habit_id, []).append(reminder)
    return found


def disarm_reminders(session: Session, habit_id: int | None) -> None:
    """Clear a habit's next firings (it was archived); the reminders themselves stay."""
    session.execute(
        sa.update(ReminderRow)
        .where(col(ReminderRow.habit_id) == habit_id)
        .values(next_fire=None, next_day=None)
    )


def reminder_of(
    session: Session, user_id: int, reminder_id: int
) -> tuple[ReminderRow, HabitRow] | None:
    """A reminder of the user's with its habit; None for a missing one or another user's."""
    reminder = session.get(ReminderRow, reminder_id)
    habit = habit_by_id(session, user_id, reminder.habit_id) if reminder is not None else None
    if reminder is None or habit is None:
        return None
    return reminder, habit
