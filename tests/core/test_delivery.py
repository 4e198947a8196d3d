"""Reminders as a frontend sees them: what due_reminders hands out, when, once, and what it logs.

Everything here runs on SQLite and PostgreSQL. The local user is in UTC and the clock starts at
2026-01-10 12:00 UTC (a Saturday), so a "13:00" reminder added then first fires at 13:00 UTC
today, for habit day 2026-01-10.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import signal
import time
import traceback
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from habitcore import delivery, leases
from habitcore.delivery import DueReminder
from habitcore.errors import InvalidAmount, ReminderNotFound, StoreError
from habitcore.rules.reminders import DEFAULT_GRACE, Decision
from habitcore.storage.store import Store
from habitcore.storage.tables import HabitRow, ReminderLogRow, ReminderRow, UserRow
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

TODAY = date(2026, 1, 10)
LogEntry = tuple[str, date, datetime, str]  # habit, habit day, fire instant, decision


def utc(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def log_of(store: Store) -> list[LogEntry]:
    """The reminder log, oldest firing first, with each row's habit name."""
    query = (
        sa.select(
            HabitRow.name, ReminderLogRow.day, ReminderLogRow.fire_at, ReminderLogRow.decision
        )
        .join(ReminderRow, ReminderRow.id == ReminderLogRow.reminder_id)
        .join(HabitRow, HabitRow.id == ReminderRow.habit_id)
        .order_by(ReminderLogRow.fire_at, HabitRow.name)
    )
    with store.read() as session:
        rows = session.execute(query).all()
    return [(name, day, fire_at, decision) for name, day, fire_at, decision in rows]


def reminder_id(store: Store, habit: str) -> int:
    """The id of the one reminder of the habit called ``habit`` (any user)."""
    query = (
        sa.select(ReminderRow.id)
        .join(HabitRow, HabitRow.id == ReminderRow.habit_id)
        .where(HabitRow.name == habit)
    )
    with store.read() as session:
        [found] = session.execute(query).scalars().all()
    return found


def brief(found: list[DueReminder]) -> list[tuple[str, str, date, str, datetime]]:
    return sorted((r.user, r.habit, r.day, r.time, r.fire_at) for r in found)


# -- firing once -----------------------------------------------------------------------------------


def test_reminder_fires_at_its_time_exactly_once(
    tracker: Tracker, clock: FakeClock, store: Store, db_url: str
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    assert tracker.due_reminders(utc(10, 12, 59)) == []
    clock.set(utc(10, 13, 0))
    [sent] = tracker.due_reminders()
    assert sent.habit == "Read"
    assert sent.user == "local"
    assert sent.day == TODAY
    assert sent.time == "13:00"
    assert sent.fire_at == utc(10, 13)
    assert sent.snoozed is False
    assert sent.reminder_id == reminder_id(store, "Read")

    # Asking again, at the same moment or later that day, hands out nothing more ...
    assert tracker.due_reminders(utc(10, 13, 0)) == []
    assert tracker.due_reminders(utc(10, 13, 20)) == []
    assert delivery.due_reminders(store, utc(10, 13, 20), DEFAULT_GRACE) == []
    # ... nor does a fresh process on the same database (a restart).
    reopened = Store(db_url)
    try:
        assert Tracker(reopened, clock=clock).due_reminders(utc(10, 13, 5)) == []
    finally:
        reopened.close()

    assert log_of(store) == [("Read", TODAY, utc(10, 13), "sent")]

    # The next day it fires again, for the next habit day.
    [tomorrow] = tracker.due_reminders(utc(11, 13, 0))
    assert (tomorrow.day, tomorrow.fire_at) == (date(2026, 1, 11), utc(11, 13))


def test_several_reminders_of_one_habit_each_fire_once(tracker: Tracker, store: Store) -> None:
    tracker.add_habit("Water", reminders=["13:00", "15:30 sat", "16:00 mon"])  # TODAY is a Saturday

    assert [r.time for r in tracker.due_reminders(utc(10, 13))] == ["13:00"]
    assert [r.time for r in tracker.due_reminders(utc(10, 15, 30))] == ["15:30"]
    assert tracker.due_reminders(utc(10, 16)) == []  # Monday only
    assert tracker.due_reminders(utc(10, 23, 59)) == []
    assert [r.time for r in tracker.due_reminders(utc(12, 16))] == ["16:00"]
    assert Counter(entry[3] for entry in log_of(store)) == {"sent": 3, "missed": 2}


# -- suppressed ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["done", "skipped", "paused", "vacation"])
def test_reminder_is_suppressed_when_the_day_needs_nothing(
    tracker: Tracker, clock: FakeClock, store: Store, action: str
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    tracker.add_habit("Walk", reminders=["13:00"])
    if action == "done":
        tracker.check("Read")
    elif action == "skipped":
        tracker.skip("Read")
    elif action == "paused":
        tracker.pause("Read", start=TODAY, end=TODAY)
    else:
        tracker.pause(start=TODAY, end=TODAY)  # every habit: a vacation

    sent = tracker.due_reminders(utc(10, 13))

    expected_decision = "suppressed"
    if action == "vacation":
        assert sent == []
        assert log_of(store) == [
            ("Read", TODAY, utc(10, 13), expected_decision),
            ("Walk", TODAY, utc(10, 13), expected_decision),
        ]
    else:
        assert [r.habit for r in sent] == ["Walk"]
        assert log_of(store) == [
            ("Read", TODAY, utc(10, 13), expected_decision),
            ("Walk", TODAY, utc(10, 13), "sent"),
        ]
    # Suppressed means decided: it does not come back later that day.
    assert tracker.due_reminders(utc(10, 13, 10)) == []
    # The next day nothing was recorded, so it fires.
    assert "Read" in [r.habit for r in tracker.due_reminders(utc(11, 13))]


def test_partly_done_measurable_habit_is_still_reminded(tracker: Tracker, store: Store) -> None:
    tracker.add_habit("Pages", target=20, unit="pages", reminders=["13:00"])
    tracker.add_habit("Steps", target=20, unit="pages", reminders=["13:00"])
    tracker.check("Pages", amount=12)
    tracker.check("Steps", amount=20)

    assert [r.habit for r in tracker.due_reminders(utc(10, 13))] == ["Pages"]
    assert sorted((e[0], e[3]) for e in log_of(store)) == [
        ("Pages", "sent"),
        ("Steps", "suppressed"),
    ]


def test_no_reminders_through_a_pause_and_again_after_resume(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    tracker.pause("Read", start=TODAY, end=date(2026, 1, 20))

    for day in (10, 11):
        assert tracker.due_reminders(utc(day, 13)) == []
    clock.set(utc(12, 8))
    tracker.resume("Read")  # from today, the 12th, on

    [sent] = tracker.due_reminders(utc(12, 13))
    assert sent.day == date(2026, 1, 12)
    assert [e[3] for e in log_of(store)] == ["suppressed", "suppressed", "sent"]


def test_weekly_habit_is_not_reminded_once_the_week_target_is_met(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    # Weeks start on Monday (the default): 2026-01-05 to 2026-01-11, then from the 12th.
    tracker.add_habit("Run", "3/week", reminders=["13:00"], start=date(2026, 1, 5))
    tracker.add_habit("Swim", "3/week", reminders=["13:00"], start=date(2026, 1, 5))
    for day in (5, 6, 7):
        tracker.check("Run", day=date(2026, 1, day))
    for day in (5, 6):
        tracker.check("Swim", day=date(2026, 1, day))

    # Saturday: Run has its three, Swim has two of three.
    assert [r.habit for r in tracker.due_reminders(utc(10, 13))] == ["Swim"]
    # Sunday: still met for Run; Swim still short.
    assert [r.habit for r in tracker.due_reminders(utc(11, 13))] == ["Swim"]
    # Monday: a new week, nothing done yet for either.
    assert sorted(r.habit for r in tracker.due_reminders(utc(12, 13))) == ["Run", "Swim"]

    decisions = {(e[0], e[1]): e[3] for e in log_of(store)}
    assert decisions == {
        ("Run", date(2026, 1, 10)): "suppressed",
        ("Run", date(2026, 1, 11)): "suppressed",
        ("Run", date(2026, 1, 12)): "sent",
        ("Swim", date(2026, 1, 10)): "sent",
        ("Swim", date(2026, 1, 11)): "sent",
        ("Swim", date(2026, 1, 12)): "sent",
    }


# -- asked again when it really goes out --------------------------------------------------------


def claimed(store: Store, now: datetime, worker: str = "worker-a") -> list[DueReminder]:
    """Every firing due at ``now``, claimed under ``worker``'s lease as a frontend claims."""
    return [f for batch in delivery.claim(store, now, DEFAULT_GRACE, worker=worker) for f in batch]


def test_recheck_keeps_a_firing_nothing_happened_to(tracker: Tracker, store: Store) -> None:
    tracker.add_habit("Read", reminders=["13:00"], start=date(2026, 1, 1))
    [firing] = claimed(store, utc(10, 13))
    # What holds other days does not hold this one.
    tracker.pause(None, start=date(2026, 1, 5), end=date(2026, 1, 9))
    tracker.pause("Read", start=date(2026, 1, 11), end=date(2026, 1, 12))
    tracker.check("Read", day=date(2026, 1, 9))

    assert delivery.recheck(store, firing, utc(10, 13, 10), DEFAULT_GRACE) is Decision.SEND
    assert log_of(store) == []  # nothing is logged before the frontend confirms
    assert leases.confirm(store, [firing], utc(10, 13, 10)) == 1
    assert log_of(store) == [("Read", TODAY, utc(10, 13), "sent")]


@pytest.mark.parametrize("change", ["done", "skipped", "paused", "vacation", "archived", "deleted"])
def test_recheck_withdraws_a_firing_the_person_made_needless_meanwhile(
    tracker: Tracker, clock: FakeClock, store: Store, change: str
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    tracker.add_habit("Run", reminders=["13:00"])
    firings = {f.habit: f for f in claimed(store, utc(10, 13))}
    clock.set(utc(10, 13, 2))
    if change == "done":
        tracker.check("Read")
    elif change == "skipped":
        tracker.skip("Read")
    elif change == "paused":
        tracker.pause("Read", start=TODAY, end=TODAY)
    elif change == "vacation":  # every habit: Run's firing is no longer wanted either
        tracker.pause(None, start=TODAY - timedelta(days=1), end=TODAY)
    elif change == "archived":
        tracker.archive("Read")
    else:
        tracker.delete_habit("Read")

    decision = delivery.recheck(store, firings["Read"], utc(10, 13, 5), DEFAULT_GRACE)

    assert decision is Decision.SUPPRESS
    expected = [] if change == "deleted" else [("Read", TODAY, utc(10, 13), "suppressed")]
    assert [e for e in log_of(store) if e[0] == "Read"] == expected
    # The other habit's firing is untouched, and still wanted (but through a vacation).
    other = delivery.recheck(store, firings["Run"], utc(10, 13, 5), DEFAULT_GRACE)
    assert other is (Decision.SUPPRESS if change == "vacation" else Decision.SEND)
    assert [e[3] for e in log_of(store) if e[0] == "Run"] == (
        ["suppressed"] if change == "vacation" else []
    )
    # Settled, Read's firing is not handed out again once its lease would have passed.
    later = [f.habit for f in claimed(store, utc(10, 13, 20), "worker-b")]
    assert later == ([] if change == "vacation" else ["Run"])


def test_recheck_counts_a_period_target_met_meanwhile(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Run", "3/week", reminders=["13:00"], start=date(2026, 1, 5))
    for day in (5, 6):
        tracker.check("Run", day=date(2026, 1, day))
    [firing] = claimed(store, utc(10, 13))
    assert delivery.recheck(store, firing, utc(10, 13, 1), DEFAULT_GRACE) is Decision.SEND

    tracker.check("Run", day=date(2026, 1, 9))  # the third of the week, entered late

    assert delivery.recheck(store, firing, utc(10, 13, 2), DEFAULT_GRACE) is Decision.SUPPRESS
    assert log_of(store) == [("Run", TODAY, utc(10, 13), "suppressed")]


def test_recheck_turns_a_firing_held_past_the_grace_period_into_a_miss(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [firing] = claimed(store, utc(10, 13))
    late = utc(10, 13) + DEFAULT_GRACE

    assert delivery.recheck(store, firing, late, DEFAULT_GRACE) is Decision.SEND
    assert delivery.recheck(store, firing, late + timedelta(seconds=1), DEFAULT_GRACE) is (
        Decision.MISS
    )
    assert log_of(store) == [("Read", TODAY, utc(10, 13), "missed")]


def test_recheck_after_due_reminders_replaces_the_sent_entry(
    tracker: Tracker, store: Store
) -> None:
    """A library caller of ``due_reminders`` gets firings already logged sent; a recheck that
    says otherwise rewrites that entry."""
    tracker.add_habit("Read", reminders=["13:00"])
    [firing] = tracker.due_reminders(utc(10, 13))
    assert firing.claimed_by is None
    tracker.check("Read", day=TODAY)

    assert delivery.recheck(store, firing, utc(10, 13, 5), DEFAULT_GRACE) is Decision.SUPPRESS
    assert log_of(store) == [("Read", TODAY, utc(10, 13), "suppressed")]


# -- grace period and downtime ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("late", "decision"),
    [
        (timedelta(minutes=29), "sent"),
        (timedelta(minutes=30), "sent"),
        (timedelta(minutes=31), "missed"),
    ],
)
def test_default_grace_period(
    tracker: Tracker, store: Store, late: timedelta, decision: str
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    sent = tracker.due_reminders(utc(10, 13) + late)

    assert [r.fire_at for r in sent] == ([utc(10, 13)] if decision == "sent" else [])
    assert log_of(store) == [("Read", TODAY, utc(10, 13), decision)]
    assert tracker.due_reminders(utc(10, 13) + late) == []
    assert len(log_of(store)) == 1


def test_custom_grace_period(store: Store, clock: FakeClock) -> None:
    patient = Tracker(store, user="patient", clock=clock, reminder_grace=timedelta(hours=2))
    strict = Tracker(store, user="strict", clock=clock, reminder_grace=timedelta(minutes=5))
    patient.add_habit("Read", reminders=["13:00"])
    strict.add_habit("Read", reminders=["13:00"])

    assert [r.user for r in patient.due_reminders(utc(10, 14, 30))] == ["patient"]  # 90 min late
    assert strict.due_reminders(utc(10, 13, 6)) == []  # 6 min late
    assert [r.user for r in strict.due_reminders(utc(11, 13, 5))] == ["strict"]  # 5 min late

    # The all-users call takes its grace as an argument.
    patient.add_habit("Walk", reminders=["16:00"])
    everyone = delivery.due_reminders(store, utc(10, 16, 45), timedelta(hours=1))
    assert [(r.user, r.habit) for r in everyone] == [("patient", "Walk")]
    assert [e[3] for e in log_of(store) if e[0] == "Walk"] == ["sent"]


def test_downtime_drops_every_late_firing_and_logs_each_as_missed(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    # The service was down from before the first firing until 12:00 three days later.
    assert tracker.due_reminders(utc(13, 12)) == []

    assert log_of(store) == [
        ("Read", date(2026, 1, day), utc(day, 13), "missed") for day in (10, 11, 12)
    ]
    # Asking again logs nothing twice.
    assert tracker.due_reminders(utc(13, 12)) == []
    assert len(log_of(store)) == 3
    # The next firing, later today, is still scheduled.
    [sent] = tracker.due_reminders(utc(13, 13))
    assert (sent.day, sent.fire_at) == (date(2026, 1, 13), utc(13, 13))
    assert log_of(store)[-1] == ("Read", date(2026, 1, 13), utc(13, 13), "sent")


def test_downtime_ending_within_grace_of_a_firing_still_sends_that_one(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    # Back three days later at 13:10: the firings of the 10th to 12th are long gone, but the
    # 13th's is only ten minutes late, well within the 30-minute grace period.
    sent = tracker.due_reminders(utc(13, 13, 10))

    assert [(r.day, r.fire_at) for r in sent] == [(date(2026, 1, 13), utc(13, 13))]
    assert sorted(log_of(store)) == [
        ("Read", date(2026, 1, 10), utc(10, 13), "missed"),
        ("Read", date(2026, 1, 11), utc(11, 13), "missed"),
        ("Read", date(2026, 1, 12), utc(12, 13), "missed"),
        ("Read", date(2026, 1, 13), utc(13, 13), "sent"),
    ]


# -- snooze ----------------------------------------------------------------------------------------


def test_snooze_fires_again_after_the_duration_once(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    clock.set(utc(10, 13))
    [first] = tracker.due_reminders()

    again_at = tracker.snooze(first.reminder_id, first.day, timedelta(minutes=10))

    assert again_at == utc(10, 13, 10)
    assert tracker.due_reminders(utc(10, 13, 9)) == []
    [snoozed] = tracker.due_reminders(utc(10, 13, 10))
    assert snoozed.reminder_id == first.reminder_id
    assert snoozed.day == TODAY
    assert snoozed.time == "13:00"
    assert snoozed.fire_at == utc(10, 13, 10)
    assert tracker.due_reminders(utc(10, 13, 10)) == []
    assert tracker.due_reminders(utc(10, 18)) == []
    # The regular schedule carries on the next day, not snoozed.
    [tomorrow] = tracker.due_reminders(utc(11, 13))
    assert (tomorrow.day, tomorrow.snoozed) == (date(2026, 1, 11), False)
    assert [e[3] for e in log_of(store)] == ["sent", "sent", "sent"]


def test_snoozed_firing_is_marked_as_snoozed(tracker: Tracker) -> None:
    # A frontend words a snoozed reminder differently ("Still to do: ..."), so it must know.
    tracker.add_habit("Read", reminders=["13:00"])
    [first] = tracker.due_reminders(utc(10, 13))
    assert first.snoozed is False
    tracker.snooze(first.reminder_id, first.day, timedelta(minutes=10), now=utc(10, 13))

    [again] = tracker.due_reminders(utc(10, 13, 10))

    assert (again.reminder_id, again.fire_at) == (first.reminder_id, utc(10, 13, 10))
    assert again.snoozed is True


def test_snooze_does_not_swallow_the_next_regular_firing(tracker: Tracker, store: Store) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [first] = tracker.due_reminders(utc(10, 13))

    # "Remind me tomorrow": the longest snooze, landing on the next day's own firing.
    tracker.snooze(first.reminder_id, first.day, timedelta(hours=24), now=utc(10, 13))

    handed_out = tracker.due_reminders(utc(11, 13)) + tracker.due_reminders(utc(11, 13, 5))
    # Only the 10th's reminder was postponed; the 11th's own reminder still fires.
    assert date(2026, 1, 11) in [r.day for r in handed_out]


def test_snoozed_reminder_is_suppressed_if_done_meanwhile(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [first] = tracker.due_reminders(utc(10, 13))
    tracker.snooze(first.reminder_id, first.day, timedelta(minutes=15), now=utc(10, 13))
    clock.set(utc(10, 13, 5))
    tracker.check("Read")

    assert tracker.due_reminders(utc(10, 13, 15)) == []
    assert log_of(store)[-1] == ("Read", TODAY, utc(10, 13, 15), "suppressed")


def test_snooze_refuses_bad_durations_and_other_peoples_reminders(
    tracker: Tracker, store: Store, clock: FakeClock
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    other = Tracker(store, user="someone-else", clock=clock)
    [first] = tracker.due_reminders(utc(10, 13))

    for duration in (timedelta(0), timedelta(seconds=30), timedelta(hours=25)):
        with pytest.raises(InvalidAmount):
            tracker.snooze(first.reminder_id, first.day, duration)
    with pytest.raises(ReminderNotFound):
        other.snooze(first.reminder_id, first.day, timedelta(minutes=10))
    # Nothing was snoozed by the refused calls.
    assert tracker.due_reminders(utc(10, 23)) == []


# -- settings that move reminders ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "fire_at"),
    [
        # New York is UTC-5 in January: at 12:00 UTC it is 07:00 there, 13:00 is still ahead.
        ("America/New_York", TODAY, utc(10, 18)),
        # Tokyo is UTC+9: at 12:00 UTC it is 21:00 there, so the next 13:00 is tomorrow's.
        ("Asia/Tokyo", date(2026, 1, 11), utc(11, 4)),
    ],
)
def test_changing_time_zone_moves_reminders_to_the_new_local_time(
    tracker: Tracker, store: Store, zone: str, day: date, fire_at: datetime
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    tracker.set_timezone(zone)

    assert tracker.due_reminders(utc(10, 13)) == []
    assert tracker.due_reminders(fire_at - timedelta(minutes=1)) == []
    [sent] = tracker.due_reminders(fire_at)
    assert (sent.day, sent.fire_at, sent.time) == (day, fire_at, "13:00")
    assert log_of(store) == [("Read", day, fire_at, "sent")]  # nothing logged at the old time


def test_changing_time_zone_does_not_repeat_a_reminder_already_sent_that_day(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [sent] = tracker.due_reminders(utc(10, 13))
    assert sent.day == TODAY

    # At 14:00 UTC the person flies to New York, where it is 09:00 on the same date.
    clock.set(utc(10, 14))
    tracker.set_timezone("America/New_York")

    # 13:00 in New York (18:00 UTC) is the same habit day's reminder again: it was sent.
    assert tracker.due_reminders(utc(10, 18)) == []
    [next_day] = tracker.due_reminders(utc(11, 18))
    assert next_day.day == date(2026, 1, 11)


def test_changing_day_start_moves_a_night_reminder_to_the_habit_day_before(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["01:00"])

    tracker.set_day_start("04:00")
    tracker.check("Read")  # habit day 2026-01-10, done on the evening of the 10th

    # 01:00 on the 11th belongs to habit day the 10th now, which is done: no reminder.
    assert tracker.due_reminders(utc(11, 1)) == []
    assert log_of(store) == [("Read", TODAY, utc(11, 1), "suppressed")]
    # 01:00 on the 12th is for habit day the 11th, not done.
    [sent] = tracker.due_reminders(utc(12, 1))
    assert (sent.day, sent.fire_at) == (date(2026, 1, 11), utc(12, 1))


def test_without_a_late_day_start_the_night_reminder_is_the_next_days(tracker: Tracker) -> None:
    tracker.add_habit("Read", reminders=["01:00"])
    tracker.check("Read")  # the 10th done; 01:00 on the 11th is the 11th's reminder

    [sent] = tracker.due_reminders(utc(11, 1))
    assert sent.day == date(2026, 1, 11)


def test_editing_the_schedule_reschedules(tracker: Tracker) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    tracker.edit_habit("Read", schedule="mon,wed")  # today is a Saturday

    assert tracker.due_reminders(utc(11, 23)) == []
    [sent] = tracker.due_reminders(utc(12, 13))
    assert sent.day == date(2026, 1, 12)


def test_dst_gap_and_repeated_hour_through_the_store(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    clock.set(utc(7, 12, month=3))
    tracker.set_timezone("America/New_York")
    tracker.add_habit("Night owl", reminders=["02:30"])

    # 2026-03-08: 02:30 does not exist in New York; the clocks jump at 07:00 UTC.
    assert tracker.due_reminders(utc(8, 6, 59, month=3)) == []
    [gap] = tracker.due_reminders(utc(8, 7, month=3))
    assert (gap.habit, gap.day, gap.fire_at) == ("Night owl", date(2026, 3, 8), utc(8, 7, month=3))

    # 2026-11-01: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST): once only.
    clock.set(utc(31, 12, month=10))
    tracker.archive("Night owl")
    tracker.add_habit("Late", reminders=["01:30"])
    [first] = tracker.due_reminders(utc(1, 5, 30, month=11))
    assert (first.day, first.fire_at) == (date(2026, 11, 1), utc(1, 5, 30, month=11))
    assert tracker.due_reminders(utc(1, 6, 30, month=11)) == []
    assert tracker.due_reminders(utc(1, 6, 45, month=11)) == []
    [after] = tracker.due_reminders(utc(2, 6, 30, month=11))
    assert after.day == date(2026, 11, 2)
    late_log = [e for e in log_of(store) if e[0] == "Late" and e[1] == date(2026, 11, 1)]
    assert late_log == [("Late", date(2026, 11, 1), utc(1, 5, 30, month=11), "sent")]


# -- who gets nothing ------------------------------------------------------------------------------


def test_archived_habit_gets_no_reminders_until_unarchived(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    tracker.add_habit("Walk", reminders=["13:00"])
    tracker.archive("Read")

    assert [r.habit for r in tracker.due_reminders(utc(10, 13))] == ["Walk"]
    assert delivery.due_reminders(store, utc(11, 13), DEFAULT_GRACE)[0].habit == "Walk"
    assert [e[0] for e in log_of(store)] == ["Walk", "Walk"]

    clock.set(utc(11, 14))
    tracker.unarchive("Read")
    assert sorted(r.habit for r in tracker.due_reminders(utc(12, 13))) == ["Read", "Walk"]


def test_inactive_user_gets_no_reminders_until_reactivated(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    friend = Tracker(store, user="telegram:2", clock=clock)
    tracker.add_habit("Read", reminders=["13:00"])
    friend.add_habit("Read", reminders=["13:00"])

    tracker.set_active(False)
    tracker.add_habit("Walk", reminders=["13:00"])  # added while unreachable

    assert tracker.due_reminders(utc(10, 13)) == []
    everyone = delivery.due_reminders(store, utc(10, 13), DEFAULT_GRACE)
    assert [r.user for r in everyone] == ["telegram:2"]
    assert delivery.due_reminders(store, utc(11, 13), DEFAULT_GRACE)[0].user == "telegram:2"
    assert {e[0] for e in log_of(store)} == {"Read"}
    assert len(log_of(store)) == 2  # the friend's two, none missed for the inactive user

    clock.set(utc(11, 14))
    tracker.set_active(True)
    assert sorted(r.habit for r in tracker.due_reminders(utc(12, 13))) == ["Read", "Walk"]


def test_two_users_interleaved_each_get_only_their_own(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    other = Tracker(store, user="telegram:2", clock=clock)
    other.set_timezone("UTC")
    tracker.add_habit("Read", reminders=["13:00"])
    other.add_habit("Walk", reminders=["13:00", "13:30"])
    other.add_habit("Read", reminders=["13:00"])

    mine = tracker.due_reminders(utc(10, 13))
    assert brief(mine) == [("local", "Read", TODAY, "13:00", utc(10, 13))]
    theirs = other.due_reminders(utc(10, 13))
    assert brief(theirs) == [
        ("telegram:2", "Read", TODAY, "13:00", utc(10, 13)),
        ("telegram:2", "Walk", TODAY, "13:00", utc(10, 13)),
    ]
    assert {r.reminder_id for r in mine}.isdisjoint(r.reminder_id for r in theirs)
    # Asking for the local user at 13:30 must not take (and lose) the other user's 13:30.
    assert tracker.due_reminders(utc(10, 13, 30)) == []
    assert brief(other.due_reminders(utc(10, 13, 30))) == [
        ("telegram:2", "Walk", TODAY, "13:30", utc(10, 13, 30))
    ]
    # The all-users call sees both users.
    everyone = delivery.due_reminders(store, utc(11, 13), DEFAULT_GRACE)
    assert sorted((r.user, r.habit) for r in everyone) == [
        ("local", "Read"),
        ("telegram:2", "Read"),
        ("telegram:2", "Walk"),
    ]


# -- leases ----------------------------------------------------------------------------------------

LEASE = leases.DEFAULT_LEASE
SECOND = timedelta(seconds=1)


def decisions_of(store: Store, reminder: int) -> list[tuple[date, datetime, str]]:
    query = (
        sa.select(ReminderLogRow.day, ReminderLogRow.fire_at, ReminderLogRow.decision)
        .where(ReminderLogRow.reminder_id == reminder)
        .order_by(ReminderLogRow.id)
    )
    with store.read() as session:
        return [(day, fire_at, decision) for day, fire_at, decision in session.execute(query)]


def test_a_claimed_firing_is_held_and_logged_only_once_confirmed(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    tracker.add_habit("Walk", reminders=["13:00"])
    tracker.check("Walk")

    [firing] = claimed(store, utc(10, 13))

    assert (firing.habit, firing.claimed_by) == ("Read", "worker-a")
    # Walk's was decided at once; Read's is held, with nothing logged yet.
    assert log_of(store) == [("Walk", TODAY, utc(10, 13), "suppressed")]
    assert claimed(store, utc(10, 13, 1), "worker-b") == []
    assert leases.confirm(store, [firing], utc(10, 13, 1)) == 1
    assert log_of(store) == [
        ("Read", TODAY, utc(10, 13), "sent"),
        ("Walk", TODAY, utc(10, 13), "suppressed"),
    ]
    # Confirmed, it is not due again when its lease would have passed, nor logged twice.
    assert claimed(store, utc(10, 13) + LEASE, "worker-b") == []
    assert leases.confirm(store, [firing], utc(10, 13, 2)) == 0
    assert len(log_of(store)) == 2
    tomorrow = claimed(store, utc(11, 13), "worker-b")
    assert sorted((f.habit, f.day) for f in tomorrow) == [
        ("Read", date(2026, 1, 11)),
        ("Walk", date(2026, 1, 11)),
    ]


def test_a_dead_workers_firing_is_claimed_again_once_its_lease_passes(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [lost] = claimed(store, utc(10, 13), "worker-a")  # ... and worker-a says no more

    assert claimed(store, utc(10, 13) + LEASE - SECOND, "worker-b") == []
    [again] = claimed(store, utc(10, 13) + LEASE, "worker-b")

    assert (again.reminder_id, again.day, again.fire_at) == (lost.reminder_id, TODAY, utc(10, 13))
    assert again.claimed_by == "worker-b"
    assert log_of(store) == []
    # Had worker-a only stalled, it learns the firing is no longer its own, and changes nothing.
    late = utc(10, 13) + LEASE + SECOND
    assert delivery.recheck(store, lost, late, DEFAULT_GRACE) is Decision.SUPPRESS
    assert leases.release(store, [lost]) == 0
    assert leases.settle(store, [lost], Decision.UNDELIVERED, late) == 0
    assert log_of(store) == []
    assert leases.confirm(store, [again], late) == 1
    # Had it sent it anyway, the log still says sent once.
    assert leases.confirm(store, [lost], late) == 0
    assert log_of(store) == [("Read", TODAY, utc(10, 13), "sent")]


def test_a_renewed_lease_keeps_the_firing_from_other_workers(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [held] = claimed(store, utc(10, 13), "worker-a")

    assert leases.renew(store, "worker-a", [held.reminder_id], utc(10, 13) + 2 * LEASE) == 1

    assert claimed(store, utc(10, 13) + LEASE, "worker-b") == []
    [taken] = claimed(store, utc(10, 13) + 2 * LEASE, "worker-b")
    assert taken.reminder_id == held.reminder_id
    assert leases.renew(store, "worker-a", [held.reminder_id], utc(10, 14)) == 0  # b's now


def test_a_released_firing_is_due_again_at_once_for_anyone(tracker: Tracker, store: Store) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    tracker.add_habit("Walk", reminders=["13:00"])
    firings = claimed(store, utc(10, 13), "worker-a")
    Tracker(store, clock=tracker.clock).delete_habit("Walk")

    assert leases.release(store, firings) == 1  # Walk's reminder is gone

    [again] = claimed(store, utc(10, 13, 1), "worker-b")
    assert (again.habit, again.fire_at, again.snoozed) == ("Read", utc(10, 13), False)
    assert log_of(store) == []


def test_a_snooze_while_the_firing_is_held_outlives_its_confirmation(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [firing] = claimed(store, utc(10, 13))
    # The person snoozes before the frontend got to confirm (its answer was slow).
    tracker.snooze(firing.reminder_id, firing.day, timedelta(minutes=10), now=utc(10, 13))

    assert leases.confirm(store, [firing], utc(10, 13, 1)) == 1

    assert log_of(store) == [("Read", TODAY, utc(10, 13), "sent")]
    [snoozed] = claimed(store, utc(10, 13, 10), "worker-b")
    assert (snoozed.day, snoozed.fire_at, snoozed.snoozed) == (TODAY, utc(10, 13, 10), True)


def test_a_time_zone_changed_while_a_firing_is_held_does_not_repeat_its_day(
    tracker: Tracker, clock: FakeClock, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [firing] = claimed(store, utc(10, 13))
    # At 14:00 UTC the person flies to New York, where it is 09:00 on the same date; the held
    # firing is confirmed only then. 13:00 in New York is the same habit day's reminder again.
    clock.set(utc(10, 14))
    tracker.set_timezone("America/New_York")
    leases.confirm(store, [firing], utc(10, 14))

    assert claimed(store, utc(10, 18), "worker-b") == []
    [next_day] = claimed(store, utc(11, 18), "worker-b")
    assert (next_day.day, next_day.fire_at) == (date(2026, 1, 11), utc(11, 18))


def test_after_downtime_the_newest_firing_is_held_and_the_older_ones_missed(
    tracker: Tracker, store: Store
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])

    [firing] = claimed(store, utc(13, 13, 10))

    assert (firing.day, firing.fire_at) == (date(2026, 1, 13), utc(13, 13))
    assert [e[3] for e in log_of(store)] == ["missed"] * 3
    # Released, it comes back as the same newest firing; the missed days stay decided.
    leases.release(store, [firing])
    [again] = claimed(store, utc(13, 13, 11), "worker-b")
    assert (again.day, again.fire_at) == (date(2026, 1, 13), utc(13, 13))
    leases.confirm(store, [again], utc(13, 13, 11))
    assert [e[3] for e in log_of(store)] == ["missed"] * 3 + ["sent"]
    [next_day] = claimed(store, utc(14, 13), "worker-b")
    assert next_day.day == date(2026, 1, 14)


_people = itertools.count()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    late=st.integers(0, 30 * 60),  # seconds after the firing that a worker claims it
    lease=st.integers(1, 40 * 60),  # that worker's lease, in seconds; then it dies
    asked=st.integers(0, 80 * 60),  # seconds after the claim that another worker asks
)
def test_a_dead_workers_firing_comes_back_once_its_lease_passes_within_the_grace_period(
    store: Store, clock: FakeClock, late: int, lease: int, asked: int
) -> None:
    user = f"lease-{next(_people)}"
    person = Tracker(store, user=user, clock=clock)
    person.set_timezone("UTC")
    person.add_habit("Read", reminders=["13:00"])
    fire = utc(10, 13)
    first_at = fire + timedelta(seconds=late)
    second_at = first_at + timedelta(seconds=asked)

    def ask(at: datetime, worker: str, held: timedelta = LEASE) -> list[DueReminder]:
        batches = delivery.claim(store, at, DEFAULT_GRACE, worker=worker, lease=held, user=user)
        return [firing for batch in batches for firing in batch]

    [first] = ask(first_at, "worker-a", timedelta(seconds=lease))
    again = ask(second_at, "worker-b")

    decisions = decisions_of(store, first.reminder_id)
    if asked < lease:  # still held: nobody else gets it, and nothing is decided
        assert (again, decisions) == ([], [])
    elif second_at - fire <= DEFAULT_GRACE:  # passed, in time: the same firing, handed out
        assert [(f.reminder_id, f.day, f.fire_at) for f in again] == [
            (first.reminder_id, TODAY, fire)
        ]
        assert decisions == []
    else:  # passed too late: missed, as a firing nobody could send in time is
        assert (again, decisions) == ([], [(TODAY, fire, "missed")])


# -- faults ----------------------------------------------------------------------------------------


class DroppedConnection:
    """Makes statements fail as they do on a connection the server dropped: the ``at``-th one
    the store sends, and (``lasting``) every one after it, until ``heal``."""

    def __init__(self, store: Store, at: int, *, lasting: bool = False) -> None:
        self.engine, self.at, self.lasting, self.sent = store.engine, at, lasting, 0
        event.listen(self.engine, "before_cursor_execute", self.check)

    def check(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.sent += 1
        if self.sent == self.at or (self.lasting and self.sent > self.at):
            gone = ConnectionError("server closed the connection unexpectedly")
            raise sa.exc.OperationalError(statement, params, gone)

    def heal(self) -> int:
        event.remove(self.engine, "before_cursor_execute", self.check)
        return self.sent


def _due_for(store: Store, clock: FakeClock, tag: str) -> list[str]:
    """Four users under ``tag:`` with a reminder at 13:00, one of them done already; the three
    to be reminded."""
    for n in range(4):
        person = Tracker(store, user=f"{tag}:{n}", clock=clock)
        person.set_timezone("UTC")
        person.add_habit("Read", reminders=["13:00"])
        if n == 3:
            person.check("Read")
    return [f"{tag}:{n}" for n in range(3)]


def _decisions_under(store: Store, tag: str) -> Counter[str]:
    query = (
        sa.select(ReminderLogRow.decision)
        .join(ReminderRow, ReminderRow.id == ReminderLogRow.reminder_id)
        .join(HabitRow, HabitRow.id == ReminderRow.habit_id)
        .join(UserRow, UserRow.id == HabitRow.user_id)
        .where(UserRow.external_id.startswith(f"{tag}:"))
    )
    with store.read() as session:
        return Counter(session.execute(query).scalars())


@pytest.mark.parametrize("lasting", [False, True], ids=["one-statement", "until-the-call-ends"])
def test_a_failure_at_any_step_of_due_reminders_leaves_every_firing_to_be_handed_out(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, lasting: bool
) -> None:
    """The issue's fault: batches of 1,000 (here 2) and four due, so two batches, and the
    database lost at one statement (finding a batch, taking it, logging its decisions, finding
    the next, confirming), tried at every statement the call sends. Nothing is logged sent, and
    every firing is handed out again: at once when its lease could be given back, else once the
    lease has passed, well within the grace period."""
    monkeypatch.setattr(delivery, "BATCH", 2)
    now = utc(10, 13)
    wanted = _due_for(store, clock, "clean")
    counting = DroppedConnection(store, 0)
    assert sorted(f.user for f in delivery.due_reminders(store, now, DEFAULT_GRACE)) == wanted
    statements = counting.heal()
    assert statements > 6

    for at in range(1, statements + 1):
        tag = f"fail{at}"
        wanted = _due_for(store, clock, tag)
        fault = DroppedConnection(store, at, lasting=lasting)
        try:
            with pytest.raises((StoreError, sa.exc.OperationalError)):
                delivery.due_reminders(store, now, DEFAULT_GRACE, prefix=f"{tag}:")
        finally:
            fault.heal()
        assert _decisions_under(store, tag)["sent"] == 0, at

        handed = [
            *delivery.due_reminders(store, now, DEFAULT_GRACE, prefix=f"{tag}:"),
            *delivery.due_reminders(store, now + LEASE, DEFAULT_GRACE, prefix=f"{tag}:"),
        ]

        assert sorted(f.user for f in handed) == wanted, at
        assert {f.fire_at for f in handed} == {now}, at
        assert _decisions_under(store, tag) == {"sent": 3, "suppressed": 1}, at


def test_a_failure_between_batches_costs_the_frontend_nothing_it_was_given(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "BATCH", 2)
    wanted = _due_for(store, clock, "t")
    now = utc(10, 13)
    batches = delivery.claim(store, now, DEFAULT_GRACE, worker="worker-a", prefix="t:")
    first = next(batches)
    assert len(first) == 2

    fault = DroppedConnection(store, 1, lasting=True)  # while finding the second batch
    with pytest.raises((StoreError, sa.exc.OperationalError)):
        next(batches)
    fault.heal()

    leases.confirm(store, first, now)  # the frontend sent what it was given
    rest = claimed(store, now, "worker-a")  # the next tick
    leases.confirm(store, rest, now)
    assert sorted(f.user for f in [*first, *rest]) == wanted
    assert _decisions_under(store, "t") == {"sent": 3, "suppressed": 1}


def test_a_failure_after_handing_out_before_confirming_repeats_nothing_twice(
    store: Store, clock: FakeClock
) -> None:
    """The frontend got the firings and then lost the database before it could confirm: none is
    logged sent, and each is handed out once more when the lease passes."""
    wanted = _due_for(store, clock, "t")
    now = utc(10, 13)
    firings = claimed(store, now, "worker-a")
    fault = DroppedConnection(store, 1, lasting=True)
    with pytest.raises((StoreError, sa.exc.OperationalError)):
        leases.confirm(store, firings, now)
    fault.heal()

    assert _decisions_under(store, "t") == {"suppressed": 1}
    assert claimed(store, now + LEASE - SECOND, "worker-b") == []
    again = claimed(store, now + LEASE, "worker-b")
    assert sorted(f.user for f in again) == wanted


def _claim_and_die(url: str, now: datetime) -> None:
    """A worker that claims what is due and is killed before it sends or confirms any."""
    store = Store(url)
    for _batch in delivery.claim(store, now, DEFAULT_GRACE, worker="doomed"):
        pass
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_after_claiming_loses_nothing(
    store: Store, clock: FakeClock, db_url: str
) -> None:
    wanted = _due_for(store, clock, "t")
    now = utc(10, 13)
    worker = multiprocessing.get_context("spawn").Process(target=_claim_and_die, args=(db_url, now))
    worker.start()
    worker.join(timeout=120)
    assert worker.exitcode == -signal.SIGKILL

    with store.read() as session:
        held = session.execute(
            sa.select(sa.func.count()).where(ReminderRow.claimed_by == "doomed")
        ).scalar_one()
    assert held == 3
    assert claimed(store, now + LEASE - SECOND, "survivor") == []
    again = claimed(store, now + LEASE, "survivor")
    assert sorted(f.user for f in again) == wanted
    assert {f.fire_at for f in again} == {now}
    leases.confirm(store, again, now + LEASE)
    assert _decisions_under(store, "t") == {"sent": 3, "suppressed": 1}


# -- many processes --------------------------------------------------------------------------------

PROCESSES = 4


def _claim_in_process(url: str, now: datetime, barrier: Any, results: Any) -> None:
    """A worker in its own process: its own Store, then everyone asks at the same moment."""
    try:
        store = Store(url)
        try:
            barrier.wait(timeout=120)
            found = delivery.due_reminders(store, now, DEFAULT_GRACE)
        finally:
            store.close()
        results.put(("ok", [(r.reminder_id, r.day) for r in found]))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _collect(results: Any, workers: list[Any], limit: float = 180) -> list[tuple[str, Any]]:
    """One outcome per worker; fail at once if a worker died without reporting."""
    outcomes: list[tuple[str, Any]] = []
    deadline = time.monotonic() + limit
    while len(outcomes) < len(workers):
        try:
            outcomes.append(results.get(timeout=1))
        except queue.Empty:
            died = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if died:
                pytest.fail(f"a worker process died without reporting (exit codes {died})")
            if time.monotonic() > deadline:
                pytest.fail(f"only {len(outcomes)} of {len(workers)} workers reported in time")
    return outcomes


def test_processes_asking_at_once_share_out_each_reminder_exactly_once(
    store: Store, clock: FakeClock, db_url: str
) -> None:
    for n in range(10):
        user = Tracker(store, user=f"user-{n}", clock=clock)
        for h in range(5):
            user.add_habit(f"Habit {h}", reminders=["12:40", "12:45", "12:50", "13:00"])
    with store.read() as session:
        every_reminder = set(session.execute(sa.select(ReminderRow.id)).scalars())
    assert len(every_reminder) == 200
    now = utc(10, 13)  # all 200 are due, none more than 20 minutes late

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_claim_in_process, args=(db_url, now, barrier, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = _collect(results, workers)
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
    errors = [detail for kind, detail in outcomes if kind == "error"]
    assert errors == []

    handed_out = Counter(item for _kind, found in outcomes for item in found)
    assert [item for item, times in handed_out.items() if times > 1] == []
    assert set(handed_out) == {(rid, TODAY) for rid in every_reminder}
    log = log_of(store)
    assert len(log) == 200
    assert {decision for *_rest, decision in log} == {"sent"}
    assert delivery.due_reminders(store, now, DEFAULT_GRACE) == []


# -- cost ------------------------------------------------------------------------------------------


def _add_users(store: Store, clock: FakeClock, prefix: str, count: int, at: str) -> None:
    """``count`` users; the first half with a daily habit, the rest with a 3/week one."""
    for n in range(count):
        user = Tracker(store, user=f"{prefix}-{n}", clock=clock)
        if n < count // 2:
            user.add_habit("Read", reminders=[at])
            if n == 0:
                user.check("Read")
        else:
            user.add_habit("Run", "3/week", reminders=[at], start=date(2026, 1, 5))
            if n == count // 2:
                user.check("Run")


def _statements_of_one_call(store: Store, now: datetime) -> tuple[int, list[DueReminder]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        found = delivery.due_reminders(store, now, DEFAULT_GRACE)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return len(statements), found


def test_finding_due_reminders_costs_the_same_whatever_the_number_of_users(
    store: Store, clock: FakeClock
) -> None:
    _add_users(store, clock, "due-at-13", 10, "13:00")
    _add_users(store, clock, "due-at-14", 10, "14:00")
    _add_users(store, clock, "evening", 30, "20:00")

    with_50, found_50 = _statements_of_one_call(store, utc(10, 13))

    _add_users(store, clock, "evening-more", 450, "20:00")
    with_500, found_500 = _statements_of_one_call(store, utc(10, 14))

    # Ten due each time; two of them were already done, so eight are sent.
    assert sorted(r.user for r in found_50) == sorted(
        f"due-at-13-{n}" for n in range(10) if n not in (0, 5)
    )
    assert sorted(r.user for r in found_500) == sorted(
        f"due-at-14-{n}" for n in range(10) if n not in (0, 5)
    )
    assert with_500 == with_50


def test_a_snooze_survives_an_unrelated_setting(tracker: Tracker, clock: FakeClock) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [first] = tracker.due_reminders(datetime(2026, 1, 10, 13, tzinfo=UTC))
    tracker.snooze(first.reminder_id, first.day, timedelta(minutes=10))
    tracker.set_language("de")
    tracker.edit_habit("Read", description="a chapter a day")
    again = tracker.due_reminders(clock.now() + timedelta(minutes=10))
    assert [(r.habit, r.snoozed) for r in again] == [("Read", True)]


def test_a_due_firing_not_yet_handed_out_survives_an_edit(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    clock.set(datetime(2026, 1, 10, 13, 0, 30, tzinfo=UTC))
    tracker.edit_habit("Read", description="new words")
    assert [r.habit for r in tracker.due_reminders()] == ["Read"]


def test_editing_reminders_keeps_the_ones_left_as_they_were(tracker: Tracker, store: Store) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    [first] = tracker.due_reminders(datetime(2026, 1, 10, 13, tzinfo=UTC))
    tracker.edit_habit("Read", reminders=["13:00", "21:00"])
    with store.read() as session:
        logged = session.execute(sa.select(ReminderLogRow.reminder_id)).scalars().all()
    assert logged == [first.reminder_id]
