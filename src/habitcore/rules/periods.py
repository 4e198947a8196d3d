"""Judging a habit's history: the stretches of time it is judged on, and how each went.

A *unit* is what a streak counts: a due day for day schedules, a calendar week or month for
``N/week`` and ``N/month``, and a day whose rolling window is judged for ``N in D days``. Each
unit is met, missed, neutral (skipped, paused or not yet judgeable: it neither breaks nor extends
a streak) or pending (it has not ended and is not met yet: it cannot break anything until it
ends). Streaks, completion rates, rollover and reminders all read this one judgement, so they can
never disagree about what happened.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from habitcore.rules.habits import CheckIn, Goal, Status

ONE_DAY = timedelta(days=1)
EPSILON = 1e-9  # summed amounts are floats: a total this close to a target reaches it


class State(enum.StrEnum):
    MET = "met"
    MISSED = "missed"
    NEUTRAL = "neutral"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Unit:
    start: date
    end: date  # inclusive; for the current week or month this lies after today
    state: State
    value: float  # the share of the unit's target that was met, 0 to 1


def day_value(goal: Goal, checkin: CheckIn | None, *, ended: bool = True) -> tuple[bool, float]:
    """(met, share of target) for one day's check-in under a day schedule.

    Under a ceiling nothing logged is 0, which is within it: such a day is met once it has
    ended, but while it is today it is not met yet (pending), so its reminders still fire.
    """
    if goal.at_most and goal.target is not None:
        if checkin is None:
            return ended, 1.0
        if checkin.status is not Status.DONE:
            return False, 0.0
        amount = goal.target if checkin.amount is None else checkin.amount
        return amount <= goal.target + EPSILON, ceiling_value(amount, goal.target)
    if checkin is None or checkin.status is not Status.DONE:
        return False, 0.0
    if goal.target is None or checkin.amount is None or goal.target <= 0:
        return True, 1.0
    amount = checkin.amount
    return amount >= goal.target, min(1.0, amount / goal.target)


def ceiling_value(total: float, ceiling: float) -> float:
    """Loop Habit Tracker's value of a total under a ceiling: 1 up to the ceiling, then falling
    linearly to 0 at twice it (``1 - (total - ceiling) / ceiling``), so one extra coffee costs
    a little and a binge costs everything. A ceiling of 0 is met only by nothing."""
    if total <= ceiling + EPSILON:
        return 1.0
    if ceiling <= 0:
        return 0.0
    return max(0.0, 1.0 - (total - ceiling) / ceiling)


def period_bounds(day: date, period: str, week_start: int) -> tuple[date, date]:
    """The calendar week (starting on ``week_start``) or month holding ``day``."""
    if period == "week":
        first = day - timedelta(days=(day.weekday() - week_start) % 7)
        return first, first + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - ONE_DAY
