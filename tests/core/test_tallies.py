"""Kept tallies: later looks fold only the new days, and any change to the past is seen."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habitcore.rules.habits import History
from habitcore.rules.stats import habit_stats
from habitcore.rules.tally import FORMAT
from habitcore.storage import tallies
from habitcore.storage.tables import TallyRow
from habitcore.testing import FakeClock, memory_tracker
from habitcore.tracker import Tracker

START = date(2025, 1, 1)


def fresh(tracker: Tracker) -> list[object]:
    """The figures computed from scratch, without any kept tally."""
    with tracker.store.write() as session:
        session.execute(sa.delete(TallyRow))
    return [s.stats for s in tracker.habits()]


def fetched_rows(tracker: Tracker, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many check-ins one look at the checklist loads."""
    loaded = 0
    real = tallies.histories_since

    def counting(*args: Any) -> dict[int, History]:
        nonlocal loaded
        found = real(*args)
        loaded += sum(len(h.checkins) for h in found.values())
        return found

    monkeypatch.setattr(tallies, "histories_since", counting)
    tracker.habits()
    monkeypatch.setattr(tallies, "histories_since", real)
    return loaded


def test_the_second_look_reads_only_new_days(
    tracker: Tracker, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker.add_habit("Read", start=START)
    for offset in range(0, 370, 1):
        if offset % 5:
            tracker.check("Read", day=START + timedelta(days=offset))
    walked = sum(1 for offset in range(370) if offset % 5)  # the check-ins made above
    assert fetched_rows(tracker, monkeypatch) == walked  # the first look walks the whole history
    with tracker.store.read() as session:
        kept = session.execute(sa.select(TallyRow)).scalars().all()
    assert [k.day for k in kept] == [clock.now().date() - timedelta(days=1)]
    tracker.habits()
    clock.advance(days=1)
    assert fetched_rows(tracker, monkeypatch) == 0  # a new day: only the days since are read
    tracker.check("Read")  # any check-in may touch a folded day: that habit is walked again
    assert fetched_rows(tracker, monkeypatch) == walked + 1
    assert tracker.habits()[0].stats == fresh(tracker)[0]


def test_a_change_to_the_past_is_never_hidden_by_a_kept_tally(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=START)
    for offset in range(10):
        tracker.check("Read", day=date(2026, 1, offset + 1))
    assert tracker.stats("Read").current_streak == 10
    tracker.uncheck("Read", day=date(2026, 1, 5))
    assert tracker.stats("Read").current_streak == 5
    tracker.pause("Read", start=date(2026, 1, 5), end=date(2026, 1, 5))
    assert tracker.stats("Read").current_streak == 9
    tracker.edit_habit("Read", schedule="every 2 days")
    assert tracker.habits()[0].stats == fresh(tracker)[0]
    tracker.set_week_start("sunday")
    tracker.edit_habit("Read", schedule="2/week")
    assert tracker.habits()[0].stats == fresh(tracker)[0]


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    actions=st.lists(
        st.tuples(
            st.sampled_from(["check", "skip", "uncheck", "pause", "look", "wait", "schedule"]),
            st.integers(0, 60),
        ),
        max_size=25,
    )
)
def test_figures_with_kept_tallies_equal_figures_from_scratch(
    actions: list[tuple[str, int]],
) -> None:
    clock = FakeClock(datetime(2025, 3, 15, 12, tzinfo=UTC))  # 60 days back is after START
    tracker = memory_tracker(clock=clock)
    tracker.add_habit("Read", start=START)
    tracker.add_habit("Run", "3/week", start=START)
    tracker.add_habit("Coffee", "3 in 7 days", target=2, unit="cups", at_most=True, start=START)
    for action, number in actions:
        day = clock.now().date() - timedelta(days=number)
        if action == "check":
            tracker.check("Read", day=day)
            tracker.check("Run", day=day)
            tracker.check("Coffee", day=day, amount=number % 5)
        elif action == "skip":
            tracker.skip("Run", day=day)
            tracker.skip("Coffee", day=day)
        elif action == "uncheck":
            tracker.uncheck("Read", day=day)
        elif action == "pause":
            tracker.pause(start=day, end=day + timedelta(days=number % 4))
        elif action == "look":
            tracker.habits()
        elif action == "wait":
            clock.advance(days=number % 9)
        else:
            tracker.edit_habit("Read", schedule=["daily", "mon,thu", "3 in 7 days"][number % 3])
    kept = [s.stats for s in tracker.habits()]
    assert kept == fresh(tracker)


def test_a_tally_kept_in_an_older_format_is_folded_anew(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker.add_habit("Coffee", target=2, unit="cups", at_most=True, start=START)
    tracker.check("Coffee", day=START, amount=3)
    tracker.habits()  # keeps a tally
    assert fetched_rows(tracker, monkeypatch) == 0  # resumed: no day since it to read
    with tracker.store.write() as session:
        row = session.execute(sa.select(TallyRow)).scalars().one()
        data = json.loads(row.data)
        # As an older habitcore kept it: a ceiling's score started at 0.
        row.data = json.dumps({**data, "format": FORMAT - 1, "score": 0.0})
    assert fetched_rows(tracker, monkeypatch) == 1  # folded anew from the start
    assert tracker.habits()[0].stats == fresh(tracker)[0]


def test_stats_agree_with_the_pure_rule(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=START)
    for offset in range(0, 300, 3):
        tracker.check("Read", day=START + timedelta(days=offset))
    tracker.habits()  # keep a tally
    history = tracker.checkins("Read")
    from habitcore.storage.records import goal_of
    from habitcore.storage.tables import HabitRow

    with tracker.store.read() as session:
        row = session.execute(sa.select(HabitRow)).scalars().one()
    expected = habit_stats(goal_of(row), History.of(history), tracker.today())
    assert tracker.stats("Read") == expected


def test_a_look_at_a_later_day_does_not_hide_todays_check_in(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 4))
    for day in range(4, 10):
        tracker.check("Read", day=date(2026, 1, day))
    tracker.habits(today=date(2026, 1, 11))  # a frontend asking about tomorrow
    tracker.check("Read")  # the 10th, today
    clock.advance(days=1)
    assert tracker.stats("Read").current_streak == 7
