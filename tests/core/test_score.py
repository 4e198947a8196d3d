"""The habit score: Loop Habit Tracker's exponential smoothing (habitcore.rules.score)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    Schedule,
    parse_schedule,
)
from habitcore.rules.stats import habit_stats
from habitcore.rules.tally import explain, score
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


def initial(goal: Goal) -> float:
    """The score before the first day: a ceiling starts full (as in Loop), anything else at 0."""
    return 1.0 if goal.at_most else 0.0


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
            return 2 * window if goal.target is None else window  # Loop doubles yes/no windows
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


@given(goal=goals(at_most=None), data=st.data())
def test_skipped_and_paused_days_carry_the_score(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    steps = explain(goal, history, today)
    assert [s.day for s in steps] == [START + timedelta(days=n) for n in range(len(steps))]
    assert steps[-1].day == today
    previous = initial(goal)
    for step in steps:
        if neutral(history, step.day):
            assert step.value is None, step
            assert step.score == previous, step
        else:
            assert step.value is not None, step
        previous = step.score


@given(goal=goals(at_most=None), data=st.data())
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


@given(goal=goals(at_most=None), data=st.data())
def test_score_is_the_last_counted_step_of_explain(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    steps = explain(goal, history, today)
    counted = [s for s in steps if s.counted]
    assert score(goal, history, today) == (counted[-1].score if counted else initial(goal))
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
    days = 150  # a yes/no "N in 60 days" is judged over 120 days
    history = History.of(CheckIn(START + timedelta(days=n), Status.DONE) for n in range(days))
    steps = explain(goal, history, START + timedelta(days=days - 1))
    full = steps[window_days(goal) - 1 :]
    assert full
    short = [(s.day, s.value) for s in full if s.value != 1.0]
    assert short == [], f"{schedule}: {short[:3]}"
    scores = [s.score for s in steps]
    assert scores == sorted(scores)


# -- ceilings (at most), Loop's windows -----------------------------------------------------------

ceilings = goals(at_most=True).filter(lambda g: g.target is not None)


@given(goal=ceilings, data=st.data())
def test_an_at_most_score_is_between_0_and_1(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 80))
    assert 0.0 <= score(goal, history, today) <= 1.0
    for step in explain(goal, history, today):
        assert 0.0 <= step.score <= 1.0
        assert step.value is None or 0.0 <= step.value <= 1.0


@given(goal=ceilings, data=st.data())
def test_logging_less_never_lowers_an_at_most_score(goal: Goal, data: st.DataObject) -> None:
    """A smaller amount, or none at all (nothing logged is 0), on any day."""
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    logged = sorted(d for d, c in history.checkins.items() if c.status is Status.DONE)
    assume(logged)
    day = data.draw(st.sampled_from(logged))
    amount = history.checkins[day].amount
    assert amount is not None
    if data.draw(st.booleans()):
        less = without_checkin(history, day)
    else:
        smaller = data.draw(st.floats(0, amount))
        less = with_checkin(history, CheckIn(day, Status.DONE, smaller))
    assert score(goal, less, today) >= score(goal, history, today)


@given(goal=goals(), data=st.data())
def test_more_done_days_never_lower_an_at_least_score(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=60))
    today = data.draw(dates(START, 65))
    empty = [START + timedelta(days=n) for n in range((today - START).days + 1)]
    empty = [d for d in empty if d not in history.checkins]
    assume(empty)
    more = history
    for day in data.draw(st.lists(st.sampled_from(empty), min_size=1, unique=True)):
        amount = None
        if goal.target is not None:
            amount = float(data.draw(st.integers(0, int(goal.target * 2))))
        more = with_checkin(more, CheckIn(day, Status.DONE, amount))
    assert score(goal, more, today) >= score(goal, history, today)


def values(goal: Goal, history: History, today: date) -> list[float | None]:
    return [step.value for step in explain(goal, history, today)]


def test_a_ceiling_starts_full_and_a_day_with_nothing_logged_is_within_it() -> None:
    goal = Goal(Daily(), START, target=2.0, unit="cups", at_most=True)
    assert score(goal, History(), START) == 1.0
    assert score(goal, History(), START + timedelta(days=40)) == 1.0
    assert values(goal, History(), START + timedelta(days=2)) == [1.0, 1.0, 1.0]


def test_over_a_ceiling_the_value_falls_to_zero_at_twice_it() -> None:
    """Loop's ``1 - (total - ceiling) / ceiling``, clamped to 0 to 1."""
    goal = Goal(Daily(), START, target=2.0, unit="cups", at_most=True)
    amounts = [0.0, 2.0, 2.5, 3.0, 4.0, 9.0]
    history = History.of(
        CheckIn(START + timedelta(days=n), Status.DONE, a) for n, a in enumerate(amounts)
    )
    assert values(goal, history, START + timedelta(days=6)) == [1.0, 1.0, 0.75, 0.5, 0.0, 0.0, 1.0]
    week = Goal(parse_schedule("3/week"), START, target=1.0, unit="cups", at_most=True)
    assert values(week, History.of([CheckIn(START, Status.DONE, 4.0)]), START) == [
        pytest.approx(2 / 3)
    ]


def test_a_yes_no_rolling_day_is_judged_on_twice_its_window() -> None:
    """Loop judges "3 in 7 days" on 6 in the last 14 days, with the multiplier of 3/7; a
    measurable one keeps its 7 days, and habitcore's own 3/week is not doubled either."""
    m = 0.5 ** (math.sqrt(3 / 7) / 13)
    once = History.of([CheckIn(START, Status.DONE)])
    rolling = Goal(parse_schedule("3 in 7 days"), START)
    assert values(rolling, once, START) == [pytest.approx(1 / 6)]
    assert score(rolling, once, START) == pytest.approx((1 / 6) * (1 - m), rel=1e-12)
    daily_twice = History.of(CheckIn(START + timedelta(days=n), Status.DONE) for n in range(14))
    assert values(rolling, daily_twice, START + timedelta(days=13))[5:] == [1.0] * 9
    measured = Goal(parse_schedule("3 in 7 days"), START, target=2.0, unit="km")
    assert values(measured, History.of([CheckIn(START, Status.DONE, 2.0)]), START) == [
        pytest.approx(1 / 3)
    ]
    assert values(Goal(parse_schedule("3/week"), START), once, START) == [pytest.approx(1 / 3)]


def test_a_skip_stays_in_a_loop_window_but_a_pause_does_not() -> None:
    """On Loop's schedules a skipped day carries the score and is still a day of the window,
    as 0; a paused day is left out and the window reaches back over it, as on habitcore's own
    schedules, where skipped days are left out too."""
    done = CheckIn(START, Status.DONE, 1.0)
    skips = [CheckIn(START + timedelta(days=n), Status.SKIPPED) for n in range(1, 7)]
    day7 = START + timedelta(days=7)
    skipped = History.of([done, *skips])
    paused = History.of([done], [Pause(START + ONE_DAY, START + timedelta(days=6))])
    rolling = Goal(parse_schedule("1 in 7 days"), START, target=1.0, unit="km")
    weekly = Goal(parse_schedule("1/week"), START, target=1.0, unit="km")
    assert values(rolling, skipped, day7) == [1.0, *[None] * 6, 0.0]  # days 1 to 7 hold nothing
    assert values(rolling, paused, day7) == [1.0, *[None] * 6, 1.0]
    assert values(weekly, skipped, day7) == [1.0, *[None] * 6, 1.0]
