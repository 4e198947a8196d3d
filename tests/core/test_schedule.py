"""Schedules: the texts people type, the canonical text each prints as, and their due share."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from habitcore.errors import HabitcoreError, InvalidSchedule
from habitcore.rules.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    Schedule,
    due_fraction,
    parse_schedule,
)
from strategies import canonical_schedules, schedules


def offered_examples(message: str) -> list[str]:
    """The schedules a message offers: after "for example" or "write one of:"."""
    found = re.search(r"(?:for example|write one of:)\s+(.+?)\.?$", message)
    if found is None:
        return []
    return [part.strip() for part in re.split(r", (?=\S)| or ", found.group(1)) if part.strip()]


@given(schedule=canonical_schedules)
def test_every_schedule_parses_back_from_its_text(schedule: Schedule) -> None:
    assert parse_schedule(str(schedule)) == schedule


@given(schedule=schedules)
def test_the_shared_schedule_strategy_round_trips_too(schedule: Schedule) -> None:
    assert parse_schedule(str(schedule)) == schedule


@given(schedule=canonical_schedules)
def test_canonical_texts_print_as_themselves(schedule: Schedule) -> None:
    text = str(schedule)
    assert str(parse_schedule(text)) == text
    # Case and extra spaces are not part of the schedule.
    assert str(parse_schedule(f"  {text.upper()}  ")) == text


@pytest.mark.parametrize(
    "text",
    ["daily", "weekdays", "mon,wed,fri", "every 3 days", "3/week", "10/month", "3 in 7 days"],
)
def test_the_documented_examples_are_canonical(text: str) -> None:
    assert str(parse_schedule(text)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", Daily()),
        ("Every day", Daily()),
        ("everyday", Daily()),
        ("Every 3 days", EveryNDays(3)),
        ("every   3   days", EveryNDays(3)),
        ("every 2 day", EveryNDays(2)),
        ("every 365 days", EveryNDays(365)),
        ("mon, wed, fri", DaysOfWeek(frozenset({0, 2, 4}))),
        ("Mon,Wed,Fri", DaysOfWeek(frozenset({0, 2, 4}))),
        ("monday,tuesday", DaysOfWeek(frozenset({0, 1}))),
        ("Saturday, sun", DaysOfWeek(frozenset({5, 6}))),
        ("wed", DaysOfWeek(frozenset({2}))),
        ("3x per week", PerPeriod(3, "week")),
        ("3/week", PerPeriod(3, "week")),
        ("3 / week", PerPeriod(3, "week")),
        ("3 times per week", PerPeriod(3, "week")),
        ("3 times a week", PerPeriod(3, "week")),
        ("3x a week", PerPeriod(3, "week")),
        ("10/month", PerPeriod(10, "month")),
        ("1 per month", PerPeriod(1, "month")),
        ("31/month", PerPeriod(31, "month")),
        ("3 in 7 days", Rolling(3, 7)),
        ("3 times in 7 days", Rolling(3, 7)),
        ("3x in 7 days", Rolling(3, 7)),
    ],
)
def test_accepted_spellings(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("every 1 day", "daily"),
        ("every 1 days", "daily"),
        ("mon,tue,wed,thu,fri,sat,sun", "daily"),
        ("sun,sat,fri,thu,wed,tue,mon", "daily"),
        ("monday,tuesday,wednesday,thursday,friday,saturday,sunday", "daily"),
        ("7/week", "daily"),
        ("7 in 7 days", "daily"),
        ("1 in 1 day", "daily"),
        ("mon,tue,wed,thu,fri", "weekdays"),
        ("fri,thu,wed,tue,mon", "weekdays"),
        ("monday, tuesday, wednesday, thursday, friday", "weekdays"),
        ("fri,mon,wed", "mon,wed,fri"),
        ("mon,mon,wed", "mon,wed"),
        ("3X PER WEEK", "3/week"),
    ],
)
def test_normalisation(text: str, canonical: str) -> None:
    assert str(parse_schedule(text)) == canonical


def test_every_one_day_and_all_seven_days_are_the_daily_schedule() -> None:
    assert parse_schedule("every 1 day") == Daily()
    assert parse_schedule("mon,tue,wed,thu,fri,sat,sun") == Daily()
    assert parse_schedule("mon,tue,wed,thu,fri") == DaysOfWeek(frozenset(range(5)))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "sometimes",
        "8/week",
        "0/week",
        "32/month",
        "0/month",
        "every 0 days",
        "every 366 days",
        "5 in 3 days",
        "0 in 7 days",
        "3 in 0 days",
        "3 in 400 days",
        "mon,funday",
        "funday",
        "mo",
        "3/year",
        "every day please",
        "x" * 10_000,
    ],
)
def test_bad_schedules_are_refused_with_valid_examples(text: str) -> None:
    with pytest.raises(InvalidSchedule) as raised:
        parse_schedule(text)
    assert isinstance(raised.value, HabitcoreError)
    message = str(raised.value)
    shown = offered_examples(message)
    assert shown, f"no example of a valid schedule in {message!r}"
    for offered in shown:
        parse_schedule(offered)  # what the message offers must itself be accepted


def test_the_general_message_lists_every_family() -> None:
    with pytest.raises(InvalidSchedule) as raised:
        parse_schedule("sometimes")
    assert offered_examples(str(raised.value)) == [
        "daily",
        "weekdays",
        "mon,wed,fri",
        "every 3 days",
        "3/week",
        "10/month",
        "3 in 7 days",
    ]


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("daily", 1.0),
        ("weekdays", 5 / 7),
        ("mon,wed,fri", 3 / 7),
        ("sun", 1 / 7),
        ("every 3 days", 1 / 3),
        ("every 2 days", 1 / 2),
        ("3/week", 3 / 7),
        ("1/week", 1 / 7),
        ("10/month", 10 / 30),
        ("3 in 7 days", 3 / 7),
        ("1 in 30 days", 1 / 30),
    ],
)
def test_due_fraction(text: str, fraction: float) -> None:
    assert due_fraction(parse_schedule(text)) == pytest.approx(fraction)


@given(schedule=canonical_schedules)
@example(schedule=PerPeriod(31, "month"))
@example(schedule=PerPeriod(6, "week"))
def test_due_fraction_is_a_share_of_days(schedule: Schedule) -> None:
    assert 0 < due_fraction(schedule) <= 1


@given(times=st.integers(1, 6))
def test_more_times_a_week_is_a_larger_due_fraction(times: int) -> None:
    assert due_fraction(PerPeriod(times, "week")) < due_fraction(PerPeriod(times + 1, "week"))
    assert due_fraction(PerPeriod(times, "week")) == pytest.approx(due_fraction(Rolling(times, 7)))


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("weekly", "1/week"),
        ("Every week", "1/week"),
        ("once a week", "1/week"),
        ("monthly", "1/month"),
        ("every month", "1/month"),
        ("every other day", "every 2 days"),
        ("weekends", "sat,sun"),
        ("every 2 weeks", "1 in 14 days"),
        ("every 1 week", "1/week"),
        ("3/7", "3 in 7 days"),  # harsh's frequency
        ("7/7", "daily"),
    ],
)
def test_the_words_people_and_harsh_use_for_a_schedule(typed: str, canonical: str) -> None:
    assert str(parse_schedule(typed)) == canonical
    assert str(parse_schedule(canonical)) == canonical


@given(times=st.integers(1, 365), window=st.integers(1, 365))
def test_harsh_n_over_d_is_n_in_d_days(times: int, window: int) -> None:
    typed = f"{times}/{window}"
    if times > window:
        with pytest.raises(InvalidSchedule):
            parse_schedule(typed)
    else:
        assert parse_schedule(typed) == parse_schedule(f"{times} in {window} days")
