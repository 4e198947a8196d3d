"""Keeping each reminder's next firing right after anything changes what it depends on.

A reminder's next firing is stored (in UTC, indexed) so that finding what is due never walks the
rules. Every change that can move it (new reminder times, a new zone or day start, a new goal,
archiving, an import) calls ``reschedule`` inside its own transaction, so the stored firing is
never out of date when the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from habitcore.rules.days import minutes_of
from habitcore.rules.reminders import ReminderRule, next_fire
from habitcore.storage.records import Zone, goal_of, ident, rule_of
from habitcore.storage.tables import HabitRow, ReminderRow, UserRow


def reminder_rows(session: Session, habit: HabitRow) -> list[ReminderRow]:
    return list(session.exec(select(ReminderRow).where(ReminderRow.habit_id == habit.id)))


def set_reminders(
    session: Session, user: UserRow, habit: HabitRow, rules: Iterable[ReminderRule], now: datetime
) -> None:
    """Make the habit's reminders these. One left as it was keeps its id, its log and what it
    has fired, so a Snooze button already sent still works and a day already reminded of is not
    reminded of again."""
    habit_id = ident(habit)
    wanted = {(minutes_of(rule.at), rule.mask) for rule in rules}
    for reminder in reminder_rows(session, habit):
        key = (reminder.minutes, reminder.weekdays)
        if key in wanted:
            wanted.discard(key)
        else:
            session.delete(reminder)
    for minutes, mask in sorted(wanted):
        session.add(ReminderRow(habit_id=habit_id, minutes=minutes, weekdays=mask))
    session.flush()
    reschedule(session, user, [habit], now)


def reschedule(session: Session, user: UserRow, habits: Iterable[HabitRow], now: datetime) -> None:
    """Recompute the next firing of these habits' reminders from ``now`` on."""
    zone = Zone.of(user)
    by_habit = {h.id: h for h in habits}
    if not by_habit:
        return
    reminders = session.exec(
        select(ReminderRow).where(col(ReminderRow.habit_id).in_(list(by_habit)))
    ).all()
    for reminder in reminders:
        habit = by_habit[reminder.habit_id]
        live = user.active and not habit.archived
        pending = reminder.next_fire is not None and (reminder.snoozed or reminder.next_fire <= now)
        if live and pending:
            continue  # a snooze, or a firing due and not yet handed out, stays as it is
        following = None
        if live:
            goal, rule = goal_of(habit), rule_of(reminder)
            following = next_fire(goal, rule, now, zone.tz, zone.day_start)
            # A day already decided (sent, suppressed, missed) is never handed out again,
            # whatever new zone or day start makes its firing come round once more.
            while following and reminder.last_day and following[0] <= reminder.last_day:
                following = next_fire(goal, rule, following[1], zone.tz, zone.day_start)
        reminder.next_day, reminder.next_fire = following if following else (None, None)
        reminder.snoozed = False
        session.add(reminder)
