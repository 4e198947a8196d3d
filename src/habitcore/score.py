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
from dataclasses import dataclass
from datetime import date

from habitcore.habits import Goal, History
from habitcore.schedule import due_fraction


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
    from habitcore.tally import Tally  # the walk itself lives with the other figures

    steps: list[ScoreStep] = []

    def record(day: date, value: float | None, result: float, counted: bool) -> None:
        steps.append(ScoreStep(day, value, result, counted))

    Tally(goal).finish(history, today, on_score=record)
    return steps


def score(goal: Goal, history: History, today: date) -> float:
    from habitcore.tally import Tally

    return Tally(goal).finish(history, today).score
