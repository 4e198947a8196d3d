"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import strategies as st

from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.schedule import (
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
def goals(
    draw: st.DrawFn,
    schedule: st.SearchStrategy[Schedule] = schedules,
    *,
    at_most: bool | None = False,
) -> Goal:
    """Habits of every schedule; ``at_most=None`` also draws ceilings (at most N units)."""
    chosen = draw(schedule)
    measurable = draw(st.booleans())
    if not measurable:
        return Goal(chosen, START)
    ceiling = draw(st.booleans()) if at_most is None else at_most
    return Goal(
        chosen, START, target=float(draw(st.integers(1, 50))), unit="units", at_most=ceiling
    )


@st.composite
def histories(
    draw: st.DrawFn, goal: Goal, days: int = 120, *, skips: bool = True, pauses: bool = True
) -> History:
    """Check-ins and pauses over the first ``days`` days of a habit.

    ``skips=False`` leaves out skipped days and ``pauses=False`` leaves out pauses, for
    properties stated about plain done-or-not histories.
    """
    kinds = ["none", "none", "done", "done", "skipped"] if skips else ["none", "done"]
    checkins = []
    for offset in range(days):
        kind = draw(st.sampled_from(kinds))
        day = goal.start + timedelta(days=offset)
        if kind == "done":
            amount = None
            if goal.target is not None:
                amount = float(draw(st.integers(0, int(goal.target * 2))))
            checkins.append(CheckIn(day, Status.DONE, amount))
        elif kind == "skipped":
            checkins.append(CheckIn(day, Status.SKIPPED))
    found = []
    for _ in range(draw(st.integers(0, 2 if pauses else 0))):
        first = draw(st.integers(0, days - 1))
        length = draw(st.integers(0, 20))
        start = goal.start + timedelta(days=first)
        found.append(Pause(start, start + timedelta(days=length)))
    return History.of(checkins, found)


@cache
def zones_with_transitions(year: int = 2026) -> list[str]:
    """Every IANA zone whose UTC offset changes during ``year``."""
    found = []
    for name in sorted(available_timezones()):
        try:
            zone = ZoneInfo(name)
        except Exception:  # pragma: no cover - broken entries on some systems
            continue
        offsets = {
            datetime(year, month, 1, tzinfo=UTC).astimezone(zone).utcoffset()
            for month in range(1, 13)
        }
        if len(offsets) > 1:
            found.append(name)
    return found


zone_names = st.sampled_from(sorted(available_timezones() - {"Factory", "localtime"}))
dst_zone_names = st.deferred(lambda: st.sampled_from(zones_with_transitions()))


# -- additions for the rule tests (days, schedules, streaks, score, rollover) -------------------

# Every schedule that is its own canonical form, over the whole range parse_schedule accepts:
# no 7-day day sets and no 7/week or N-in-N-days (those are "daily"), no "every 1 day".
canonical_schedules: st.SearchStrategy[Schedule] = st.one_of(
    st.just(Daily()),
    days_of_week,
    st.integers(2, 365).map(EveryNDays),
    st.integers(1, 6).map(lambda n: PerPeriod(n, "week")),
    st.integers(1, 31).map(lambda n: PerPeriod(n, "month")),
    st.integers(2, 365).flatmap(lambda w: st.integers(1, w - 1).map(lambda n: Rolling(n, w))),
)
week_schedules = st.integers(1, 6).map(lambda n: PerPeriod(n, "week"))
month_schedules = st.integers(1, 31).map(lambda n: PerPeriod(n, "month"))
rolling_schedules = st.integers(2, 30).flatmap(
    lambda w: st.integers(1, w - 1).map(lambda n: Rolling(n, w))
)
week_starts = st.integers(0, 6)


def _offset_at(zone: ZoneInfo, instant: datetime) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


@cache
def transitions(name: str, year: int = 2026) -> tuple[datetime, ...]:
    """The UTC instants in ``year`` at which the zone's UTC offset changes, to the second.

    Found from ``utcoffset`` alone (a daily scan, then bisection), independently of the library.
    """
    zone = ZoneInfo(name)
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    while day < end:
        following = day + timedelta(days=1)
        if _offset_at(zone, day) != _offset_at(zone, following):
            low, high = day, following  # offset(low) is the old one, offset(high) the new one
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset_at(zone, middle) == _offset_at(zone, low):
                    low = middle
                else:
                    high = middle
            found.append(high)
        day = following
    return tuple(found)


@st.composite
def dst_wall_times(draw: st.DrawFn) -> tuple[str, date, time]:
    """A zone with a 2026 transition, and a wall date and time, often close to a transition."""
    name = draw(dst_zone_names)
    moments = transitions(name)
    near = draw(st.booleans())
    if moments and near:
        zone = ZoneInfo(name)
        moment = draw(st.sampled_from(moments))
        before = (moment - timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None)
        after = moment.astimezone(zone).replace(tzinfo=None)
        base = draw(st.sampled_from([before, after]))
        wall = base + timedelta(minutes=draw(st.integers(-150, 150)))
        return name, wall.date(), time(wall.hour, wall.minute)
    return name, draw(dates(date(2026, 1, 1), 364)), draw(times_of_day)


@st.composite
def instants_near_transitions(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone with a 2026 transition and a UTC instant, often within hours of a transition."""
    name = draw(dst_zone_names)
    moments = transitions(name)
    near = draw(st.booleans())
    if moments and near:
        moment = draw(st.sampled_from(moments))
        return name, moment + timedelta(seconds=draw(st.integers(-2 * 3600, 2 * 3600)))
    first = datetime(2026, 1, 1, tzinfo=UTC)
    return name, first + timedelta(seconds=draw(st.integers(0, 365 * 86400 - 1)))


def with_checkin(history: History, checkin: CheckIn) -> History:
    """``history`` with ``checkin`` recorded (replacing whatever was on that day)."""
    return History({**history.checkins, checkin.day: checkin}, history.pauses)


def without_checkin(history: History, day: date) -> History:
    """``history`` with nothing recorded on ``day``."""
    return History({d: c for d, c in history.checkins.items() if d != day}, history.pauses)


def with_pause(history: History, pause: Pause) -> History:
    return History.of(history.checkins.values(), [*history.pauses, pause])
