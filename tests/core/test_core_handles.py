"""Short handles a frontend keeps: typed UTC offsets, habit ids, users by external id, prefixes.

Storage tests run on SQLite and PostgreSQL. The clock starts at 2026-01-10 12:00 UTC (a Saturday).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from habitcore import delivery
from habitcore.closing import close_due_days
from habitcore.errors import DuplicateHabit, HabitArchived, HabitNotFound, InvalidTimezone
from habitcore.rules.days import offset_zone, parse_timezone
from habitcore.rules.habits import Status
from habitcore.rules.reminders import DEFAULT_GRACE
from habitcore.storage.store import Store
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker, user_exists

TODAY = date(2026, 1, 10)


def utc(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def snapshot(tracker: Tracker) -> dict[str, object]:
    """Everything the user has, to prove a refused call changed nothing."""
    document = tracker.export()
    document.pop("exported_at")
    return document


# -- typed UTC offsets -------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31, 23, 59), timezones=st.just(UTC)
)

# What a person types for each part-hour offset in use, and what it means.
PART_HOURS = {
    "-9:30": timedelta(hours=-9, minutes=-30),
    "-3:30": timedelta(hours=-3, minutes=-30),
    "+3:30": timedelta(hours=3, minutes=30),
    "+4:30": timedelta(hours=4, minutes=30),
    "+5:30": timedelta(hours=5, minutes=30),
    "+5:45": timedelta(hours=5, minutes=45),
    "+6:30": timedelta(hours=6, minutes=30),
    "+8:45": timedelta(hours=8, minutes=45),
    "+9:30": timedelta(hours=9, minutes=30),
    "+10:30": timedelta(hours=10, minutes=30),
    "+12:45": timedelta(hours=12, minutes=45),
}


@given(hours=st.integers(-12, 14), instant=instants)
def test_a_whole_hour_offset_is_that_offset_at_every_instant(hours: int, instant: datetime) -> None:
    zone = parse_timezone(f"{hours:+d}")
    assert instant.astimezone(zone).utcoffset() == timedelta(hours=hours)


@given(hours=st.integers(-12, 14), spelling=st.integers(0, 5))
def test_every_spelling_of_an_offset_is_the_same_zone(hours: int, spelling: int) -> None:
    sign = "-" if hours < 0 else "+"
    size = abs(hours)
    text = [
        f"{sign}{size}",
        f"UTC{sign}{size}",
        f"gmt{sign}{size:02d}:00",
        f"{sign}{size:02d}00",
        f"  Utc {sign}{size}.00 ",
        f"GMT{sign}{size}",
    ][spelling]
    assert parse_timezone(text).key == parse_timezone(f"{hours:+d}").key
    assert offset_zone(text) == parse_timezone(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("+3", "Etc/GMT-3"),
        ("-5", "Etc/GMT+5"),
        ("+05:00", "Etc/GMT-5"),
        ("UTC+14", "Etc/GMT-14"),
        ("utc-12", "Etc/GMT+12"),
        ("+0", "UTC"),
        ("-0", "UTC"),
        ("GMT+00:00", "UTC"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+0530", "Asia/Kolkata"),
        ("gmt-03:30", "America/St_Johns"),
        ("+5:45", "Asia/Kathmandu"),
    ],
)
def test_typed_offsets_become_zones(text: str, key: str) -> None:
    assert parse_timezone(text).key == key


@pytest.mark.parametrize("text", sorted(PART_HOURS))
def test_a_part_hour_offset_is_a_zone_whose_clock_reads_it(text: str) -> None:
    typed = PART_HOURS[text]
    zone = parse_timezone(text)
    seasons = [datetime(2026, month, 15, 12, tzinfo=UTC).astimezone(zone) for month in (1, 7)]
    # St John's, Lord Howe and Chatham keep DST: in one of January or July the clock reads it.
    assert typed in [moment.utcoffset() for moment in seasons]
    for moment in seasons:
        assert moment.utcoffset() - moment.dst() == typed  # type: ignore[operator]


@given(text=st.sampled_from(sorted(PART_HOURS)), instant=instants)
def test_a_part_hour_zone_keeps_that_standard_offset(text: str, instant: datetime) -> None:
    local = instant.astimezone(parse_timezone(text))
    assert local.utcoffset() - local.dst() == PART_HOURS[text]  # type: ignore[operator]


@pytest.mark.parametrize("text", ["+15", "-13", "+14:30", "-12:30", "+5:15", "+0:30", "+3:75"])
def test_offsets_not_in_use_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidTimezone, match=r"offset such as \+3") as raised:
        parse_timezone(text)
    assert text in str(raised.value)
    with pytest.raises(InvalidTimezone):
        offset_zone(text)


@pytest.mark.parametrize(
    "text", ["localtime", "posixrules", "Factory", "factory", "posix/Europe/Moscow", "right/UTC"]
)
def test_zone_files_that_name_no_place_are_refused(tracker: Tracker, text: str) -> None:
    """They open on many machines, but mean the server's own zone or no zone at all."""
    before = tracker.settings()
    with pytest.raises(InvalidTimezone, match="is not a time zone"):
        tracker.set_timezone(text)
    assert tracker.settings() == before


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("europe/moscow", "Europe/Moscow"),
        ("UTC", "UTC"),
        ("Etc/GMT-3", "Etc/GMT-3"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_zone_names_still_work_and_are_no_offsets(text: str, key: str) -> None:
    assert offset_zone(text) is None
    assert parse_timezone(text).key == key


def test_a_bad_name_mentions_offsets_too() -> None:
    with pytest.raises(InvalidTimezone, match=r"Europe/Moscow.*offset such as \+3"):
        parse_timezone("Mars/Olympus")


def test_a_typed_offset_sets_the_users_day(tracker: Tracker, clock: FakeClock) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    clock.set(utc(10, 22, 30))  # 01:30 on the 11th at +3, 17:30 on the 10th at -5
    assert tracker.set_timezone("+3").timezone == "Etc/GMT-3"
    assert tracker.settings().timezone == "Etc/GMT-3"
    assert tracker.today() == date(2026, 1, 11)
    assert tracker.check("Read").day == date(2026, 1, 11)
    assert tracker.set_timezone("UTC-5").timezone == "Etc/GMT+5"
    assert tracker.today() == date(2026, 1, 10)
    clock.set(utc(11, 4, 59))
    assert tracker.today() == date(2026, 1, 10)
    clock.set(utc(11, 5, 0))
    assert tracker.today() == date(2026, 1, 11)
    assert tracker.set_timezone("+5:30").timezone == "Asia/Kolkata"


def test_a_refused_offset_keeps_the_zone(tracker: Tracker) -> None:
    tracker.set_timezone("+3")
    with pytest.raises(InvalidTimezone):
        tracker.set_timezone("+15")
    assert tracker.settings().timezone == "Etc/GMT-3"


# -- habit ids ---------------------------------------------------------------------------------


def test_the_id_survives_a_rename(tracker: Tracker) -> None:
    read = tracker.add_habit("Read")
    other = tracker.add_habit("Run")
    assert read.id > 0
    assert other.id not in (0, read.id)
    renamed = tracker.edit_habit(read.id, new_name="Read a book")
    assert (renamed.id, renamed.name) == (read.id, "Read a book")
    assert tracker.habit("read a book").id == read.id
    assert tracker.habit(read.id).name == "Read a book"
    assert [h.habit.id for h in tracker.habits()] == [read.id, other.id]


def test_checking_by_id_marks_that_habit(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    run = tracker.add_habit("Run", target=5, unit="km")
    checked = tracker.check(run.id, amount=3)
    assert (checked.day, checked.status, checked.amount) == (TODAY, Status.DONE, 3)
    assert [(c.day, c.amount) for c in tracker.checkins("Run")] == [(TODAY, 3)]
    assert tracker.checkins("Read") == []


def test_every_habit_method_takes_the_id(tracker: Tracker) -> None:
    read = tracker.add_habit("Read", start=date(2026, 1, 1))
    for day in (2, 3, 4):
        tracker.check(read.id, day=date(2026, 1, day))
    assert tracker.skip(read.id, day=date(2026, 1, 5)).status is Status.SKIPPED
    tracker.check(read.id, day=date(2026, 1, 6))
    assert tracker.uncheck(read.id, day=date(2026, 1, 6)) is True
    assert tracker.uncheck(read.id, day=date(2026, 1, 6)) is False
    assert [(c.day.day, c.status) for c in tracker.checkins(read.id)] == [
        (2, Status.DONE),
        (3, Status.DONE),
        (4, Status.DONE),
        (5, Status.SKIPPED),
    ]
    assert tracker.stats(read.id) == tracker.stats("Read")
    assert tracker.stats(read.id).best_streak == 3
    assert tracker.calendar(read.id, days=14) == tracker.calendar("Read", days=14)
    assert tracker.explain_score(read.id) == tracker.explain_score("Read")
    tracker.pause(read.id, start=date(2026, 1, 12), end=date(2026, 1, 20))
    assert [(p.start, p.end) for p in tracker.pauses(read.id)] == [
        (date(2026, 1, 12), date(2026, 1, 20))
    ]
    assert tracker.pauses("Read") == tracker.pauses(read.id)
    assert tracker.pauses() == []  # a pause of one habit is no vacation
    assert len(tracker.resume(read.id)) == 1
    assert tracker.pauses(read.id) == []
    assert tracker.edit_habit(read.id, schedule="3/week").schedule == "3/week"
    assert tracker.delete_habit(read.id).id == read.id
    assert tracker.habits() == []


def test_an_archived_habit_is_reached_by_its_id(tracker: Tracker) -> None:
    read = tracker.add_habit("Read")
    assert tracker.archive(read.id).archived is True
    assert tracker.habit(read.id).archived is True
    with pytest.raises(HabitArchived, match="unarchive it first"):
        tracker.check(read.id)
    with pytest.raises(HabitArchived):
        tracker.archive(read.id)
    assert tracker.checkins(read.id) == []
    assert tracker.unarchive(read.id).archived is False
    with pytest.raises(HabitNotFound):
        tracker.unarchive(read.id)  # it is not archived any more
    assert tracker.check(read.id).day == TODAY


def test_an_id_picks_the_archived_one_of_two_namesakes(tracker: Tracker) -> None:
    old = tracker.add_habit("Read", start=date(2026, 1, 1))
    tracker.check(old.id, day=date(2026, 1, 2))
    tracker.archive(old.id)
    new = tracker.add_habit("Read", start=date(2026, 1, 5))
    tracker.check("Read", day=date(2026, 1, 6))
    tracker.check("Read")
    assert new.id != old.id

    assert tracker.habit(old.id).archived is True
    assert [c.day for c in tracker.checkins(old.id)] == [date(2026, 1, 2)]
    with pytest.raises(DuplicateHabit):
        tracker.unarchive(old.id)  # its name is taken by the active one

    gone = tracker.delete_habit(old.id)
    assert (gone.id, gone.archived) == (old.id, True)
    with pytest.raises(HabitNotFound):
        tracker.habit(old.id)
    assert [h.habit.id for h in tracker.habits(archived=True)] == [new.id]
    kept = tracker.habit("Read")
    assert (kept.id, kept.archived, kept.start) == (new.id, False, date(2026, 1, 5))
    assert [c.day for c in tracker.checkins(new.id)] == [date(2026, 1, 6), TODAY]


def test_by_name_the_active_namesake_is_deleted_not_the_archived(tracker: Tracker) -> None:
    old = tracker.add_habit("Read")
    tracker.archive("Read")
    new = tracker.add_habit("Read")
    assert tracker.delete_habit("Read").id == new.id
    assert tracker.habit(old.id).archived is True


def test_an_unknown_id_is_not_found(tracker: Tracker) -> None:
    read = tracker.add_habit("Read")
    before = snapshot(tracker)
    for missing in (read.id + 1000, 987_654_321):
        with pytest.raises(HabitNotFound, match=f"#{missing}"):
            tracker.check(missing)
        with pytest.raises(HabitNotFound):
            tracker.habit(missing)
        with pytest.raises(HabitNotFound):
            tracker.delete_habit(missing)
    assert snapshot(tracker) == before
    tracker.delete_habit(read.id)
    with pytest.raises(HabitNotFound):
        tracker.check(read.id)


OTHERS_HABIT: dict[str, Callable[[Tracker, int], Any]] = {
    "check": lambda t, i: t.check(i),
    "skip": lambda t, i: t.skip(i),
    "uncheck": lambda t, i: t.uncheck(i, day=date(2026, 1, 9)),
    "stats": lambda t, i: t.stats(i),
    "habit": lambda t, i: t.habit(i),
    "checkins": lambda t, i: t.checkins(i),
    "edit_habit": lambda t, i: t.edit_habit(i, new_name="Mine now"),
    "archive": lambda t, i: t.archive(i),
    "unarchive": lambda t, i: t.unarchive(i),
    "delete_habit": lambda t, i: t.delete_habit(i),
    "move": lambda t, i: t.move(i, 0),
    "pause": lambda t, i: t.pause(i, start=TODAY, end=date(2026, 1, 20)),
    "resume": lambda t, i: t.resume(i, today=date(2026, 1, 1)),
    "pauses": lambda t, i: t.pauses(i),
    "calendar": lambda t, i: t.calendar(i),
    "explain_score": lambda t, i: t.explain_score(i),
}


@pytest.mark.parametrize("action", sorted(OTHERS_HABIT))
def test_another_users_habit_id_is_not_found(store: Store, clock: FakeClock, action: str) -> None:
    alice = Tracker(store, user="telegram:1", clock=clock)
    bob = Tracker(store, user="telegram:2", clock=clock)
    diary = alice.add_habit("Secret diary", start=date(2026, 1, 1))
    alice.check(diary.id, day=date(2026, 1, 9))
    alice.pause(diary.id, start=date(2026, 1, 15), end=date(2026, 1, 16))
    if action == "unarchive":
        alice.archive(diary.id)
    bob.add_habit("Run")
    alices, bobs = snapshot(alice), snapshot(bob)
    with pytest.raises(HabitNotFound) as raised:
        OTHERS_HABIT[action](bob, diary.id)
    assert "Secret diary" not in str(raised.value)
    assert snapshot(alice) == alices
    assert snapshot(bob) == bobs


# -- users by external id ----------------------------------------------------------------------


def test_user_exists_without_creating_the_user(store: Store, clock: FakeClock) -> None:
    assert user_exists(store, "telegram:7") is False
    assert user_exists(store, "telegram:7") is False  # asking did not create them
    first = Tracker(store, user="telegram:7", clock=clock)
    assert first.created is True
    assert user_exists(store, "telegram:7") is True
    assert user_exists(store, "telegram:8") is False
    again = Tracker(store, user="telegram:7", clock=clock)
    assert again.created is False
    again.add_habit("Read")
    assert first.habit("Read").id == again.habit("Read").id  # the same user
    first.delete_user()
    assert user_exists(store, "telegram:7") is False
    fresh = Tracker(store, user="telegram:7", clock=clock)
    assert fresh.created is True
    assert fresh.habits() == []


# -- frontends sharing a database --------------------------------------------------------------


def brief(found: list[delivery.DueReminder]) -> list[tuple[str, str, int]]:
    return sorted((r.user, r.habit, r.habit_id) for r in found)


def with_reminder(store: Store, clock: FakeClock, user: str, habit: str, at: str) -> int:
    """Give ``user`` (in UTC) a habit with a reminder at ``at``; its id."""
    person = Tracker(store, user=user, clock=clock)
    person.set_timezone("UTC")
    return person.add_habit(habit, reminders=[at]).id


def test_a_prefix_takes_only_its_users_and_leaves_the_rest(store: Store, clock: FakeClock) -> None:
    ids = {
        who: with_reminder(store, clock, who, f"{who} habit", "13:00")
        for who in ("local", "telegram:1", "telegram:2", "telegramX:3")
    }
    at = utc(10, 13, 5)
    mine = delivery.due_reminders(store, at, DEFAULT_GRACE, prefix="telegram:")
    assert brief(mine) == [
        ("telegram:1", "telegram:1 habit", ids["telegram:1"]),
        ("telegram:2", "telegram:2 habit", ids["telegram:2"]),
    ]
    assert {(r.day, r.time, r.fire_at) for r in mine} == {(TODAY, "13:00", utc(10, 13))}
    assert delivery.due_reminders(store, at, DEFAULT_GRACE, prefix="telegram:") == []

    local = Tracker(store, clock=clock)
    assert brief(local.due_reminders(at)) == [("local", "local habit", ids["local"])]
    rest = delivery.due_reminders(store, at, DEFAULT_GRACE)
    assert brief(rest) == [("telegramX:3", "telegramX:3 habit", ids["telegramX:3"])]
    assert delivery.due_reminders(store, at, DEFAULT_GRACE) == []


def test_a_prefix_is_text_not_a_pattern(store: Store, clock: FakeClock) -> None:
    with_reminder(store, clock, "a_b:1", "Read", "13:00")
    with_reminder(store, clock, "axb:1", "Run", "13:00")
    with_reminder(store, clock, "a%:1", "Swim", "13:00")
    found = delivery.due_reminders(store, utc(10, 13), DEFAULT_GRACE, prefix="a_b:")
    assert brief(found) == [("a_b:1", "Read", found[0].habit_id)]
    closed = close_due_days(store, utc(11), prefix="a_b:")
    assert list(closed) == ["a_b:1"]
    assert sorted(close_due_days(store, utc(11), prefix="a%")) == ["a%:1"]


def test_a_prefix_with_only_other_users_due_returns(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two stand in for a full batch of a thousand firings, all someone else's.
    monkeypatch.setattr(delivery, "BATCH", 2)
    monkeypatch.setattr(delivery.find_due, "__defaults__", (None, 2))
    for n in range(3):
        with_reminder(store, clock, "local", f"Habit {n}", f"13:0{n}")
    result: list[list[delivery.DueReminder]] = []
    worker = threading.Thread(
        target=lambda: result.append(
            delivery.due_reminders(store, utc(10, 13, 10), DEFAULT_GRACE, prefix="telegram:")
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "due_reminders with a prefix kept looping"
    assert result == [[]]
    later = delivery.due_reminders(store, utc(10, 13, 10), DEFAULT_GRACE)
    assert sorted(r.habit for r in later) == ["Habit 0", "Habit 1", "Habit 2"]


def test_a_full_batch_of_other_users_firings_does_not_starve_a_prefix(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BATCH", 2)
    monkeypatch.setattr(delivery.find_due, "__defaults__", (None, 2))
    with_reminder(store, clock, "local", "Stretch", "13:00")
    with_reminder(store, clock, "local", "Water", "13:01")
    mine = with_reminder(store, clock, "telegram:1", "Read", "13:02")
    found = delivery.due_reminders(store, utc(10, 13, 10), DEFAULT_GRACE, prefix="telegram:")
    assert brief(found) == [("telegram:1", "Read", mine)]


def test_due_reminders_carry_the_habit_id_through_a_rename(store: Store, clock: FakeClock) -> None:
    habit_id = with_reminder(store, clock, "telegram:1", "Read", "13:00")
    Tracker(store, user="telegram:1", clock=clock).edit_habit(habit_id, new_name="Read more")
    [sent] = delivery.due_reminders(store, utc(10, 13), DEFAULT_GRACE, prefix="telegram:")
    assert (sent.habit, sent.habit_id) == ("Read more", habit_id)


def test_closing_with_a_prefix_leaves_other_users_for_later(store: Store, clock: FakeClock) -> None:
    for who in ("local", "telegram:1", "telegram:2", "web:1"):
        person = Tracker(store, user=who, clock=clock)
        person.set_timezone("UTC")
        person.add_habit("Read")
        if who == "telegram:1":
            person.check("Read")
    closed = close_due_days(store, utc(11, 0, 5), prefix="telegram:")
    assert sorted(closed) == ["telegram:1", "telegram:2"]
    assert [(r.day, r.outcome.value) for r in closed["telegram:1"]] == [(TODAY, "done")]
    assert [(r.day, r.outcome.value) for r in closed["telegram:2"]] == [(TODAY, "missed")]
    assert close_due_days(store, utc(11, 0, 10), prefix="telegram:") == {}

    rest = close_due_days(store, utc(11, 0, 15))
    assert sorted(rest) == ["local", "web:1"]
    assert [(r.day, r.outcome.value) for r in rest["local"]] == [(TODAY, "missed")]
    assert close_due_days(store, utc(11, 0, 20)) == {}


# -- the outcome of a delivery -----------------------------------------------------------------


def _log(store: Store) -> list[tuple[str, str]]:
    from habitcore.storage.tables import ReminderLogRow

    with store.read() as session:
        rows = session.exec(select(ReminderLogRow)).all()
    return sorted((str(r.day), r.decision) for r in rows)


def test_a_sent_firing_that_never_arrived_is_recorded_as_undelivered(
    store: Store, clock: FakeClock
) -> None:
    with_reminder(store, clock, "telegram:1", "Read", "13:00")
    (firing,) = delivery.due_reminders(store, utc(10, 13, 1), DEFAULT_GRACE, prefix="telegram:")
    assert _log(store) == [("2026-01-10", "sent")]
    assert delivery.mark_undelivered(store, firing.reminder_id, firing.day)
    assert _log(store) == [("2026-01-10", "undelivered")]
    # Only a sent firing can turn undelivered, and only once.
    assert not delivery.mark_undelivered(store, firing.reminder_id, firing.day)
    assert not delivery.mark_undelivered(store, firing.reminder_id, date(2026, 1, 9))
    assert _log(store) == [("2026-01-10", "undelivered")]


def test_claimed_firings_given_back_fire_again_once(store: Store, clock: FakeClock) -> None:
    with_reminder(store, clock, "telegram:1", "Read", "13:00")
    gone = with_reminder(store, clock, "telegram:2", "Walk", "13:00")
    claimed = delivery.due_reminders(store, utc(10, 13, 1), DEFAULT_GRACE, prefix="telegram:")
    assert len(claimed) == 2
    Tracker(store, user="telegram:2", clock=clock).delete_habit(gone)
    # The frontend could not send them (it was stopping): both are given back, in one go.
    delivery.rearm(store, [(f.reminder_id, f.day) for f in claimed], utc(10, 13, 5))
    assert delivery.due_reminders(store, utc(10, 13, 4), DEFAULT_GRACE) == []
    again = delivery.due_reminders(store, utc(10, 13, 5), DEFAULT_GRACE, prefix="telegram:")
    assert [(f.habit, f.day, f.snoozed) for f in again] == [("Read", TODAY, True)]
    assert delivery.due_reminders(store, utc(10, 13, 6), DEFAULT_GRACE) == []
    delivery.rearm(store, [], utc(10, 13, 7))  # nothing to give back is no error


def test_an_import_restores_a_chosen_zone_and_keeps_one_never_chosen(
    store: Store, clock: FakeClock
) -> None:
    chose = Tracker(store, user="telegram:10", clock=clock)
    chose.set_timezone("Asia/Tokyo")
    never = Tracker(store, user="telegram:11", clock=clock)  # still the default UTC
    assert not never.settings().timezone_set
    target = Tracker(store, user="telegram:12", clock=clock)
    target.set_timezone("Europe/Moscow")
    target.import_data(never.export())
    assert (target.settings().timezone, target.settings().timezone_set) == ("Europe/Moscow", True)
    target.import_data(chose.export())
    assert (target.settings().timezone, target.settings().timezone_set) == ("Asia/Tokyo", True)
