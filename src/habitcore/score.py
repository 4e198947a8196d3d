"""Habit strength: Loop Habit Tracker's exponential smoothing, and a way to explain it.

Each open day moves the score toward that day's value ``v``:

    score = previous × m + v × (1 − m),   m = 0.5 ** (sqrt(f) / 13)

where ``f`` is the schedule's due fraction (1 for daily, 3/7 for ``3/week``) and ``v`` is the share
of the schedule's window target met over the window ending that day (the last day for ``daily``,
the last 7 days for ``3/week``, the last 30 for ``10/month``, D for ``N in D days``). Skipped and
paused days are not open: the score carries over them unchanged and they are left out of the
windows. Today counts only when it raises the score, so an unfinished today never drags it down
before the day is over. See docs/score.md.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import date

from habitcore.habits import Goal, History, Status
from habitcore.periods import ONE_DAY
from habitcore.schedule import Daily, DaysOfWeek, EveryNDays, due_fraction, score_window


@dataclass(frozen=True, slots=True)
class ScoreStep:
    day: date
    value: float | None  # None: the day was skipped or paused and carried the score
    score: float
    counted: bool = True  # False only for today when it would have lowered the score


def multiplier(goal: Goal) -> float:
    return float(0.5 ** (math.sqrt(due_fraction(goal.schedule)) / 13))


def explain(goal: Goal, history: History, today: date) -> list[ScoreStep]:
    """The score day by day from the habit's start to ``today``: each day's ``v`` and result."""
    return list(_steps(goal, history, today))


def score(goal: Goal, history: History, today: date) -> float:
    result = 0.0
    for step in _steps(goal, history, today):
        if step.counted:
            result = step.score
    return result


def _steps(goal: Goal, history: History, today: date) -> list[ScoreStep]:
    m = multiplier(goal)
    length, times = score_window(goal.schedule)
    wanted = times * (goal.target or 1.0)
    schedule = goal.schedule
    # Under a day schedule only due days count: doing Tuesday's run on Monday is not Monday's.
    is_due = schedule.is_due if isinstance(schedule, Daily | DaysOfWeek | EveryNDays) else None
    checkins, pauses = history.checkins, history.pauses
    recent: deque[float] = deque()
    logged: deque[bool] = deque()
    total, current = 0.0, 0.0
    steps: list[ScoreStep] = []
    day = goal.start
    while day <= today:
        checkin = checkins.get(day)
        if (checkin is not None and checkin.status is Status.SKIPPED) or (
            pauses and history.paused(day)
        ):
            steps.append(ScoreStep(day, None, current))
            day += ONE_DAY
            continue
        amount = 0.0
        done = checkin is not None and (is_due is None or is_due(day, goal.start))
        if done and checkin is not None:
            if goal.target is None:
                amount = 1.0
            else:
                amount = checkin.amount if checkin.amount is not None else goal.target
        recent.append(amount)
        logged.append(done)
        total += amount
        if len(recent) > length:
            total -= recent.popleft()
            logged.popleft()
        if goal.at_most:
            if not any(logged):
                value = 0.0
            else:
                value = 1.0 if total <= wanted + 1e-9 else wanted / total
        else:
            value = min(1.0, max(0.0, total) / wanted)
        new = current * m + value * (1 - m)
        counted = day < today or new >= current
        steps.append(ScoreStep(day, value, new, counted))
        if counted:
            current = new
        day += ONE_DAY
    return steps
