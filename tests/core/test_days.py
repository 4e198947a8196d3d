"""Habit days, times of day, time zones and wall times across DST (habitcore.rules.days)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from habitcore.errors import HabitcoreError, InvalidDay, InvalidTime, InvalidTimezone
from habitcore.rules.days import (
    day_start_instant,
    format_time_of_day,
    habit_day,
    local_instant,
    parse_day,
    parse_time_of_day,
    parse_timezone,
)
from strategies import (
    dst_wall_times,
    instants_near_transitions,
    times_of_day,
    transitions,
    zone_names,
    zones_with_transitions,
)

MOSCOW = ZoneInfo("Europe/Moscow")
NEW_YORK = ZoneInfo("America/New_York")
ONE_SECOND = timedelta(seconds=1)

instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """What the wall clock in ``zone`` shows at ``instant`` (naive)."""
    return instant.astimezone(zone).replace(tzinfo=None)


def is_repeat(instant: datetime, zone: ZoneInfo) -> bool:
    """True when the wall clock already showed this wall time earlier (clocks went back)."""
    shown = wall(instant, zone)
    offsets = {(instant + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(-30, 31)}
    for offset in offsets:
        assert offset is not None
        other = shown.replace(tzinfo=UTC) - offset
        if other < instant and wall(other, zone) == shown:
            return True
    return False


# -- habit_day ----------------------------------------------------------------------------------


def test_a_check_in_at_0130_on_tuesday_counts_for_monday_with_a_0400_day_start() -> None:
    start = time(4, 0)
    tuesday_0130 = datetime(2026, 1, 6, 1, 30, tzinfo=MOSCOW)
    assert habit_day(tuesday_0130, MOSCOW, start) == date(2026, 1, 5)
    assert habit_day(datetime(2026, 1, 6, 3, 59, 59, tzinfo=MOSCOW), MOSCOW, start) == date(
        2026, 1, 5
    )
    assert habit_day(datetime(2026, 1, 6, 4, 0, tzinfo=MOSCOW), MOSCOW, start) == date(2026, 1, 6)
    # The same instant is already Tuesday for someone whose day starts at midnight.
    assert habit_day(tuesday_0130, MOSCOW, time(0, 0)) == date(2026, 1, 6)


def test_habit_day_uses_the_persons_zone_not_the_instants() -> None:
    # 23:30 UTC on Monday is 02:30 on Tuesday in Moscow (UTC+3).
    instant = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    assert habit_day(instant, MOSCOW, time(0, 0)) == date(2026, 1, 6)
    assert habit_day(instant, MOSCOW, time(4, 0)) == date(2026, 1, 5)
    assert habit_day(instant, NEW_YORK, time(0, 0)) == date(2026, 1, 5)


def test_habit_day_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        habit_day(datetime(2026, 1, 5, 12, 0), MOSCOW, time(4, 0))


@given(instant=instants, name=zone_names, day_start=times_of_day)
def test_habit_day_is_the_local_date_or_the_day_before(
    instant: datetime, name: str, day_start: time
) -> None:
    zone = ZoneInfo(name)
    local = instant.astimezone(zone)
    found = habit_day(instant, zone, day_start)
    assert found in (local.date(), local.date() - timedelta(days=1))
    if not is_repeat(instant, zone):
        # The second pass through a repeated hour is covered by the next two tests.
        assert (found == local.date()) == (local.time() >= day_start)


@given(moment=instants_near_transitions(), data=st.data())
def test_habit_day_lies_between_its_day_start_instants(
    moment: tuple[str, datetime], data: st.DataObject
) -> None:
    """Habit day d is exactly the time from day_start_instant(d) to day_start_instant(d + 1).

    habit_day and day_start_instant (which rollover and reminders use) must agree, also when
    clocks go back through the day start: otherwise a day that has begun ends again.
    """
    name, instant = moment
    zone = ZoneInfo(name)
    # Day starts near the instant's wall time make the interesting cases likely: a day start in
    # a gap, or in the hour that is repeated.
    nearby = wall(instant, zone) + timedelta(minutes=data.draw(st.integers(-10, 60)))
    day_start = data.draw(st.one_of(times_of_day, st.just(time(nearby.hour, nearby.minute))))
    found = habit_day(instant, zone, day_start)
    assert day_start_instant(found, zone, day_start) <= instant
    assert instant < day_start_instant(found + timedelta(days=1), zone, day_start)


def test_the_habit_day_does_not_go_back_when_clocks_go_back_through_the_day_start() -> None:
    # New York, 2026-11-01: at 06:00 UTC clocks go from 02:00 EDT back to 01:00 EST, so the
    # wall clock shows 01:00-02:00 twice. With a 01:30 day start, Sunday begins at 01:30 EDT
    # (05:30 UTC, as day_start_instant says); half an hour later the clock shows 01:15 EST,
    # and that is still Sunday: the person's day cannot go back to Saturday.
    day_start = time(1, 30)
    assert day_start_instant(date(2026, 11, 1), NEW_YORK, day_start) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )
    first_pass = datetime(2026, 11, 1, 5, 45, tzinfo=UTC)  # 01:45 EDT
    second_pass = datetime(2026, 11, 1, 6, 15, tzinfo=UTC)  # 01:15 EST
    assert habit_day(first_pass, NEW_YORK, day_start) == date(2026, 11, 1)
    assert habit_day(second_pass, NEW_YORK, day_start) == date(2026, 11, 1)


# -- parse_time_of_day --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 21:00 ", time(21, 0)),
    ],
)
def test_parse_time_of_day_reads_hh_mm(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@given(hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_every_time_of_day_prints_and_parses_back(hour: int, minute: int) -> None:
    value = time(hour, minute)
    text = format_time_of_day(value)
    assert text == f"{hour:02d}:{minute:02d}"
    assert parse_time_of_day(text) == value


@pytest.mark.parametrize(
    "text", ["25:61", "24:00", "23:60", "", "7", "12:5", "noon", "7:30pm", "1:2:3", "x" * 10_000]
)
def test_bad_times_are_refused_with_a_message_that_shows_the_form(text: str) -> None:
    with pytest.raises(InvalidTime) as raised:
        parse_time_of_day(text)
    message = str(raised.value)
    assert isinstance(raised.value, HabitcoreError)
    # A clear message says what a valid time looks like, with a valid example in it ...
    assert "HH:MM" in message or "hours go from 00 to 23" in message
    examples = [word.strip(".,") for word in message.split() if ":" in word]
    assert any(_parses(example) for example in examples), message
    # ... and stays short enough to show to a person whatever they typed (a chat reply, a
    # terminal line): it must not echo ten thousand characters back.
    assert len(message) <= 200, f"{len(message)} characters"


def test_out_of_range_times_say_which_part_is_wrong() -> None:
    with pytest.raises(InvalidTime, match="hours go from 00 to 23"):
        parse_time_of_day("25:61")


def _parses(text: str) -> bool:
    try:
        parse_time_of_day(text)
    except InvalidTime:
        return False
    return True


# -- parse_timezone -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Moscow", "America/New_York", "UTC", "Asia/Kolkata"])
def test_parse_timezone_accepts_iana_names(name: str) -> None:
    assert parse_timezone(name).key == name


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("europe/moscow", "Europe/Moscow"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("utc", "UTC"),
        ("  Europe/Moscow  ", "Europe/Moscow"),
    ],
)
def test_parse_timezone_accepts_a_name_in_the_wrong_case_and_gives_the_real_name(
    typed: str, key: str
) -> None:
    # The zone is stored by key; it must be the canonical spelling, not the typed one.
    assert parse_timezone(typed).key == key


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus",
        "",
        "   ",
        "../etc/passwd",
        "/etc/passwd",
        "Europe/../../etc/passwd",
    ],
)
def test_parse_timezone_refuses_what_is_not_a_zone(name: str) -> None:
    with pytest.raises(InvalidTimezone) as raised:
        parse_timezone(name)
    message = str(raised.value)
    assert "Europe/Moscow" in message  # a valid example
    assert "America/New_York" in message


# -- local_instant ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        # Spring forward: 02:00 EST jumps to 03:00 EDT at 07:00 UTC; 02:30 does not exist.
        ("America/New_York", date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2026, 3, 8), time(1, 59), datetime(2026, 3, 8, 6, 59)),
        ("America/New_York", date(2026, 3, 8), time(3, 0), datetime(2026, 3, 8, 7, 0)),
        # Fall back: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2026, 11, 1), time(2, 0), datetime(2026, 11, 1, 7, 0)),
        # Central Europe: 02:00 CET jumps to 03:00 CEST at 01:00 UTC, 03:00 CEST goes back to
        # 02:00 CET at 01:00 UTC.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 29, 1, 0)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        # Moscow keeps UTC+3 all year, also on the European change days.
        ("Europe/Moscow", date(2026, 3, 29), time(2, 30), datetime(2026, 3, 28, 23, 30)),
        ("Europe/Moscow", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 24, 23, 30)),
        ("Europe/Moscow", date(2026, 7, 1), time(4, 0), datetime(2026, 7, 1, 1, 0)),
    ],
)
def test_local_instant_examples(zone: str, day: date, at: time, expected: datetime) -> None:
    assert local_instant(day, at, ZoneInfo(zone)) == expected.replace(tzinfo=UTC)


@given(day=st.dates(date(2026, 1, 1), date(2026, 12, 31)), at=times_of_day)
def test_local_instant_in_a_zone_without_dst_is_a_fixed_offset(day: date, at: time) -> None:
    expected = datetime.combine(day, at).replace(tzinfo=UTC) - timedelta(hours=3)
    assert local_instant(day, at, MOSCOW) == expected


def check_local_instant(name: str, day: date, at: time) -> None:
    """The definition of local_instant, checked against offsets found independently.

    * a wall time that exists is returned as its earliest occurrence;
    * a wall time in a gap is the first instant after the gap: the wall clock shows a later time
      there, and one second before it showed an earlier one.
    """
    zone = ZoneInfo(name)
    wanted = datetime.combine(day, at)
    result = local_instant(day, at, zone)
    assert result.utcoffset() == timedelta(0)
    around = wanted.replace(tzinfo=UTC)
    hours = range(-36, 37, 3)
    offsets = {(around + timedelta(hours=h)).astimezone(zone).utcoffset() for h in hours}
    occurrences = sorted(
        candidate
        for offset in offsets
        if offset is not None and wall(candidate := around - offset, zone) == wanted
    )
    if occurrences:
        assert result == occurrences[0], (name, wanted, occurrences)
    else:
        assert wall(result, zone) > wanted, (name, wanted, result)
        assert wall(result - ONE_SECOND, zone) < wanted, (name, wanted, result)
        assert result in transitions(name, day.year) or result in transitions(name, day.year - 1)


@given(case=dst_wall_times())
def test_local_instant_across_dst(case: tuple[str, date, time]) -> None:
    check_local_instant(*case)


def test_local_instant_at_every_minute_around_every_2026_transition() -> None:
    """Every zone with a 2026 transition, every minute from 10 minutes before to 10 minutes after
    the changed span (the gap or the repeated time) on the wall clock."""
    zones = zones_with_transitions()
    assert "America/New_York" in zones
    assert "Europe/Moscow" not in zones
    checked = 0
    for name in zones:
        zone = ZoneInfo(name)
        for moment in transitions(name):
            before = wall(moment - ONE_SECOND, zone) + ONE_SECOND
            after = wall(moment, zone)
            first, last = min(before, after), max(before, after)
            minute = (first - timedelta(minutes=10)).replace(second=0)
            while minute <= last + timedelta(minutes=10):
                check_local_instant(name, minute.date(), minute.time())
                minute += timedelta(minutes=1)
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("berlin", "Europe/Berlin"),
        ("Moscow", "Europe/Moscow"),
        ("new york", "America/New_York"),
        ("Europe/Berln", "Europe/Berlin"),
        ("moskow", "Europe/Moscow"),
    ],
)
def test_a_zone_typed_as_its_city_or_misspelt_gets_a_did_you_mean(typed: str, meant: str) -> None:
    with pytest.raises(
        InvalidTimezone, match=f"^{typed!r} is not a time zone; did you mean {meant}\\?$"
    ):
        parse_timezone(typed)


def test_a_word_like_no_zone_gets_the_general_hint() -> None:
    with pytest.raises(InvalidTimezone, match="use an IANA name such as Europe/Moscow"):
        parse_timezone("xyzzy")


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(8999, 12, 31)))
def test_a_day_typed_without_leading_zeros_is_that_day(day: date) -> None:
    assert parse_day(f"{day.year}-{day.month}-{day.day}", date(2026, 12, 4)) == day


@given(
    today=st.dates(min_value=date(1950, 1, 1), max_value=date(8000, 1, 1)),
    offset=st.integers(-9999, 9999),
)
def test_plus_and_minus_n_count_days_from_today(today: date, offset: int) -> None:
    typed = f"+{offset}" if offset >= 0 else str(offset)
    assert parse_day(typed, today) == today + timedelta(days=offset)


@given(
    today=st.dates(min_value=date(1950, 1, 1), max_value=date(8000, 1, 1)),
    weekday=st.integers(0, 6),
)
def test_a_weekday_is_the_last_one_or_with_ahead_the_next_one(today: date, weekday: int) -> None:
    name = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday]
    back, ahead = parse_day(name, today), parse_day(name, today, ahead=True)
    assert back.weekday() == ahead.weekday() == weekday
    assert 0 <= (today - back).days <= 6
    assert 0 <= (ahead - today).days <= 6


def test_a_day_past_the_last_one_kept_is_refused() -> None:
    with pytest.raises(InvalidDay, match="reaches past 9000-12-31"):
        parse_day("+99999", date(8999, 12, 1))
