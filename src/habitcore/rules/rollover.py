"""Closing habit days: what ended, told once.

When a person's day starts, the day before it is over and can be judged for good. ``close``
turns the judged units of the closed days into one ``DayResult`` each, with the streak news that
came with it (a streak broken, a record set). The store remembers the last day closed per habit,
so closing is idempotent and, after downtime, catches up every day that ended meanwhile, in order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from habitcore.rules.habits import CheckIn, Goal, History, Status
from habitcore.rules.periods import EPSILON, ONE_DAY, State, Unit, day_value
from habitcore.rules.schedule import Daily, DaysOfWeek, EveryNDays
from habitcore.rules.streaks import timeline


class Outcome(enum.StrEnum):
    DONE = "done"
    PARTIAL = "partial"  # some of a measurable target, not all
    MISSED = "missed"
    SKIPPED = "skipped"
    PAUSED = "paused"
    NOT_DUE = "not_due"
    OPEN = "open"  # nothing logged, but the week, month or window was not lost that day
    OVER = "over"  # more than an at-most habit's ceiling


@dataclass(frozen=True)
class DayResult:
    habit: str
    day: date
    outcome: Outcome
    streak: int  # the current streak once this day closed
    broken: int | None = None  # the length of the streak this day ended, if it ended one
    record: bool = False  # the streak beat the best before it


def close(
    name: str, goal: Goal, history: History, units: list[Unit], first: date, last: date
) -> list[DayResult]:
    """Results for the days ``first`` to ``last``, given units judged as of a later today."""
    if last < first:
        return []
    news: dict[date, tuple[int, int | None, bool]] = {}
    streak = 0
    ending: dict[date, State] = {}
    for step in timeline(units):
        if step.unit.state is State.PENDING:
            continue
        streak = step.run.length if step.run else 0
        news[step.unit.end] = (
            streak,
            step.broken.length if step.broken else None,
            step.record,
        )
        ending[step.unit.end] = step.unit.state
    results = []
    day = max(first, goal.start)
    carried = 0
    for known_day in sorted(d for d in news if d < day):
        carried = news[known_day][0]
    while day <= last:
        streak, broken, record = news.get(day, (carried, None, False))
        carried = streak
        outcome = day_outcome(goal, history, day, ending.get(day))
        results.append(DayResult(name, day, outcome, streak, broken, record))
        day += ONE_DAY
    return results


def calendar(
    goal: Goal, history: History, units: list[Unit], first: date, today: date
) -> list[tuple[date, Outcome]]:
    """What happened on each day from ``first`` to ``today``, for a heatmap.

    Today, not over yet, is ``open`` rather than ``missed`` until it is done.
    """
    ending = {u.end: u.state for u in units if u.state is not State.PENDING}
    found = []
    day = first
    while day <= today:
        outcome = day_outcome(goal, history, day, ending.get(day), ended=day < today)
        if day == today and outcome is Outcome.MISSED:
            outcome = Outcome.OPEN
        found.append((day, outcome))
        day += ONE_DAY
    return found


def over_ceiling(goal: Goal, checkin: CheckIn | None) -> bool:
    """Whether a day's amount went past an at-most habit's ceiling (a day done without an
    amount held exactly the target, so it is within)."""
    if not goal.at_most or goal.target is None or checkin is None:
        return False
    if checkin.status is not Status.DONE or checkin.amount is None:
        return False
    return checkin.amount > goal.target + EPSILON


def day_outcome(
    goal: Goal, history: History, day: date, judged: State | None, *, ended: bool = True
) -> Outcome:
    """What happened on ``day``: the one classification of a day, which the rollover, the
    heatmap and the checklist (``stats.day_state``) all read.

    ``judged`` is the state of the unit (week, month, window) that ends on ``day``, if any. An
    unlogged day under a ceiling is done once it has ended; before that it is still missed.
    """
    if day < goal.start:
        return Outcome.NOT_DUE
    checkin = history.checkins.get(day)
    if checkin is not None and checkin.status is Status.SKIPPED:
        return Outcome.SKIPPED
    if history.paused(day):
        return Outcome.PAUSED
    schedule = goal.schedule
    if isinstance(schedule, Daily | DaysOfWeek | EveryNDays):
        if over_ceiling(goal, checkin):
            return Outcome.OVER
        if not schedule.is_due(day, goal.start):
            return Outcome.DONE if checkin is not None else Outcome.NOT_DUE
        if day_value(goal, checkin, ended=ended)[0]:
            return Outcome.DONE
        return Outcome.MISSED if checkin is None else Outcome.PARTIAL
    if checkin is not None:
        return Outcome.DONE
    return Outcome.MISSED if judged is State.MISSED else Outcome.OPEN
