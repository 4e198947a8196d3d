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

from habitcore.habits import CheckIn, Goal, History, Status

ONE_DAY = timedelta(days=1)


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


def evaluate(goal: Goal, history: History, today: date, week_start: int = 0) -> list[Unit]:
    """Every unit from the habit's start up to and including the one holding ``today``."""
    from habitcore.tally import units_of  # the walk itself lives with the other figures

    return units_of(goal, history, today, week_start)


def day_value(goal: Goal, checkin: CheckIn | None) -> tuple[bool, float]:
    """(met, share of target) for one day's check-in under a day schedule."""
    if checkin is None or checkin.status is not Status.DONE:
        return False, 0.0
    if goal.target is None or checkin.amount is None:
        return True, 1.0
    amount = checkin.amount
    if goal.at_most:
        return (True, 1.0) if amount <= goal.target else (False, goal.target / amount)
    return amount >= goal.target, min(1.0, amount / goal.target)


def period_bounds(day: date, period: str, week_start: int) -> tuple[date, date]:
    """The calendar week (starting on ``week_start``) or month holding ``day``."""
    if period == "week":
        first = day - timedelta(days=(day.weekday() - week_start) % 7)
        return first, first + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - ONE_DAY
