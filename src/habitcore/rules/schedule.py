"""How often a habit is meant to happen, parsed from the text people type.

Three families, because they are judged differently (see ``periods``):

* day schedules – ``daily``, ``weekdays``, ``mon,wed,fri``, ``every 3 days``: some days are due,
  each due day is done or not;
* calendar periods – ``3/week``, ``10/month``: so many times per calendar week (starting on the
  person's week start) or month, on any days;
* rolling windows – ``3 in 7 days``: at least so many times within any window of that many days.

Every schedule prints back to one canonical text, and parsing that text gives the schedule back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from habitcore.errors import InvalidSchedule, InvalidWeekday, shown
from habitcore.rules.days import WEEKDAY_NAMES, parse_weekday

EXAMPLES = "daily, weekdays, mon,wed,fri, every 3 days, 3/week, 10/month or 3 in 7 days"

MAX_EVERY = 365
MAX_WINDOW = 365


@dataclass(frozen=True)
class Daily:
    def is_due(self, day: date, start: date) -> bool:
        return day >= start

    def __str__(self) -> str:
        return "daily"


@dataclass(frozen=True)
class DaysOfWeek:
    """Due on these ISO weekdays (0 = Monday). ``weekdays`` is Monday to Friday."""

    days: frozenset[int]

    def is_due(self, day: date, start: date) -> bool:
        return day >= start and day.weekday() in self.days

    def __str__(self) -> str:
        if self.days == WEEKDAYS:
            return "weekdays"
        return ",".join(WEEKDAY_NAMES[d] for d in sorted(self.days))


@dataclass(frozen=True)
class EveryNDays:
    """Due on the start date and every ``n`` days after it."""

    n: int

    def is_due(self, day: date, start: date) -> bool:
        return day >= start and (day - start).days % self.n == 0

    def __str__(self) -> str:
        return f"every {self.n} days"


@dataclass(frozen=True)
class PerPeriod:
    """``times`` per calendar ``period`` ("week" or "month")."""

    times: int
    period: str

    def __str__(self) -> str:
        return f"{self.times}/{self.period}"


@dataclass(frozen=True)
class Rolling:
    """At least ``times`` within any ``window`` consecutive days."""

    times: int
    window: int

    def __str__(self) -> str:
        return f"{self.times} in {self.window} days"


DaySchedule = Daily | DaysOfWeek | EveryNDays
Schedule = Daily | DaysOfWeek | EveryNDays | PerPeriod | Rolling

WEEKDAYS = frozenset(range(5))
_PER = re.compile(r"^(\d+)\s*(?:/|x\s*(?:per|a|/)?|times\s*(?:per|a|/)|per)\s*(week|month)$")
_EVERY = re.compile(r"^every\s+(\d+)\s+days?$")
_ROLLING = re.compile(r"^(\d+)\s*(?:x|times)?\s+in\s+(\d+)\s+days?$")
_WEEKS = re.compile(r"^every\s+(\d+)\s+weeks?$")
_HARSH = re.compile(r"^(\d+)\s*/\s*(\d+)$")  # harsh's "3/7": 3 times in any 7 days
# Words people (and other trackers) use for a schedule this module already has.
_SYNONYMS = {
    "weekly": "1/week",
    "every week": "1/week",
    "once a week": "1/week",
    "monthly": "1/month",
    "every month": "1/month",
    "once a month": "1/month",
    "every other day": "every 2 days",
    "weekends": "sat,sun",
}


def parse_schedule(text: str) -> Schedule:
    """Parse a schedule; bad text is an ``InvalidSchedule`` that shows the valid forms."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidSchedule(f"A schedule is needed; write one of: {EXAMPLES}.")
    return _parse(text)


@cache  # schedules are immutable, and a store holds few distinct texts
def _parse(text: str) -> Schedule:
    words = " ".join(text.strip().casefold().split())
    words = _SYNONYMS.get(words, words)
    if match := _WEEKS.match(words):
        weeks = int(match.group(1))
        if not 1 <= weeks * 7 <= MAX_WINDOW:
            raise InvalidSchedule(
                f"{shown(text.strip())}: 'every N weeks' takes N from 1 to {MAX_WINDOW // 7}."
            )
        words = "1/week" if weeks == 1 else f"1 in {weeks * 7} days"
    elif match := _HARSH.match(words):
        words = f"{match.group(1)} in {match.group(2)} days"
    if words in ("daily", "every day", "everyday"):
        return Daily()
    if words == "weekdays":
        return DaysOfWeek(WEEKDAYS)
    if match := _EVERY.match(words):
        n = int(match.group(1))
        if n == 1:
            return Daily()
        if not 2 <= n <= MAX_EVERY:
            raise InvalidSchedule(
                f"{shown(text.strip())}: 'every N days' takes N from 1 to {MAX_EVERY}, "
                "for example every 3 days."
            )
        return EveryNDays(n)
    if match := _PER.match(words):
        times, period = int(match.group(1)), match.group(2)
        most = 7 if period == "week" else 31
        if not 1 <= times <= most:
            raise InvalidSchedule(
                f"{shown(text.strip())}: a {period} allows from 1 to {most} times, for example "
                f"{min(3, most)}/{period}."
            )
        return Daily() if period == "week" and times == 7 else PerPeriod(times, period)
    if match := _ROLLING.match(words):
        times, window = int(match.group(1)), int(match.group(2))
        if not 1 <= window <= MAX_WINDOW or not 1 <= times <= window:
            raise InvalidSchedule(
                f"{shown(text.strip())}: 'N in D days' needs 1 <= N <= D <= {MAX_WINDOW}, "
                "for example 3 in 7 days."
            )
        return Daily() if times == window else Rolling(times, window)
    if re.fullmatch(r"[a-z]+(\s*,\s*[a-z]+)*", words):
        try:
            days = frozenset(parse_weekday(part) for part in words.split(","))
        except InvalidWeekday:
            pass
        else:
            return Daily() if len(days) == 7 else DaysOfWeek(days)
    raise InvalidSchedule(f"{shown(text.strip())} is not a schedule; write one of: {EXAMPLES}.")


def due_fraction(schedule: Schedule) -> float:
    """The share of days a schedule asks for: Loop Habit Tracker's "frequency"."""
    match schedule:
        case Daily():
            return 1.0
        case DaysOfWeek(days):
            return len(days) / 7
        case EveryNDays(n):
            return 1 / n
        case PerPeriod(times, "week"):
            return times / 7
        case PerPeriod(times, _):
            return min(1.0, times / 30)
        case Rolling(times, window):
            return times / window
    raise AssertionError(schedule)


def score_window(schedule: Schedule) -> tuple[int, int]:
    """(days, times): the window a day's score value is measured over, and what it asks for."""
    match schedule:
        case Daily():
            return 1, 1
        case DaysOfWeek(days):
            return 7, len(days)
        case EveryNDays(n):
            return n, 1
        case PerPeriod(times, "week"):
            return 7, times
        case PerPeriod(times, _):
            return 30, min(times, 30)
        case Rolling(times, window):
            return window, times
    raise AssertionError(schedule)


def nearest_window(schedule: Schedule) -> tuple[int, int]:
    """(times, days): the "times in any days" window nearest ``schedule``, (1, 1) when daily.

    The one schedule other trackers hold (Loop's frequency, harsh's ``a/b``): a weekday set is
    its count in 7 days, every N days 1 in N, N a week N in 7, N a month N in 30 (31 is daily).
    """
    days, times = score_window(schedule)
    return (1, 1) if times >= days else (times, days)
