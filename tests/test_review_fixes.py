"""Behaviour found wanting in review, each pinned by a test that failed before its fix."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import habitcore
from habitcore.storage.store import Store
from habitcore.storage.tables import ReminderLogRow
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker
from habitcore_cli.register import app

runner = CliRunner()


def test_a_look_at_a_later_day_does_not_hide_todays_check_in(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 4))
    for day in range(4, 10):
        tracker.check("Read", day=date(2026, 1, day))
    tracker.habits(today=date(2026, 1, 11))  # a frontend asking about tomorrow
    tracker.check("Read")  # the 10th, today
    clock.advance(days=1)
    assert tracker.stats("Read").current_streak == 7


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


def test_unarchiving_does_not_report_the_archived_months(
    tracker: Tracker, clock: FakeClock
) -> None:
    tracker.add_habit("Read")
    tracker.archive("Read")
    clock.advance(days=90)
    tracker.unarchive("Read")
    clock.advance(days=1)
    assert [r.day for r in tracker.close_days()] == [tracker.today() - timedelta(days=1)]


def test_adding_to_a_day_recorded_before_the_habit_was_measurable(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.check("Read")
    tracker.edit_habit("Read", target=20, unit="pages")
    tracker.check("Read", amount=5, add=True)
    assert tracker.checkins("Read")[-1].amount == 25


@pytest.mark.parametrize("start", [date(1, 1, 1), date(9999, 12, 31)])
def test_start_dates_out_of_range_are_refused(tracker: Tracker, start: date) -> None:
    with pytest.raises(habitcore.InvalidDay, match="must lie between 1900-01-01"):
        tracker.add_habit("Ancient", start=start)
    assert tracker.habits() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["habits"].append({**d["habits"][0], "name": "READ", "start": "2026-01-02"}),
            r"habits\[1\]: the name 'READ' appears twice",
        ),
        (lambda d: d["habits"][0].update(at_most="false"), r"habits\[0\].at_most: expected true"),
        (lambda d: d["habits"][0].update(archived="no"), r"habits\[0\].archived: expected true"),
        (
            lambda d: d["habits"][0].update(position=2**70),
            r"habits\[0\].position: expected a whole",
        ),
        (
            lambda d: d["habits"][0]["checkins"].append(
                {"day": "2026-01-03", "status": "done", "amount": 10**400}
            ),
            r"habits\[0\].checkins\[1\]: An amount must be a number",
        ),
        (
            lambda d: d["habits"][0].update(reminders=[f"{h:02d}:00" for h in range(24)] * 1000),
            r"habits\[0\]: A habit can have at most 12 reminders",
        ),
    ],
)
def test_imports_refuse_what_they_cannot_take_faithfully(
    tracker: Tracker, change: object, message: str
) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    tracker.check("Read", day=date(2026, 1, 2))
    document = tracker.export()
    change(document)  # type: ignore[operator]
    with pytest.raises(habitcore.InvalidImport, match=message):
        tracker.import_data(document)


def test_bare_habit_turns_a_store_error_into_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Could not open the database: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.postgres
def test_config_hides_a_database_password(postgres_server: str) -> None:
    url = sa.make_url(postgres_server).set(password="s3cret-word")  # loopback trusts any
    result = runner.invoke(app, ["--db", url.render_as_string(hide_password=False), "config"])
    assert result.exit_code == 0, result.stderr
    assert "s3cret-word" not in result.stdout
    assert "postgres:***@" in result.stdout


def test_pause_far_ahead_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HABITCORE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = runner.invoke(app, ["pause", "--to", "+99999"])
    assert result.exit_code == 1
    assert (
        result.stderr == "Error: A pause can last at most ten years; archive the habit instead.\n"
    )
    result = runner.invoke(app, ["pause", "--to", "+9999999"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: '+9999999' is not a day")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full to fill a disk")
def test_a_failed_write_of_the_output_is_an_error(tmp_path: Path) -> None:
    env = {"HABITCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    habit = Path(sys.executable).with_name("habit")
    subprocess.run([str(habit), "add", "Read"], env=env, check=True, capture_output=True)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(habit), "export"], env=env, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: could not write the output")


def test_the_reminder_loop_survives_a_failed_tick(capsys: pytest.CaptureFixture[str]) -> None:
    from habitcore.testing import memory_tracker
    from habitcore_cli.remind import run_loop

    tracker = memory_tracker()
    calls = 0
    real = tracker.due_reminders

    def flaky(now: datetime | None = None) -> list[habitcore.DueReminder]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise habitcore.StoreError("The database could not be read: database is locked.")
        return real(now)

    tracker.due_reminders = flaky  # type: ignore[method-assign]
    run_loop(
        tracker, lambda _r: None, 1, sleep=lambda _s: __import__("time").sleep(0.3), stop_after=3
    )
    assert calls >= 2
    assert "database is locked. Trying again in 1 s." in capsys.readouterr().err
