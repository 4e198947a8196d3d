"""``habit import`` with whatever file a person might pick: told apart by content, and every file
that is not importable refused with one sentence (exit 1), the database unchanged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import habitcore
from cli_runner import habit, tracker
from habitcore import exchange
from habitcore.exchange import Format
from habitcore.testing import FakeClock, memory_tracker


def _export(path: Path) -> None:
    source = memory_tracker(clock=FakeClock(datetime(2026, 1, 10, 12, tzinfo=UTC)))
    source.add_habit("Read", start=date(2026, 1, 1))
    source.check("Read", day=date(2026, 1, 2), note="chapter one")
    path.write_text(json.dumps(source.export()), encoding="utf-8")


def _csv(path: Path) -> None:
    path.write_text("habit,day,status,amount,note\nRead,2026-01-02,done,,\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("make", "fmt"),
    [(_export, Format.JSON), (_csv, Format.CSV)],
)
@pytest.mark.parametrize("name", ["export.json", "checkins.csv", "backup.db", "noname"])
def test_the_format_is_told_from_the_content_whatever_the_name(
    tmp_path: Path, make: Callable[[Path], None], fmt: Format, name: str
) -> None:
    path = tmp_path / name
    make(path)
    assert exchange.read(path).format is fmt


def _png(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("Dear diary,\ntoday I read a book.\n", encoding="utf-8")


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _other_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
        raw.commit()


def _truncated_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("CREATE TABLE Habits (id INTEGER PRIMARY KEY, name TEXT)")
        raw.execute("CREATE TABLE Repetitions (id INTEGER PRIMARY KEY, habit INT, timestamp INT)")
        raw.executemany(
            "INSERT INTO Repetitions (habit, timestamp) VALUES (1, ?)", [(i,) for i in range(5000)]
        )
        raw.commit()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _habitcore_database(path: Path) -> None:
    habitcore.open(f"sqlite:///{path}").store.close()


def _bad_csv_date(path: Path) -> None:
    lines = ["habit,day,status,amount,note"]
    lines += [f"Read,{date(2000, 1, 1) + timedelta(days=i)},done,," for i in range(8998)]
    lines.append("Read,2026-02-30,done,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (_png, (), "is a PNG image, not a file habitcore can import"),
        (_empty, (), "is empty; there is nothing to import"),
        (_text, (), "is not a format habitcore imports"),
        (_binary, (), "is neither text nor a SQLite database or zip file"),
        (_other_sqlite, (), "is a SQLite database but not a Loop Habit Tracker backup"),
        (_truncated_sqlite, (), "is a damaged SQLite file"),
        (_habitcore_database, (), "is a habitcore database, not an export"),
        (_bad_csv_date, (), "Line 9000: '2026-02-30' is not a date"),
        (_export, ("--format", "csv"), "is a habitcore JSON export, not a habitcore CSV export"),
        (_csv, ("--format", "json"), "is a habitcore CSV export, not a habitcore JSON export"),
    ],
)
def test_a_file_that_cannot_be_imported_is_one_sentence_and_changes_nothing(
    cli_db: str, tmp_path: Path, make: Callable[[Path], None], args: tuple[str, ...], message: str
) -> None:
    habit("add", "Walk")
    before = tracker(cli_db).export()
    path = tmp_path / "picked"
    make(path)
    code, out, err = habit("import", str(path), *args)
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: {path}")
    assert message in err
    assert err.count("\n") == 1
    assert "unexpected problem" not in err
    after = tracker(cli_db).export()
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


def test_an_unknown_format_name_is_a_usage_error(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    _export(path)
    code, _, err = habit("import", str(path), "--format", "excel")
    assert code == 2
    assert "excel" in err


def test_a_folder_holding_neither_pair_is_refused(cli_db: str, tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "readme.txt").write_text("hi", encoding="utf-8")
    code, _, err = habit("import", str(tmp_path / "stuff"))
    assert code == 1
    assert "holds neither Loop's CSV export (Habits.csv) nor harsh's habits and log" in err


def test_a_dry_run_says_what_would_change_and_writes_nothing(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    _export(path)
    code, out, _ = habit("import", str(path), "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        f"Would import a habitcore JSON export ({path}):",
        "  habits: 1 created, 0 matched",
        "  check-ins: 1 added, 0 already there",
        "Nothing was changed (--dry-run).",
    ]
    assert tracker(cli_db).habits() == []
    assert habit("import", str(path))[0] == 0
    code, out, _ = habit("import", str(path))
    assert out.splitlines()[1:] == [
        "  habits: 0 created, 1 matched (Read)",
        "  check-ins: 0 added, 1 already there",
    ]
    assert tracker(cli_db).checkins("Read")[0].note == "chapter one"


def test_imported_days_obey_the_rules_typed_days_do(tmp_path: Path) -> None:
    """A day ahead is left out and said so; every day that did arrive can be undone again."""
    from datetime import UTC, datetime, timedelta

    from habit_process import process_env, run

    env = process_env(tmp_path)
    today = datetime.now(UTC).date()
    days = [today + timedelta(days=400), today - timedelta(days=60), today - timedelta(days=2)]
    document = {
        "format": "habitcore",
        "version": 1,
        "user": "local",
        "settings": {},
        "pauses": [],
        "habits": [
            {
                "name": "Read",
                "schedule": "daily",
                "start": (today - timedelta(days=30)).isoformat(),
                "checkins": [{"day": d.isoformat(), "status": "done"} for d in days],
            }
        ],
    }
    source = tmp_path / "export.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    imported = run(env, "import", str(source))
    assert imported.returncode == 0, imported.stderr
    assert "check-ins: 2 added" in imported.stdout
    assert "days after today: left out: only past days and today" in imported.stdout
    for day in days[1:]:
        undone = run(env, "undo", "read", day.isoformat())
        assert "check-in removed" in undone.stdout, undone.stderr
    assert json.loads(run(env, "show", "read", "--json").stdout)["checkins"] == []
