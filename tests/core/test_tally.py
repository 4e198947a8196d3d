"""A tally kept as of some day and resumed later gives exactly what a fresh walk gives."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from habitcore.rules.habits import Goal
from habitcore.rules.stats import stats_from
from habitcore.rules.tally import FORMAT, Tally
from strategies import goals, histories


@st.composite
def cases(draw: st.DrawFn) -> tuple[Goal, object, int, int, int]:
    goal = draw(goals(at_most=None))
    history = draw(histories(goal, days=90))
    today = draw(st.integers(0, 100))
    kept = draw(st.integers(-1, today))
    week_start = draw(st.integers(0, 6))
    return goal, history, today, kept, week_start


@given(cases())
def test_a_kept_tally_resumes_to_the_same_figures(
    case: tuple[Goal, object, int, int, int],
) -> None:
    goal, history, today_offset, kept_offset, week_start = case
    today = goal.start + timedelta(days=today_offset)
    kept_day = goal.start + timedelta(days=kept_offset - 1)
    fresh = stats_from(Tally(goal, week_start), history, today)  # type: ignore[arg-type]
    early = Tally(goal, week_start)
    early.advance(history, kept_day)  # type: ignore[arg-type]
    stored = json.loads(json.dumps(early.to_json()))
    resumed = Tally.from_json(goal, week_start, stored)
    assert stats_from(resumed, history, today) == fresh  # type: ignore[arg-type]


@given(cases())
def test_finishing_twice_changes_nothing(case: tuple[Goal, object, int, int, int]) -> None:
    goal, history, today_offset, _kept, week_start = case
    today = goal.start + timedelta(days=today_offset)
    tally = Tally(goal, week_start)
    first = stats_from(tally, history, today)  # type: ignore[arg-type]
    assert stats_from(tally, history, today) == first  # type: ignore[arg-type]


@given(cases())
def test_a_kept_tally_reads_back_as_it_was_written(
    case: tuple[Goal, object, int, int, int],
) -> None:
    """Every running figure, the score windows and the rolling window included, is kept."""
    goal, history, _today, kept_offset, week_start = case
    early = Tally(goal, week_start)
    early.advance(history, goal.start + timedelta(days=kept_offset - 1))  # type: ignore[arg-type]
    stored = json.loads(json.dumps(early.to_json()))
    assert stored["format"] == FORMAT
    assert Tally.from_json(goal, week_start, stored).to_json() == stored
