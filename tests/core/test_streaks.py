"""Streaks: periods.evaluate judges the units, streaks.streaks and stats.habit_stats count them."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from habitcore.rules.days import habit_day
from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.periods import State
from habitcore.rules.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    parse_schedule,
)
from habitcore.rules.stats import habit_stats
from habitcore.rules.streaks import streaks
from habitcore.rules.tally import evaluate
from strategies import (
    START,
    dates,
    day_schedules,
    goals,
    histories,
    month_schedules,
    rolling_schedules,
    week_schedules,
    week_starts,
    with_checkin,
    with_pause,
    without_checkin,
)

ONE_DAY = timedelta(days=1)
MONDAY = date(2026, 1, 5)  # a Monday; the examples below start on it


def lengths(goal: Goal, history: History, today: date, week_start: int = 0) -> tuple[int, int]:
    """(current, best) streak lengths, as a person sees them."""
    found = streaks(evaluate(goal, history, today, week_start), today)
    return found.current_length, found.best_length


def days(first: date, *offsets: int) -> list[date]:
    return [first + timedelta(days=n) for n in offsets]


def done(*when: date, amount: float | None = None) -> list[CheckIn]:
    return [CheckIn(day, Status.DONE, amount) for day in when]


def is_due(goal: Goal, day: date) -> bool:
    """Whether a day schedule asks for ``day``, from the schedule's definition."""
    if day < goal.start:
        return False
    match goal.schedule:
        case Daily():
            return True
        case DaysOfWeek(weekdays):
            return day.weekday() in weekdays
        case EveryNDays(n):
            return (day - goal.start).days % n == 0
    raise AssertionError(goal.schedule)


def next_due(goal: Goal, day: date) -> date:
    """The first day from ``day`` on that a day schedule asks for."""
    while not is_due(goal, day):
        day += ONE_DAY
    return day


def meets(goal: Goal, checkin: CheckIn | None, ended: bool) -> bool:
    """A day's check-in meets the goal: done, and the target reached if there is one. Under a
    ceiling nothing logged is 0, within it, once the day has ended; today it is not met yet."""
    if goal.at_most and goal.target is not None:
        if checkin is None:
            return ended
        amount = goal.target if checkin.amount is None else checkin.amount
        return checkin.status is Status.DONE and amount <= goal.target
    if checkin is None or checkin.status is not Status.DONE:
        return False
    return goal.target is None or checkin.amount is None or checkin.amount >= goal.target


def neutral_day(history: History, day: date) -> bool:
    checkin = history.checkins.get(day)
    skipped = checkin is not None and checkin.status is Status.SKIPPED
    return skipped or history.paused(day)


def reference_streaks(goal: Goal, history: History, today: date) -> tuple[int, int]:
    """Day schedules, straight from the rules: walk the due days; a met day adds one, a skipped
    or paused day is stepped over, today is stepped over until it is met, anything else breaks.
    """
    run = best = 0
    day = goal.start
    while day <= today:
        if is_due(goal, day) and not neutral_day(history, day):
            if meets(goal, history.checkins.get(day), day < today):
                run += 1
                best = max(best, run)
            elif day < today:
                run = 0
        day += ONE_DAY
    return run, best


# -- skipped and paused days ----------------------------------------------------------------------


@given(goal=goals(), data=st.data())
def test_a_skip_and_a_one_day_pause_count_the_same(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 75))
    week_start = data.draw(week_starts)
    skipped = sorted(d for d, c in history.checkins.items() if c.status is Status.SKIPPED)
    assume(skipped)
    day = data.draw(st.sampled_from(skipped))
    paused = with_pause(without_checkin(history, day), Pause(day, day))
    before = evaluate(goal, history, today, week_start)
    after = evaluate(goal, paused, today, week_start)
    assert [u.state for u in after] == [u.state for u in before]
    assert lengths(goal, paused, today, week_start) == lengths(goal, history, today, week_start)


@given(goal=goals(st.one_of(day_schedules, week_schedules, month_schedules)), data=st.data())
def test_a_skip_on_a_day_without_a_check_in_never_lowers_a_streak(
    goal: Goal, data: st.DataObject
) -> None:
    """For day and calendar-period schedules a skip can only help: a missed day becomes
    neutral (joining the runs around it), and a period asks less when fewer days are open.

    (Not for rolling windows: there a day whose window is already met counts towards the
    streak, and skipping it makes it neutral, so the streak is one shorter; by design.)
    """
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 75))
    week_start = data.draw(week_starts)
    open_days = [d for d in _span(START, today) if d not in history.checkins]
    assume(open_days)
    day = data.draw(st.sampled_from(open_days))
    skipped = with_checkin(history, CheckIn(day, Status.SKIPPED))
    current, best = lengths(goal, history, today, week_start)
    current_after, best_after = lengths(goal, skipped, today, week_start)
    assert current_after >= current
    assert best_after >= best
    if isinstance(goal.schedule, Daily | DaysOfWeek | EveryNDays) and (
        not is_due(goal, day) or history.paused(day) or day == today
    ):
        # Nothing was due, or nothing could break there: the skip changes nothing.
        assert (current_after, best_after) == (current, best)


def test_skipping_the_missed_day_joins_the_runs_around_it() -> None:
    goal = Goal(Daily(), MONDAY)
    history = History.of(done(*days(MONDAY, 0, 1, 2, 4, 5)))  # Thursday (3) missed
    sunday = MONDAY + timedelta(days=6)
    assert lengths(goal, history, sunday) == (2, 3)
    skipped = with_checkin(history, CheckIn(MONDAY + timedelta(days=3), Status.SKIPPED))
    assert lengths(goal, skipped, sunday) == (5, 5)
    paused = with_pause(history, Pause(MONDAY + timedelta(days=3), MONDAY + timedelta(days=3)))
    assert lengths(goal, paused, sunday) == (5, 5)


def test_a_vacation_freezes_a_daily_streak() -> None:
    goal = Goal(Daily(), MONDAY)
    history = History.of(
        done(*days(MONDAY, 0, 1, 2, 13, 14)),
        [Pause(MONDAY + timedelta(days=3), MONDAY + timedelta(days=12))],
    )
    stats = habit_stats(goal, history, MONDAY + timedelta(days=14))
    assert stats.current_streak == 5  # three days, ten days away, two days
    assert stats.best_streak == 5


# -- today not done yet ---------------------------------------------------------------------------


@given(goal=goals(day_schedules), data=st.data())
def test_today_not_done_yet_keeps_yesterdays_streak(goal: Goal, data: st.DataObject) -> None:
    """With today due and nothing logged for it yet, the current streak is the one that stood at
    the end of yesterday: the streak evaluated on yesterday, unless yesterday was itself due,
    open and not met, in which case yesterday ended the streak and it is 0."""
    history = data.draw(histories(goal, days=70))
    today = next_due(goal, data.draw(dates(START + ONE_DAY, 38)))
    history = without_checkin(history, today)
    assume(not history.paused(today))
    yesterday = today - ONE_DAY
    current, best = lengths(goal, history, today)
    current_yesterday, best_yesterday = lengths(goal, history, yesterday)
    lost_yesterday = (
        is_due(goal, yesterday)
        and not neutral_day(history, yesterday)
        and not meets(goal, history.checkins.get(yesterday), ended=True)
    )
    assert current == (0 if lost_yesterday else current_yesterday)
    assert best == best_yesterday
    assert evaluate(goal, history, today)[-1].state is State.PENDING


@given(goal=goals(day_schedules, at_most=None), data=st.data())
def test_checking_in_today_adds_exactly_one(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=70))
    today = next_due(goal, data.draw(dates(START, 38)))
    history = without_checkin(history, today)
    assume(not history.paused(today))
    current, _ = lengths(goal, history, today)
    checked = with_checkin(history, CheckIn(today, Status.DONE, goal.target))
    current_after, best_after = lengths(goal, checked, today)
    assert current_after == current + 1
    assert best_after >= current_after
    stats = habit_stats(goal, checked, today)
    assert stats.current_streak == current + 1


def test_the_evening_before_a_check_in_the_streak_is_still_alive() -> None:
    goal = Goal(Daily(), MONDAY)
    history = History.of(done(*days(MONDAY, 0, 1, 2, 3)))
    friday = MONDAY + timedelta(days=4)
    assert habit_stats(goal, history, friday).current_streak == 4  # Friday not done yet
    saturday = friday + ONE_DAY
    assert habit_stats(goal, history, saturday).current_streak == 0  # Friday was missed
    assert habit_stats(goal, history, saturday).best_streak == 4


# -- best and current -----------------------------------------------------------------------------


@given(goal=goals(), data=st.data())
def test_best_is_at_least_current(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 80))
    week_start = data.draw(week_starts)
    found = streaks(evaluate(goal, history, today, week_start), today)
    assert found.best_length >= found.current_length >= 0
    for streak in (found.current, found.best):
        if streak is not None:
            assert goal.start <= streak.start <= streak.end <= today
    stats = habit_stats(goal, history, today, week_start)
    assert (stats.current_streak, stats.best_streak) == (found.current_length, found.best_length)


# -- daily (and other day schedules) against a reference ----------------------------------------


@given(data=st.data())
def test_daily_yes_no_streak_matches_a_reference(data: st.DataObject) -> None:
    goal = Goal(Daily(), START)
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 75))
    assert lengths(goal, history, today) == reference_streaks(goal, history, today)
    stats = habit_stats(goal, history, today)
    assert (stats.current_streak, stats.best_streak) == reference_streaks(goal, history, today)


@given(data=st.data())
def test_daily_plain_streak_is_the_run_of_done_days_ending_yesterday_or_today(
    data: st.DataObject,
) -> None:
    """No skips or pauses: count the done days back from today (or from yesterday, when today
    has nothing yet)."""
    goal = Goal(Daily(), START)
    history = data.draw(histories(goal, days=70, skips=False, pauses=False))
    today = data.draw(dates(START, 75))
    day = today if today in history.checkins else today - ONE_DAY
    expected = 0
    while day >= START and day in history.checkins:
        expected += 1
        day -= ONE_DAY
    assert habit_stats(goal, history, today).current_streak == expected


@given(goal=goals(day_schedules, at_most=None), data=st.data())
def test_day_schedule_streaks_match_a_reference(goal: Goal, data: st.DataObject) -> None:
    history = data.draw(histories(goal, days=70))
    today = data.draw(dates(START, 75))
    assert lengths(goal, history, today) == reference_streaks(goal, history, today)


def test_a_partial_amount_does_not_keep_a_daily_streak() -> None:
    goal = Goal(Daily(), MONDAY, target=20.0, unit="pages")
    history = History.of(
        [
            CheckIn(MONDAY, Status.DONE, 20.0),
            CheckIn(MONDAY + ONE_DAY, Status.DONE, 25.0),
            CheckIn(MONDAY + 2 * ONE_DAY, Status.DONE, 12.0),  # 12 of 20 pages
            CheckIn(MONDAY + 3 * ONE_DAY, Status.DONE, 20.0),
        ]
    )
    assert lengths(goal, history, MONDAY + 3 * ONE_DAY) == (1, 2)


# -- calendar periods -----------------------------------------------------------------------------


def test_three_a_week_counts_calendar_weeks() -> None:
    goal = Goal(parse_schedule("3/week"), MONDAY)
    # Friday, Saturday, Sunday of the first week; Monday of the second: three in a row across a
    # week boundary still makes the first week, and the second has one so far.
    history = History.of(done(*days(MONDAY, 4, 5, 6, 7)))
    units = evaluate(goal, history, MONDAY + timedelta(days=9))
    assert [(u.start, u.end, u.state) for u in units] == [
        (MONDAY, MONDAY + timedelta(days=6), State.MET),
        (MONDAY + timedelta(days=7), MONDAY + timedelta(days=13), State.PENDING),
    ]
    # Thursday, Friday, Monday: three within five days, but two weeks with too few each.
    history = History.of(done(*days(MONDAY, 3, 4, 7)))
    assert lengths(goal, history, MONDAY + timedelta(days=14)) == (0, 0)


def test_the_week_start_decides_which_week_a_check_in_belongs_to() -> None:
    goal = Goal(parse_schedule("3/week"), MONDAY)
    # Sunday 11th, Monday 12th, Tuesday 13th of January 2026.
    history = History.of(done(*days(MONDAY, 6, 7, 8)))
    today = MONDAY + timedelta(days=15)  # Tuesday 20th: both weeks involved have ended
    # Weeks from Monday: Jan 5-11 has one, Jan 12-18 has two: nothing met.
    assert lengths(goal, history, today, week_start=0) == (0, 0)
    # Weeks from Sunday: Jan 11-17 has all three.
    units = evaluate(goal, history, today, week_start=6)
    met = [(u.start, u.end) for u in units if u.state is State.MET]
    assert met == [(date(2026, 1, 11), date(2026, 1, 17))]
    # That week is the current streak: the week holding today is not over yet.
    assert lengths(goal, history, today, week_start=6) == (1, 1)
    stats = habit_stats(goal, history, today, week_start=6)
    assert stats.best_streak == 1


def test_the_current_week_not_done_yet_keeps_the_streak() -> None:
    goal = Goal(parse_schedule("3/week"), MONDAY)
    history = History.of(done(*days(MONDAY, 0, 2, 4, 7, 9, 11, 14)))
    wednesday = MONDAY + timedelta(days=16)  # third week: one so far
    assert lengths(goal, history, wednesday) == (2, 2)
    # The third week ends on Sunday with one check-in only: it is missed then.
    assert lengths(goal, history, MONDAY + timedelta(days=21)) == (0, 2)


def test_a_measurable_weekly_target_is_judged_on_the_weeks_sum() -> None:
    goal = Goal(parse_schedule("1/week"), MONDAY, target=10.0, unit="km")
    runs = [
        CheckIn(MONDAY, Status.DONE, 4.0),
        CheckIn(MONDAY + timedelta(days=2), Status.DONE, 3.0),
        CheckIn(MONDAY + timedelta(days=5), Status.DONE, 3.0),  # 10 km in week one
        CheckIn(MONDAY + timedelta(days=7), Status.DONE, 4.0),
        CheckIn(MONDAY + timedelta(days=9), Status.DONE, 3.0),
        CheckIn(MONDAY + timedelta(days=12), Status.DONE, 2.0),  # 9 km in week two
    ]
    units = evaluate(goal, History.of(runs), MONDAY + timedelta(days=14))
    assert [u.state for u in units] == [State.MET, State.MISSED, State.PENDING]
    assert units[1].value == pytest.approx(9 / 10)
    # Two runs of 5 km on a Sunday and the Monday after fall into two weeks.
    split = [
        CheckIn(MONDAY + timedelta(days=6), Status.DONE, 5.0),
        CheckIn(MONDAY + timedelta(days=7), Status.DONE, 5.0),
    ]
    units = evaluate(goal, History.of(split), MONDAY + timedelta(days=14))
    assert [u.state for u in units[:2]] == [State.MISSED, State.MISSED]


def test_two_a_week_with_a_measurable_target_asks_twice_the_target() -> None:
    goal = Goal(parse_schedule("2/week"), MONDAY, target=5.0, unit="km")
    week = [CheckIn(MONDAY, Status.DONE, 8.0), CheckIn(MONDAY + ONE_DAY, Status.DONE, 1.0)]
    assert evaluate(goal, History.of(week), MONDAY + timedelta(days=7))[0].state is State.MISSED
    week.append(CheckIn(MONDAY + 2 * ONE_DAY, Status.DONE, 1.0))
    assert evaluate(goal, History.of(week), MONDAY + timedelta(days=7))[0].state is State.MET


def test_a_partly_paused_week_asks_its_share_and_a_paused_week_asks_nothing() -> None:
    goal = Goal(parse_schedule("3/week"), MONDAY)
    away = Pause(MONDAY + timedelta(days=7), MONDAY + timedelta(days=10))  # Mon-Thu of week 2
    all_week = Pause(MONDAY + timedelta(days=14), MONDAY + timedelta(days=20))  # week 3
    first_week = done(*days(MONDAY, 0, 1, 2))
    today = MONDAY + timedelta(days=22)
    # Week 2 has three open days and asks ceil(3 × 3/7) = 2.
    two = History.of([*first_week, *done(*days(MONDAY, 11, 12))], [away, all_week])
    states = [u.state for u in evaluate(goal, two, today)]
    assert states == [State.MET, State.MET, State.NEUTRAL, State.PENDING]
    assert lengths(goal, two, today) == (2, 2)
    one = History.of([*first_week, *done(*days(MONDAY, 11))], [away, all_week])
    assert [u.state for u in evaluate(goal, one, today)][:2] == [State.MET, State.MISSED]


@given(schedule=week_schedules, data=st.data())
def test_week_schedules_are_judged_per_calendar_week(
    schedule: PerPeriod, data: st.DataObject
) -> None:
    """No skips or pauses: a week is the 7 days from the person's week start, and it is met
    when its check-ins reach N (N × target in amounts), missed when it ended short of that."""
    goal = data.draw(goals(st.just(schedule), at_most=None))
    history = data.draw(histories(goal, days=90, skips=False, pauses=False))
    today = data.draw(dates(START, 95))
    week_start = data.draw(week_starts)
    units = evaluate(goal, history, today, week_start)
    assert units, "a habit that has started has a unit"
    for unit in units[1:]:  # the first week may begin before the habit did
        assert unit.start.weekday() == week_start
        assert unit.end - unit.start == timedelta(days=6)
        logged = _logged(history, unit.start, min(unit.end, today))
        assert unit.state is _period_state(goal, logged, schedule.times, unit.end < today)
    assert units[-1].start <= today <= units[-1].end
    for before, after in itertools.pairwise(units):
        assert after.start == before.end + ONE_DAY


@given(schedule=month_schedules.filter(lambda s: s.times <= 28), data=st.data())
def test_month_schedules_are_judged_per_calendar_month(
    schedule: PerPeriod, data: st.DataObject
) -> None:
    """As for weeks, with calendar months. (N > 28 is left to the every-day test below.)"""
    goal = data.draw(goals(st.just(schedule), at_most=None))
    history = data.draw(histories(goal, days=120, skips=False, pauses=False))
    today = data.draw(dates(START, 125))
    units = evaluate(goal, history, today)
    for unit in units:
        assert unit.start.day == 1
        assert (unit.end + ONE_DAY).day == 1
        logged = _logged(history, unit.start, min(unit.end, today))
        assert unit.state is _period_state(goal, logged, schedule.times, unit.end < today)


@pytest.mark.parametrize("times", [1, 3, 6, 7])
@pytest.mark.parametrize("week_start", [0, 6])
def test_a_habit_done_every_day_meets_every_week(times: int, week_start: int) -> None:
    goal = Goal(parse_schedule(f"{times}/week"), MONDAY)
    history = History.of(done(*days(MONDAY, *range(70))))
    units = evaluate(goal, history, MONDAY + timedelta(days=70), week_start)
    assert {u.state for u in units[:-1]} == {State.MET}


@pytest.mark.parametrize("times", [1, 10, 28, 29, 30, 31])
def test_a_habit_done_every_day_meets_every_month(times: int) -> None:
    """Doing it every single day is the most anyone can do: it meets any N/month, in February
    and in 30-day months too ("31/month" is accepted, and means every day)."""
    goal = Goal(parse_schedule(f"{times}/month"), date(2026, 1, 1))
    history = History.of(done(*days(date(2026, 1, 1), *range(365))))
    today = date(2027, 1, 1)
    units = evaluate(goal, history, today)
    not_met = [(u.start, u.state.value) for u in units[:-1] if u.state is not State.MET]
    assert not_met == []
    assert lengths(goal, history, today)[0] >= 12


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _logged(history: History, first: date, last: date) -> list[CheckIn]:
    return [history.checkins[d] for d in _span(first, last) if d in history.checkins]


def _period_state(goal: Goal, logged: list[CheckIn], times: int, ended: bool) -> State:
    if goal.at_most and goal.target is not None:  # a ceiling holds only once the period ends
        total = sum(c.amount if c.amount is not None else goal.target for c in logged)
        if not ended:
            return State.PENDING
        return State.MET if total <= times * goal.target else State.MISSED
    if goal.target is None:
        met = len(logged) >= times
    else:
        total = sum(c.amount if c.amount is not None else goal.target for c in logged)
        met = total >= times * goal.target
    if met:
        return State.MET
    return State.MISSED if ended else State.PENDING


# -- rolling windows ------------------------------------------------------------------------------


def test_three_in_seven_days_examples() -> None:
    goal = Goal(parse_schedule("3 in 7 days"), MONDAY)
    # Monday, Wednesday, Friday of the first week.
    history = History.of(done(*days(MONDAY, 0, 2, 4)))
    units = evaluate(goal, history, MONDAY + timedelta(days=9))
    states = {u.start: u.state for u in units}
    # Before three are in, the window is short and the habit had no full window yet: neutral.
    assert [states[d] for d in days(MONDAY, 0, 1, 2, 3)] == [State.NEUTRAL] * 4
    # From Friday the last 7 days hold three.
    assert [states[d] for d in days(MONDAY, 4, 5, 6)] == [State.MET] * 3
    # Next Monday the window (Tue-Mon) holds two: missed; Tuesday (Wed-Tue) holds two: missed.
    assert [states[d] for d in days(MONDAY, 7, 8)] == [State.MISSED] * 2
    assert lengths(goal, history, MONDAY + timedelta(days=6)) == (3, 3)
    assert lengths(goal, history, MONDAY + timedelta(days=9)) == (0, 3)


def test_every_other_day_keeps_three_in_seven_going() -> None:
    goal = Goal(parse_schedule("3 in 7 days"), MONDAY)
    history = History.of(done(*days(MONDAY, *range(0, 28, 2))))
    today = MONDAY + timedelta(days=27)
    # Any 7 consecutive days hold 3 or 4 even days; days 0-3 hold fewer than 3: neutral.
    assert lengths(goal, history, today) == (28 - 4, 28 - 4)


def test_a_week_away_freezes_a_rolling_window() -> None:
    goal = Goal(parse_schedule("3 in 7 days"), MONDAY)
    away = Pause(MONDAY + timedelta(days=10), MONDAY + timedelta(days=20))
    history = History.of(done(*days(MONDAY, 0, 2, 4, 6, 8, 21)), [away])
    # Before the pause days 4-9 are met (6 days); 10-20 are paused; on day 21 the window is the
    # last 7 open days, 21 and 9 back to 4, which hold 21, 8, 6 and 4: met, and the streak goes on.
    units = evaluate(goal, history, MONDAY + timedelta(days=21))
    states = {u.start: u.state for u in units}
    assert states[MONDAY + timedelta(days=21)] is State.MET
    assert {states[d] for d in days(MONDAY, *range(10, 21))} == {State.NEUTRAL}
    assert lengths(goal, history, MONDAY + timedelta(days=21)) == (7, 7)


@given(schedule=rolling_schedules, data=st.data())
def test_rolling_windows_match_a_reference(schedule: Rolling, data: st.DataObject) -> None:
    """No skips or pauses: day d is met when the ``window`` days ending with d hold ``times``
    check-ins (× target in amounts); short of that it is pending today, neutral while the habit
    is younger than one window, and missed otherwise. Under a ceiling the window is met when it
    holds at most that much (nothing logged is 0), except that an unlogged today is pending, and
    a ceiling broken is missed however young the habit."""
    goal = data.draw(goals(st.just(schedule), at_most=None))
    history = data.draw(histories(goal, days=60, skips=False, pauses=False))
    today = data.draw(dates(START, 65))
    units = evaluate(goal, history, today)
    assert [u.start for u in units] == _span(START, today)
    for unit in units:
        day = unit.start
        first = max(START, day - timedelta(days=schedule.window - 1))
        logged = _logged(history, first, day)
        if goal.target is None:
            met = len(logged) >= schedule.times
        else:
            total = sum(c.amount if c.amount is not None else goal.target for c in logged)
            if goal.at_most:
                met = total <= schedule.times * goal.target
                met = met and (day < today or day in history.checkins)
            else:
                met = total >= schedule.times * goal.target
        if met:
            expected = State.MET
        elif day == today:
            expected = State.PENDING
        elif goal.at_most:
            expected = State.MISSED
        elif (day - START).days + 1 < schedule.window:
            expected = State.NEUTRAL
        else:
            expected = State.MISSED
        assert unit.state is expected, day


# -- the day start --------------------------------------------------------------------------------


def test_a_late_check_in_before_the_day_start_keeps_the_streak() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    goal = Goal(Daily(), MONDAY)
    check_ins = [
        datetime(2026, 1, 5, 21, 0, tzinfo=moscow),  # Monday evening
        datetime(2026, 1, 7, 1, 30, tzinfo=moscow),  # 01:30 on Wednesday: Tuesday's
        datetime(2026, 1, 7, 20, 0, tzinfo=moscow),  # Wednesday evening
    ]
    now = datetime(2026, 1, 7, 22, 0, tzinfo=moscow)

    def streak_with(day_start: time) -> tuple[int, int]:
        history = History.of(done(*(habit_day(t, moscow, day_start) for t in check_ins)))
        today = habit_day(now, moscow, day_start)
        stats = habit_stats(goal, history, today)
        return stats.current_streak, stats.best_streak

    assert streak_with(time(4, 0)) == (3, 3)
    # With the day starting at midnight the 01:30 check-in is Wednesday's and Tuesday is missed.
    assert streak_with(time(0, 0)) == (1, 1)


def test_a_units_value_is_the_share_of_its_target_met() -> None:
    goal = Goal(parse_schedule("3/week"), MONDAY)
    units = evaluate(goal, History.of(done(MONDAY)), MONDAY + timedelta(days=7))
    assert units[0].state is State.MISSED
    assert units[0].value == pytest.approx(1 / 3)
    assert units[1].value == 0.0


@given(target=st.integers(1, 10), amount=st.integers(0, 25))
def test_todays_state_under_a_ceiling_is_done_within_it_and_over_past_it(
    target: int, amount: int
) -> None:
    from habitcore.rules.stats import DayState, habit_stats

    goal = Goal(Daily(), START, target=float(target), unit="cups", at_most=True)
    history = History(checkins={START: CheckIn(START, Status.DONE, float(amount))})
    state = habit_stats(goal, history, START).state
    assert state is (DayState.OVER if amount > target else DayState.DONE)
    assert habit_stats(goal, History(), START).state is DayState.DUE  # nothing logged yet
