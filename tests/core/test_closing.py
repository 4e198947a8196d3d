"""Rollover for many users, each at their own day start, found by index and taken once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from habitcore.closing import close_due_days
from habitcore.rules.days import day_end_instant, habit_day, local_instant
from habitcore.storage.store import Store
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker
from strategies import dst_zone_names, times_of_day


def utc(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def person(store: Store, who: str, zone: str, at: datetime, day_start: str = "00:00") -> Tracker:
    tracker = Tracker(store, user=who, clock=FakeClock(at))
    tracker.set_timezone(zone)
    tracker.set_day_start(day_start)
    tracker.add_habit("Read")
    return tracker


def test_each_user_closes_at_their_own_day_start(store: Store) -> None:
    start = utc(10, 12)  # 21:00 in Tokyo, 07:00 in New York, on the 10th
    tokyo = person(store, "telegram:1", "Asia/Tokyo", start)
    person(store, "telegram:2", "America/New_York", start)
    tokyo.check("Read")
    assert close_due_days(store, utc(10, 14, 59)) == {}
    at_tokyo_midnight = close_due_days(store, utc(10, 15, 0))
    assert list(at_tokyo_midnight) == ["telegram:1"]
    assert [(r.day, r.outcome.value) for r in at_tokyo_midnight["telegram:1"]] == [
        (date(2026, 1, 10), "done")
    ]
    assert close_due_days(store, utc(10, 16)) == {}
    at_new_york_midnight = close_due_days(store, utc(11, 5, 0))
    assert list(at_new_york_midnight) == ["telegram:2"]
    assert [r.outcome.value for r in at_new_york_midnight["telegram:2"]] == ["missed"]


def test_downtime_catches_up_every_day_once(store: Store) -> None:
    person(store, "telegram:1", "UTC", utc(10, 12))
    results = close_due_days(store, utc(14, 9))
    assert [r.day.day for r in results["telegram:1"]] == [10, 11, 12, 13]
    assert close_due_days(store, utc(14, 10)) == {}


def test_a_new_zone_or_day_start_moves_the_close(store: Store) -> None:
    tracker = person(store, "telegram:1", "UTC", utc(10, 12))
    tracker.set_day_start("04:00")
    assert close_due_days(store, utc(11, 3, 59)) == {}
    assert list(close_due_days(store, utc(11, 4))) == ["telegram:1"]


def test_an_unreachable_user_is_skipped_until_reactivated(store: Store) -> None:
    tracker = person(store, "telegram:1", "UTC", utc(10, 12))
    tracker.set_active(False)
    assert close_due_days(store, utc(12)) == {}
    tracker.set_active(True)  # at the tracker's clock, the 10th: closes at the 11th's start
    assert [r.day.day for r in close_due_days(store, utc(12))["telegram:1"]] == [10, 11]


def test_several_processes_take_each_user_once(store: Store) -> None:
    for n in range(12):
        person(store, f"telegram:{n}", "Europe/Berlin", utc(10, 12))
    barrier = threading.Barrier(3)
    taken: list[tuple[str, date]] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        found = close_due_days(store, utc(12, 12))
        with lock:
            taken.extend((who, r.day) for who, results in found.items() for r in results)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(
        (f"telegram:{n}", date(2026, 1, day)) for n in range(12) for day in (10, 11)
    )


def test_finding_whose_day_ended_reads_only_them(store: Store) -> None:
    def statements_for(idle: int) -> int:
        with store.write() as session:
            for table in ("checkins", "reminders", "habits", "pauses", "users"):
                session.execute(sa.text(f"DELETE FROM {table}"))
        person(store, "due:1", "UTC", utc(10, 12))
        person(store, "due:2", "UTC", utc(10, 12))
        for n in range(idle):
            person(store, f"idle:{n}", "Pacific/Kiritimati", utc(10, 12))  # UTC+14: not yet
        count = 0

        def counting(*_args: object) -> None:
            nonlocal count
            count += 1

        sa.event.listen(store.engine, "before_cursor_execute", counting)
        try:
            found = close_due_days(store, utc(11, 9, 59))  # Kiritimati's day ends at 10:00 UTC
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", counting)
        assert sorted(found) == ["due:1", "due:2"]
        return count

    assert statements_for(3) == statements_for(40)


@given(zone=dst_zone_names, at=times_of_day, offset=st.integers(0, 365 * 24))
def test_a_day_ends_exactly_when_the_next_habit_day_begins(
    zone: str, at: time, offset: int
) -> None:
    tz = ZoneInfo(zone)
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=offset)
    ends = day_end_instant(now, tz, at)
    today = habit_day(now, tz, at)
    assert ends > now
    assert ends == local_instant(today + timedelta(days=1), at, tz)
    assert habit_day(ends, tz, at) == today + timedelta(days=1)
