"""Streaks: how many units in a row were met, read off the judged units.

A missed unit ends a streak. Neutral units (skipped, paused, not due) are stepped over: they
neither break a streak nor lengthen it. A pending unit, today or the current period not done yet,
is stepped over too, so the current streak stays alive until that unit has really ended.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from habitcore.periods import State, Unit


@dataclass(frozen=True, slots=True)
class Streak:
    start: date
    end: date
    length: int


@dataclass(frozen=True, slots=True)
class Streaks:
    current: Streak | None
    best: Streak | None

    @property
    def current_length(self) -> int:
        return self.current.length if self.current else 0

    @property
    def best_length(self) -> int:
        return self.best.length if self.best else 0


@dataclass(frozen=True, slots=True)
class Step:
    """One unit with the streak as it stood right after it."""

    unit: Unit
    run: Streak | None
    broken: Streak | None  # the streak this unit ended, if it ended one
    record: bool  # this unit made the run longer than any streak before it, for the first time


def timeline(units: Iterable[Unit]) -> Iterator[Step]:
    run: Streak | None = None
    best_before = 0  # the longest streak that had ended before the running one
    for unit in units:
        broken, record = None, False
        if unit.state is State.MET:
            run = (
                Streak(run.start, unit.end, run.length + 1)
                if run
                else Streak(unit.start, unit.end, 1)
            )
            # News once per streak: the day it passes an earlier streak. A first streak has
            # nothing to beat.
            record = best_before > 0 and run.length == best_before + 1
        elif unit.state is State.MISSED:
            if run is not None:
                best_before = max(best_before, run.length)
            broken, run = run, None
        yield Step(unit, run, broken, record)


def streaks(units: Iterable[Unit], today: date) -> Streaks:
    """The current streak and the best one (the later of equals), ends clipped to ``today``."""
    current: Streak | None = None
    best: Streak | None = None
    for step in timeline(units):
        current = step.run
        if current is not None and (best is None or current.length >= best.length):
            best = current
    return Streaks(_clip(current, today), _clip(best, today))


def _clip(streak: Streak | None, today: date) -> Streak | None:
    if streak is None or streak.end <= today:
        return streak
    return Streak(streak.start, today, streak.length)
