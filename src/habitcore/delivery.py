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
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from habitcore.days import format_time_of_day
from habitcore.habits import CheckIn, Goal, History, Status
from habitcore.periods import evaluate
from habitcore.records import Zone, goal_of, histories, ident, pauses_for, pauses_of, rule_of
from habitcore.reminders import Decision, ReminderRule, decide, fire_instant, next_fire
from habitcore.schedule import PerPeriod, Rolling
from habitcore.stats import day_state
from habitcore.store import Store, changed_rows
from habitcore.tables import CheckInRow, HabitRow, ReminderLogRow, ReminderRow, UserRow

BATCH = 1000
DueRow = sa.Row[ReminderRow, HabitRow, UserRow, str | None, float | None]
_LOOKBACK = timedelta(days=400)


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


def find_due(
    session: Session, now: datetime, user_id: int | None = None, limit: int = BATCH
) -> Sequence[DueRow]:
    """Reminders whose next firing is at or before ``now``, with what deciding them needs."""
    query = (
        sa.select(ReminderRow, HabitRow, UserRow, col(CheckInRow.status), col(CheckInRow.amount))
        .join(HabitRow, col(HabitRow.id) == ReminderRow.habit_id)
        .join(UserRow, col(UserRow.id) == HabitRow.user_id)
        .outerjoin(
            CheckInRow,
            sa.and_(
                col(CheckInRow.habit_id) == ReminderRow.habit_id,
                col(CheckInRow.day) == ReminderRow.next_day,
            ),
        )
        .where(col(ReminderRow.next_fire) <= now)
        .order_by(col(ReminderRow.next_fire))
        .limit(limit)
    )
    if user_id is not None:
        query = query.where(col(HabitRow.user_id) == user_id)
    return session.execute(query).all()


def due_reminders(
    store: Store, now: datetime, grace: timedelta, user_id: int | None = None
) -> list[DueReminder]:
    """Claim and decide every reminder due at ``now``; return the ones to send."""
    sent: list[DueReminder] = []
    while True:
        with store.write() as session:
            rows = find_due(session, now, user_id)
            sent.extend(_settle(session, rows, now, grace))
        if len(rows) < BATCH:
            return sent


def _settle(
    session: Session, rows: Sequence[DueRow], now: datetime, grace: timedelta
) -> list[DueReminder]:
    sent: list[DueReminder] = []
    logs: list[dict[str, Any]] = []
    slow = _period_histories(session, rows, now)
    pauses = pauses_of(session, {user.id for _r, _h, user, _s, _a in rows if user.id})
    for reminder, habit, user, status, amount in rows:
        zone = Zone.of(user)
        goal, rule = goal_of(habit), rule_of(reminder)
        fire_at, day, snoozed = reminder.next_fire, reminder.next_day, reminder.snoozed
        if fire_at is None or day is None:  # pragma: no cover - the query asks next_fire <= now
            continue
        habit_id = ident(habit)
        if snoozed:
            # A snooze moves one firing; the regular ones after it stay where they were.
            regular = fire_instant(day, rule.at, zone.tz, zone.day_start)
            following = next_fire(goal, rule, regular, zone.tz, zone.day_start)
        else:
            following = next_fire(goal, rule, max(fire_at, now), zone.tz, zone.day_start)
        # Downtime can hide several firings: the newest may still be on time, the older ones
        # are logged as missed.
        hidden = [] if snoozed else _skipped_firings(goal, rule, zone, fire_at, now)
        *late, (day, fire_at_now) = [(day, fire_at), *hidden]
        claimed = changed_rows(
            session.execute(
                sa.update(ReminderRow)
                .where(col(ReminderRow.id) == reminder.id, col(ReminderRow.next_fire) == fire_at)
                .values(
                    next_fire=following[1] if following else None,
                    next_day=following[0] if following else None,
                    snoozed=False,
                    last_day=day,
                )
                .execution_options(synchronize_session=False)
            )
        )
        if claimed != 1:
            continue  # another process took this firing
        fire_at = fire_at_now
        for late_day, late_fire in late:
            logs.append(_log(reminder.id, late_day, late_fire, now, Decision.MISS))
        if late and habit_id not in slow:
            status, amount = _checkin_on(session, habit_id, day)
        history = slow.get(habit_id) or History(
            {day: CheckIn(day, Status(status), amount)} if status is not None else {},
            pauses_for(pauses, habit.user_id, habit_id),
        )
        units = evaluate(goal, history, day, zone.week_start) if habit_id in slow else []
        decision = decide(day_state(goal, history, day, units), fire_at, now, grace)
        logs.append(_log(reminder.id, day, fire_at, now, decision))
        if decision is Decision.SEND:
            sent.append(
                DueReminder(
                    reminder_id=ident(reminder),
                    user=user.external_id,
                    habit=habit.name,
                    day=day,
                    time=format_time_of_day(rule.at),
                    fire_at=fire_at,
                    snoozed=snoozed and not late,
                    language=user.language,
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


def _period_histories(
    session: Session, rows: Sequence[DueRow], now: datetime
) -> dict[int, History]:
    """Period and rolling habits need their recent check-ins to tell if the target is met."""
    by_user: dict[int, list[int]] = {}
    for _reminder, habit, _user, _status, _amount in rows:
        if isinstance(goal_of(habit).schedule, PerPeriod | Rolling):
            by_user.setdefault(habit.user_id, []).append(ident(habit))
    found: dict[int, History] = {}
    since = (now - _LOOKBACK).date()
    for user_id, habit_ids in by_user.items():
        found.update(histories(session, user_id, habit_ids, since=since))
    return found


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
