"""Due reminders across all users: found through one index, claimed once, decided, logged.

``find_due`` is a single query over the ``reminders.next_fire`` index joined to what a decision
needs, so its cost follows the number due, not the number of users. ``due_reminders`` then claims
each one with a compare-and-set on ``next_fire``: of several processes asking at once, exactly one
wins each firing, so a reminder is never sent twice. The winner moves ``next_fire`` on to the next
occurrence, decides (send, suppress because the habit is done, skipped, paused or met for the
period, or miss because it is more than the grace period late) and logs the decision, all in one
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from habitcore.rules.days import format_time_of_day
from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.reminders import Decision, ReminderRule, decide, fire_instant, next_fire
from habitcore.rules.schedule import PerPeriod, Rolling, parse_schedule
from habitcore.rules.stats import day_state
from habitcore.rules.tally import evaluate
from habitcore.storage.records import Zone, goal_of, histories_since, pauses_for, pauses_of, rule_of
from habitcore.storage.store import Store, changed_rows
from habitcore.storage.tables import (
    CheckInRow,
    HabitRow,
    PauseRow,
    ReminderLogRow,
    ReminderRow,
    UserRow,
    metadata,
)

BATCH = 1000
_LOOKBACK = timedelta(days=400)


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


@dataclass(frozen=True)
class DueReminder:
    """A reminder to show now: which habit, for which habit day, for whom."""

    reminder_id: int
    user: str  # the user's external id, e.g. "local" or "telegram:12345"
    habit: str
    day: date
    time: str  # the local wall time it was set for, "HH:MM"
    fire_at: datetime
    snoozed: bool
    language: str
    habit_id: int = 0  # the habit's ``Habit.id``


def find_due(
    session: Session,
    now: datetime,
    user_id: int | None = None,
    limit: int = BATCH,
    prefix: str | None = None,
) -> list[Due]:
    """Firings due at or before ``now``, oldest first, with what deciding them needs.

    The due reminders are taken first, through the ``next_fire`` index and the limit; their
    habits, users and that day's check-ins are then looked up by key, so the cost follows the
    number due, not the number of users. PostgreSQL is told so with LATERAL lookups: left to
    itself its planner hashes whole tables once they are large.
    """
    due: Any = sa.select(
        col(ReminderRow.id).label("reminder_id"),
        col(ReminderRow.habit_id),
        col(ReminderRow.minutes),
        col(ReminderRow.weekdays),
        col(ReminderRow.next_fire),
        col(ReminderRow.next_day),
        col(ReminderRow.snoozed),
    ).where(col(ReminderRow.next_fire) <= now)
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
    firing = due.order_by(col(ReminderRow.next_fire)).limit(limit).subquery("due")
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
    query = sa.select(*firing.c, *picked).select_from(joined).order_by(firing.c.next_fire)
    return [Due(*row) for row in session.execute(query)]


def due_reminders(
    store: Store,
    now: datetime,
    grace: timedelta,
    user_id: int | None = None,
    *,
    prefix: str | None = None,
) -> list[DueReminder]:
    """Claim and decide every reminder due at ``now``; return the ones to send.

    ``prefix`` limits this to users whose external id starts with it (``"telegram:"``), so a
    frontend never takes the firings another frontend on the same database delivers.
    """
    sent: list[DueReminder] = []
    while True:
        with store.write() as session:
            rows = find_due(session, now, user_id, prefix=prefix)
            sent.extend(_settle(session, rows, now, grace))
        if len(rows) < BATCH:
            return sent


def rearm(store: Store, firings: Sequence[tuple[int, date]], at: datetime) -> None:
    """Hand these firings (reminder id, habit day) out again at ``at``, in one transaction.

    For a frontend that claimed firings and then could not send them (it is stopping): they
    come back as snoozes, so the regular next firing is not lost. Reminders deleted meanwhile
    are skipped.
    """
    if not firings:
        return
    table = metadata.tables["reminders"]
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("rid"))
        .values(next_fire=at, next_day=sa.bindparam("day"), snoozed=True)
    )
    with store.write() as session:
        session.connection().execute(statement, [{"rid": r, "day": d} for r, d in firings])


def recheck(store: Store, firing: DueReminder, now: datetime, grace: timedelta) -> Decision:
    """Decide a firing handed out as sent once more, just before it really goes out.

    A frontend paced to its channel's limits may hold a reminder for minutes (10,000 due in
    one minute leave Telegram over 400 seconds later), and longer while its server is down.
    Meanwhile the person may have done or skipped the habit, archived or deleted it, or the
    delay may have passed the grace period; a reminder then would be wrong. Any answer but
    ``SEND`` replaces the firing's ``sent`` entry in the reminder log.
    """
    paused = (
        sa.select(sa.literal(1))
        .where(
            col(PauseRow.user_id) == HabitRow.user_id,
            sa.or_(col(PauseRow.habit_id).is_(None), col(PauseRow.habit_id) == HabitRow.id),
            col(PauseRow.start) <= firing.day,
            col(PauseRow.end) >= firing.day,
        )
        .exists()
    )
    on_day = sa.and_(col(CheckInRow.habit_id) == HabitRow.id, col(CheckInRow.day) == firing.day)
    # One statement for what a day schedule needs: the habit, its user, that day's check-in and
    # whether a pause holds the day. Only period habits read their recent history besides.
    query = (
        sa.select(
            col(HabitRow.id),
            col(HabitRow.user_id),
            col(HabitRow.schedule),
            col(HabitRow.start),
            col(HabitRow.target),
            col(HabitRow.unit),
            col(HabitRow.at_most),
            col(HabitRow.archived),
            col(UserRow.timezone),
            col(UserRow.day_start),
            col(UserRow.week_start),
            col(CheckInRow.status),
            col(CheckInRow.amount),
            paused.label("paused"),
        )
        .select_from(ReminderRow)
        .join(HabitRow, col(HabitRow.id) == ReminderRow.habit_id)
        .join(UserRow, col(UserRow.id) == HabitRow.user_id)
        .outerjoin(CheckInRow, on_day)
        .where(col(ReminderRow.id) == firing.reminder_id)
    )
    with store.read() as session:
        row = session.execute(query).first()
        if row is None or row.archived:
            decision = Decision.SUPPRESS
        else:
            goal, zone = goal_of(row), Zone.of(row)
            if isinstance(goal.schedule, PerPeriod | Rolling):
                since = {row.id: (now - _LOOKBACK).date()}
                history = histories_since(session, {row.id: row.user_id}, since)[row.id]
                units = evaluate(goal, history, firing.day, zone.week_start)
            else:
                checkins = {}
                if row.status is not None:
                    checkins[firing.day] = CheckIn(firing.day, Status(row.status), row.amount)
                held = (Pause(firing.day, firing.day),) if row.paused else ()
                history, units = History(checkins, held), []
            state = day_state(goal, history, firing.day, units)
            decision = decide(state, firing.fire_at, now, grace)
    if decision is not Decision.SEND:
        _relog(store, firing.reminder_id, firing.day, decision)
    return decision


def mark_undelivered(store: Store, reminder_id: int, day: date) -> bool:
    """Record that a firing handed out as sent never reached the person (they blocked the
    bot, say); False if there was no such sent firing."""
    return _relog(store, reminder_id, day, Decision.UNDELIVERED)


def _relog(store: Store, reminder_id: int, day: date, decision: Decision) -> bool:
    """Change what the log says of a firing handed out as sent; False if there was none."""
    with store.write() as session:
        return (
            changed_rows(
                session.execute(
                    sa.update(ReminderLogRow)
                    .where(
                        col(ReminderLogRow.reminder_id) == reminder_id,
                        col(ReminderLogRow.day) == day,
                        col(ReminderLogRow.decision) == Decision.SEND.value,
                    )
                    .values(decision=decision.value)
                    .execution_options(synchronize_session=False)
                )
            )
            > 0
        )


def _settle(
    session: Session, rows: Sequence[Due], now: datetime, grace: timedelta
) -> list[DueReminder]:
    sent: list[DueReminder] = []
    logs: list[dict[str, Any]] = []
    slow = _period_histories(session, rows, now)
    pauses = pauses_of(session, {row.user_id for row in rows})
    table = metadata.tables["reminders"]
    for row in rows:
        zone, goal, rule = Zone.of(row), goal_of(row), rule_of(row)
        fire_at, day, snoozed, status, amount = (
            row.next_fire,
            row.next_day,
            row.snoozed,
            row.status,
            row.amount,
        )
        if snoozed:
            # A snooze moves one firing; the regular ones after it stay where they were.
            regular = fire_instant(day, rule.at, zone.tz, zone.day_start)
            following = next_fire(goal, rule, regular, zone.tz, zone.day_start)
        else:
            following = next_fire(goal, rule, max(fire_at, now), zone.tz, zone.day_start)
        # Downtime can hide several firings: the newest may still be on time, the older ones
        # are logged as missed.
        hidden = [] if snoozed else _skipped_firings(goal, rule, zone, fire_at, now)
        *late, (day, newest) = [(day, fire_at), *hidden]
        claimed = changed_rows(
            session.execute(
                sa.update(table)
                .where(table.c.id == row.reminder_id, table.c.next_fire == fire_at)
                .values(
                    next_fire=following[1] if following else None,
                    next_day=following[0] if following else None,
                    snoozed=False,
                    last_day=day,
                )
            )
        )
        if claimed != 1:
            continue  # another process took this firing
        for late_day, late_fire in late:
            logs.append(_log(row.reminder_id, late_day, late_fire, now, Decision.MISS))
        if late and row.habit_id not in slow:
            status, amount = _checkin_on(session, row.habit_id, day)
        history = slow.get(row.habit_id) or History(
            {day: CheckIn(day, Status(status), amount)} if status is not None else {},
            pauses_for(pauses, row.user_id, row.habit_id),
        )
        units = evaluate(goal, history, day, zone.week_start) if row.habit_id in slow else []
        decision = decide(day_state(goal, history, day, units), newest, now, grace)
        logs.append(_log(row.reminder_id, day, newest, now, decision))
        if decision is Decision.SEND:
            sent.append(
                DueReminder(
                    reminder_id=row.reminder_id,
                    user=row.external_id,
                    habit=row.name,
                    day=day,
                    time=format_time_of_day(rule.at),
                    fire_at=newest,
                    snoozed=snoozed and not late,
                    language=row.language,
                    habit_id=row.habit_id,
                )
            )
    if logs:
        session.execute(sa.insert(ReminderLogRow), logs)
    return sent


def _checkin_on(session: Session, habit_id: int, day: date) -> tuple[str | None, float | None]:
    found = session.execute(
        sa.select(col(CheckInRow.status), col(CheckInRow.amount)).where(
            col(CheckInRow.habit_id) == habit_id, col(CheckInRow.day) == day
        )
    ).first()
    return (found[0], found[1]) if found else (None, None)


def _skipped_firings(
    goal: Goal, rule: ReminderRule, zone: Zone, fire_at: datetime, now: datetime
) -> list[tuple[date, datetime]]:
    found = []
    after = fire_at
    while (nxt := next_fire(goal, rule, after, zone.tz, zone.day_start)) and nxt[1] <= now:
        found.append(nxt)
        after = nxt[1]
    return found


def _period_histories(session: Session, rows: Sequence[Due], now: datetime) -> dict[int, History]:
    """Period and rolling habits need their recent check-ins to tell if the target is met."""
    wanted = {
        row.habit_id: row.user_id
        for row in rows
        if isinstance(parse_schedule(row.schedule), PerPeriod | Rolling)
    }
    if not wanted:
        return {}
    since = (now - _LOOKBACK).date()
    return histories_since(session, wanted, dict.fromkeys(wanted, since))


def _log(
    reminder_id: int | None, day: date, fire_at: datetime, now: datetime, decision: Decision
) -> dict[str, Any]:
    return {
        "reminder_id": reminder_id,
        "day": day,
        "fire_at": fire_at,
        "decided_at": now,
        "decision": decision.value,
    }
