"""One walk over a habit's days that keeps every running figure, and can stop and resume.

Units and streaks (``periods``, ``streaks``), the score (``score``) and completion rates are all
read off one fold over the days since the habit started. A ``Tally`` holds the figures as of the
end of one day. Folding further days onto it gives exactly what a walk from the start would, so a
store can keep yesterday's tally (``to_json``) and the next look folds only the days since.

Days before today are final. Today is folded on a copy, provisionally: a unit not met yet is
pending and breaks nothing, and today's score counts only if it raises the score.

The score follows Loop Habit Tracker on the schedules Loop has (``daily``, ``N in D days``) and
habitcore's own rules elsewhere; docs/score.md says where and why they differ.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.periods import (
    EPSILON,
    ONE_DAY,
    State,
    Unit,
    ceiling_value,
    day_value,
    period_bounds,
)
from habitcore.rules.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    score_window,
)
from habitcore.rules.score import ScoreStep, multiplier
from habitcore.rules.streaks import RECENT_DAYS, StreakCounter, Streaks, clip

FORMAT = 3  # of to_json(); a kept tally of another format is folded anew
OnUnit = Callable[[Unit], None]
OnScore = Callable[[date, float | None, float, bool], None]
_DONE = Status.DONE


@dataclass(frozen=True, slots=True)
class Rules:
    """What a goal asks, worked out once per fold instead of once per day."""

    m: float  # the score's multiplier
    initial: float  # the score before the first day
    length: int  # the score window in days
    wanted: float  # what that window asks
    plain: bool  # the value is total / wanted, capped at 1 (at least, a target above 0)
    skips_stay: bool  # a skipped day stays in the score window, as 0
    is_due: Callable[[date, date], bool] | None  # day schedules only
    period: str | None  # "week" or "month" for N/week and N/month
    times: int
    rolling: int  # the rolling window for "N in D days" (in open days), else 0
    rolling_wanted: float  # what the rolling window asks

    @classmethod
    def of(cls, goal: Goal) -> Rules:
        schedule = goal.schedule
        length, times = score_window(schedule)
        per_time = 1.0 if goal.target is None else goal.target
        rolling = schedule.window if isinstance(schedule, Rolling) else 0
        # Loop judges a yes/no day of "N in D days" on 2N in the last 2D days, so one early or
        # late check-in does not swing the value; the multiplier keeps N/D (see docs/score.md).
        doubled = 2 if rolling and goal.target is None else 1
        wanted = doubled * times * per_time
        due = schedule.is_due if isinstance(schedule, Daily | DaysOfWeek | EveryNDays) else None
        return cls(
            m=multiplier(goal),
            # Loop starts a ceiling at full strength: nothing logged yet is within it.
            initial=1.0 if goal.at_most else 0.0,
            length=doubled * length,
            wanted=wanted,
            plain=not goal.at_most and wanted > 0,
            # Loop's windows are calendar days, a skipped one among them; habitcore's own
            # schedules reach back over skipped days instead.
            skips_stay=isinstance(schedule, Daily | Rolling),
            is_due=due,
            period=schedule.period if isinstance(schedule, PerPeriod) else None,
            times=schedule.times if isinstance(schedule, PerPeriod | Rolling) else 1,
            rolling=rolling,
            rolling_wanted=times * per_time,
        )


def window_value(goal: Goal, total: float, wanted: float) -> float:
    """The share of a window's target met, 0 to 1; under a ceiling, Loop's ceiling value."""
    if goal.at_most:
        return ceiling_value(total, wanted)
    if wanted <= 0:
        return 1.0
    return min(1.0, max(0.0, total) / wanted)


def window_met(goal: Goal, total: float, wanted: float) -> bool:
    if goal.at_most:
        return total <= wanted + EPSILON
    return total >= wanted - EPSILON


class Tally:
    """The figures of one habit as of the end of ``day``."""

    def __init__(self, goal: Goal, week_start: int = 0) -> None:
        self.goal = goal
        self.week_start = week_start
        self.rules = Rules.of(goal)
        self.day = goal.start - ONE_DAY  # the last day folded
        self.score = self.rules.initial
        self.window: deque[float] = deque()  # the score window's days, oldest first
        self.total = 0.0
        # "N in D days": the last D open days, which a streak unit is judged on.
        self.r_window: deque[float] = deque()
        self.r_total = 0.0
        self.seen = 0  # open days so far (rolling windows judge only once full)
        self.counter = StreakCounter()
        # The calendar period holding the next day, and what its open days held so far.
        self.p_first = self.p_last = goal.start
        if self.rules.period:
            self.p_first, self.p_last = period_bounds(goal.start, self.rules.period, week_start)
        self.p_open = self.p_done = 0
        self.p_total = 0.0

    # -- folding ---------------------------------------------------------------------------------

    def advance(
        self,
        history: History,
        through: date,
        on_unit: OnUnit | None = None,
        on_score: OnScore | None = None,
        *,
        provisional: bool = False,
    ) -> None:
        """Fold every day after ``self.day`` up to ``through``.

        With ``provisional``, ``through`` is today, not over yet: a unit not met is pending
        rather than missed, today's score counts only if it raises the score, and the current
        period is judged with the open days still ahead of it.
        """
        day = self.day + ONE_DAY
        if day > through:
            return
        goal, rules = self.goal, self.rules
        checkins = history.checkins
        paused = _paused_days(history.pauses, day, through)
        window, length, wanted, plain = self.window, rules.length, rules.wanted, rules.plain
        m, keep, skips_stay = rules.m, 1 - rules.m, rules.skips_stay
        is_due, period, rolling = rules.is_due, rules.period, rules.rolling
        r_window, r_wanted = self.r_window, rules.rolling_wanted
        target, start, counter, at_most = goal.target, goal.start, self.counter, goal.at_most
        total, r_total, score, seen = self.total, self.r_total, self.score, self.seen
        neutral, met_state, missed = State.NEUTRAL, State.MET, State.MISSED
        last_missed = State.PENDING if provisional else missed
        while day <= through:
            checkin = checkins.get(day)
            held = day in paused
            is_open = (checkin is None or checkin.status is _DONE) and not held
            due = is_due is None or is_due(day, start)
            final = day < through or not provisional
            amount = 0.0
            if is_open:
                if checkin is not None and due:
                    amount = 1.0 if target is None else _amount(checkin, target)
                    total += amount
                window.append(amount)
                if len(window) > length:
                    total -= window.popleft()
                if plain:  # window_value's common case, inline: this runs once per day
                    value = total / wanted
                    if value > 1.0:
                        value = 1.0
                    elif value < 0.0:
                        value = 0.0
                elif at_most:
                    value = ceiling_value(total, wanted)
                else:
                    value = window_value(goal, total, wanted)
                new = score * m + value * keep
                counted = final or new >= score
                if counted:
                    score = new
                if on_score is not None:
                    on_score(day, value, new, counted)
            else:
                if skips_stay and not held:  # a skip: carried, but still a day of the window
                    window.append(0.0)
                    if len(window) > length:
                        total -= window.popleft()
                if on_score is not None:
                    on_score(day, None, score, True)
            if is_due is not None:
                if due:
                    if not is_open:
                        state, value = neutral, 0.0
                    elif target is None:  # day_value's yes/no case, inline
                        met = checkin is not None
                        value = 1.0 if met else 0.0
                        state = met_state if met else (missed if final else last_missed)
                    else:
                        met, value = day_value(goal, checkin, ended=final)
                        state = met_state if met else (missed if final else last_missed)
                    counter.add(state, day, day)
                    if on_unit is not None:
                        on_unit(Unit(day, day, state, value))
            elif rolling:
                if not is_open:
                    state, value = neutral, 0.0
                else:
                    seen += 1
                    r_window.append(amount)
                    r_total += amount
                    if len(r_window) > rolling:
                        r_total -= r_window.popleft()
                    value = window_value(goal, r_total, r_wanted)
                    if window_met(goal, r_total, r_wanted):
                        # Under a ceiling an unlogged today is not met yet: it is pending.
                        pending = not final and at_most and checkin is None
                        state = last_missed if pending else met_state
                    elif not final:
                        state = last_missed
                    elif at_most or seen >= rolling:
                        state = missed  # a ceiling broken in a short window is broken
                    else:
                        state = neutral
                counter.add(state, day, day)
                if on_unit is not None:
                    on_unit(Unit(day, day, state, value))
            else:
                if is_open and day >= start:
                    self.p_open += 1
                    if checkin is not None:
                        self.p_done += 1
                        self.p_total += _amount(checkin, target or 1.0)
                if day == self.p_last and final:
                    self._close_period(counter, on_unit, self._judge_period(0, ended=True))
                    assert period is not None
                    self.p_first, self.p_last = period_bounds(
                        day + ONE_DAY, period, self.week_start
                    )
                    self.p_open = self.p_done = 0
                    self.p_total = 0.0
            day += ONE_DAY
        self.total, self.r_total, self.score, self.seen = total, r_total, score, seen
        self.day = through
        if provisional and period is not None:
            ahead = _open_days_ahead(history.pauses, through, self.p_last)
            self._close_period(counter, on_unit, self._judge_period(ahead, ended=False))

    def _close_period(self, counter: StreakCounter, on_unit: OnUnit | None, unit: Unit) -> None:
        counter.add(unit.state, unit.start, unit.end)
        if on_unit is not None:
            on_unit(unit)

    def _judge_period(self, future_open: int, *, ended: bool) -> Unit:
        """A period asks for its times in proportion to the days left open in it.

        Days before the habit started, paused days and skipped days are not open: a week with
        four paused days asks ``ceil(3 × 3/7) = 2`` of a ``3/week`` habit, a fully paused week
        asks nothing (neutral), and no period asks more than its open days.
        """
        goal = self.goal
        first = max(self.p_first, goal.start)
        length = (self.p_last - self.p_first).days + 1
        open_days = self.p_open + future_open
        required = min(open_days, math.ceil(self.rules.times * open_days / length - 1e-9))
        if required == 0:
            return Unit(first, self.p_last, State.NEUTRAL, 0.0)
        if goal.target is None:
            met, value = self.p_done >= required, min(1.0, self.p_done / required)
        else:
            wanted = required * goal.target
            met = window_met(goal, self.p_total, wanted)
            value = window_value(goal, self.p_total, wanted)
            if goal.at_most and not ended:
                met = False  # a ceiling can still be broken before the period ends
        if met:
            return Unit(first, self.p_last, State.MET, value)
        return Unit(first, self.p_last, State.MISSED if ended else State.PENDING, value)

    def finish(
        self,
        history: History,
        today: date,
        on_unit: OnUnit | None = None,
        on_score: OnScore | None = None,
    ) -> Outlook:
        """Fold up to yesterday for good, then today on a copy: the figures as of now."""
        if today < self.goal.start:
            return Outlook(Streaks(None, None), 0.0, StreakCounter(), [])
        self.counter.keep_from = max(self.counter.keep_from, today - timedelta(days=RECENT_DAYS))
        self.advance(history, today - ONE_DAY, on_unit, on_score)
        twin = self.copy()
        current: list[Unit] = []

        def collect(unit: Unit) -> None:
            current.append(unit)
            if on_unit is not None:
                on_unit(unit)

        twin.advance(history, today, collect, on_score, provisional=True)
        counter = twin.counter
        return Outlook(
            Streaks(clip(counter.run, today), clip(counter.best, today)),
            twin.score,
            counter,
            current,
        )

    def copy(self) -> Tally:
        twin = Tally.__new__(Tally)
        twin.__dict__.update(self.__dict__)
        twin.window = deque(self.window)
        twin.r_window = deque(self.r_window)
        twin.counter = self.counter.copy()
        return twin

    # -- keeping it ------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        counter = self.counter
        return {
            "format": FORMAT,
            "day": self.day.isoformat(),
            "score": self.score,
            "window": list(self.window),
            "total": self.total,
            "rolling": [list(self.r_window), self.r_total],
            "seen": self.seen,
            "period": [
                self.p_first.isoformat(),
                self.p_last.isoformat(),
                self.p_open,
                self.p_done,
                self.p_total,
            ],
            "run": [_iso(counter.run_start), _iso(counter.run_end), counter.run_length],
            "best": [_iso(counter.best_start), _iso(counter.best_end), counter.best_length],
            "best_before": counter.best_before,
            "judged": [counter.met, counter.judged],
            # Two flat lists read back far faster than a list of pairs.
            "recent_ends": [end for end, _met in counter.recent],
            "recent_met": "".join("1" if met else "0" for _end, met in counter.recent),
        }

    @classmethod
    def from_json(cls, goal: Goal, week_start: int, data: dict[str, Any]) -> Tally:
        tally = cls(goal, week_start)
        tally.day = date.fromisoformat(data["day"])
        tally.score = float(data["score"])
        tally.window = deque(map(float, data["window"]))
        tally.total, tally.seen = float(data["total"]), data["seen"]
        r_window, r_total = data["rolling"]
        tally.r_window, tally.r_total = deque(map(float, r_window)), float(r_total)
        first, last, tally.p_open, tally.p_done, tally.p_total = data["period"]
        tally.p_first, tally.p_last = date.fromisoformat(first), date.fromisoformat(last)
        counter = tally.counter
        run_start, run_end, counter.run_length = data["run"]
        counter.run_start, counter.run_end = _date(run_start), _date(run_end)
        best_start, best_end, counter.best_length = data["best"]
        counter.best_start, counter.best_end = _date(best_start), _date(best_end)
        counter.best_before = data["best_before"]
        counter.met, counter.judged = data["judged"]
        counter.recent = deque(
            zip(data["recent_ends"], map("1".__eq__, data["recent_met"]), strict=True)
        )
        return tally


@dataclass(frozen=True)
class Outlook:
    """The figures as of today, today counted provisionally."""

    streaks: Streaks
    score: float
    counter: StreakCounter  # completion tallies, today's met unit included
    today: list[Unit]  # the unit holding today, if any (pending when not met yet)


def _amount(checkin: CheckIn, target: float) -> float:
    return checkin.amount if checkin.amount is not None else target


def _paused_days(pauses: tuple[Pause, ...], first: date, last: date) -> set[date]:
    days: set[date] = set()
    for pause in pauses:
        day, end = max(pause.start, first), min(pause.end, last)
        while day <= end:
            days.add(day)
            day += ONE_DAY
    return days


def _open_days_ahead(pauses: tuple[Pause, ...], today: date, last: date) -> int:
    """Days after today up to ``last`` that no pause covers."""
    if last <= today:
        return 0
    return (last - today).days - len(_paused_days(pauses, today + ONE_DAY, last))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def evaluate(goal: Goal, history: History, today: date, week_start: int = 0) -> list[Unit]:
    """Every unit from the habit's start up to and including the one holding ``today``."""
    units: list[Unit] = []
    Tally(goal, week_start).finish(history, today, units.append)
    return units


def explain(goal: Goal, history: History, today: date) -> list[ScoreStep]:
    """The score day by day from the habit's start to ``today``: each day's ``v`` and result."""
    steps: list[ScoreStep] = []

    def record(day: date, value: float | None, result: float, counted: bool) -> None:
        steps.append(ScoreStep(day, value, result, counted))

    Tally(goal).finish(history, today, on_score=record)
    return steps


def score(goal: Goal, history: History, today: date) -> float:
    """The score as of ``today`` (docs/score.md)."""
    return Tally(goal).finish(history, today).score
