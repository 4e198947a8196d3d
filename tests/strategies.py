"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from datetime import date, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import strategies as st

from habitcore.habits import CheckIn, Goal, History, Pause, Status
from habitcore.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    Schedule,
)

START = date(2024, 1, 1)

days_of_week = st.frozensets(st.integers(0, 6), min_size=1, max_size=6).map(DaysOfWeek)
schedules: st.SearchStrategy[Schedule] = st.one_of(
    st.just(Daily()),
    days_of_week,
    st.integers(2, 30).map(EveryNDays),
    st.integers(1, 6).map(lambda n: PerPeriod(n, "week")),
    st.integers(1, 31).map(lambda n: PerPeriod(n, "month")),
    st.integers(1, 60)
    .flatmap(lambda w: st.integers(1, max(1, w - 1)).map(lambda n: Rolling(n, w)))
    .filter(lambda r: r.times < r.window),
)
day_schedules = st.one_of(st.just(Daily()), days_of_week, st.integers(2, 30).map(EveryNDays))
times_of_day = st.builds(time, st.integers(0, 23), st.integers(0, 59))


def dates(first: date = START, span: int = 400) -> st.SearchStrategy[date]:
    return st.integers(0, span).map(lambda n: first + timedelta(days=n))


@st.composite
def goals(draw: st.DrawFn, schedule: st.SearchStrategy[Schedule] = schedules) -> Goal:
    chosen = draw(schedule)
    measurable = draw(st.booleans())
    if not measurable:
        return Goal(chosen, START)
    return Goal(chosen, START, target=float(draw(st.integers(1, 50))), unit="units")


@st.composite
def histories(draw: st.DrawFn, goal: Goal, days: int = 120) -> History:
    """Check-ins and pauses over the first ``days`` days of a habit."""
    checkins = []
    for offset in range(days):
        kind = draw(st.sampled_from(["none", "none", "done", "done", "skipped"]))
        day = goal.start + timedelta(days=offset)
        if kind == "done":
            amount = None
            if goal.target is not None:
                amount = float(draw(st.integers(0, int(goal.target * 2))))
            checkins.append(CheckIn(day, Status.DONE, amount))
        elif kind == "skipped":
            checkins.append(CheckIn(day, Status.SKIPPED))
    pauses = []
    for _ in range(draw(st.integers(0, 2))):
        first = draw(st.integers(0, days - 1))
        length = draw(st.integers(0, 20))
        start = goal.start + timedelta(days=first)
        pauses.append(Pause(start, start + timedelta(days=length)))
    return History.of(checkins, pauses)


@cache
def zones_with_transitions(year: int = 2026) -> list[str]:
    """Every IANA zone whose UTC offset changes during ``year``."""
    found = []
    for name in sorted(available_timezones()):
        try:
            zone = ZoneInfo(name)
        except Exception:  # pragma: no cover - broken entries on some systems
            continue
        from datetime import UTC, datetime

        offsets = {
            datetime(year, month, 1, tzinfo=UTC).astimezone(zone).utcoffset()
            for month in range(1, 13)
        }
        if len(offsets) > 1:
            found.append(name)
    return found


zone_names = st.sampled_from(sorted(available_timezones() - {"Factory", "localtime"}))
dst_zone_names = st.deferred(lambda: st.sampled_from(zones_with_transitions()))
