"""The habit score: Loop Habit Tracker's exponential smoothing (habitcore.score)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from habitcore.habits import CheckIn, Goal, History, Pause, Status
from habitcore.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    Schedule,
    parse_schedule,
)
from habitcore.score import explain, score
from habitcore.stats import habit_stats
from strategies import (
    START,
    dates,
    goals,
    histories,
    schedules,
    with_checkin,
    with_pause,
    without_checkin,
)

ONE_DAY = timedelta(days=1)
DAILY_M = 0.5 ** (1 / 13)  # Loop's multiplier for a daily habit: m = 0.5 ** (sqrt(1) / 13)


def neutral(history: History, day: date) -> bool:
    checkin = history.checkins.get(day)
    return (checkin is not None and checkin.status is Status.SKIPPED) or history.paused(day)


def window_days(goal: Goal) -> int:
    """How many days a day's value looks back over, from the score's definition."""
    match goal.schedule:
        case Daily():
            return 1
        case DaysOfWeek():
            return 7
        case EveryNDays(n):
            return n
        case PerPeriod(_, "week"):
            return 7
        case PerPeriod(_, _):
            return 30
        case Rolling(_, window):
            return window
    raise AssertionError(goal.schedule)


@given(goal=goals(at_most=None), data=st.data())
def test_the_score_is_between_0_and_1(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 80))
    assert 0.0 <= score(goal, history, today) <= 1.0
    for step in explain(goal, history, today):
        assert 0.0 <= step.score <= 1.0
        assert step.value is None or 0.0 <= step.value <= 1.0


@given(goal=goals(), data=st.data())
def test_a_done_day_never_lowers_the_score(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    empty = [START + timedelta(days=n) for n in range((today - START).days + 1)]
    empty = [d for d in empty if d not in history.checkins]
    assume(empty)
    day = data.draw(st.sampled_from(empty))
    amount = None
    if goal.target is not None:
        amount = float(data.draw(st.integers(0, int(goal.target * 2))))
    checked = with_checkin(history, CheckIn(day, Status.DONE, amount))
    assert score(goal, checked, today) >= score(goal, history, today)


@given(goal=goals().filter(lambda g: g.target is not None), data=st.data())
def test_a_larger_amount_never_lowers_the_score(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    logged = sorted(
        d for d, c in history.checkins.items() if c.status is Status.DONE and d <= today
    )
    assume(logged)
    day = data.draw(st.sampled_from(logged))
    before = history.checkins[day]
    assert before.amount is not None
    more = before.amount + data.draw(st.integers(1, 100))
    raised = with_checkin(history, CheckIn(day, Status.DONE, more))
    assert score(goal, raised, today) >= score(goal, history, today)


@given(goal=goals(), data=st.data())
def test_skipped_and_paused_days_carry_the_score(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    steps = explain(goal, history, today)
    assert [s.day for s in steps] == [START + timedelta(days=n) for n in range(len(steps))]
    assert steps[-1].day == today
    previous = 0.0
    for step in steps:
        if neutral(history, step.day):
            assert step.value is None, step
            assert step.score == previous, step
        else:
            assert step.value is not None, step
        previous = step.score


@given(goal=goals(), data=st.data())
def test_skipping_days_leaves_the_score_as_if_they_had_not_been(
    goal: Goal, data: st.DataObject
) -> None:
    """A skipped last day leaves the score where the day before left it."""
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START + ONE_DAY, 64))
    skipped = with_checkin(history, CheckIn(today, Status.SKIPPED))
    before = explain(goal, history, today - ONE_DAY)
    closing = before[-1].score  # yesterday, fully counted once it is over
    assert score(goal, skipped, today) == closing
    paused = with_pause(without_checkin(history, today), Pause(today, today))
    assert score(goal, paused, today) == closing


@given(goal=goals(), data=st.data())
def test_score_is_the_last_counted_step_of_explain(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    steps = explain(goal, history, today)
    counted = [s for s in steps if s.counted]
    assert score(goal, history, today) == (counted[-1].score if counted else 0.0)
    # Only today may be left uncounted: every day before it is over and counts.
    assert all(s.counted for s in steps if s.day < today)
    assert habit_stats(goal, history, today).score == score(goal, history, today)


def test_thirty_done_days_of_a_daily_habit_from_zero() -> None:
    goal = Goal(Daily(), START)
    history = History.of(CheckIn(START + timedelta(days=n), Status.DONE) for n in range(30))
    last = START + timedelta(days=29)
    # s_n = s_(n-1) × m + 1 × (1 - m) from s_0 = 0 sums to 1 - m ** n.
    assert score(goal, history, last) == pytest.approx(1 - DAILY_M**30, rel=1e-12, abs=0)
    assert score(goal, history, START) == pytest.approx(1 - DAILY_M, rel=1e-12)
    # The day after, nothing logged yet: the 30 days stand. The day after that, the missed day
    # counts: s × m.
    assert score(goal, history, last + ONE_DAY) == pytest.approx(1 - DAILY_M**30, rel=1e-12)
    assert score(goal, history, last + 2 * ONE_DAY) == pytest.approx(
        (1 - DAILY_M**30) * DAILY_M, rel=1e-12
    )


def test_half_life_of_a_daily_habit_is_13_days() -> None:
    goal = Goal(Daily(), START)
    history = History.of(CheckIn(START + timedelta(days=n), Status.DONE) for n in range(100))
    top = score(goal, history, START + timedelta(days=99))
    # 13 days with nothing done halve it (counted: days 100..112, judged on day 113).
    later = score(goal, history, START + timedelta(days=113))
    assert later == pytest.approx(top / 2, rel=1e-12)


def test_a_three_a_week_habit_uses_its_due_fraction() -> None:
    goal = Goal(parse_schedule("3/week"), START)
    m = 0.5 ** (math.sqrt(3 / 7) / 13)
    history = History.of([CheckIn(START, Status.DONE)])
    # Day one: one of three in the 7-day window.
    assert score(goal, history, START) == pytest.approx((1 / 3) * (1 - m), rel=1e-12)


@given(goal=goals(), data=st.data())
def test_an_unfinished_today_never_lowers_the_score(goal: Goal, data: st.DataObject) -> None:
    """With nothing logged for today the score is at least what yesterday closed at (which is
    what it is with today skipped), and doing today can only raise it."""
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START + ONE_DAY, 64))
    open_today = without_checkin(history, today)
    assume(not open_today.paused(today))
    skipped_today = with_checkin(open_today, CheckIn(today, Status.SKIPPED))
    now = score(goal, open_today, today)
    assert now >= score(goal, skipped_today, today)
    assert now >= explain(goal, open_today, today - ONE_DAY)[-1].score
    done_today = with_checkin(open_today, CheckIn(today, Status.DONE, goal.target))
    assert score(goal, done_today, today) >= now


def test_an_unfinished_today_keeps_a_daily_score_and_a_missed_yesterday_lowers_it() -> None:
    goal = Goal(Daily(), START)
    history = History.of(CheckIn(START + timedelta(days=n), Status.DONE) for n in range(10))
    tenth = score(goal, history, START + timedelta(days=9))
    assert score(goal, history, START + timedelta(days=10)) == tenth
    assert score(goal, history, START + timedelta(days=11)) == pytest.approx(tenth * DAILY_M)


@given(schedule=schedules)
@example(schedule=PerPeriod(31, "month"))
def test_doing_a_habit_every_day_is_a_perfect_value(schedule: Schedule) -> None:
    """Whatever the schedule, a habit done every day has met its whole window target on every
    day once a full window has passed: each day's value is 1 and the score keeps rising."""
    goal = Goal(schedule, START)
    days = 100
    history = History.of(CheckIn(START + timedelta(days=n), Status.DONE) for n in range(days))
    steps = explain(goal, history, START + timedelta(days=days - 1))
    full = steps[window_days(goal) - 1 :]
    assert full
    short = [(s.day, s.value) for s in full if s.value != 1.0]
    assert short == [], f"{schedule}: {short[:3]}"
    scores = [s.score for s in steps]
    assert scores == sorted(scores)
