"""Habit strength: Loop Habit Tracker's exponential smoothing, and a way to explain it.

Each open day moves the score toward that day's value ``v``:

    score = previous × m + v × (1 − m),   m = 0.5 ** (sqrt(f) / 13)

where ``f`` is the schedule's due fraction (1 for daily, 3/7 for ``3/week``) and ``v`` is the share
of the window's target met over the window ending that day. On the schedules Loop has
(``daily``, ``N in D days``) the rules are Loop's but for today and pauses, so imported Loop
history reads as it did there: a yes/no ``N in D days`` day is judged on 2N in the last 2D days,
and a skipped day carries the score but stays in the window, as 0. The other schedules keep
habitcore's windows (the last 7 days for ``3/week``, 30 for ``10/month``), which reach back over
skipped days. Paused days carry the score and are left out of every window. Under a ceiling (at
most) nothing logged is 0, within it, ``v`` falls linearly to 0 at twice the ceiling, and the
score starts at 1. Today counts only when it raises the score, so an unfinished today never drags
it down before the day is over. See docs/score.md, which also lists where habitcore departs from
Loop and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from habitcore.rules.habits import Goal
from habitcore.rules.schedule import due_fraction


@dataclass(frozen=True, slots=True)
class ScoreStep:
    day: date
    value: float | None  # None: the day was skipped or paused and carried the score
    score: float
    counted: bool = True  # False only for today when it would have lowered the score


def multiplier(goal: Goal) -> float:
    return float(0.5 ** (math.sqrt(due_fraction(goal.schedule)) / 13))


def next_score(goal: Goal, previous: float, value: float) -> float:
    """One day's step (Loop's ``Score.compute``); the tally inlines it in its daily loop."""
    m = multiplier(goal)
    return previous * m + value * (1 - m)
