"""Closing habit days (rollover.close over periods.evaluate): each ended day told once."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.rollover import DayResult, Outcome, calendar, close
from habitcore.rules.schedule import Daily, parse_schedule
from habitcore.rules.tally import evaluate
from strategies import START, dates, goals, histories, week_starts

ONE_DAY = timedelta(days=1)
MONDAY = date(2026, 1, 5)


def close_range(
    goal: Goal, history: History, first: date, last: date, week_start: int = 0
) -> list[DayResult]:
    """Close ``first`` to ``last`` in one go, the morning after ``last``."""
    units = evaluate(goal, history, last + ONE_DAY, week_start)
    return close("habit", goal, history, units, first, last)


def close_daily(
    goal: Goal, history: History, first: date, last: date, week_start: int = 0
) -> list[DayResult]:
    """Close one day at a time, each on the morning after it."""
    results: list[DayResult] = []
    day = first
    while day <= last:
        units = evaluate(goal, history, day + ONE_DAY, week_start)
        results.extend(close("habit", goal, history, units, day, day))
        day += ONE_DAY
    return results


def done(*offsets: int, first: date = MONDAY) -> list[CheckIn]:
    return [CheckIn(first + timedelta(days=n), Status.DONE) for n in offsets]


@given(goal=goals(at_most=None), data=st.data())
def test_closing_day_by_day_tells_the_same_as_closing_the_range(
    goal: Goal, data: st.DataObject
) -> None:
    history = data.draw(histories(goal, days=45))
    last = data.draw(dates(START, 50))
    week_start = data.draw(week_starts)
    at_once = close_range(goal, history, START, last, week_start)
    assert [r.day for r in at_once] == [
        START + timedelta(days=n) for n in range((last - START).days + 1)
    ]
    assert close_daily(goal, history, START, last, week_start) == at_once
    # Catching up after downtime from any day on gives the same results for those days.
    middle = data.draw(dates(START, (last - START).days))
    assert close_range(goal, history, middle, last, week_start) == [
        r for r in at_once if r.day >= middle
    ]


@given(goal=goals(), data=st.data())
def test_a_broken_streak_carries_the_length_it_had(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=45))
    last = data.draw(dates(START, 50))
    results = close_range(goal, history, START, last, data.draw(week_starts))
    previous = 0  # the streak before the habit's first day
    for result in results:
        # A closed day leaves the streak as it was, one longer, or ended.
        assert result.streak in (previous, previous + 1, 0), result
        if result.broken is not None:
            assert result.broken == previous > 0, result
            assert result.streak == 0, result
        if previous > 0 and result.streak == 0:
            assert result.broken == previous, result
        previous = result.streak


@given(goal=goals(), data=st.data())
def test_a_record_is_told_when_the_streak_first_beats_the_previous_best(
    goal: Goal, data: st.DataObject
) -> None:
    """The record flag is set on the day the running streak first becomes longer than the best
    streak before it (the longest one that had ended by then). The very first streak beats
    nothing, so it sets no record."""
    history = data.draw(histories(goal, days=45))
    last = data.draw(dates(START, 50))
    results = close_range(goal, history, START, last, data.draw(week_starts))
    best_before = 0  # the longest streak that has ended
    told = False  # this run has set its record already
    previous = 0
    for result in results:
        if previous > 0 and result.streak == 0:  # the run ended
            best_before, told = max(best_before, previous), False
        expected = best_before > 0 and result.streak > best_before and not told
        assert result.record == expected, (result, best_before)
        told = told or expected
        previous = result.streak


def test_a_daily_streak_broken_by_a_missed_day() -> None:
    goal = Goal(Daily(), MONDAY)
    # Three days done, one missed, four done.
    history = History.of(done(0, 1, 2, 4, 5, 6, 7))
    results = close_range(goal, history, MONDAY, MONDAY + timedelta(days=7))
    assert [r.outcome for r in results] == [Outcome.DONE] * 3 + [Outcome.MISSED] + [
        Outcome.DONE
    ] * 4
    assert [r.streak for r in results] == [1, 2, 3, 0, 1, 2, 3, 4]
    assert [r.broken for r in results] == [None, None, None, 3, None, None, None, None]
    # The second run beats the first (3) on its fourth day: a record.
    assert results[7].record


def test_the_very_first_streak_sets_no_record() -> None:
    goal = Goal(Daily(), MONDAY)
    results = close_range(goal, History.of(done(0, 1, 2, 3)), MONDAY, MONDAY + timedelta(days=3))
    assert [r.streak for r in results] == [1, 2, 3, 4]
    assert [r.record for r in results] == [False] * 4


def test_a_record_is_told_once_per_streak() -> None:
    goal = Goal(Daily(), MONDAY)
    # Two days done, one missed, then six days done: the record is the third of those six.
    history = History.of(done(0, 1, *range(3, 9)))
    results = close_range(goal, history, MONDAY, MONDAY + timedelta(days=8))
    assert [r.streak for r in results] == [1, 2, 0, 1, 2, 3, 4, 5, 6]
    assert [r.day for r in results if r.record] == [MONDAY + timedelta(days=5)]


def test_skipped_and_paused_days_are_told_and_keep_the_streak() -> None:
    goal = Goal(Daily(), MONDAY)
    history = History.of(
        [*done(0, 1, 4), CheckIn(MONDAY + timedelta(days=2), Status.SKIPPED)],
        [Pause(MONDAY + timedelta(days=3), MONDAY + timedelta(days=3))],
    )
    results = close_range(goal, history, MONDAY, MONDAY + timedelta(days=4))
    assert [r.outcome for r in results] == [
        Outcome.DONE,
        Outcome.DONE,
        Outcome.SKIPPED,
        Outcome.PAUSED,
        Outcome.DONE,
    ]
    assert [r.streak for r in results] == [1, 2, 2, 2, 3]
    assert all(r.broken is None for r in results)


def test_a_weekly_habit_is_told_at_the_end_of_the_week() -> None:
    goal = Goal(parse_schedule("3/week"), MONDAY)
    history = History.of(done(0, 2, 4, 8))  # week one met, week two one short
    results = close_range(goal, history, MONDAY, MONDAY + timedelta(days=13))
    # Days with nothing logged are open until the week is lost; the week's news is on Sunday.
    assert [r.outcome for r in results[:7]] == [
        Outcome.DONE,
        Outcome.OPEN,
        Outcome.DONE,
        Outcome.OPEN,
        Outcome.DONE,
        Outcome.OPEN,
        Outcome.OPEN,
    ]
    assert [r.streak for r in results[:7]] == [0] * 6 + [1]
    assert results[13].outcome is Outcome.MISSED
    assert (results[13].streak, results[13].broken) == (0, 1)
    assert all(r.broken is None for r in results[:13])


def test_an_at_most_day_with_nothing_logged_closes_done() -> None:
    """Nothing logged is 0, within the ceiling: once the day has ended it is done; a day over
    the ceiling breaks the streak. Today, unlogged, is still open on the calendar."""
    goal = Goal(Daily(), MONDAY, target=2.0, unit="cups", at_most=True)
    history = History.of(
        [
            CheckIn(MONDAY, Status.DONE, 1.0),
            CheckIn(MONDAY + timedelta(days=2), Status.DONE, 3.0),
        ]
    )
    results = close_range(goal, history, MONDAY, MONDAY + timedelta(days=3))
    assert [r.outcome for r in results] == [
        Outcome.DONE,
        Outcome.DONE,  # nothing logged
        Outcome.OVER,  # 3 cups of at most 2
        Outcome.DONE,
    ]
    assert [(r.streak, r.broken) for r in results] == [(1, None), (2, None), (0, 2), (1, None)]
    today = MONDAY + timedelta(days=4)
    units = evaluate(goal, history, today)
    assert calendar(goal, history, units, today - ONE_DAY, today) == [
        (today - ONE_DAY, Outcome.DONE),
        (today, Outcome.OPEN),
    ]


@given(
    target=st.integers(1, 10),
    amounts=st.lists(st.one_of(st.none(), st.integers(0, 25)), min_size=30, max_size=30),
    week_start=week_starts,
)
def test_an_at_most_day_past_its_ceiling_reads_over_and_no_other_day_does(
    target: int, amounts: list[int | None], week_start: int
) -> None:
    goal = Goal(Daily(), START, target=float(target), unit="cups", at_most=True)
    checkins = {
        START + timedelta(days=i): CheckIn(START + timedelta(days=i), Status.DONE, float(a))
        for i, a in enumerate(amounts)
        if a is not None
    }
    history = History(checkins=checkins)
    today = START + timedelta(days=len(amounts) - 1)
    units = evaluate(goal, history, today, week_start)
    shown = dict(calendar(goal, history, units, START, today))
    closed = {r.day: r.outcome for r in close("Cups", goal, history, units, START, today)}
    for i, amount in enumerate(amounts):
        day = START + timedelta(days=i)
        over = amount is not None and amount > target
        assert (shown[day] is Outcome.OVER) == over
        if day < today:
            assert (closed[day] is Outcome.OVER) == over
            assert closed[day] in ((Outcome.OVER,) if over else (Outcome.DONE,))
