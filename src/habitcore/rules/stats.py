"""The figures a person looks at: today's state, streaks, score and completion rates."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

from habitcore.rules.habits import Goal, History, Status
from habitcore.rules.periods import State, Unit, day_value
from habitcore.rules.schedule import Daily, DaysOfWeek, EveryNDays
from habitcore.rules.streaks import Streak
from habitcore.rules.tally import Tally

COMPLETION_WINDOWS = (7, 30, 365)


class DayState(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    DUE = "due"
    NOT_DUE = "not_due"
    PAUSED = "paused"


@dataclass(frozen=True)
class Stats:
    current: Streak | None
    best: Streak | None
    score: float
    completion_rate: float | None  # met units / judged units, all time; None before any
    completion: dict[int, float | None] = field(default_factory=dict)
    state: DayState = DayState.NOT_DUE
    amount_today: float | None = None

    @property
    def current_streak(self) -> int:
        return self.current.length if self.current else 0

    @property
    def best_streak(self) -> int:
        return self.best.length if self.best else 0


def day_state(goal: Goal, history: History, day: date, units: list[Unit]) -> DayState:
    """What a checklist shows for ``day``: the habit's state on that day."""
    if day < goal.start:
        return DayState.NOT_DUE
    checkin = history.checkins.get(day)
    if checkin is not None and checkin.status is Status.SKIPPED:
        return DayState.SKIPPED
    if history.paused(day):
        return DayState.PAUSED
    schedule = goal.schedule
    if isinstance(schedule, Daily | DaysOfWeek | EveryNDays):
        if not schedule.is_due(day, goal.start):
            return DayState.DONE if checkin is not None else DayState.NOT_DUE
        # Not over yet: an unlogged day under a ceiling is still due, so its reminders fire.
        return DayState.DONE if day_value(goal, checkin, ended=False)[0] else DayState.DUE
    if checkin is not None:
        return DayState.DONE
    holding = next((u for u in reversed(units) if u.start <= day <= u.end), None)
    if holding is not None and holding.state in (State.MET, State.NEUTRAL):
        return DayState.NOT_DUE
    return DayState.DUE


def habit_stats(goal: Goal, history: History, today: date, week_start: int = 0) -> Stats:
    return stats_from(Tally(goal, week_start), history, today)


def stats_from(tally: Tally, history: History, today: date) -> Stats:
    """The figures as of ``today`` from a tally of the days before it (see ``tally``)."""
    outlook = tally.finish(history, today)
    counter = outlook.counter
    checkin = history.checkins.get(today)
    return Stats(
        current=outlook.streaks.current,
        best=outlook.streaks.best,
        score=outlook.score,
        completion_rate=counter.completion(),
        completion={
            days: counter.completion(today - timedelta(days=days - 1))
            for days in COMPLETION_WINDOWS
        },
        state=day_state(tally.goal, history, today, outlook.today),
        amount_today=checkin.amount if checkin is not None else None,
    )
