"""Promises of docs/rules.md and docs/cli.md that no other test pinned down."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from habitcore.rules.habits import CheckIn, Goal, History, Status
from habitcore.rules.schedule import Daily, PerPeriod, parse_schedule
from habitcore.rules.stats import DayState, habit_stats
from habitcore.rules.tally import explain
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker
from habitcore_cli.register import app

START = date(2026, 1, 1)  # a Thursday
runner = CliRunner()


@given(
    marks=st.lists(st.sampled_from(["done", "none", "skipped"]), min_size=1, max_size=60),
    window=st.sampled_from([7, 30, 365]),
)
def test_completion_rates_count_the_days_of_their_window(marks: list[str], window: int) -> None:
    """Daily yes/no: done days over done and missed days among the last N, today if done."""
    checkins = []
    for offset, mark in enumerate(marks):
        day = START + timedelta(days=offset)
        if mark != "none":
            checkins.append(CheckIn(day, Status(mark)))
    today = START + timedelta(days=len(marks) - 1)
    stats = habit_stats(Goal(Daily(), START), History.of(checkins), today)
    first = today - timedelta(days=window - 1)
    met = judged = 0
    for offset, mark in enumerate(marks):
        day = START + timedelta(days=offset)
        if day < first or mark == "skipped" or (day == today and mark == "none"):
            continue
        judged += 1
        met += mark == "done"
    assert stats.completion[window] == (met / judged if judged else None)


def test_an_unlogged_at_most_day_is_met_once_it_has_ended() -> None:
    """Nothing logged is 0, within the ceiling: met once the day is over, pending (due, so its
    reminders fire) while it is today; logged within the ceiling today is met at once."""
    goal = Goal(Daily(), START, target=2.0, unit="cups", at_most=True)
    logged = [
        CheckIn(START, Status.DONE, 1.0),
        CheckIn(START + timedelta(days=1), Status.DONE, 0.0),
    ]
    today = START + timedelta(days=3)
    two = habit_stats(goal, History.of(logged), START + timedelta(days=2))
    assert (two.current_streak, two.state) == (2, DayState.DUE)  # 1 cup, 0 cups; day 2 pending
    three = habit_stats(goal, History.of(logged), today)
    assert (three.current_streak, three.state) == (3, DayState.DUE)  # day 2 ended unlogged: met
    within = habit_stats(goal, History.of([*logged, CheckIn(today, Status.DONE, 2.0)]), today)
    assert (within.current_streak, within.state) == (4, DayState.DONE)
    over = History.of([*logged, CheckIn(START + timedelta(days=2), Status.DONE, 3.0)])
    broken = habit_stats(goal, over, today)
    assert (broken.current_streak, broken.best_streak) == (0, 2)  # over the ceiling: missed


def test_an_at_most_week_is_judged_only_when_it_has_ended() -> None:
    goal = Goal(parse_schedule("1/week"), date(2026, 1, 5), target=3.0, at_most=True)
    history = History.of([CheckIn(date(2026, 1, 5), Status.DONE, 2.0)])
    assert habit_stats(goal, history, date(2026, 1, 8)).current_streak == 0  # still pending
    assert habit_stats(goal, history, date(2026, 1, 12)).current_streak == 1  # week over, met
    # The next week, with nothing logged, is within the ceiling too once it has ended.
    assert habit_stats(goal, history, date(2026, 1, 19)).current_streak == 2
    over = History.of([*history.checkins.values(), CheckIn(date(2026, 1, 13), Status.DONE, 4.0)])
    assert habit_stats(goal, over, date(2026, 1, 19)).current_streak == 0


def test_the_at_most_score_value() -> None:
    """Loop's value under a ceiling: 1 up to it, ``1 - (total - ceiling) / ceiling`` above it,
    and a day with nothing logged is 0, within it."""
    goal = Goal(Daily(), START, target=2.0, at_most=True)
    history = History.of(
        [
            CheckIn(START, Status.DONE, 3.0),
            CheckIn(START + timedelta(days=1), Status.DONE, 1.0),
            CheckIn(START + timedelta(days=2), Status.DONE, 4.0),
        ]
    )
    steps = explain(goal, history, START + timedelta(days=3))
    assert [s.value for s in steps] == [0.5, 1.0, 0.0, 1.0]  # over by half, within, 2×, unlogged
    m = 0.5 ** (1 / 13)
    assert steps[0].score == pytest.approx(m + 0.5 * (1 - m))  # from a full start of 1


def test_a_first_week_from_a_thursday_asks_two_of_three() -> None:
    goal = Goal(PerPeriod(3, "week"), START)  # Thursday: 4 days of the week are open
    two = History.of([CheckIn(START, Status.DONE), CheckIn(START + timedelta(days=1), Status.DONE)])
    one = History.of([CheckIn(START, Status.DONE)])
    after = date(2026, 1, 5)  # the Monday after
    assert habit_stats(goal, two, after).current_streak == 1
    assert habit_stats(goal, one, after).current_streak == 0


def test_of_equal_streaks_the_best_is_the_latest() -> None:
    days = [0, 1, 3, 4]  # two runs of two
    history = History.of([CheckIn(START + timedelta(days=d), Status.DONE) for d in days])
    best = habit_stats(Goal(Daily(), START), history, START + timedelta(days=6)).best
    assert best is not None
    assert (best.start, best.length) == (START + timedelta(days=3), 2)


def test_resume_cancels_pauses_not_yet_begun(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.pause(start=date(2026, 2, 1), end=date(2026, 2, 14))
    assert len(tracker.resume()) == 1
    assert tracker.pauses() == []


def test_an_earlier_start_makes_earlier_days_checkable(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.edit_habit("Read", start=date(2026, 1, 1))
    tracker.check("Read", day=date(2026, 1, 2))
    assert [c.day for c in tracker.checkins("Read")] == [date(2026, 1, 2)]


def test_a_snooze_past_the_next_firing_keeps_that_firing(tracker: Tracker) -> None:
    tracker.add_habit("Read", reminders=["13:00"])
    shown_at = datetime(2026, 1, 10, 13, 10, tzinfo=UTC)
    [first] = tracker.due_reminders(shown_at)
    tracker.snooze(first.reminder_id, first.day, timedelta(hours=24), now=shown_at)
    next_day = datetime(2026, 1, 11, 13, 10, tzinfo=UTC)
    assert [(r.day, r.snoozed) for r in tracker.due_reminders(next_day)] == [(first.day, True)]
    regular = tracker.due_reminders(next_day + timedelta(minutes=1))
    assert [(r.day, r.fire_at) for r in regular] == [
        (date(2026, 1, 11), datetime(2026, 1, 11, 13, tzinfo=UTC))
    ]


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HABITCORE_DATABASE_URL", url)
    monkeypatch.setenv("TZ", "UTC")
    return url


def test_a_dumb_terminal_gets_plain_text(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    runner.invoke(app, ["add", "Read"])
    out = runner.invoke(app, ["list"]).stdout
    assert "\x1b[" not in out
    assert "○" not in out
    assert out.splitlines()[1].split()[:3] == ["Read", "daily", "due"]


def test_no_color_takes_the_colour_away_and_nothing_else(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")  # a capable terminal, whatever runs the suite
    monkeypatch.setenv("NO_COLOR", "1")
    runner.invoke(app, ["add", "Read"])
    runner.invoke(app, ["done", "read"])
    out = runner.invoke(app, ["list"]).stdout
    assert not re.search(r"\x1b\[(?:[0-9]+;)*(?:3[0-8]|9[0-7]|4[0-8])[;m]", out)  # no colour
    assert "✔ done" in out  # the Unicode marks stay
    assert "█" in out  # and the score's bar
    assert datetime.now(UTC).strftime("%Y") in out  # and the date title


def test_add_at_most_and_pause_from(cli_db: str) -> None:
    assert (
        runner.invoke(app, ["add", "Coffee", "-t", "2", "-u", "cups", "--at-most"]).exit_code == 0
    )
    result = runner.invoke(app, ["pause", "coffee", "--from", "2099-01-01", "--to", "2099-01-03"])
    assert result.exit_code == 0
    assert result.stdout == "Paused Coffee from 2099-01-01 to 2099-01-03.\n"


def test_remind_once_prints_the_days_that_ended(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import habitcore.tracker

    clock = FakeClock(datetime(2026, 1, 10, 12, tzinfo=UTC))
    monkeypatch.setattr(habitcore.tracker, "SystemClock", lambda: clock)
    runner.invoke(app, ["config", "timezone", "UTC"])
    runner.invoke(app, ["add", "Read"])
    runner.invoke(app, ["done", "read"])
    clock.set(datetime(2026, 1, 11, 0, 1, tzinfo=UTC))
    result = runner.invoke(app, ["remind", "--once"])
    assert (result.exit_code, result.stdout) == (0, "2026-01-10: Read done (streak 1)\n")
    assert runner.invoke(app, ["remind", "--once"]).stdout == ""


def test_every_heatmap_state_has_its_own_glyph_in_both_forms() -> None:
    from habitcore import Outcome
    from habitcore_cli.views import CELLS

    assert set(CELLS) == set(Outcome)
    for form in (0, 1):
        glyphs = [cell[form] for cell in CELLS.values()]
        assert len(set(glyphs)) == len(glyphs), form
