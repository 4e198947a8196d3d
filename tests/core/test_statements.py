"""What a Telegram tap costs the database, and the pieces that keep it small: a ``Tracker`` that
reads its user once, ``toggle`` in one write, tallies kept by one upsert, and a habit's picture
from one read of its check-ins. Statements are counted as SQLAlchemy sends them, on both backends
(SQLite's ``BEGIN`` included: the store sends it itself)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from habitcore import DayState, HabitArchived, Status
from habitcore.storage.store import Store
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

USER = "telegram:101"
NAMES = ("Read", "Walk", "Write", "Run", "Code")


@contextmanager
def counted(store: Store) -> Iterator[list[str]]:
    """The statements sent inside the block, BEGIN and all."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", note)


@pytest.fixture
def person(store: Store, clock: FakeClock) -> Tracker:
    """A bot user with five daily habits and a month of history, their tallies kept."""
    made = Tracker(store, user=USER, clock=clock)
    made.set_timezone("Europe/Berlin")
    today = made.today()
    for name in NAMES:
        made.add_habit(name, start=today - timedelta(days=40))
        made.check_days(name, today - timedelta(days=30), today - timedelta(days=1))
    made.habits()  # keeps the tallies, as the checklist's first look does
    return made


def tap(store: Store, clock: FakeClock, habit_id: int) -> Status | None:
    """What habitcore does for one tap on the checklist: open the person, learn their day,
    toggle the habit, and read the checklist again to redraw it."""
    tracker = Tracker(store, user=USER, clock=clock)
    assert tracker.kept_settings.language == "en"  # the bot answers in it; no read
    done = tracker.toggle(habit_id, tracker.today())
    tracker.habits()
    return done.status


def test_a_tap_sends_about_half_the_statements_it_did(
    store: Store, clock: FakeClock, person: Tracker
) -> None:
    # Before: 22 on PostgreSQL and 28 on SQLite (the checklist read twice, the user row read
    # by every call, a tally rewritten as DELETE and INSERT). Now 11 to mark done, 12 to clear
    # (the pauses are read to tell a done day from a paused one); SQLite adds four BEGINs.
    read = person.habits()[0].habit.id
    bound = {"postgresql": 12, "sqlite": 16}[store.dialect]
    for expected in (Status.DONE, None, Status.DONE):
        with counted(store) as sent:
            assert tap(store, clock, read) is expected
        assert len(sent) <= bound, "\n".join(sent)
    assert person.stats(read).current_streak == 31


def test_a_tracker_reads_its_user_once(store: Store, clock: FakeClock, person: Tracker) -> None:
    with counted(store) as sent:
        tracker = Tracker(store, user=USER, clock=clock)
    assert len([s for s in sent if s != "BEGIN"]) == 1  # the user row
    with counted(store) as sent:
        assert tracker.kept_settings.timezone == "Europe/Berlin"
        tracker.today()
    assert sent == []
    with counted(store) as sent:
        tracker.habits()
    assert not [s for s in sent if "FROM users" in s]


def test_a_tracker_keeps_what_it_changed_itself_and_a_new_one_sees_the_rest(
    store: Store, clock: FakeClock, person: Tracker
) -> None:
    other = Tracker(store, user=USER, clock=clock)
    assert person.set_timezone("Asia/Tokyo").timezone == "Asia/Tokyo"
    assert person.settings().timezone == "Asia/Tokyo"
    assert person.today() == person.habits()[0].day
    # Another tracker keeps what it read when it was made, until it asks again.
    assert other.kept_settings.timezone == "Europe/Berlin"
    assert Tracker(store, user=USER, clock=clock).kept_settings.timezone == "Asia/Tokyo"
    assert other.settings().timezone == "Asia/Tokyo"
    assert other.today() == person.today()


def test_an_import_brings_its_settings_into_the_tracker(
    store: Store, clock: FakeClock, person: Tracker
) -> None:
    data = person.export()
    person.set_timezone("UTC")
    person.set_week_start("sunday")
    person.import_data(data, dry_run=True)
    assert person.settings().week_start == "sunday"
    person.import_data(data)
    assert person.settings() == Tracker(store, user=USER, clock=clock).settings()


def test_a_kept_tally_is_written_by_one_upsert(store: Store, person: Tracker) -> None:
    read = person.habits()[0].habit.id
    person.check(read)  # the habit's kept tally is stale now
    with counted(store) as sent:
        person.habits()
    writes = [s for s in sent if "tallies" in s and not s.startswith("SELECT")]
    assert len(writes) == 1, writes
    assert writes[0].startswith("INSERT")
    assert "ON CONFLICT" in writes[0]
    again = [s.stats for s in person.habits()]
    assert [s.stats for s in person.habits()] == again


def test_the_calendar_and_the_score_come_from_one_read(store: Store, person: Tracker) -> None:
    with counted(store) as sent:
        days, steps = person.calendar_and_score("Read", 60)
    assert len([s for s in sent if "FROM checkins" in s]) == 1
    assert days == person.calendar("Read", 60)
    assert steps == person.explain_score("Read")


class TestToggle:
    def test_done_and_back(self, person: Tracker) -> None:
        day = person.today()
        first = person.toggle("Read", day)
        assert (first.name, first.day, first.status, first.asks_amount) == (
            "Read",
            day,
            Status.DONE,
            False,
        )
        assert person.habits(only="Read")[0].state is DayState.DONE
        assert person.toggle("Read").status is None
        assert person.checkins("Read", day) == []

    def test_a_skipped_day_is_cleared_and_skip_toggles_skipping(self, person: Tracker) -> None:
        person.skip("Walk")
        assert person.toggle("Walk").status is None
        assert person.toggle("Walk", skip=True).status is Status.SKIPPED
        assert person.toggle("Walk", skip=True).status is None
        person.check("Walk")
        assert person.toggle("Walk", skip=True).status is Status.SKIPPED  # done becomes skipped
        assert person.habits(only="Walk")[0].state is DayState.SKIPPED

    def test_a_measurable_habit_asks_for_an_amount_until_done(self, person: Tracker) -> None:
        person.add_habit("Water", target=8, unit="glasses")
        asked = person.toggle("Water")
        assert (asked.asks_amount, asked.status, asked.amount) == (True, None, None)
        assert (asked.target, asked.unit) == (8, "glasses")
        person.check("Water", amount=3)
        asked = person.toggle("Water")
        assert (asked.asks_amount, asked.status, asked.amount) == (True, Status.DONE, 3)
        person.check("Water", amount=8)
        assert person.toggle("Water").status is None  # done: cleared
        assert person.checkins("Water") == []

    def test_a_day_before_the_start_moves_it_back(self, person: Tracker) -> None:
        habit = person.add_habit("Late")
        day = person.today() - timedelta(days=3)
        assert person.toggle("Late", day).status is Status.DONE
        assert person.habit("Late").start == day
        assert person.habit(habit.id).start == day

    def test_an_archived_habit_is_refused(self, person: Tracker) -> None:
        person.archive("Code")
        with pytest.raises(HabitArchived):
            person.toggle("Code")
