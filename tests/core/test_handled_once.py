"""An outside event's changes take effect once, however often it is delivered, on both backends;
and a conversation of several steps lives in the database, where any worker finds it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from habitcore import DuplicateHabit, StoreError, Tracker
from habitcore.dialogs import Dialogs
from habitcore.events import KEPT, AlreadyHandled, forget_handled, handled_once
from habitcore.storage.store import Store
from habitcore.testing import FakeClock


def names(store: Store, clock: FakeClock) -> list[str]:
    return [habit.name for habit in Tracker(store, clock=clock).habits()]


def test_a_repeated_event_changes_nothing_the_second_time(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    for _ in range(2):
        with handled_once(store, "test", 1, clock.now()) as unit:
            Tracker(store, clock=clock).add_habit("Read")
    # The second delivery's add never ran: it learned at its first write that the event was
    # handled, so no DuplicateHabit either.
    assert unit.duplicate
    assert names(store, clock) == ["Read"]


def test_the_same_id_from_another_source_is_another_event(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    with handled_once(store, "a", 7, clock.now()):
        tracker.add_habit("Read")
    with handled_once(store, "b", 7, clock.now()) as unit:
        tracker.add_habit("Walk")
    assert not unit.duplicate
    assert names(store, clock) == ["Read", "Walk"]


def test_a_unit_sees_its_own_changes_before_they_are_committed(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    seen: list[list[str]] = []
    with handled_once(store, "test", 1, clock.now()):
        tracker.add_habit("Read")
        tracker.check("Read")
        seen.append([h.name for h in tracker.habits() if h.state.value == "done"])
        outside: list[list[str]] = []
        thread = threading.Thread(target=lambda: outside.append(names(store, clock)))
        thread.start()
        thread.join(timeout=60)
    assert seen == [["Read"]]
    # PostgreSQL: another connection sees nothing until the unit commits. SQLite: each write
    # commits at once (the file has one write lock, not to be held for a whole update).
    assert outside == ([["Read"]] if store.dialect == "sqlite" else [[]])
    assert names(store, clock) == ["Read"]


def test_a_refused_write_keeps_the_units_earlier_changes(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    with handled_once(store, "test", 1, clock.now()):
        tracker.add_habit("Read")
        with pytest.raises(DuplicateHabit):
            tracker.add_habit("read")
        tracker.add_habit("Walk")
    assert names(store, clock) == ["Read", "Walk"]


def test_a_failed_unit_and_the_event_coming_again(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    def fall_over() -> None:
        with handled_once(store, "test", 1, clock.now()):
            tracker.add_habit("Read")
            raise RuntimeError("the process fell over")

    with pytest.raises(RuntimeError):
        fall_over()
    with handled_once(store, "test", 1, clock.now()) as unit:
        tracker.add_habit("Read")
    assert names(store, clock) == ["Read"]
    # PostgreSQL: the failed unit left nothing, so the event came again as new. SQLite: its
    # write, and the record with it, had committed, so the repeat changed nothing.
    assert unit.duplicate == (store.dialect == "sqlite")


def test_a_unit_that_only_read_is_recorded_too(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    with handled_once(store, "test", 1, clock.now()) as first:
        tracker.habits()
    with handled_once(store, "test", 1, clock.now()) as second:
        tracker.habits()
    assert (first.duplicate, second.duplicate) == (False, True)


def test_already_handled_passes_every_except_exception(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    """A frontend's guards catch Exception; the signal must reach the unit past them."""
    with handled_once(store, "test", 1, clock.now()):
        tracker.add_habit("Read")
    reached_after = []
    with handled_once(store, "test", 1, clock.now()) as unit:
        try:
            tracker.add_habit("Walk")
        except Exception:
            reached_after.append("caught")
        reached_after.append("went on")
    assert unit.duplicate
    assert reached_after == []
    assert issubclass(AlreadyHandled, BaseException)
    assert not issubclass(AlreadyHandled, Exception)


def test_two_workers_with_the_same_event_at_once_change_once(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    """Both read first, then write: exactly one's work stands, whichever gets there first."""
    tracker.add_habit("Read")
    both_read = threading.Barrier(2, timeout=60)
    outcomes: list[bool] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            mine = Tracker(store, clock=clock)
            with handled_once(store, "test", 42, clock.now()) as unit:
                mine.habits()
                both_read.wait()
                mine.check("Read")
            outcomes.append(unit.duplicate)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(outcomes) == [False, True]
    assert len(Tracker(store, clock=clock).checkins("Read")) == 1


def test_records_are_forgotten_after_a_day(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    with handled_once(store, "test", 1, clock.now()):
        tracker.add_habit("Read")
    assert forget_handled(store, clock.now() + KEPT - timedelta(minutes=1)) == 0
    assert forget_handled(store, clock.now() + KEPT + timedelta(minutes=1)) == 1
    with handled_once(store, "test", 1, clock.now()) as unit:
        tracker.add_habit("Walk")
    assert not unit.duplicate


# -- dialogs ---------------------------------------------------------------------------------


def test_a_dialog_begun_by_one_worker_goes_on_at_another(db_url: str, clock: FakeClock) -> None:
    one, other = Store(db_url), Store(db_url)
    try:
        first = Dialogs(one, clock).begin("telegram:1", "add_time", name="Read", schedule="daily")
        found = Dialogs(other, clock).get("telegram:1")
        assert found is not None
        assert (found.kind, found.data, found.serial) == (
            "add_time",
            {"name": "Read", "schedule": "daily"},
            first.serial,
        )
    finally:
        one.close()
        other.close()


def test_every_step_has_a_new_serial_even_after_an_end(store: Store, clock: FakeClock) -> None:
    dialogs = Dialogs(store, clock)
    serials = [dialogs.begin("u", "add_name").serial, dialogs.begin("u", "add_time").serial]
    ended = dialogs.end("u")
    serials.append(dialogs.begin("u", "rename", habit=3).serial)
    assert ended is not None
    assert ended.kind == "add_time"
    assert serials == [serials[0], serials[0] + 1, serials[0] + 2]
    assert dialogs.get("other") is None


def test_an_ended_or_abandoned_dialog_is_over(store: Store, clock: FakeClock) -> None:
    dialogs = Dialogs(store, clock)
    dialogs.begin("u", "note", habit=1, day="2026-01-10")
    assert dialogs.end("u") is not None
    assert dialogs.get("u") is None
    assert dialogs.end("u") is None
    dialogs.begin("u", "note", habit=1, day="2026-01-10")
    clock.advance(minutes=59)
    assert dialogs.get("u") is not None
    clock.advance(minutes=2)
    assert dialogs.get("u") is None


def test_a_dialog_step_inside_a_failed_unit(store: Store, clock: FakeClock) -> None:
    dialogs = Dialogs(store, clock)

    def fall_over() -> None:
        with handled_once(store, "test", 5, clock.now()):
            dialogs.begin("u", "add_name")
            raise RuntimeError("fell over")

    with pytest.raises(RuntimeError):
        fall_over()
    assert (dialogs.get("u") is None) == (store.dialect == "postgresql")


def test_forgetting_a_person_leaves_no_dialog_and_old_buttons_stay_dead(
    store: Store, clock: FakeClock
) -> None:
    dialogs = Dialogs(store, clock)
    old = [dialogs.begin("u", "add_name").serial, dialogs.begin("u", "add_time").serial]
    dialogs.forget("u")  # /deleteme
    assert dialogs.get("u") is None
    clock.advance(minutes=1)  # they come back, and begin again
    new = [dialogs.begin("u", "add_name").serial, dialogs.begin("u", "add_time").serial]
    assert not set(old) & set(new)


def test_a_failed_read_after_a_write_is_never_a_unit_quietly_lost(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    """PostgreSQL turns COMMIT of an aborted transaction into a rollback without an error: a
    unit whose read failed (caught, as a frontend's guard does) must fail, not look saved."""
    tracker.add_habit("Old")

    def update() -> None:
        with handled_once(store, "test", 1, clock.now()):
            tracker.add_habit("Read")
            with pytest.raises(StoreError), store.read() as session:
                session.execute(sa.text("SELECT * FROM no_such_table"))

    if store.dialect == "postgresql":
        with pytest.raises(StoreError):
            update()
        assert names(store, clock) == ["Old"]  # nothing of it, and no record: it may come again
    else:
        update()  # SQLite: the read was a transaction of its own; the write had committed
        assert names(store, clock) == ["Old", "Read"]
    with handled_once(store, "test", 1, clock.now()) as again:
        tracker.add_habit("Read")
    assert again.duplicate == (store.dialect == "sqlite")
    assert names(store, clock) == ["Old", "Read"]


def test_a_dry_run_import_inside_a_unit_keeps_the_units_other_changes(
    store: Store, clock: FakeClock, tracker: Tracker
) -> None:
    exported = tracker.export()
    with handled_once(store, "test", 1, clock.now()):
        tracker.add_habit("Read")
        tracker.import_data(exported, dry_run=True)
        tracker.add_habit("Walk")
    assert names(store, clock) == ["Read", "Walk"]
    with handled_once(store, "test", 1, clock.now()) as again:
        tracker.add_habit("Swim")
    assert again.duplicate
