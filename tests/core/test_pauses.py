"""Pauses as a person manages them: listed with ids, one taken back as if it had never been,
open-ended ones that last until resumed, and a resume that reports exactly what it did."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import habitcore
from habitcore.rules.habits import OPEN_END
from habitcore.testing import FakeClock, memory_tracker
from habitcore.tracker import Tracker

TODAY = date(2026, 12, 3)


@pytest.fixture
def today_tracker(tracker: Tracker, clock: FakeClock) -> Tracker:
    clock.set(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))
    return tracker


def test_a_mistaken_pause_is_listed_and_taken_back_whole(today_tracker: Tracker) -> None:
    tracker = today_tracker
    tracker.add_habit("Gym", start=date(2026, 10, 1))
    for offset in range(60):
        tracker.check("Gym", date(2026, 10, 1) + timedelta(days=offset))
    before = tracker.stats("Gym")
    tracker.pause("Gym", start=date(2026, 11, 1), end=TODAY + timedelta(days=400))
    resumed = tracker.resume("Gym")
    [ended] = resumed.ended
    assert (ended.habit, ended.start, ended.end) == (
        "Gym",
        date(2026, 11, 1),
        TODAY + timedelta(days=400),
    )
    assert resumed.cancelled == resumed.kept == ()
    # Resume keeps Nov 1 to Dec 2 paused; the list shows it with the id that removes it.
    [left] = tracker.pause_list("Gym")
    assert (left.id, left.start, left.end) == (ended.id, date(2026, 11, 1), date(2026, 12, 2))
    removed = tracker.unpause(left.id)
    assert removed.id == left.id
    assert tracker.pause_list() == []
    assert tracker.stats("Gym") == before


def test_an_open_ended_pause_lasts_until_resumed(today_tracker: Tracker, clock: FakeClock) -> None:
    tracker = today_tracker
    tracker.add_habit("Gym", start=date(2026, 11, 1))
    tracker.pause("Gym", start=TODAY)
    [entry] = tracker.pause_list()
    assert (entry.start, entry.end) == (TODAY, None)
    clock.advance(days=3000)
    assert tracker.habits()[0].state is habitcore.DayState.PAUSED
    [ended] = tracker.resume("Gym").ended
    assert ended.end is None
    [kept] = tracker.pauses("Gym")
    assert kept.end == tracker.today() - timedelta(days=1)


def test_resume_cancels_or_keeps_a_planned_vacation_as_told(today_tracker: Tracker) -> None:
    tracker = today_tracker
    tracker.add_habit("Read")
    tracker.pause(start=TODAY + timedelta(days=10), end=TODAY + timedelta(days=20))
    kept = tracker.resume(planned=False)
    assert (kept.ended, kept.cancelled, len(kept)) == ((), (), 0)
    assert [(p.habit, p.start) for p in kept.kept] == [(None, TODAY + timedelta(days=10))]
    cancelled = tracker.resume()
    assert [p.start for p in cancelled.cancelled] == [TODAY + timedelta(days=10)]
    assert tracker.pause_list() == []


def test_pause_list_of_a_habit_holds_its_own_pauses_and_the_vacations(
    today_tracker: Tracker,
) -> None:
    tracker = today_tracker
    tracker.add_habit("Read")
    tracker.add_habit("Walk")
    tracker.pause("Read", start=TODAY, end=TODAY + timedelta(days=1))
    tracker.pause("Walk", start=TODAY, end=TODAY + timedelta(days=2))
    tracker.pause(start=TODAY + timedelta(days=5), end=TODAY + timedelta(days=6))
    assert [p.habit for p in tracker.pause_list("Read")] == ["Read", None]
    assert sorted(str(p.habit) for p in tracker.pause_list()) == ["None", "Read", "Walk"]


def test_unpause_refuses_an_unknown_or_another_persons_pause(store: habitcore.Store) -> None:
    ann = Tracker(store, user="ann", clock=FakeClock())
    bob = Tracker(store, user="bob", clock=FakeClock())
    ann.add_habit("Read")
    ann.pause("Read", start=ann.today(), end=ann.today())
    [theirs] = ann.pause_list()
    for ident in (theirs.id, theirs.id + 1000):
        with pytest.raises(habitcore.PauseNotFound, match=f"There is no pause #{ident}"):
            bob.unpause(ident)
    assert ann.pause_list() == [theirs]


def test_an_open_ended_pause_exports_as_null_and_imports_back(today_tracker: Tracker) -> None:
    tracker = today_tracker
    tracker.add_habit("Gym")
    tracker.pause("Gym", start=TODAY)
    tracker.pause(start=TODAY + timedelta(days=3))
    document = tracker.export()
    assert json.loads(json.dumps(document))["pauses"] == [
        {"start": (TODAY + timedelta(days=3)).isoformat(), "end": None}
    ]
    assert document["habits"][0]["pauses"] == [{"start": TODAY.isoformat(), "end": None}]
    again = memory_tracker(clock=FakeClock(datetime(2026, 12, 3, 12, tzinfo=UTC)))
    again.import_data(document)
    assert sorted((str(p.habit), p.end) for p in again.pause_list()) == [
        ("Gym", None),
        ("None", None),
    ]
    assert [p.end for p in again.pauses("Gym")] == [OPEN_END]


def test_a_pause_without_an_end_in_a_file_is_refused(today_tracker: Tracker) -> None:
    today_tracker.add_habit("Gym")
    document = today_tracker.export()
    document["pauses"] = [{"start": "2026-12-01"}]
    with pytest.raises(
        habitcore.InvalidImport, match=r"pauses\[0\].end: missing; expected a date \(YYYY-MM-DD\)"
    ):
        today_tracker.import_data(document)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    done=st.sets(st.integers(0, 59), max_size=60),
    skipped=st.sets(st.integers(0, 59), max_size=10),
    start=st.integers(0, 70),
    length=st.one_of(st.none(), st.integers(0, 90)),
    vacation=st.booleans(),
)
def test_unpausing_gives_back_exactly_the_figures_before_the_pause(
    done: set[int], skipped: set[int], start: int, length: int | None, vacation: bool
) -> None:
    clock = FakeClock(datetime(2026, 12, 3, 12, tzinfo=UTC))
    tracker = memory_tracker(clock=clock)
    first = date(2026, 10, 1)
    tracker.add_habit("Gym", "3/week", start=first)
    tracker.add_habit("Read", start=first)
    for offset in sorted(done - skipped):
        tracker.check("Gym", first + timedelta(days=offset))
        tracker.check("Read", first + timedelta(days=offset))
    for offset in sorted(skipped):
        tracker.skip("Read", first + timedelta(days=offset))
    before = [(s.name, s.stats, s.state) for s in tracker.habits()]
    calendar = tracker.calendar("Read", days=90)
    begin = first + timedelta(days=start)
    end = None if length is None else begin + timedelta(days=length)
    tracker.pause(None if vacation else "Gym", start=begin, end=end)
    [entry] = tracker.pause_list()
    tracker.unpause(entry.id)
    assert [(s.name, s.stats, s.state) for s in tracker.habits()] == before
    assert tracker.calendar("Read", days=90) == calendar


def test_a_removed_pauses_id_never_names_a_later_pause(tracker: Tracker) -> None:
    """habit-api and ``habit unpause`` name a pause by its id: a client still holding the id
    of a pause taken back must get 'no such pause', never reach a newer one."""
    tracker.add_habit("Gym", start=date(2026, 1, 1))
    tracker.pause("Gym", start=date(2026, 1, 2), end=date(2026, 1, 3))
    tracker.pause("Gym", start=date(2026, 1, 5), end=date(2026, 1, 6))
    newest = max(p.id for p in tracker.pause_list())
    tracker.unpause(newest)
    tracker.pause("Gym", start=date(2026, 1, 8), end=date(2026, 1, 9))
    assert newest not in {p.id for p in tracker.pause_list()}
    with pytest.raises(habitcore.PauseNotFound):
        tracker.unpause(newest)
