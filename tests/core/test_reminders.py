"""When a reminder fires, by the calendar alone: fire instants, DST, day start, weekday limits.

The expected instants here are derived from the rule itself, not from the library: a reminder at
wall time W for the date ``on`` fires at the earliest instant whose local wall clock reads W (the
first of two when the clocks go back); when W never appears on the wall that day because the
clocks jump over it, it fires at the jump. The reference below finds those instants from the
zone's UTC offsets, independently of ``habitcore.rules.days.local_instant``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from habitcore.errors import InvalidTime, InvalidWeekday
from habitcore.leases import following
from habitcore.rules.habits import Goal
from habitcore.rules.reminders import (
    MAX_REMINDERS,
    ReminderRule,
    could_be_due,
    fire_instant,
    next_fire,
    parse_reminder,
    parse_reminders,
)
from habitcore.rules.schedule import Daily, DaysOfWeek, EveryNDays, PerPeriod, Rolling, Schedule
from habitcore.storage.records import Zone
from strategies import day_schedules, dst_zone_names, times_of_day

MIDNIGHT = time(0, 0)
NEW_YORK = ZoneInfo("America/New_York")
SECOND = timedelta(seconds=1)
YEAR_START = date(2026, 1, 1)
YEAR_END = date(2026, 12, 31)


# -- an independent reference ----------------------------------------------------------------------


def wall(instant: datetime, tz: tzinfo) -> datetime:
    """What the wall clock in ``tz`` reads at ``instant``, as a naive datetime."""
    return instant.astimezone(tz).replace(tzinfo=None)


@cache
def offset_changes(zone_name: str) -> tuple[datetime, ...]:
    """Every instant (to the second) from late 2025 to early 2027 at which the offset changes."""
    tz = ZoneInfo(zone_name)
    step = timedelta(hours=3)
    found = []
    instant = datetime(2025, 12, 20, tzinfo=UTC)
    end = datetime(2027, 1, 15, tzinfo=UTC)
    while instant < end:
        later = instant + step
        if instant.astimezone(tz).utcoffset() != later.astimezone(tz).utcoffset():
            low, high = instant, later  # the offset of ``low`` is the old one, ``high`` the new
            while high - low > SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle.astimezone(tz).utcoffset() == instant.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        instant = later
    return tuple(found)


def expected_fire(on: date, at: time, zone_name: str) -> datetime:
    """The instant a reminder at ``at`` on the calendar date ``on`` must fire (see above)."""
    tz = ZoneInfo(zone_name)
    target = datetime.combine(on, at)
    as_if_utc = target.replace(tzinfo=UTC)
    offsets = {
        (as_if_utc + timedelta(hours=hours)).astimezone(tz).utcoffset() for hours in range(-48, 49)
    }
    occurrences = sorted(
        candidate
        for offset in offsets
        if offset is not None
        for candidate in [as_if_utc - offset]
        if wall(candidate, tz) == target
    )
    if occurrences:
        return occurrences[0]
    jumps = [
        change
        for change in offset_changes(zone_name)
        if abs(change - as_if_utc) < timedelta(days=2)
        and wall(change - SECOND, tz) < target < wall(change, tz)
    ]
    assert len(jumps) == 1, f"{target} in {zone_name}: neither on the wall nor in one gap"
    return jumps[0]


def wall_exists(on: date, at: time, zone_name: str) -> bool:
    fired = expected_fire(on, at, zone_name)
    return wall(fired, ZoneInfo(zone_name)) == datetime.combine(on, at)


def due_by_definition(goal: Goal, rule: ReminderRule, day: date) -> bool:
    """The spec's calendar rule, written out: started, on an allowed weekday, due by schedule."""
    if day < goal.start:
        return False
    if rule.weekdays is not None and day.weekday() not in rule.weekdays:
        return False
    schedule = goal.schedule
    if isinstance(schedule, DaysOfWeek):
        return day.weekday() in schedule.days
    if isinstance(schedule, EveryNDays):
        return (day - goal.start).days % schedule.n == 0
    return True


def can_ever_be_due(goal: Goal, rule: ReminderRule) -> bool:
    """Whether the schedule and the weekday limit ever meet (they repeat within 7 × N days)."""
    return any(due_by_definition(goal, rule, goal.start + timedelta(days=n)) for n in range(7 * 31))


def calendar_date_of(day: date, at: time, day_start: time) -> date:
    """A reminder earlier than the day start belongs to the night after its habit day."""
    return day if at >= day_start else day + timedelta(days=1)


def firings(
    goal: Goal, rule: ReminderRule, after: datetime, until: datetime, tz: tzinfo, day_start: time
) -> Iterator[tuple[date, datetime]]:
    """Follow next_fire from ``after`` up to and including ``until``."""
    moment = after
    for _ in range(100):
        found = next_fire(goal, rule, moment, tz, day_start)
        if found is None or found[1] > until:
            return
        yield found
        moment = found[1]
    raise AssertionError("more than 100 firings in the window: next_fire does not advance")


# -- strategies ------------------------------------------------------------------------------------

dates_2026 = st.integers(0, (YEAR_END - YEAR_START).days).map(
    lambda n: YEAR_START + timedelta(days=n)
)
day_starts = st.one_of(st.sampled_from([MIDNIGHT, time(4, 0)]), times_of_day)
weekday_limits = st.one_of(st.none(), st.frozensets(st.integers(0, 6), min_size=1, max_size=6))


@st.composite
def moments_near_changes(draw: st.DrawFn, zone_name: str) -> datetime:
    """An instant in 2026, often within a day or two of one of the zone's offset changes."""
    changes = [c for c in offset_changes(zone_name) if c.year == 2026]
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        return change + timedelta(minutes=draw(st.integers(-3 * 24 * 60, 24 * 60)))
    local = datetime.combine(draw(dates_2026), draw(times_of_day))
    fold = draw(st.sampled_from([0, 1]))
    return local.replace(tzinfo=ZoneInfo(zone_name), fold=fold).astimezone(UTC)


@st.composite
def reminder_times(draw: st.DrawFn, zone_name: str) -> time:
    """A time of day, often one inside the hour the clocks skip or repeat."""
    changes = [c for c in offset_changes(zone_name) if c.year == 2026]
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        tz = ZoneInfo(zone_name)
        before, after = wall(change - SECOND, tz) + SECOND, wall(change, tz)
        low, high = min(before, after), max(before, after)
        minutes = int((high - low).total_seconds() // 60)
        picked = low + timedelta(minutes=draw(st.integers(0, max(0, minutes - 1))))
        return picked.time().replace(second=0, microsecond=0)
    return draw(times_of_day)


@st.composite
def cases(
    draw: st.DrawFn,
) -> tuple[str, Goal, ReminderRule, datetime, time]:
    zone_name = draw(dst_zone_names)
    schedule: Schedule = draw(day_schedules)
    start = draw(dates_2026) - timedelta(days=draw(st.integers(0, 40)))
    rule = ReminderRule(draw(reminder_times(zone_name)), draw(weekday_limits))
    after = draw(moments_near_changes(zone_name))
    return zone_name, Goal(schedule, start), rule, after, draw(day_starts)


# -- properties ------------------------------------------------------------------------------------


@given(cases())
def test_next_fire_is_strictly_after_the_moment_asked_about(
    case: tuple[str, Goal, ReminderRule, datetime, time],
) -> None:
    zone_name, goal, rule, after, day_start = case
    found = next_fire(goal, rule, after, ZoneInfo(zone_name), day_start)
    if not can_ever_be_due(goal, rule):
        assert found is None
        return
    assert found is not None
    assert found[1] > after


@given(cases(), dst_zone_names, st.booleans())
def test_the_firing_after_a_held_one_is_for_a_later_day_whatever_zone_came_meanwhile(
    case: tuple[str, Goal, ReminderRule, datetime, time], moved_to: str, snoozed: bool
) -> None:
    """A firing held under a lease is moved on only when confirmed, maybe after the person
    moved to another zone: the next firing must be for a later habit day, never its own again."""
    zone_name, goal, rule, after, day_start = case
    held = next_fire(goal, rule, after, ZoneInfo(zone_name), day_start)
    assume(held is not None)
    assert held is not None
    day, fire_at = held
    if snoozed:
        fire_at += timedelta(hours=1)

    found = following(goal, rule, Zone(ZoneInfo(moved_to), day_start, 0), day, fire_at, snoozed)

    assert found is not None  # a day that was due once comes round again
    assert found[0] > day
    if not snoozed:
        assert found[1] > fire_at


@given(cases())
def test_ten_days_of_firings_hit_every_due_day_once_at_its_wall_time(
    case: tuple[str, Goal, ReminderRule, datetime, time],
) -> None:
    zone_name, goal, rule, after, day_start = case
    tz = ZoneInfo(zone_name)
    until = after + timedelta(days=10)

    fired = list(firings(goal, rule, after, until, tz, day_start))

    instants = [instant for _day, instant in fired]
    days = [day for day, _instant in fired]
    assert all(instant > after for instant in instants)
    assert instants == sorted(set(instants)), "firings must be strictly increasing"
    assert len(days) == len(set(days)), "a habit day fired twice"

    # Every due habit day whose firing falls in (after, until] fires, and no other day does.
    first_day = after.astimezone(tz).date() - timedelta(days=2)
    wanted = {}
    for offset in range(15):
        day = first_day + timedelta(days=offset)
        if not due_by_definition(goal, rule, day):
            continue
        instant = expected_fire(calendar_date_of(day, rule.at, day_start), rule.at, zone_name)
        if after < instant <= until:
            wanted[day] = instant
    assert dict(fired) == wanted


@given(cases())
def test_fire_instant_shows_the_reminder_time_or_the_end_of_the_gap(
    case: tuple[str, Goal, ReminderRule, datetime, time],
) -> None:
    zone_name, _goal, rule, after, day_start = case
    tz = ZoneInfo(zone_name)
    day = after.astimezone(tz).date()
    on = calendar_date_of(day, rule.at, day_start)

    instant = fire_instant(day, rule.at, tz, day_start)

    target = datetime.combine(on, rule.at)
    if wall_exists(on, rule.at, zone_name):
        assert wall(instant, tz) == target
        # The first time the wall shows it: one minute earlier the wall was before it.
        assert wall(instant - timedelta(minutes=1), tz) < target
        assert instant == expected_fire(on, rule.at, zone_name)
    else:
        # Skipped by the clocks: the moment they jump, which is the first instant after the gap.
        assert wall(instant - SECOND, tz) < target < wall(instant, tz)
        assert instant.microsecond == 0


@given(dst_zone_names, st.data())
def test_a_time_the_clocks_repeat_fires_once_at_its_first_occurrence(
    zone_name: str, data: st.DataObject
) -> None:
    tz = ZoneInfo(zone_name)
    backwards = [
        c
        for c in offset_changes(zone_name)
        if c.year == 2026 and wall(c, tz) < wall(c - SECOND, tz)
    ]
    assume(backwards)
    change = data.draw(st.sampled_from(backwards))
    repeated_from, repeated_to = wall(change, tz), wall(change - SECOND, tz) + SECOND
    length = int((repeated_to - repeated_from).total_seconds() // 60)
    target = repeated_from + timedelta(minutes=data.draw(st.integers(0, length - 1)))
    goal = Goal(Daily(), date(2025, 12, 1))
    rule = ReminderRule(target.time())
    after = change - timedelta(days=2)

    fired = list(firings(goal, rule, after, change + timedelta(days=2), tz, MIDNIGHT))

    on_that_day = [instant for day, instant in fired if day == target.date()]
    first = target.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = target.replace(tzinfo=tz, fold=1).astimezone(UTC)
    assert first != second  # the wall really shows this time twice
    assert on_that_day == [min(first, second)]
    assert all(wall(instant, tz).time() == target.time() for _day, instant in fired)


@given(dst_zone_names, st.data())
def test_a_time_the_clocks_skip_fires_when_they_jump(zone_name: str, data: st.DataObject) -> None:
    tz = ZoneInfo(zone_name)
    forwards = [
        c
        for c in offset_changes(zone_name)
        if c.year == 2026 and wall(c, tz) > wall(c - SECOND, tz) + SECOND
    ]
    assume(forwards)
    change = data.draw(st.sampled_from(forwards))
    gap_from, gap_to = wall(change - SECOND, tz) + SECOND, wall(change, tz)
    length = int((gap_to - gap_from).total_seconds() // 60)
    target = gap_from + timedelta(minutes=data.draw(st.integers(0, length - 1)))
    goal = Goal(Daily(), date(2025, 12, 1))
    rule = ReminderRule(target.time())

    fired = dict(
        firings(goal, rule, change - timedelta(days=2), change + timedelta(days=2), tz, MIDNIGHT)
    )

    assert fired.get(target.date()) == change
    for day, instant in fired.items():
        if day != target.date():
            assert wall(instant, tz) == datetime.combine(day, target.time())


# -- concrete examples -----------------------------------------------------------------------------


def test_new_york_spring_forward_0230_fires_at_0700_utc() -> None:
    # 2026-03-08: at 02:00 EST (07:00 UTC) the clocks jump to 03:00 EDT; 02:30 never happens.
    rule = parse_reminder("02:30")
    goal = Goal(Daily(), date(2026, 1, 1))
    expected = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)

    assert fire_instant(date(2026, 3, 8), rule.at, NEW_YORK, MIDNIGHT) == expected
    # The day before, 02:30 EST is 07:30 UTC.
    assert next_fire(goal, rule, datetime(2026, 3, 7, 0, 0, tzinfo=UTC), NEW_YORK, MIDNIGHT) == (
        date(2026, 3, 7),
        datetime(2026, 3, 7, 7, 30, tzinfo=UTC),
    )
    assert next_fire(goal, rule, datetime(2026, 3, 7, 8, 0, tzinfo=UTC), NEW_YORK, MIDNIGHT) == (
        date(2026, 3, 8),
        expected,
    )
    # The day after, 02:30 exists again, now in EDT (UTC-4).
    assert next_fire(goal, rule, expected, NEW_YORK, MIDNIGHT) == (
        date(2026, 3, 9),
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
    )


def test_new_york_fall_back_0130_fires_once_at_0530_utc() -> None:
    # 2026-11-01: 01:30 EDT is 05:30 UTC; the clocks go back at 06:00 UTC, and 01:30 EST
    # (06:30 UTC) must not fire again.
    rule = parse_reminder("01:30")
    goal = Goal(Daily(), date(2026, 1, 1))
    after = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)

    fired = list(
        firings(goal, rule, after, datetime(2026, 11, 2, 12, 0, tzinfo=UTC), NEW_YORK, MIDNIGHT)
    )

    assert fired == [
        (date(2026, 11, 1), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        (date(2026, 11, 2), datetime(2026, 11, 2, 6, 30, tzinfo=UTC)),
    ]
    assert fire_instant(date(2026, 11, 1), rule.at, NEW_YORK, MIDNIGHT) == fired[0][1]


def test_weekday_limited_reminder_fires_only_on_those_weekdays() -> None:
    rule = parse_reminder("08:00 mon,wed,fri")
    goal = Goal(Daily(), date(2026, 1, 1))
    after = datetime(2026, 1, 4, 23, 0, tzinfo=UTC)  # Sunday night

    fired = list(firings(goal, rule, after, after + timedelta(days=14), UTC, MIDNIGHT))

    expected_days = [date(2026, 1, d) for d in (5, 7, 9, 12, 14, 16)]
    assert [day for day, _ in fired] == expected_days
    assert [instant for _, instant in fired] == [
        datetime.combine(d, time(8, 0), tzinfo=UTC) for d in expected_days
    ]
    assert not could_be_due(goal, rule, date(2026, 1, 6))  # a Tuesday
    assert could_be_due(goal, rule, date(2026, 1, 7))


def test_weekday_limit_and_weekday_schedule_must_both_allow_the_day() -> None:
    goal = Goal(DaysOfWeek(frozenset({0, 1})), date(2026, 1, 1))  # Mondays and Tuesdays
    rule = parse_reminder("09:00 tue,wed")
    after = datetime(2026, 1, 4, 0, 0, tzinfo=UTC)

    fired = list(firings(goal, rule, after, after + timedelta(days=21), UTC, MIDNIGHT))

    assert [day for day, _ in fired] == [date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 20)]


def test_weekday_limit_that_never_meets_the_schedule_never_fires() -> None:
    goal = Goal(DaysOfWeek(frozenset({0})), date(2026, 1, 1))  # Mondays only
    rule = parse_reminder("09:00 sat,sun")
    assert next_fire(goal, rule, datetime(2026, 1, 1, tzinfo=UTC), UTC, MIDNIGHT) is None


def test_every_three_days_reminds_only_on_due_days() -> None:
    goal = Goal(EveryNDays(3), date(2026, 1, 1))
    rule = parse_reminder("20:00")
    after = datetime(2025, 12, 25, tzinfo=UTC)  # before the habit starts

    fired = list(firings(goal, rule, after, datetime(2026, 1, 14, tzinfo=UTC), UTC, MIDNIGHT))

    expected_days = [date(2026, 1, d) for d in (1, 4, 7, 10, 13)]
    assert fired == [(d, datetime.combine(d, time(20, 0), tzinfo=UTC)) for d in expected_days]
    for d in range(1, 14):
        day = date(2026, 1, d)
        assert could_be_due(goal, rule, day) == (day in expected_days)


def test_every_365_days_with_a_weekday_limit_still_finds_its_next_due_day() -> None:
    # Due 2026-01-01 (Thu), 2027-01-01 (Fri), 2028-01-01 (Sat): the first Saturday is two years
    # on. The reminder can be due, so it must be scheduled, not dropped as "never due".
    goal = Goal(EveryNDays(365), date(2026, 1, 1))
    rule = parse_reminder("09:00 sat")
    assert date(2028, 1, 1).weekday() == 5

    found = next_fire(goal, rule, datetime(2026, 1, 2, tzinfo=UTC), UTC, MIDNIGHT)

    assert found == (date(2028, 1, 1), datetime(2028, 1, 1, 9, 0, tzinfo=UTC))


def test_no_reminder_before_the_habit_starts() -> None:
    goal = Goal(Daily(), date(2026, 2, 10))
    rule = parse_reminder("07:15")
    found = next_fire(goal, rule, datetime(2026, 2, 1, tzinfo=UTC), UTC, MIDNIGHT)
    assert found == (date(2026, 2, 10), datetime(2026, 2, 10, 7, 15, tzinfo=UTC))
    assert not could_be_due(goal, rule, date(2026, 2, 9))


@pytest.mark.parametrize(
    "schedule", [PerPeriod(3, "week"), PerPeriod(10, "month"), Rolling(3, 7)], ids=str
)
def test_period_habits_may_need_a_reminder_on_any_day(schedule: Schedule) -> None:
    # Whether the week's target is met is judged when the reminder fires, not by the calendar.
    goal = Goal(schedule, date(2026, 1, 5))
    every_day, weekends = parse_reminder("18:00"), parse_reminder("18:00 sat,sun")
    days = [date(2026, 1, 5) + timedelta(days=n) for n in range(14)]
    assert all(could_be_due(goal, every_day, d) for d in days)
    assert [could_be_due(goal, weekends, d) for d in days] == [d.weekday() >= 5 for d in days]
    assert not could_be_due(goal, every_day, date(2026, 1, 4))


def test_day_start_0400_puts_a_0100_reminder_in_the_night_after_its_habit_day() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # UTC+1 in January
    goal = Goal(Daily(), date(2026, 1, 1))
    rule = parse_reminder("01:00")
    day_start = time(4, 0)

    # Habit day 2026-01-05 runs from 04:00 on the 5th to 04:00 on the 6th: 01:00 on the 6th.
    assert fire_instant(date(2026, 1, 5), rule.at, berlin, day_start) == datetime(
        2026, 1, 6, 0, 0, tzinfo=UTC
    )
    # At 23:00 local on the 5th the next firing is that night, for habit day the 5th.
    after = datetime(2026, 1, 5, 22, 0, tzinfo=UTC)
    assert next_fire(goal, rule, after, berlin, day_start) == (
        date(2026, 1, 5),
        datetime(2026, 1, 6, 0, 0, tzinfo=UTC),
    )
    # At 02:00 local on the 6th (still habit day the 5th) that firing is past: next is the 6th's.
    after = datetime(2026, 1, 6, 1, 0, tzinfo=UTC)
    assert next_fire(goal, rule, after, berlin, day_start) == (
        date(2026, 1, 6),
        datetime(2026, 1, 7, 0, 0, tzinfo=UTC),
    )
    # The same reminder with a midnight day start belongs to the calendar date it fires on.
    assert next_fire(goal, rule, datetime(2026, 1, 5, 22, 0, tzinfo=UTC), berlin, MIDNIGHT) == (
        date(2026, 1, 6),
        datetime(2026, 1, 6, 0, 0, tzinfo=UTC),
    )


def test_reminder_at_the_day_start_belongs_to_the_day_it_starts() -> None:
    day_start = time(4, 0)
    assert fire_instant(date(2026, 1, 5), time(4, 0), UTC, day_start) == datetime(
        2026, 1, 5, 4, 0, tzinfo=UTC
    )
    assert fire_instant(date(2026, 1, 5), time(3, 59), UTC, day_start) == datetime(
        2026, 1, 6, 3, 59, tzinfo=UTC
    )


def test_weekday_limit_with_late_day_start_is_judged_on_the_habit_day() -> None:
    # "01:00 fri" with a 04:00 day start: Friday's reminder, heard in the small hours of Saturday.
    goal = Goal(Daily(), date(2026, 1, 1))
    rule = parse_reminder("01:00 fri")
    found = next_fire(goal, rule, datetime(2026, 1, 5, tzinfo=UTC), UTC, time(4, 0))
    assert found == (date(2026, 1, 9), datetime(2026, 1, 10, 1, 0, tzinfo=UTC))
    assert date(2026, 1, 9).weekday() == 4


# -- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "at", "weekdays"),
    [
        ("21:00", time(21, 0), None),
        ("7:05", time(7, 5), None),
        ("08:00 mon,wed,fri", time(8, 0), frozenset({0, 2, 4})),
        ("08:00 Friday, Monday", time(8, 0), frozenset({0, 4})),
        ("  23:59   sun  ", time(23, 59), frozenset({6})),
        ("06:30 mon,tue,wed,thu,fri,sat,sun", time(6, 30), None),
    ],
)
def test_parse_reminder(text: str, at: time, weekdays: frozenset[int] | None) -> None:
    rule = parse_reminder(text)
    assert rule == ReminderRule(at, weekdays)
    assert parse_reminder(str(rule)) == rule


def test_reminder_prints_in_canonical_form() -> None:
    assert str(parse_reminder("8:00 fri,mon")) == "08:00 mon,fri"
    assert str(parse_reminder("21:00")) == "21:00"


@pytest.mark.parametrize("text", ["25:61", "24:00", "12:60"])
def test_out_of_range_time_is_refused_naming_the_limits(text: str) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_reminder(text)
    message = str(raised.value)
    assert text in message
    assert "23" in message
    assert "59" in message


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_reminder_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidTime, match="21:00"):
        parse_reminder(text)


@pytest.mark.parametrize("text", ["noon", "8", "8:0", "mon 08:00"])
def test_malformed_time_is_refused_showing_the_form(text: str) -> None:
    with pytest.raises(InvalidTime, match="HH:MM"):
        parse_reminder(text)


@pytest.mark.parametrize(("text", "bad"), [("8:00 funday", "funday"), ("08:00 mon,xx", "xx")])
def test_unknown_weekday_is_refused_listing_the_valid_ones(text: str, bad: str) -> None:
    with pytest.raises(InvalidWeekday) as raised:
        parse_reminder(text)
    message = str(raised.value)
    assert repr(bad) in message
    assert all(name in message for name in ("mon", "wed", "sun"))


def test_at_most_twelve_distinct_reminders() -> None:
    twelve = [f"{hour:02d}:00" for hour in range(12)]
    assert len(parse_reminders([*twelve, "00:00"])) == 12  # a repeat is not a new reminder
    with pytest.raises(InvalidTime, match=str(MAX_REMINDERS)):
        parse_reminders([*twelve, "12:00"])
