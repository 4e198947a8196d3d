"""Recording any past day (the start moves back to it) and keeping a note with a check-in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import habitcore
from habitcore import Status
from habitcore.testing import FakeClock, memory_tracker
from habitcore.tracker import Tracker

TODAY = date(2026, 1, 10)  # the tracker fixture's clock


def test_a_day_before_the_start_moves_the_start_back(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    assert tracker.habit("Read").start == TODAY
    tracker.check("Read", day=date(2025, 12, 20))
    assert tracker.habit("Read").start == date(2025, 12, 20)
    assert [c.day for c in tracker.checkins("Read")] == [date(2025, 12, 20)]
    # The days between are history now: they were missed, and the score counts them.
    stats = tracker.stats("Read")
    assert stats.best_streak == 1
    assert stats.current_streak == 0
    assert tracker.explain_score("Read")[0].day == date(2025, 12, 20)


def test_a_skip_before_the_start_moves_it_back_too(tracker: Tracker) -> None:
    tracker.add_habit("Run", "3/week")
    tracker.skip("Run", day=date(2026, 1, 2))
    assert tracker.habit("Run").start == date(2026, 1, 2)


def test_undoing_the_earliest_check_in_leaves_the_start_where_it_moved(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.check("Read", day=date(2026, 1, 1))
    assert tracker.uncheck("Read", day=date(2026, 1, 1))
    assert tracker.habit("Read").start == date(2026, 1, 1)
    # Undoing a day before the start records nothing and moves nothing.
    assert not tracker.uncheck("Read", day=date(2025, 6, 1))
    assert tracker.habit("Read").start == date(2026, 1, 1)


def test_a_future_day_is_still_refused_and_changes_nothing(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    with pytest.raises(habitcore.InvalidDay, match="has not come yet"):
        tracker.check("Read", day=TODAY + timedelta(days=1))
    assert tracker.habit("Read").start == TODAY
    assert tracker.checkins("Read") == []


def test_a_day_before_1900_is_refused(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    with pytest.raises(habitcore.InvalidDay, match="must lie between 1900-01-01"):
        tracker.check("Read", day=date(1800, 1, 1))
    assert tracker.habit("Read").start == TODAY


def test_a_backdated_day_is_not_rollover_news(tracker: Tracker, clock: FakeClock) -> None:
    tracker.add_habit("Read")
    tracker.close_days()
    tracker.check("Read", day=date(2025, 12, 1))
    clock.advance(days=1)
    assert [(r.habit, r.day) for r in tracker.close_days()] == [("Read", TODAY)]


@given(
    back=st.integers(1, 400),
    offsets=st.lists(st.integers(0, 400), max_size=30),
    schedule=st.sampled_from(["daily", "mon,wed,fri", "every 3 days", "3/week", "2 in 5 days"]),
)
def test_backfilling_equals_a_habit_that_started_on_that_day(
    back: int, offsets: list[int], schedule: str
) -> None:
    """Whatever is recorded, a backfilled habit reads exactly as one started on its first day."""
    clock = FakeClock(datetime(2026, 1, 10, 12, tzinfo=UTC))
    backfilled = memory_tracker(clock=clock, timezone="UTC")
    started = memory_tracker(clock=clock, timezone="UTC")
    first = TODAY - timedelta(days=back)
    days = sorted({max(first, TODAY - timedelta(days=o)) for o in offsets} | {first})
    backfilled.add_habit("H", schedule)
    started.add_habit("H", schedule, start=first)
    for day in reversed(days):  # newest first: the start walks back step by step
        backfilled.check("H", day=day)
    for day in days:
        started.check("H", day=day)
    assert backfilled.habit("H").start == first
    assert backfilled.stats("H") == started.stats("H")
    assert backfilled.explain_score("H") == started.explain_score("H")


def test_notes_go_with_check_ins_and_skips(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.add_habit("Pages", target=20, unit="pages")
    done = tracker.check("Read", day=date(2026, 1, 9), note="  two chapters\n\nof Dune  ")
    assert done.note == "two chapters\n\nof Dune"
    assert tracker.skip("Pages", note="no book with me").note == "no book with me"
    assert [(c.day, c.status, c.note) for c in tracker.checkins("Pages")] == [
        (TODAY, Status.SKIPPED, "no book with me")
    ]


def test_a_check_in_without_a_note_keeps_the_note_it_had(tracker: Tracker) -> None:
    tracker.add_habit("Pages", target=20, unit="pages")
    tracker.check("Pages", amount=5, note="morning")
    assert tracker.check("Pages", amount=7, add=True).note == "morning"
    assert tracker.checkins("Pages")[0].amount == 12
    tracker.set_note("Pages", None, "morning and evening")
    assert tracker.checkins("Pages")[0].note == "morning and evening"
    assert tracker.checkins("Pages")[0].amount == 12  # a note changes nothing else
    tracker.set_note("Pages", None, "")
    assert tracker.checkins("Pages")[0].note is None


def test_a_note_needs_a_check_in(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    with pytest.raises(habitcore.InvalidDay, match="record the day first"):
        tracker.set_note("Read", date(2026, 1, 9), "hello")
    assert tracker.checkins("Read") == []


def test_undo_removes_the_note_with_the_check_in(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.check("Read", note="first")
    tracker.uncheck("Read")
    assert tracker.check("Read").note is None


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 2001, "at most 2000 characters; this one has 2001"),
        ("bell\x07", "control characters"),
        ("\x1b[2J", "control characters"),
        ("nul\x00", "control characters"),
        ("zero\u200bwidth", "invisible formatting"),
        (5, "must be text"),
    ],
)
def test_bad_notes_are_refused_and_change_nothing(
    tracker: Tracker, note: object, message: str
) -> None:
    tracker.add_habit("Read")
    with pytest.raises(habitcore.InvalidName, match=message):
        tracker.check("Read", note=note)  # type: ignore[arg-type]
    assert tracker.checkins("Read") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "\x1b]0;owned\x07", "control characters"),
        ("description", "a\x00b", "control characters"),
        ("description", "\u202eevil", "invisible formatting"),
        ("description", {"a": 1}, "must be text"),
        ("unit", "pa\x1bges", "control characters"),
        ("unit", "\ufeffpages", "invisible formatting"),
        ("unit", ["pages"], "must be text"),
    ],
)
def test_every_text_field_refuses_alike(
    tracker: Tracker, field: str, value: object, message: str
) -> None:
    with pytest.raises(habitcore.HabitcoreError, match=message):
        tracker.add_habit("Pages", target=20, **{field: value})  # type: ignore[arg-type]
    assert tracker.habits() == []


def test_text_that_needs_joiners_is_kept(tracker: Tracker) -> None:
    """ZWJ and ZWNJ are part of emoji and of Persian and Indic words; they stay."""
    for name in (
        "👨\u200d👩\u200d👧 time",
        "می\u200cخوانم",
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f run",
    ):
        assert tracker.add_habit(name).name == name
    tracker.add_habit("Walk", description="line one\n\tline two")
    assert tracker.habit("Walk").description == "line one\n\tline two"
