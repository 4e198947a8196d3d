"""Streaks: how many units in a row were met, read off the judged units.

A missed unit ends a streak. Neutral units (skipped, paused, not due) are stepped over: they
neither break a streak nor lengthen it. A pending unit, today or the current period not done yet,
is stepped over too, so the current streak stays alive until that unit has really ended.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from habitcore.rules.periods import State, Unit

_MET, _MISSED = State.MET, State.MISSED
# Judged units are kept this many days for the 7-, 30- and 365-day completion rates.
RECENT_DAYS = 366


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


class StreakCounter:
    """The running streak, the best one, and the completion tallies, unit by unit.

    Kept as plain fields rather than objects per unit: it runs once per day of history.
    """

    __slots__ = (
        "best_before",
        "best_end",
        "best_length",
        "best_start",
        "broken",
        "judged",
        "keep_from",
        "met",
        "recent",
        "record",
        "run_end",
        "run_length",
        "run_start",
    )

    def __init__(self) -> None:
        self.run_start: date | None = None
        self.run_end: date | None = None
        self.run_length = 0
        self.best_start: date | None = None
        self.best_end: date | None = None
        self.best_length = 0
        self.best_before = 0  # the longest streak that had ended before the running one
        self.met = 0
        self.judged = 0
        # (unit end as a day ordinal, met) for the last RECENT_DAYS: plain numbers, cheap to
        # keep in a stored tally and to read back.
        self.recent: deque[tuple[int, bool]] = deque()
        self.broken: Streak | None = None  # set by add(): the streak that unit ended
        self.record = False  # set by add(): that unit passed an earlier streak
        # Units ending before this day are counted but not kept in ``recent``: a walk that
        # knows today sets it, so years of history do not pass through the deque.
        self.keep_from = date.min

    def add(self, state: State, start: date, end: date) -> None:
        """Count one judged unit; runs once per day of history, so kept lean."""
        if state is _MET:
            length = self.run_length + 1
            if length == 1:
                self.run_start = start
            self.run_end, self.run_length = end, length
            # News once per streak: the unit that passes an earlier streak. A first streak has
            # nothing to beat.
            self.record = length == self.best_before + 1 and self.best_before > 0
            self.broken = None
            if length >= self.best_length:  # of equal streaks, the latest is the best
                self.best_start, self.best_end = self.run_start, end
                self.best_length = length
            self.met += 1
        elif state is _MISSED:
            self.record = False
            if self.run_length:
                self.broken = self.run
                self.best_before = max(self.best_before, self.run_length)
                self.run_start = self.run_end = None
                self.run_length = 0
            else:
                self.broken = None
        else:
            self.broken, self.record = None, False
            return
        self.judged += 1
        if end >= self.keep_from:
            recent = self.recent
            ordinal = end.toordinal()
            recent.append((ordinal, state is _MET))
            if len(recent) > 800:  # trim now and then, not on every unit
                while recent[0][0] < ordinal - RECENT_DAYS:
                    recent.popleft()

    @property
    def run(self) -> Streak | None:
        if not self.run_length or self.run_start is None or self.run_end is None:
            return None
        return Streak(self.run_start, self.run_end, self.run_length)

    @property
    def best(self) -> Streak | None:
        if not self.best_length or self.best_start is None or self.best_end is None:
            return None
        return Streak(self.best_start, self.best_end, self.best_length)

    def completion(self, since: date | None = None) -> float | None:
        """Met over judged units (ending on or after ``since``); None before any was judged."""
        if since is None:
            return self.met / self.judged if self.judged else None
        met = judged = 0
        first = since.toordinal()
        for end, was_met in reversed(self.recent):
            if end < first:
                break
            judged += 1
            met += was_met
        return met / judged if judged else None

    def copy(self) -> StreakCounter:
        twin = StreakCounter()
        for name in self.__slots__:
            setattr(twin, name, getattr(self, name))
        twin.recent = deque(self.recent)
        return twin


@dataclass(frozen=True, slots=True)
class Step:
    """One unit with the streak as it stood right after it."""

    unit: Unit
    run: Streak | None
    broken: Streak | None  # the streak this unit ended, if it ended one
    record: bool  # this unit made the run longer than any streak before it, for the first time


def timeline(units: Iterable[Unit]) -> Iterator[Step]:
    counter = StreakCounter()
    for unit in units:
        counter.add(unit.state, unit.start, unit.end)
        yield Step(unit, counter.run, counter.broken, counter.record)


def streaks(units: Iterable[Unit], today: date) -> Streaks:
    """The current streak and the best one (the later of equals), ends clipped to ``today``."""
    counter = StreakCounter()
    for unit in units:
        counter.add(unit.state, unit.start, unit.end)
    return Streaks(clip(counter.run, today), clip(counter.best, today))


def clip(streak: Streak | None, today: date) -> Streak | None:
    if streak is None or streak.end <= today:
        return streak
    return Streak(streak.start, today, streak.length)
