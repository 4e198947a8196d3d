"""Importing Loop Habit Tracker's full backup, at the schemas people still have (12, 21, 22, 25)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import habitcore
from cli_runner import habit as run_habit
from cli_runner import tracker as cli_tracker
from habitcore import Status, exchange
from habitcore.exchange import Format
from habitcore.testing import FakeClock, memory_tracker
from habitcore.tracker import Tracker
from loop_files import FRI, MON, NO, SKIP, UNKNOWN, WED, YES_AUTO, YES_MANUAL, backup, habit

D = date(2026, 1, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def _habits() -> list[dict[str, Any]]:
    return [
        habit(
            "Meditate",
            question="Did you meditate?",
            description="10 minutes",
            position=0,
            reminder_hour=7,
            reminder_min=30,
            reminder_days=MON | WED | FRI,
        ),
        habit(
            "Run",
            freq_num=3,
            freq_den=7,
            position=1,
            reminder_hour=18,
            reminder_min=5,
            reminder_days=127,
        ),
        habit("Pages", type=1, target_value=20, unit="pages", position=2),
        habit("Coffee", type=1, target_type=1, target_value=2, unit="cups", position=3),
        habit("Old", archived=1, position=4),
        habit("Vegan", position=5),
        habit("Vegan", position=6),
    ]


def _repetitions() -> list[tuple[Any, ...]]:
    return [
        (1, day(0), YES_MANUAL, "calm"),
        (1, day(1), YES_AUTO, None),
        (1, day(2), NO, "forgot"),
        (1, day(3), UNKNOWN, None),
        (1, day(4), SKIP, "ill"),
        (2, day(0), YES_MANUAL, None),
        (3, day(0), 12_500, None),
        (3, day(1), SKIP, None),
        (4, day(0), 3_000, "too many"),
        (4, day(1), 0, None),
        (5, day(0), YES_MANUAL, None),
        (6, day(0), YES_MANUAL, None),
        (7, day(1), YES_MANUAL, None),
    ]


@pytest.fixture
def at_today(tracker: Tracker, clock: FakeClock) -> Tracker:
    clock.set(datetime(2026, 1, 10, 12, tzinfo=UTC))
    return tracker


@pytest.mark.parametrize("schema", [21, 22, 25])
def test_a_backup_arrives_whole(at_today: Tracker, tmp_path: Path, schema: int) -> None:
    path = backup(tmp_path / "Loop Habits Backup.db", schema, _habits(), _repetitions())
    summary = at_today.import_file(path)
    assert summary.format == "loop"
    assert summary.habits_added == [
        "Meditate",
        "Run",
        "Pages",
        "Coffee",
        "Old",
        "Vegan",
        "Vegan (2)",
    ]
    habits = {h.name: h for h in (s.habit for s in at_today.habits(archived=True))}
    meditate = habits["Meditate"]
    assert (
        meditate.description == "Did you meditate?\n\n10 minutes"
        if schema >= 23
        else "Did you meditate?"
    )
    assert meditate.reminders == ("07:30 mon,wed,fri",)
    assert habits["Run"].schedule == "3 in 7 days"
    assert habits["Run"].reminders == ("18:05",)
    assert (habits["Pages"].target, habits["Pages"].unit, habits["Pages"].at_most) == (
        20,
        "pages",
        False,
    )
    assert (habits["Coffee"].target, habits["Coffee"].at_most) == (2, True)
    assert habits["Old"].archived
    assert [h.name for h in sorted(habits.values(), key=lambda h: h.position)][:3] == [
        "Meditate",
        "Run",
        "Pages",
    ]
    notes = schema >= 25
    assert [(c.day, c.status, c.note) for c in at_today.checkins("Meditate")] == [
        (day(0), Status.DONE, "calm" if notes else None),
        (day(4), Status.SKIPPED, "ill" if notes else None),
    ]
    assert [(c.day, c.status, c.amount) for c in at_today.checkins("Pages")] == [
        (day(0), Status.DONE, 12.5),
        (day(1), Status.SKIPPED, None),
    ]
    assert [(c.day, c.amount) for c in at_today.checkins("Coffee")] == [
        (day(0), 3.0),
        (day(1), 0.0),
    ]
    assert [c.day for c in at_today.checkins("Vegan (2)")] == [day(1)]
    assert at_today.habit("Meditate").start == day(0)
    if notes:
        assert [str(u) for u in summary.unmapped] == [
            "Meditate: notes: on days Loop did not record as done or skipped; habitcore keeps "
            "notes with check-ins, so they were left out"
        ]


def test_a_schema_12_backup_has_no_values_and_a_row_is_a_day_done(
    at_today: Tracker, tmp_path: Path
) -> None:
    habits = [
        habit(
            "Meditate",
            question="Did you meditate?",
            reminder_hour=21,
            reminder_min=0,
            reminder_days=127,
        ),
        habit("Walk", freq_num=1, freq_den=2),
    ]
    path = backup(
        tmp_path / "old.db", 12, habits, [(1, day(0), None), (1, day(2), None), (2, day(1), None)]
    )
    at_today.import_file(path)
    assert [c.day for c in at_today.checkins("Meditate")] == [day(0), day(2)]
    assert at_today.habit("Meditate").description == "Did you meditate?"
    assert at_today.habit("Walk").schedule == "1 in 2 days"
    assert at_today.habit("Meditate").reminders == ("21:00",)


def test_importing_twice_adds_nothing_even_after_a_rename(
    at_today: Tracker, tmp_path: Path
) -> None:
    path = backup(tmp_path / "b.db", 25, _habits(), _repetitions())
    at_today.import_file(path)
    at_today.edit_habit("Vegan (2)", new_name="Plants")
    at_today.edit_habit("Meditate", new_name="Sit")
    before = at_today.export()
    again = at_today.import_file(path)
    assert again.habits_added == []
    assert again.checkins_added == 0
    assert sorted(again.habits_merged) == sorted(
        ["Sit", "Run", "Pages", "Coffee", "Old", "Vegan", "Plants"]
    )
    assert {**at_today.export(), "exported_at": 0} == {**before, "exported_at": 0}


def test_without_uuids_the_file_identity_matches_a_second_import(
    at_today: Tracker, tmp_path: Path
) -> None:
    path = backup(tmp_path / "b.db", 22, _habits(), _repetitions())
    at_today.import_file(path)
    at_today.edit_habit("Run", new_name="Jog")
    assert at_today.import_file(path).habits_added == []


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    schema=st.sampled_from([12, 21, 22, 25]),
    marks=st.lists(
        st.tuples(
            st.integers(1, 3),
            st.integers(0, 60),
            st.sampled_from([YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN]),
        ),
        max_size=40,
        unique_by=lambda m: (m[0], m[1]),
    ),
)
def test_import_twice_equals_import_once(
    tmp_path_factory: pytest.TempPathFactory, schema: int, marks: list[tuple[int, int, int]]
) -> None:
    folder = tmp_path_factory.mktemp("loop")
    habits = [habit("A"), habit("B", freq_num=2, freq_den=5), habit("A")]
    rows = [(h, day(n), None if schema < 16 else v) for h, n, v in marks]
    path = backup(folder / "b.db", schema, habits, rows)
    clock = FakeClock(datetime(2026, 6, 1, tzinfo=UTC))
    once, twice = memory_tracker(clock=clock), memory_tracker(clock=clock)
    once.import_file(path)
    twice.import_file(path)
    summary = twice.import_file(path)
    assert (summary.habits_added, summary.checkins_added) == ([], 0)
    assert {**once.export(), "exported_at": 0} == {**twice.export(), "exported_at": 0}


def _truncated(path: Path) -> None:
    backup(path, 25, _habits(), [(1, day(n), YES_MANUAL, "x" * 50) for n in range(3000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _schema_99(path: Path) -> None:
    backup(path, 25, _habits())
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA user_version = 99")
        raw.commit()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_truncated, "damaged"),
        (
            _schema_99,
            r"written by a newer Loop \(schema 99\); habitcore reads Loop.s schemas up to 25",
        ),
    ],
)
def test_a_bad_backup_is_refused_and_changes_nothing(
    at_today: Tracker, tmp_path: Path, make: Any, message: str
) -> None:
    at_today.add_habit("Walk")
    before = at_today.export()
    path = tmp_path / "bad.db"
    make(path)
    with pytest.raises(habitcore.InvalidImport, match=message):
        at_today.import_file(path)
    assert {**at_today.export(), "exported_at": 0} == {**before, "exported_at": 0}


def test_the_user_file_is_never_written(tmp_path: Path) -> None:
    path = backup(tmp_path / "b.db", 25, _habits(), _repetitions())
    before = path.read_bytes()
    exchange.read(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["b.db"]


def test_through_the_command(cli_db: str, tmp_path: Path) -> None:
    path = backup(
        tmp_path / "Loop Habits Backup 2026-01-09 120000.db", 25, _habits(), _repetitions()
    )
    code, out, _ = run_habit("import", str(path), "--dry-run")
    assert code == 0
    assert out.splitlines()[0] == f"Would import a Loop Habit Tracker backup ({path}):"
    assert cli_tracker(cli_db).habits() == []
    assert run_habit("import", str(path), "--format", "loop")[0] == 0
    names = [s.habit.name for s in cli_tracker(cli_db).habits(archived=True)]
    assert names == ["Meditate", "Run", "Pages", "Coffee", "Old", "Vegan", "Vegan (2)"]
    code, _, err = run_habit("import", str(path), "--format", "json")
    assert code == 1
    assert "is a Loop Habit Tracker backup, not a habitcore JSON export" in err
    assert exchange.read(path).format is Format.LOOP
