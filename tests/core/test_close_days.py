"""Rollover through the store: each (habit, day) is reported once, in order, at the day start."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from habitcore.rules.rollover import Outcome
from habitcore.storage.store import Store
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def test_a_day_closes_once_at_the_local_day_start(tracker: Tracker, clock: FakeClock) -> None:
    tracker.set_timezone("Asia/Tokyo")  # UTC+9
    tracker.set_day_start("04:00")
    tracker.add_habit("Read")  # today in Tokyo: 2026-01-10 (21:00 local)
    tracker.check("Read")
    # 2026-01-11 03:59 in Tokyo: the 10th has not ended yet.
    assert tracker.close_days(at(10, 18, 59)) == []
    results = tracker.close_days(at(10, 19, 0))  # 04:00 on the 11th in Tokyo
    assert [(r.habit, r.day, r.outcome, r.streak) for r in results] == [
        ("Read", date(2026, 1, 10), Outcome.DONE, 1)
    ]
    assert tracker.close_days(at(10, 19, 0)) == []
    assert tracker.close_days(at(10, 23, 0)) == []


def test_catch_up_after_downtime_reports_every_day_in_order(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 10))
    tracker.add_habit("Run", "3/week", start=date(2026, 1, 10))
    clock.set(at(14))
    for day in (10, 11, 12):
        tracker.check("Read", day=date(2026, 1, day))
    tracker.skip("Read", day=date(2026, 1, 14))
    tracker.check("Run", day=date(2026, 1, 10))
    clock.set(at(17))
    results = tracker.close_days()
    read = [(r.day.day, r.outcome, r.streak, r.broken) for r in results if r.habit == "Read"]
    assert read == [
        (10, Outcome.DONE, 1, None),
        (11, Outcome.DONE, 2, None),
        (12, Outcome.DONE, 3, None),
        (13, Outcome.MISSED, 0, 3),
        (14, Outcome.SKIPPED, 0, None),
        (15, Outcome.MISSED, 0, None),
        (16, Outcome.MISSED, 0, None),
    ]
    run = [(r.day.day, r.outcome) for r in results if r.habit == "Run"]
    # The week of Mon 5th to Sun 11th asked for ceil(3 x 2/7) = 1 run, and got it on the 10th.
    assert run[:2] == [(10, Outcome.DONE), (11, Outcome.OPEN)]
    assert [r.streak for r in results if r.habit == "Run" and r.day.day == 11] == [1]
    assert [r.day for r in results] == sorted(r.day for r in results)
    assert tracker.close_days() == []


def test_closing_day_by_day_equals_closing_at_once(store: Store) -> None:
    def scenario(tracker: Tracker) -> None:
        tracker.set_timezone("UTC")
        tracker.add_habit("Read", start=date(2026, 1, 1))
        tracker.add_habit("Gym", "mon,wed,fri", start=date(2026, 1, 1))
        for day in (1, 2, 3, 5, 6, 7, 8, 9, 12, 14):
            tracker.check("Read", day=date(2026, 1, day))
            tracker.check("Gym", day=date(2026, 1, day))

    stepwise = Tracker(store, user="a", clock=FakeClock(at(1)))
    scenario_clock = stepwise.clock
    assert isinstance(scenario_clock, FakeClock)
    scenario_clock.set(at(14))
    scenario(stepwise)
    at_once = Tracker(store, user="b", clock=FakeClock(at(14)))
    scenario(at_once)
    # Both were created on the 14th: move their closing point back to before the start.
    with store.write() as session:
        from sqlalchemy import text

        session.execute(text("UPDATE habits SET closed_through = '2025-12-31'"))
    daily = []
    for day in range(2, 16):
        daily.extend(stepwise.close_days(at(day, 0, 30)))
    together = at_once.close_days(at(15, 0, 30))
    assert [(r.habit, r.day, r.outcome, r.streak, r.broken, r.record) for r in daily] == [
        (r.habit, r.day, r.outcome, r.streak, r.broken, r.record) for r in together
    ]
    records = [(r.habit, r.day.day) for r in together if r.record]
    assert ("Read", 8) in records  # the run from the 5th passed the first run of 3 on the 8th
    assert ("Read", 6) not in records
    assert [r.broken for r in together if r.habit == "Read" and r.day.day == 4] == [3]


def test_two_processes_closing_at_once_report_each_day_once(store: Store) -> None:
    setup = Tracker(store, clock=FakeClock(at(1)))
    setup.set_timezone("UTC")
    for n in range(20):
        setup.add_habit(f"Habit {n}", start=date(2026, 1, 1))
    barrier = threading.Barrier(4)
    found: list[tuple[str, date]] = []
    lock = threading.Lock()

    def close() -> None:
        tracker = Tracker(store, clock=FakeClock(at(11)))
        barrier.wait()
        results = tracker.close_days()
        with lock:
            found.extend((r.habit, r.day) for r in results)

    threads = [threading.Thread(target=close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 20 * 10
    assert len(set(found)) == len(found)


def test_new_and_backdated_habits_report_only_days_that_end_from_now(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Old", start=date(2025, 6, 1))
    clock.advance(days=1)
    assert [(r.habit, r.day) for r in tracker.close_days()] == [("Old", date(2026, 1, 10))]


def test_unarchiving_does_not_report_the_archived_months(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Read")
    tracker.archive("Read")
    clock.advance(days=90)
    tracker.unarchive("Read")
    clock.advance(days=1)
    assert [r.day for r in tracker.close_days()] == [tracker.today() - timedelta(days=1)]
