"""The ``habit`` command through Typer's CliRunner: exact exit codes, output and effects."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import habitcore
from cli_runner import habit, runner, tracker
from habitcore.testing import FakeClock
from habitcore_cli.register import app


@pytest.fixture
def db(cli_db: str) -> str:
    return cli_db


def today() -> date:
    return datetime.now(UTC).date()


def test_add_done_and_list(db: str) -> None:
    assert habit("add", "Read", "--remind", "21:00") == (
        0,
        "Added Read (daily, reminders 21:00).\n",
        "",
    )
    code, out, err = habit("done", "re")
    assert (code, err) == (0, "")
    assert out == f"Read: done for {today().isoformat()} (streak 1, best 1)\n"
    code, out, _ = habit("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Habit", "Schedule", "Today", "Streak", "Best", "Score"]
    assert lines[1].split()[:5] == ["Read", "daily", "done", "1", "1"]


def test_bare_habit_is_the_checklist(db: str) -> None:
    habit("add", "Read")
    assert habit()[1] == habit("list")[1]


def test_list_json_contract(db: str) -> None:
    habit("add", "Read")
    habit("add", "Pages", "--target", "20", "--unit", "pages")
    habit("done", "read")
    habit("done", "pages", "--amount", "12")
    habit("add", "Old")
    habit("archive", "old")
    code, out, _ = habit("list", "--json")
    assert code == 0
    data = json.loads(out)
    assert [d["name"] for d in data] == ["Pages", "Read"]  # due and not done come first
    documented = {
        "id",
        "name",
        "schedule",
        "kind",
        "state",
        "current_streak",
        "best_streak",
        "score",
        "archived",
        "day",
        "target",
        "unit",
        "at_most",
        "amount_today",
        "description",
        "reminders",
        "start",
        "position",
    }
    assert all(set(item) == documented for item in data)
    pages = data[0]
    assert (pages["kind"], pages["state"], pages["amount_today"]) == ("measurable", "due", 12.0)
    assert data[1]["state"] == "done"
    assert 0 < data[1]["score"] <= 1
    everything = json.loads(habit("list", "--all", "--json")[1])
    assert [d["name"] for d in everything if d["archived"]] == ["Old"]


def test_show_json_contract(db: str) -> None:
    habit("add", "Read", "--start", "-3")
    habit("done", "read", "-2")
    habit("skip", "read", "yesterday", "--note", "ill")
    code, out, _ = habit("show", "read", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "Read"
    assert data["checkins"] == [
        {
            "day": (today() - timedelta(days=2)).isoformat(),
            "status": "done",
            "amount": None,
            "note": None,
        },
        {
            "day": (today() - timedelta(days=1)).isoformat(),
            "status": "skipped",
            "amount": None,
            "note": "ill",
        },
    ]
    assert set(data["completion"]) == {"7", "30", "365"}
    assert data["current_streak"] == 1
    assert data["current"] == {
        "length": 1,
        "start": (today() - timedelta(days=2)).isoformat(),
        "end": (today() - timedelta(days=2)).isoformat(),
    }
    assert {"current", "best", "completion", "checkins"} <= set(data)
    stats = json.loads(habit("stats", "--json")[1])[0]
    assert {"current", "best", "completion", "completion_rate"} <= set(stats)
    assert "checkins" not in stats


def test_show_draws_a_heatmap_with_a_legend(db: str) -> None:
    habit("add", "Read", "--start", "-10")
    for offset in ("-1", "-2", "-4"):
        habit("done", "read", offset)
    code, out, _ = habit("show", "Read")
    assert code == 0
    assert "# done" in out
    assert "x missed" in out
    rows = [
        line for line in out.splitlines() if line[:2] in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
    ]
    assert len(rows) == 7
    cells = "".join(row[3:] for row in rows)  # the grid, without the weekday labels
    assert cells.count("#") == 3  # days -1, -2, -4
    assert cells.count("x") == 7  # days -10 to -5 and -3 were missed
    assert cells.count("o") == 1  # today is still open
    assert "Current streak: 2" in out


def test_stats_rows_and_json(db: str) -> None:
    habit("add", "Read")
    habit("add", "Run", "-s", "3/week")
    code, out, _ = habit("stats")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:] if line.strip()] == ["Read", "Run"]
    data = json.loads(habit("stats", "--json")[1])
    assert [d["name"] for d in data] == ["Read", "Run"]
    assert data[1]["completion"] == {"7": None, "30": None, "365": None}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", ""], "Error: A habit needs a name of 1 to 100 characters.\n"),
        (
            ["add", "x" * 10_000],
            "Error: A habit name can be at most 100 characters; this one has 10000.\n",
        ),
        (
            ["add", "Foo", "--remind", "25:61"],
            "Error: '25:61' is not a time of day: hours go from 00 to 23 and minutes from 00 to 59, for example 21:45.\n",
        ),
        (
            ["add", "Foo", "-s", "sometimes"],
            "Error: 'sometimes' is not a schedule; write one of: daily, weekdays, mon,wed,fri, every 3 days, 3/week, 10/month or 3 in 7 days.\n",
        ),
        (
            ["done", "Nope"],
            "Error: There is no habit called 'Nope'; list your habits to see their exact names.\n",
        ),
        (
            ["done", "r"],
            "Error: 'r' matches more than one habit ('Read', 'Run'); type more of the name.\n",
        ),
        (["done", "read", "2099-01-01"], None),
        (
            ["done", "read", "someday"],
            "Error: 'someday' is not a day; write YYYY-MM-DD, today, yesterday, -3 (three days ago), +3 (in three days) or a weekday such as mon.\n",
        ),
        (
            ["config", "timezone", "Mars/Olympus"],
            "Error: 'Mars/Olympus' is not a time zone; use an IANA name such as Europe/Moscow or America/New_York, or an offset such as +3.\n",
        ),
        (["config", "day-start", "25:61"], None),
        (
            ["rm", "read"],
            "Error: Not deleting 'Read' without a confirmation; pass --yes to delete it.\n",
        ),
    ],
)
def test_domain_errors_exit_1_with_one_line_and_change_nothing(
    db: str, args: list[str], message: str | None
) -> None:
    habit("add", "Read")
    habit("add", "Run")
    before = tracker(db).export()
    code, out, err = habit(*args)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("Error: ")
    if message is not None:
        assert err == message
    after = tracker(db).export()
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


@pytest.mark.parametrize(
    "args",
    [
        ["bogus"],
        ["add"],
        ["done", "read", "--amout", "3"],
        ["add", "Foo", "--unit", "pages"],
        ["config", "colour", "red"],
        ["export", "--format", "xml"],
        ["remind", "--interval", "0"],
    ],
)
def test_usage_errors_exit_2(db: str, args: list[str]) -> None:
    habit("add", "Read")
    code, _out, err = habit(*args)
    assert code == 2
    assert "Usage: habit" in err
    assert "Traceback" not in err


def test_day_forms(db: str) -> None:
    habit("add", "Read", "--start", "-30")
    monday = today() - timedelta(days=today().weekday())
    for form, expected in [
        ("today", today()),
        ("yesterday", today() - timedelta(days=1)),
        ("-3", today() - timedelta(days=3)),
        ("mon", monday),
        ((today() - timedelta(days=9)).isoformat(), today() - timedelta(days=9)),
    ]:
        code, out, _ = habit("done", "read", form)
        assert code == 0, out
        assert expected.isoformat() in out
    days = {c.day for c in tracker(db).checkins("Read")}
    assert len(days) == len(
        {
            today(),
            today() - timedelta(days=1),
            today() - timedelta(days=3),
            monday,
            today() - timedelta(days=9),
        }
    )


def test_measurable_amounts_and_undo(db: str) -> None:
    habit("add", "Pages", "--target", "20", "--unit", "pages")
    assert habit("done", "pages", "--amount", "12")[1].startswith("Pages: 12 of 20 pages for ")
    assert habit("done", "pages", "--amount", "8", "--add")[1].startswith("Pages: 20 of 20 pages")
    assert habit("undo", "pages")[0] == 0
    assert tracker(db).checkins("Pages") == []
    assert "nothing was recorded" in habit("undo", "pages")[1]


def test_edit_archive_unarchive_rm(db: str) -> None:
    habit("add", "Read", "--remind", "21:00")
    assert habit("edit", "read", "--name", "Reading", "-s", "weekdays", "--remind", "07:30")[0] == 0
    edited = tracker(db).habit("Reading")
    assert (edited.schedule, edited.reminders) == ("weekdays", ("07:30",))
    assert habit("edit", "reading", "--no-remind")[0] == 0
    assert tracker(db).habit("Reading").reminders == ()
    assert habit("edit", "reading", "--target", "20", "--unit", "pages", "--at-most")[0] == 0
    measured = tracker(db).habit("Reading")
    assert (measured.target, measured.unit, measured.at_most) == (20, "pages", True)
    assert habit("edit", "reading", "--at-least", "-d", "twenty pages")[0] == 0
    assert (tracker(db).habit("Reading").at_most, tracker(db).habit("Reading").description) == (
        False,
        "twenty pages",
    )
    assert habit("edit", "reading", "--yes-no")[0] == 0
    assert tracker(db).habit("Reading").target is None
    assert habit("archive", "reading")[0] == 0
    assert json.loads(habit("list", "--json")[1]) == []
    assert habit("unarchive", "reading")[0] == 0
    assert habit("rm", "reading", "--yes") == (0, "Deleted Reading.\n", "")
    assert tracker(db).habits(archived=True) == []


def test_pause_and_resume(db: str) -> None:
    habit("add", "Read")
    code, out, _ = habit("pause", "--to", "+3")
    end = today() + timedelta(days=3)
    assert (code, out) == (0, f"Paused every habit from {today()} to {end}.\n")
    assert json.loads(habit("list", "--json")[1])[0]["state"] == "paused"
    code, out, _ = habit("resume")
    assert (code, out) == (
        0,
        f"Ended pause #1 of every habit ({today()} to {end}); it began today, so it is gone.\n",
    )
    assert json.loads(habit("list", "--json")[1])[0]["state"] == "due"
    assert habit("pause", "read") == (0, f"Paused Read from {today()} until you resume it.\n", "")


def test_config_show_and_change(db: str) -> None:
    assert habit("config", "timezone", "europe/moscow") == (
        0,
        "timezone is now Europe/Moscow.\n",
        "",
    )
    assert habit("config", "day-start", "04:00")[0] == 0
    assert habit("config", "week-start", "sunday")[0] == 0
    data = json.loads(habit("config", "--json")[1])
    assert data == {
        "timezone": "Europe/Moscow",
        "day-start": "04:00",
        "week-start": "sunday",
        "language": "en",
        "database": db,
    }
    assert habit("config", "day-start") == (0, "04:00\n", "")


def test_export_import_round_trip(db: str, tmp_path: Path) -> None:
    habit("add", "Read", "--start", "-5", "--remind", "21:00")
    habit("done", "read", "-1")
    target = tmp_path / "out.json"
    assert habit("export", "-o", str(target)) == (0, f"Wrote {target}.\n", "")
    other = tmp_path / "other.db"
    code, out, _ = habit("--db", str(other), "import", str(target), "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        f"Would import a habitcore JSON export ({target}):",
        "  habits: 1 created, 0 matched",
        "  check-ins: 1 added, 0 already there",
        "Nothing was changed (--dry-run).",
    ]
    assert habitcore.open(f"sqlite:///{other}").habits() == []
    assert habit("--db", str(other), "import", str(target))[0] == 0
    assert [c.day for c in habitcore.open(f"sqlite:///{other}").checkins("Read")] == [
        today() - timedelta(days=1)
    ]
    csv_out = habit("export", "--format", "csv")[1]
    assert csv_out.splitlines() == [
        "habit,day,status,amount,note",
        f"Read,{today() - timedelta(days=1)},done,,",
    ]


def test_import_of_a_bad_file_changes_nothing(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = habit("import", str(bad))
    assert code == 1
    assert err.startswith(f"Error: {bad}: This is not valid JSON (line 1, column 2: ")
    code, _, err = habit("import", str(tmp_path / "missing.json"))
    assert (code, err) == (
        1,
        f"Error: There is no file or folder at {tmp_path / 'missing.json'}.\n",
    )
    bad.write_text(json.dumps({"format": "habitcore", "version": 1, "habits": [{"name": ""}]}))
    code, _, err = habit("import", str(bad))
    assert code == 1
    assert "habits[0]: A habit needs a name" in err
    assert tracker(db).habits() == []


def test_db_path_and_backup(db: str, tmp_path: Path) -> None:
    habit("add", "Read")
    assert habit("db", "path") == (0, f"{tmp_path / 'cli.db'}\n", "")
    copy = tmp_path / "copy.db"
    assert habit("db", "backup", str(copy))[0] == 0
    assert habitcore.open(f"sqlite:///{copy}").habit("Read").name == "Read"
    code, _, err = habit("db", "backup", str(copy))
    assert (code, "already exists" in err) == (1, True)


def test_db_backup_refuses_a_folder_and_leaves_no_partial_file(db: str, tmp_path: Path) -> None:
    habit("add", "Read")
    folder = tmp_path / "backups"
    folder.mkdir()
    code, out, err = habit("db", "backup", str(folder), "--force")
    assert (code, out) == (1, "")
    assert f"{folder} is a folder; give the copy a file name" in err
    assert "Unexpected" not in err
    code, _, err = habit("db", "backup", str(tmp_path / "no" / "such" / "h.db"))
    assert code == 1
    assert "does not exist; create it first" in err
    assert not (tmp_path / "no").exists()
    assert sorted(p.name for p in folder.iterdir()) == []
    assert not [p for p in tmp_path.rglob("*.partial")]


def test_db_backup_force_replaces_a_copy_with_the_current_data(db: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    habit("add", "Read")
    assert habit("db", "backup", str(copy))[0] == 0
    habit("add", "Walk")
    assert habit("db", "backup", str(copy), "--force")[0] == 0
    names = [s.name for s in habitcore.open(f"sqlite:///{copy}").habits()]
    assert names == ["Read", "Walk"]
    assert not [p for p in tmp_path.rglob("*.partial")]


def test_db_option_takes_a_path_or_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HABITCORE_DATABASE_URL", raising=False)
    path = tmp_path / "mine.db"
    assert habit("--db", str(path), "add", "Read")[0] == 0
    assert habit("--db", f"sqlite:///{path}", "db", "path")[1] == f"{path}\n"


def test_version() -> None:
    code, out, _ = habit("--version")
    assert code == 0
    assert out.startswith("habit (habitcore) ")


def test_unexpected_errors_are_one_line_unless_debugging(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    habit("add", "Read")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(habitcore.Tracker, "habits", broken)
    code, _, err = habit("list")
    assert code == 1
    assert err.startswith("Error: habit hit an unexpected problem (RuntimeError: disk on fire).")
    monkeypatch.setenv("HABITCORE_DEBUG", "1")
    result = runner.invoke(app, ["list"])
    assert isinstance(result.exception, RuntimeError)


def test_remind_once_prints_due_reminders_once(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock(datetime(2026, 1, 10, 20, 0, tzinfo=UTC))
    monkeypatch.setattr(habitcore.tracker, "SystemClock", lambda: clock)
    habit("config", "timezone", "UTC")
    habit("add", "Read", "--remind", "21:00")
    habit("add", "Run", "--remind", "21:00")
    habit("done", "run")
    clock.set(datetime(2026, 1, 10, 21, 0, 30, tzinfo=UTC))
    assert habit("remind", "--once") == (0, "Reminder: Read (21:00, 2026-01-10)\n", "")
    assert habit("remind", "--once") == (0, "", "")


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
    runner.invoke(app, ["list"])  # makes the database, which it says on stderr
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
