"""``habit remind``: the loop shows what habitcore hands out, closes days, stops on Ctrl-C."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest

import habitcore
from habitcore.testing import FakeClock, memory_tracker
from habitcore_cli.remind import run_loop, summary_lines, tick


def test_tick_shows_due_reminders_but_not_for_habits_already_done() -> None:
    clock = FakeClock(datetime(2026, 1, 10, 20, 0, tzinfo=UTC))
    tracker = memory_tracker(clock=clock)
    tracker.add_habit("Read", reminders=["21:00"])
    tracker.add_habit("Run", reminders=["21:00"])
    tracker.check("Run")
    shown: list[Any] = []
    assert tick(tracker, shown.append, datetime(2026, 1, 10, 20, 59, tzinfo=UTC)) == 0
    assert tick(tracker, shown.append, datetime(2026, 1, 10, 21, 0, 5, tzinfo=UTC)) == 1
    assert tick(tracker, shown.append, datetime(2026, 1, 10, 21, 0, 10, tzinfo=UTC)) == 0
    assert [(r.habit, r.time, r.day) for r in shown] == [("Read", "21:00", date(2026, 1, 10))]


def test_tick_prints_how_the_ended_day_went(capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock(datetime(2026, 1, 8, 12, 0, tzinfo=UTC))
    tracker = memory_tracker(clock=clock)
    tracker.add_habit("Read")
    tracker.add_habit("Run")
    tracker.check("Read")
    tracker.check("Run")
    clock.set(datetime(2026, 1, 9, 12, 0, tzinfo=UTC))
    tracker.check("Read")
    tick(tracker, lambda _r: None, datetime(2026, 1, 10, 0, 0, 1, tzinfo=UTC))
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2026-01-08: Read done (streak 1); Run done (streak 1)",
        "2026-01-09: Read done (streak 2); Run missed (streak of 1 broken)",
    ]


def test_summary_lines_group_by_day_and_tell_records() -> None:
    from habitcore.rules.rollover import DayResult, Outcome

    results = [
        DayResult("Read", date(2026, 1, 8), Outcome.DONE, 4, record=True),
        DayResult("Run", date(2026, 1, 8), Outcome.SKIPPED, 0),
        DayResult("Read", date(2026, 1, 9), Outcome.NOT_DUE, 4),
    ]
    assert summary_lines(results) == [
        "2026-01-08: Read done (new best streak: 4); Run skipped",
        "2026-01-09: Read not due (streak 4)",
    ]
    assert summary_lines([]) == []


def test_the_loop_fires_once_and_suppresses_done_habits() -> None:
    clock = FakeClock(datetime(2026, 1, 10, 20, 59, 0, tzinfo=UTC))
    tracker = memory_tracker(clock=clock)
    tracker.add_habit("Read", reminders=["21:00"])
    tracker.add_habit("Run", reminders=["21:00"])
    tracker.check("Run")
    shown: list[Any] = []

    def sleep(seconds: float) -> None:
        clock.advance(seconds=30)  # each pause moves the habit clock half a minute
        time.sleep(seconds)

    run_loop(tracker, shown.append, 1, sleep=sleep, stop_after=4)
    assert clock.now() > datetime(2026, 1, 10, 21, 0, tzinfo=UTC)
    assert [r.habit for r in shown] == ["Read"]


def test_ctrl_c_stops_the_loop_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    tracker = memory_tracker()
    calls = 0

    def sleep(_seconds: float) -> None:
        nonlocal calls
        calls += 1
        raise KeyboardInterrupt

    run_loop(tracker, lambda _r: None, 5, sleep=sleep)
    assert calls == 1
    assert capsys.readouterr().out == "Stopped reminders.\n"


def test_the_reminder_loop_survives_a_failed_tick(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from habitcore import delivery
    from habitcore.testing import memory_tracker
    from habitcore_cli.remind import run_loop

    tracker = memory_tracker()
    calls = 0
    real = delivery.claim

    def flaky(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise habitcore.StoreError("The database could not be read: database is locked.")
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery, "claim", flaky)
    run_loop(
        tracker, lambda _r: None, 1, sleep=lambda _s: __import__("time").sleep(0.3), stop_after=3
    )
    assert calls >= 2
    assert "database is locked. Trying again in 1 s." in capsys.readouterr().err
