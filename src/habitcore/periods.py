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
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from habitcore.habits import CheckIn, Goal, History, Status
from habitcore.schedule import Daily, DaysOfWeek, EveryNDays, PerPeriod, Rolling

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
    if today < goal.start:
        return []
    match goal.schedule:
        case Daily() | DaysOfWeek() | EveryNDays():
            return list(_day_units(goal, history, today))
        case PerPeriod(times, period):
            return list(_period_units(goal, history, today, times, period, week_start))
        case Rolling(times, window):
            return list(_rolling_units(goal, history, today, times, window))
    raise AssertionError(goal.schedule)


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


def _due_days(goal: Goal, today: date) -> Iterator[date]:
    schedule, day = goal.schedule, goal.start
    if isinstance(schedule, EveryNDays):
        step = timedelta(days=schedule.n)
        while day <= today:
            yield day
            day += step
        return
    weekdays = schedule.days if isinstance(schedule, DaysOfWeek) else None
    while day <= today:
        if weekdays is None or day.weekday() in weekdays:
            yield day
        day += ONE_DAY


def _day_units(goal: Goal, history: History, today: date) -> Iterator[Unit]:
    checkins, pauses = history.checkins, history.pauses
    for day in _due_days(goal, today):
        checkin = checkins.get(day)
        if (checkin is not None and checkin.status is Status.SKIPPED) or (
            pauses and history.paused(day)
        ):
            yield Unit(day, day, State.NEUTRAL, 0.0)
            continue
        met, value = day_value(goal, checkin)
        if met:
            state = State.MET
        else:
            state = State.PENDING if day == today else State.MISSED
        yield Unit(day, day, state, value)


def period_bounds(day: date, period: str, week_start: int) -> tuple[date, date]:
    """The calendar week (starting on ``week_start``) or month holding ``day``."""
    if period == "week":
        first = day - timedelta(days=(day.weekday() - week_start) % 7)
        return first, first + timedelta(days=6)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - ONE_DAY


def _period_units(
    goal: Goal, history: History, today: date, times: int, period: str, week_start: int
) -> Iterator[Unit]:
    first, last = period_bounds(goal.start, period, week_start)
    while first <= today:
        yield _judge_period(goal, history, today, times, first, last)
        first = last + ONE_DAY
        last = period_bounds(first, period, week_start)[1]


def _judge_period(
    goal: Goal, history: History, today: date, times: int, first: date, last: date
) -> Unit:
    """A period asks for its times in proportion to the days left open in it.

    Days before the habit started, paused days and skipped days are not open: a week with four
    paused days asks ``ceil(3 × 3/7) = 2`` of a ``3/week`` habit, and a fully paused week asks
    nothing, so it neither breaks nor extends the streak.
    """
    length = (last - first).days + 1
    open_days, done, total, logged = 0, 0, 0.0, False
    day = max(first, goal.start)
    while day <= last:
        checkin = history.checkins.get(day) if day <= today else None
        skipped = checkin is not None and checkin.status is Status.SKIPPED
        if not skipped and not history.paused(day):
            open_days += 1
            if checkin is not None:
                done += 1
                logged = True
                total += checkin.amount if checkin.amount is not None else (goal.target or 1.0)
        day += ONE_DAY
    # A month shorter than its "31/month" still asks no more than every open day.
    required = min(open_days, math.ceil(times * open_days / length - 1e-9))
    first = max(first, goal.start)
    if required == 0:
        return Unit(first, last, State.NEUTRAL, 0.0)
    ended = last < today
    if goal.target is None:
        met, value = done >= required, min(1.0, done / required)
    else:
        met, value = _amount_judgement(goal, total, required * goal.target, logged)
        if goal.at_most and not ended:
            met = False  # a ceiling can still be broken before the period ends
    if met:
        return Unit(first, last, State.MET, value)
    return Unit(first, last, State.MISSED if ended else State.PENDING, value)


def _amount_judgement(goal: Goal, total: float, wanted: float, logged: bool) -> tuple[bool, float]:
    if goal.at_most:
        if not logged:
            return False, 0.0
        return (True, 1.0) if total <= wanted else (False, wanted / total)
    return total >= wanted, min(1.0, total / wanted)


def _rolling_units(
    goal: Goal, history: History, today: date, times: int, window: int
) -> Iterator[Unit]:
    """Each day is judged on the last ``window`` open days ending with it.

    Skipped and paused days are left out of the window (so a week away freezes it) and are
    themselves neutral. Until the habit has been open for ``window`` days, a day whose window is
    short of its target is neutral rather than missed: there was no chance to meet it yet.
    """
    wanted = times * (goal.target or 1.0)
    recent: deque[tuple[float, bool]] = deque()
    total, logged, seen = 0.0, 0, 0
    day = goal.start
    while day <= today:
        checkin = history.checkins.get(day)
        if (checkin is not None and checkin.status is Status.SKIPPED) or history.paused(day):
            yield Unit(day, day, State.NEUTRAL, 0.0)
            day += ONE_DAY
            continue
        seen += 1
        done = checkin is not None
        amount = 0.0
        if done and checkin is not None:
            amount = checkin.amount if checkin.amount is not None else (goal.target or 1.0)
        if goal.target is None:
            amount = 1.0 if done else 0.0
        recent.append((amount, done))
        total += amount
        logged += done
        if len(recent) > window:
            old_amount, old_done = recent.popleft()
            total -= old_amount
            logged -= old_done
        met, value = _amount_judgement(goal, total, wanted, logged > 0)
        if met:
            state = State.MET
        elif day == today:
            state = State.PENDING
        elif seen < window:
            state = State.NEUTRAL
        else:
            state = State.MISSED
        yield Unit(day, day, state, value)
        day += ONE_DAY
