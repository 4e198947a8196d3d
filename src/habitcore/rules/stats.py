"""The figures a person looks at: today's state, streaks, score and completion rates."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

from habitcore.rules.habits import Goal, History
from habitcore.rules.periods import State, Unit
from habitcore.rules.rollover import Outcome, day_outcome
from habitcore.rules.streaks import Streak
from habitcore.rules.tally import Tally

COMPLETION_WINDOWS = (7, 30, 365)


class DayState(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    DUE = "due"
    NOT_DUE = "not_due"
    PAUSED = "paused"
    OVER = "over"  # an at-most habit past its ceiling today


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
    """What a checklist shows for ``day``, read from the day's ``Outcome`` as it stands.

    A day not over yet that is short of its goal is due (so its reminders fire); in a week or
    month already met, a day with nothing logged is not due.
    """
    holding = next((u for u in reversed(units) if u.start <= day <= u.end), None)
    judged = holding.state if holding is not None and holding.end == day else None
    outcome = day_outcome(goal, history, day, judged, ended=False)
    if outcome is Outcome.OPEN:
        met = holding is not None and holding.state in (State.MET, State.NEUTRAL)
        return DayState.NOT_DUE if met else DayState.DUE
    return _SHOWN.get(outcome, DayState.DUE)


_SHOWN = {
    Outcome.DONE: DayState.DONE,
    Outcome.SKIPPED: DayState.SKIPPED,
    Outcome.PAUSED: DayState.PAUSED,
    Outcome.NOT_DUE: DayState.NOT_DUE,
    Outcome.OVER: DayState.OVER,
}  # PARTIAL and MISSED, on a day not over: still due


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
