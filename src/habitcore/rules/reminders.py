"""When a reminder fires, and whether it should be sent when it does.

A reminder is a local wall time (optionally on some weekdays only) on a habit. For habit day D it
fires at that wall time within D: on D's date when the time is at or after the day start, on the
next date otherwise (a 01:00 reminder with a 04:00 day start belongs to the night after D).
Each (reminder, habit day) has exactly one fire instant, in UTC, computed here; the store keeps
the next one in an indexed column and claims it atomically, so it fires at most once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from habitcore.errors import InvalidTime
from habitcore.rules.days import (
    WEEKDAY_NAMES,
    format_time_of_day,
    habit_day,
    local_instant,
    parse_time_of_day,
    parse_weekday,
)
from habitcore.rules.habits import Goal
from habitcore.rules.periods import ONE_DAY
from habitcore.rules.schedule import Daily, DaysOfWeek, EveryNDays
from habitcore.rules.stats import DayState

DEFAULT_GRACE = timedelta(minutes=30)
MAX_REMINDERS = 12
# Steps enough to find the next firing: the day before ``after``'s day, then a whole weekly
# cycle of days (or of due days, for "every N days"), plus one for an instant already past.
_SEARCH_STEPS = 9


@dataclass(frozen=True)
class ReminderRule:
    at: time
    weekdays: frozenset[int] | None = None  # None: every day the schedule makes due

    def __str__(self) -> str:
        if self.weekdays is None:
            return format_time_of_day(self.at)
        days = ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        return f"{format_time_of_day(self.at)} {days}"

    @property
    def mask(self) -> int:
        return 127 if self.weekdays is None else sum(1 << d for d in self.weekdays)

    @classmethod
    def from_mask(cls, at: time, mask: int) -> ReminderRule:
        if mask == 127:
            return cls(at)
        return cls(at, frozenset(d for d in range(7) if mask & (1 << d)))


def parse_reminder(text: str) -> ReminderRule:
    """``"21:00"`` or ``"08:00 mon,wed,fri"``."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidTime("A reminder needs a time, such as 21:00 or '08:00 mon,wed,fri'.")
    head, _, rest = text.strip().partition(" ")
    at = parse_time_of_day(head)
    if not rest.strip():
        return ReminderRule(at)
    days = frozenset(parse_weekday(part) for part in rest.replace(" ", ",").split(",") if part)
    return ReminderRule(at, None if len(days) == 7 else days)


def parse_reminders(texts: Iterable[str | ReminderRule]) -> list[ReminderRule]:
    rules: list[ReminderRule] = []
    for text in texts:
        rule = text if isinstance(text, ReminderRule) else parse_reminder(text)
        if rule not in rules:
            rules.append(rule)
            if len(rules) > MAX_REMINDERS:
                raise InvalidTime(f"A habit can have at most {MAX_REMINDERS} reminders.")
    return rules


def fire_instant(day: date, at: time, tz: tzinfo, day_start: time) -> datetime:
    """The UTC instant the reminder at wall time ``at`` fires for habit day ``day``."""
    on = day if at >= day_start else day + ONE_DAY
    return local_instant(on, at, tz)


def could_be_due(goal: Goal, rule: ReminderRule, day: date) -> bool:
    """Whether ``day`` may need a reminder, judging by the calendar alone.

    Check-ins and pauses are looked at only when the reminder fires (see ``decide``), so the
    stored next fire instant does not change each time someone checks a habit in.
    """
    if day < goal.start:
        return False
    if rule.weekdays is not None and day.weekday() not in rule.weekdays:
        return False
    schedule = goal.schedule
    if isinstance(schedule, Daily | DaysOfWeek | EveryNDays):
        return schedule.is_due(day, goal.start)
    return True


def next_fire(
    goal: Goal, rule: ReminderRule, after: datetime, tz: tzinfo, day_start: time
) -> tuple[date, datetime] | None:
    """The first (habit day, instant) strictly after ``after``; None if no day can ever be due."""
    day = max(habit_day(after, tz, day_start) - ONE_DAY, goal.start)
    schedule = goal.schedule
    if isinstance(schedule, EveryNDays):
        # Jump from due day to due day; their weekdays repeat within 7 jumps.
        day += timedelta(days=-(day - goal.start).days % schedule.n)
        step, tries = timedelta(days=schedule.n), _SEARCH_STEPS
    else:
        step, tries = ONE_DAY, _SEARCH_STEPS
    for _ in range(tries):
        if could_be_due(goal, rule, day):
            instant = fire_instant(day, rule.at, tz, day_start)
            if instant > after:
                return day, instant
        day += step
    return None


class Decision(enum.StrEnum):
    SEND = "sent"
    SUPPRESS = "suppressed"  # done, skipped, paused or met for the period already
    MISS = "missed"  # fired more than the grace period late: recorded, not sent
    UNDELIVERED = "undelivered"  # sent, but the frontend could not reach the person


def decide(state: DayState, fire_at: datetime, now: datetime, grace: timedelta) -> Decision:
    if state is not DayState.DUE:
        return Decision.SUPPRESS
    if now - fire_at > grace:
        return Decision.MISS
    return Decision.SEND
