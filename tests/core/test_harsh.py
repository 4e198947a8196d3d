"""harsh's habits and log files: reading a folder or a zip of one, and writing both files from a
habitcore export."""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import habitcore
from cli_runner import habit
from habitcore import exchange
from habitcore.exchange import harsh_export
from habitcore.rules.habits import name_key
from habitcore.rules.schedule import (
    Daily,
    DaysOfWeek,
    EveryNDays,
    PerPeriod,
    Rolling,
    Schedule,
    parse_schedule,
)
from habitcore.testing import FakeClock, memory_tracker
from habitcore.tracker import Tracker
from harsh_files import DEFAULT_HABITS, DEFAULT_HABITS_0_8, log_line, write_folder, write_zip
from strategies import schedules

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # the tracker fixture's clock
TODAY = NOW.date()


def day(n: int) -> str:
    return f"2026-01-{n:02d}"


def habits_of(tracker: Tracker) -> list[dict[str, Any]]:
    """What an import is judged by: every habit's fields and days, in order."""
    keys = ("name", "schedule", "description", "target", "unit", "at_most", "archived")
    return [
        {
            **{key: h[key] for key in keys},
            "checkins": [(c["day"], c["status"], c["amount"], c["note"]) for c in h["checkins"]],
        }
        for h in tracker.export()["habits"]
    ]


def habit_row(
    name: str,
    schedule: str = "daily",
    checkins: list[tuple[str, str, float | None, str | None]] | None = None,
    *,
    target: float | None = None,
    archived: bool = False,
) -> dict[str, Any]:
    return {
        "name": name,
        "schedule": schedule,
        "description": None,
        "target": target,
        "unit": None,
        "at_most": False,
        "archived": archived,
        "checkins": checkins or [],
    }


EVERY_FIELD_HABITS = """\
# my habits
! Dailies
Read: 1
Meditate: 3/7

! Weeklies
Call Mom: 7
Long run: 2w
Pages: 1
Too much coffee: 0
Old habit: 1: 2025-12-31
"""
EVERY_FIELD_LOG = "".join(
    [
        log_line(day(6), "Read", "y", "first draft"),
        log_line(day(7), "Read", "n", "tired"),  # n: no check-in, and its comment goes
        log_line(day(8), "Read", "s", "travelling"),
        log_line(day(9), "Read", "y"),
        log_line(day(8), "Meditate", "y", "calm", fields=4),  # harsh 0.8's forms
        log_line(day(9), "Meditate", "y", fields=3),
        log_line(day(5), "Call Mom", "n"),
        log_line(day(5), "Call Mom", "y", "long chat"),  # the last line of a day wins
        log_line(day(4), "Long run", "y"),
        log_line(day(4), "Long run", "n"),
        log_line(day(7), "Pages", "s"),
        log_line(day(8), "Pages", "y", "chapter 3", "12.5"),
        log_line(day(9), "Pages", "y", "", "20"),
        log_line(day(5), "Too much coffee", "y", "", "2"),
        log_line("2025-12-30", "Old habit", "y"),
        log_line(day(9), "Gone", "y"),  # not in the habits file: harsh shows it nowhere
        log_line(day(9), "Gone", "s"),
    ]
)
EVERY_FIELD = [
    habit_row(
        "Read",
        checkins=[
            (day(6), "done", None, "first draft"),
            (day(8), "skipped", None, "travelling"),
            (day(9), "done", None, None),
        ],
    ),
    habit_row(
        "Meditate", "3 in 7 days", [(day(8), "done", None, "calm"), (day(9), "done", None, None)]
    ),
    habit_row("Call Mom", "1 in 7 days", [(day(5), "done", None, "long chat")]),
    habit_row("Long run", "1 in 14 days"),
    habit_row(
        "Pages",
        checkins=[
            (day(7), "skipped", None, None),
            (day(8), "done", 12.5, "chapter 3"),
            (day(9), "done", 20.0, None),
        ],
        target=12.5,
    ),
    habit_row("Too much coffee", checkins=[(day(5), "done", 2.0, None)], target=2.0),
    habit_row("Old habit", checkins=[("2025-12-30", "done", None, None)], archived=True),
]
EVERY_FIELD_NOTES = [
    "headings: habitcore has no groups of habits; imported without them (2 times)",
    "Too much coffee: frequency 0: harsh tracks it without a goal (no score, no warnings); "
    "habitcore has no such schedule, so it is daily",
    "Old habit: end date 2025-12-31: habitcore keeps no end dates; imported as archived",
    "log lines of 'Gone': not in the habits file, so harsh shows them nowhere; left out (add "
    "the habit to the habits file to import them) (2 times)",
    "Read: comments and amounts on days marked n: habitcore keeps them only with a check-in "
    "(done or skipped); left out",
    "Pages: target: harsh logs amounts without a target; took 12.5, the smallest amount of a "
    "day marked y",
    "Too much coffee: target: harsh logs amounts without a target; took 2, the smallest amount "
    "of a day marked y",
]


# -- reading -----------------------------------------------------------------------------------


def test_a_folder_maps_every_field(tracker: Tracker, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "harsh", EVERY_FIELD_HABITS, EVERY_FIELD_LOG)
    summary = tracker.import_file(folder)
    assert summary.format == "harsh"
    assert summary.habits_added == [h["name"] for h in EVERY_FIELD]
    assert habits_of(tracker) == EVERY_FIELD
    assert [str(u) for u in summary.unmapped] == EVERY_FIELD_NOTES
    assert [h.name for h in tracker.habits()] == [h["name"] for h in EVERY_FIELD[:-1]]
    # No start in harsh: a habit starts on its first recorded day, or today without one.
    assert tracker.habit("Read").start == date(2026, 1, 6)
    assert tracker.habit("Long run").start == TODAY


def test_a_zip_and_either_file_read_as_the_folder(tracker: Tracker, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "harsh", EVERY_FIELD_HABITS, EVERY_FIELD_LOG)
    document = exchange.read(folder)
    zipped = write_zip(tmp_path / "harsh.zip", EVERY_FIELD_HABITS, EVERY_FIELD_LOG)
    assert exchange.read(zipped) == document
    flat = write_zip(tmp_path / "flat.zip", EVERY_FIELD_HABITS, EVERY_FIELD_LOG, prefix="")
    assert exchange.read(flat) == document
    # Pointing at one file of the pair reads the folder it lies in.
    assert exchange.read(folder / "log") == document
    assert exchange.read(folder / "habits") == document
    summary = tracker.import_file(zipped)
    assert habits_of(tracker) == EVERY_FIELD
    assert [str(u) for u in summary.unmapped] == EVERY_FIELD_NOTES


@pytest.mark.parametrize(
    ("text", "gymmed"), [(DEFAULT_HABITS, "3 in 7 days"), (DEFAULT_HABITS_0_8, "1 in 2 days")]
)
def test_harshs_own_default_habits_file(
    tracker: Tracker, tmp_path: Path, text: str, gymmed: str
) -> None:
    # harsh's first run writes this habits file and an empty log.
    summary = tracker.import_file(write_folder(tmp_path / "harsh", text, ""))
    assert [(h["name"], h["schedule"]) for h in habits_of(tracker)] == [
        ("Gymmed", gymmed),
        ("Bed by midnight", "daily"),
        ("Cleaned House", "1 in 7 days"),
        ("Called Mom", "1 in 7 days"),
        ("Tracked Finances", "1 in 15 days"),
        ("New Skill", "1 in 90 days"),
        ("Too much coffee", "daily"),
        ("Used harsh", "daily"),
    ]
    assert [str(u) for u in summary.unmapped] == [
        f"{name}: frequency 0: harsh tracks it without a goal (no score, no warnings); "
        "habitcore has no such schedule, so it is daily"
        for name in ("Too much coffee", "Used harsh")
    ]


def test_comments_headings_blank_lines_and_frequency_spellings(
    tracker: Tracker, tmp_path: Path
) -> None:
    habits = (
        "\ufeff# a comment: 1\n"
        "\n"
        "   \n"
        "  # an indented comment\n"
        "! Morning  \n"
        "!Evening\n"
        "Read : 1\n"  # harsh trims the name and the frequency
        "10:30 wakeup: 1\n"  # a colon without a space is part of the name
        "Gym: 3 / 7\n"
        "Swim: 1W\n"
        "Hike: 2/2w\n"
        "Floss: 10/10\n"
        "Dentist: 400\n"
        "Odd: 1/2/3\n"
        "Retired: 7: 2025-06-01\n"
        "Later: 1: someday\n"
    )
    log = log_line(day(9), "Read", "y") + log_line(day(9), "10:30 wakeup", "y", "3:00 PM")
    summary = tracker.import_file(write_folder(tmp_path / "harsh", habits, log, newline="\r\n"))
    assert [(h["name"], h["schedule"], h["archived"]) for h in habits_of(tracker)] == [
        ("Read", "daily", False),
        ("10:30 wakeup", "daily", False),
        ("Gym", "3 in 7 days", False),
        ("Swim", "1 in 7 days", False),
        ("Hike", "2 in 14 days", False),
        ("Floss", "daily", False),
        ("Dentist", "1 in 365 days", False),
        ("Odd", "1 in 2 days", False),
        ("Retired", "1 in 7 days", True),
        ("Later", "daily", False),
    ]
    assert [c.note for c in tracker.checkins("10:30 wakeup")] == ["3:00 PM"]
    assert [str(u) for u in summary.unmapped] == [
        "headings: habitcore has no groups of habits; imported without them (2 times)",
        "Dentist: frequency 400: habitcore's windows are at most 365 days; imported as 1 in "
        "365 days",
        "Odd: frequency '1/2/3': harsh reads only its first two parts",
        "Retired: end date 2025-06-01: habitcore keeps no end dates; imported as archived",
        "Later: 'someday' after the frequency: not an end date; ignored",
    ]


def test_the_three_four_and_five_field_log_forms(tracker: Tracker, tmp_path: Path) -> None:
    log = "".join(
        [
            "# Test log file\n",
            "\n",
            log_line(day(1), "Run", "y", fields=3),
            log_line(day(2), "Run", "y", "easy", fields=4),
            log_line(day(3), "Run", "y", "", "5"),
            log_line(day(4), "Run", "y", "hills", "7.25"),
            log_line(day(5), "Run", " s ", "rain"),  # harsh 0.11 trims the status
            log_line(day(6), "Run", "y", "a : b", "3"),  # harsh 0.11 drops this; it is joined
            log_line(day(7), "Run", "y", "x : y : z"),
            log_line(day(8), "Run", "y", "", "1e1"),
        ]
    )
    tracker.import_file(write_folder(tmp_path / "harsh", "Run: 1\n", log))
    assert habits_of(tracker)[0]["target"] == 3.0
    assert [(c.day.day, c.status.value, c.amount, c.note) for c in tracker.checkins("Run")] == [
        (1, "done", None, None),
        (2, "done", None, "easy"),
        (3, "done", 5.0, None),
        (4, "done", 7.25, "hills"),
        (5, "skipped", None, "rain"),
        (6, "done", 3.0, "a : b"),
        (7, "done", None, "x : y : z"),
        (8, "done", 10.0, None),
    ]


def test_a_header_line_names_the_columns(tracker: Tracker, tmp_path: Path) -> None:
    log = "Date : Habit : Status : Comment : Amount\n" + log_line(day(9), "Read", "y", "ok")
    tracker.import_file(write_folder(tmp_path / "harsh", "Read: 1\n", log))
    reordered = "Habit : Date : Status\nRead : 2026-01-08 : s\n"
    tracker.import_file(write_folder(tmp_path / "other", "Read: 1\n", reordered))
    assert [(c.day.day, c.status.value, c.note) for c in tracker.checkins("Read")] == [
        (8, "skipped", None),
        (9, "done", "ok"),
    ]


def test_amounts_harsh_reads_as_zero_are_kept_in_the_note(tracker: Tracker, tmp_path: Path) -> None:
    log = "".join(
        [
            log_line(day(5), "Water", "y", "", "2"),
            log_line(day(6), "Water", "y", "morning", "2 cups"),  # harsh ask writes what is typed
            log_line(day(7), "Water", "y", "", "-1"),
            log_line(day(8), "Water", "y", "", "0"),
            log_line(day(9), "Water", "s", "", "4"),
            log_line(day(9), "Tea", "y", "", "0"),
        ]
    )
    summary = tracker.import_file(write_folder(tmp_path / "harsh", "Water: 1\nTea: 1\n", log))
    assert habits_of(tracker) == [
        habit_row(
            "Water",
            checkins=[
                (day(5), "done", 2.0, None),
                (day(6), "done", None, "morning\n2 cups"),
                (day(7), "done", None, "-1"),
                (day(8), "done", 0.0, None),
                (day(9), "skipped", None, None),
            ],
            target=2.0,
        ),
        habit_row("Tea", checkins=[(day(9), "done", None, None)]),
    ]
    assert [str(u) for u in summary.unmapped] == [
        "Water: amounts: not a number from 0 to 1,000,000,000; kept in the check-in's note "
        "(2 times)",
        "Water: amounts on skipped days: habitcore keeps none; left out",
        "Water: target: harsh logs amounts without a target; took 2, the smallest amount of a "
        "day marked y",
        "Water: days marked y with amount 0: below the target, so habitcore counts them not "
        "done (1 days)",
        "Tea: amounts: all 0; imported as a yes/no habit without them",
    ]


def test_two_habits_of_one_name_both_come_and_stay_one_each(
    tracker: Tracker, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "harsh", "Read: 1\nRead: 7\n", log_line(day(9), "Read", "y"))
    summary = tracker.import_file(folder)
    assert summary.habits_added == ["Read", "Read (2)"]
    assert [(h["name"], h["schedule"], len(h["checkins"])) for h in habits_of(tracker)] == [
        ("Read", "daily", 1),
        ("Read (2)", "1 in 7 days", 0),
    ]
    assert [str(u) for u in summary.unmapped] == [
        "Read: listed again in the habits file: harsh keys the log by name, so its days went "
        "to the first one"
    ]
    again = tracker.import_file(folder)
    assert (again.habits_added, again.habits_merged) == ([], ["Read", "Read (2)"])


def test_importing_twice_adds_nothing_even_after_a_rename(tracker: Tracker, tmp_path: Path) -> None:
    habits = "Read: 1\nGym: 3/7\n"
    log = log_line(day(8), "Read", "y") + log_line(day(8), "Gym", "y")
    tracker.import_file(write_folder(tmp_path / "first", habits, log))
    once = habits_of(tracker)
    again = tracker.import_file(write_folder(tmp_path / "first", habits, log))
    assert (again.habits_added, again.checkins_added) == ([], 0)
    assert habits_of(tracker) == once
    tracker.edit_habit("Read", new_name="Reading")
    # A later copy of the same harsh, with a changed frequency and more days.
    later = write_folder(
        tmp_path / "later",
        "Read: 1\nGym: 2/7\n",
        log + log_line(day(9), "Read", "y", "more") + log_line(day(9), "Gym", "s"),
    )
    summary = tracker.import_file(later)
    assert summary.habits_added == []
    assert summary.habits_merged == ["Reading", "Gym"]
    assert (summary.checkins_added, summary.checkins_unchanged) == (2, 2)
    assert [h.name for h in tracker.habits()] == ["Reading", "Gym"]
    assert tracker.habit("Gym").schedule == "3 in 7 days"  # a merge keeps habitcore's settings


harsh_names = st.sampled_from(["Read", "read", "Gym", "10:30 wakeup", "Méditer", "Read"])
harsh_lines = st.tuples(
    st.integers(0, 40).map(lambda n: (TODAY - timedelta(days=n)).isoformat()),
    harsh_names,
    st.sampled_from(["y", "y", "n", "s"]),
    st.sampled_from(["", "ok", "3:00 PM"]),
    st.sampled_from(["", "", "1", "2.5", "0"]),
    st.integers(3, 5),
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(harsh_names, min_size=1, max_size=4),
    frequencies=st.lists(st.sampled_from(["1", "7", "3/7", "0", "2w"]), min_size=4, max_size=4),
    lines=st.lists(harsh_lines, max_size=25),
)
def test_importing_a_harsh_folder_twice_equals_importing_it_once(
    names: list[str], frequencies: list[str], lines: list[tuple[str, str, str, str, str, int]]
) -> None:
    habits = "".join(f"{n}: {f}\n" for n, f in zip(names, frequencies, strict=False))
    log = "".join(log_line(d, n, s, c, a, fields=k) for d, n, s, c, a, k in lines)
    source = exchange.Source(
        "harsh.zip",
        {"habits": lambda: habits.encode(), "log": lambda: log.encode()},
        single=False,
    )
    document = exchange.read(source)
    tracker = memory_tracker(clock=FakeClock(NOW))
    tracker.import_document(document)
    once = habits_of(tracker)
    again = tracker.import_document(document)
    assert again.checkins_added == again.checkins_updated == again.checkins_kept == 0
    assert again.habits_added == []
    assert habits_of(tracker) == once


# -- bad files ---------------------------------------------------------------------------------


def _with_history(tracker: Tracker) -> dict[str, Any]:
    tracker.add_habit("Kept", start=date(2026, 1, 1))
    tracker.check("Kept", day=date(2026, 1, 2))
    return tracker.export()


def test_a_bad_date_at_line_9000_names_the_file_and_line(tracker: Tracker, tmp_path: Path) -> None:
    before = _with_history(tracker)
    lines = [log_line(TODAY - timedelta(days=n), "Read", "y") for n in range(9_500)]
    lines[8_999] = log_line("2026-13-01", "Read", "y")
    folder = write_folder(tmp_path / "harsh", "Read: 1\n", "".join(lines))
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder)
    assert str(caught.value) == f"{folder}: log line 9000: '2026-13-01' is not a date (YYYY-MM-DD)."
    zipped = write_zip(tmp_path / "harsh.zip", "Read: 1\n", "".join(lines))
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(zipped)
    assert str(caught.value) == (
        f"{zipped}: harsh/log line 9000: '2026-13-01' is not a date (YYYY-MM-DD)."
    )
    assert tracker.export() == before


@pytest.mark.parametrize(
    ("habits", "message"),
    [
        (
            "Read: 1\nRun: daily\n",
            "habits line 2: 'daily' is not a frequency; harsh's frequencies are 1 (daily), N "
            "(once in N days), a/b (a times in b days), Nw (every N weeks) or 0 (tracking).",
        ),
        ("Gym: 8/7\n", "habits line 1: '8/7' is not a frequency; it asks for more times (8) "),
        ("Gym: 3/0\n", "habits line 1: '3/0' is not a frequency; the days after the slash"),
        ("Gym: 3.5/7\n", "habits line 1: '3.5/7' is not a frequency"),
        ("Gym: -1\n", "habits line 1: '-1' is not a frequency"),
        ("Gym: 0w\n", "habits line 1: '0w' is not a frequency"),
        ("# x\nMeeting: Team Sync: 1\n", "habits line 2: 'Team Sync' is not a frequency"),
        ("Read 1\n", "habits line 1: 'Read 1' is not a habit line; harsh's are 'Name: frequency'"),
        (": 1\n", "habits line 1: the habit has no name before ': '."),
    ],
)
def test_a_bad_habits_file_is_refused(
    tracker: Tracker, tmp_path: Path, habits: str, message: str
) -> None:
    before = _with_history(tracker)
    folder = write_folder(tmp_path / "harsh", habits, "")
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder, format="harsh")
    assert str(caught.value).startswith(f"{folder}: {message}")
    assert tracker.export() == before


@pytest.mark.parametrize(
    ("log", "message"),
    [
        ("2026-01-09 : Read : x\n", "log line 1: the status must be y, n or s, not 'x'."),
        ("# c\n\n2026-01-09 : Read\n", "log line 3: '2026-01-09 : Read' is not a log line"),
        ("2026-01-09: Read: y\n", "log line 1: '2026-01-09: Read: y' is not a log line"),
        (" 2026-01-09 : Read : y\n", "log line 1: ' 2026-01-09' is not a date"),
        ("2026-1-9 : Read : y\n", "log line 1: '2026-1-9' is not a date (YYYY-MM-DD)."),
        ("2026-01-09 :  : y\n", "log line 1: the habit's name is empty."),
    ],
)
def test_a_bad_log_line_is_refused(
    tracker: Tracker, tmp_path: Path, log: str, message: str
) -> None:
    before = _with_history(tracker)
    folder = write_folder(tmp_path / "harsh", "Read: 1\n", log)
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder)
    assert str(caught.value).startswith(f"{folder}: {message}")
    assert tracker.export() == before


def test_a_folder_without_log_or_habits_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    before = _with_history(tracker)
    folder = tmp_path / "harsh"
    folder.mkdir()
    (folder / "habits").write_text("Read: 1\n")
    with pytest.raises(habitcore.InvalidImport, match="nor harsh's habits and log files"):
        tracker.import_file(folder)
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder, format="harsh")
    assert str(caught.value) == (
        f"{folder}: There is no log beside habits; harsh keeps its check-ins in a file named log "
        "(an empty one will do)."
    )
    (folder / "habits").rename(folder / "log")
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder, format="harsh")
    assert str(caught.value) == (
        f"{folder}: There is no habits file in it; harsh keeps its habits in a file named "
        "habits, beside its log."
    )
    assert tracker.export() == before


def test_files_that_are_not_utf8_are_refused(tracker: Tracker, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "harsh", "Read: 1\n", "")
    (folder / "log").write_bytes("2026-01-09 : Read : y : café\n".encode("latin-1"))
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder, format="harsh")
    assert str(caught.value) == (
        f"{folder}: log is not UTF-8 text (byte 28 cannot be read); export it again as UTF-8."
    )
    assert tracker.export()["habits"] == []


# -- writing -----------------------------------------------------------------------------------


def test_the_writer_lays_out_harshs_files(tracker: Tracker, tmp_path: Path) -> None:
    start = date(2026, 1, 1)
    tracker.add_habit("Read", start=start, description="why", reminders=["21:00"])
    tracker.add_habit("Gym", "3/week", start=start)
    tracker.add_habit("Meeting: Team Sync", "every 3 days", start=start)
    tracker.add_habit("#1 priority", "weekdays", start=start)
    tracker.add_habit("Pages", "10/month", target=20, unit="pages", start=start)
    tracker.add_habit("Old", "1 in 14 days", start=start)
    tracker.check("Read", day=date(2026, 1, 2), note="sore : back\nthen : ")
    tracker.skip("Read", day=date(2026, 1, 3), note="3:00 PM")
    tracker.check("Gym", day=date(2026, 1, 2))
    tracker.check("Meeting: Team Sync", day=date(2026, 1, 3))
    tracker.check("#1 priority", day=date(2026, 1, 2))
    tracker.check("Pages", day=date(2026, 1, 2), amount=12.5)
    tracker.check("Pages", day=date(2026, 1, 3))
    tracker.skip("Pages", day=date(2026, 1, 4))
    tracker.check("Old", day=date(2026, 1, 5))
    tracker.archive("Old")
    folder = tmp_path / "out"
    returned = exchange.write(tracker.export(), "harsh", folder)
    assert sorted(os.listdir(folder)) == ["habits", "log"]  # no temporary files left
    assert (folder / "habits").read_text() == (
        "# harsh habits, exported by habitcore.\n"
        "# Name: frequency (1 daily, 7 once in 7 days, 3/7 three times in 7 days)\n"
        "# and, for a habit no longer tracked, the last day: Name: 1: 2026-01-31\n"
        "\n"
        "Read: 1\n"
        "Gym: 3/7\n"
        "Meeting Team Sync: 3\n"
        " #1 priority: 5/7\n"
        "Pages: 10/30\n"
        "Old: 14: 2026-01-05\n"
    )
    assert (folder / "log").read_bytes() == returned
    assert returned.decode() == (
        "2026-01-02 : Read : y : sore back then : \n"
        "2026-01-02 : Gym : y :  : \n"
        "2026-01-02 : #1 priority : y :  : \n"
        "2026-01-02 : Pages : y :  : 12.5\n"
        "2026-01-03 : Read : s : 3:00 PM : \n"
        "2026-01-03 : Meeting Team Sync : y :  : \n"
        "2026-01-03 : Pages : y :  : 20\n"
        "2026-01-04 : Pages : s :  : \n"
        "2026-01-05 : Old : y :  : \n"
    )
    # And back: what harsh holds comes back.
    other = memory_tracker(clock=FakeClock(NOW))
    other.import_file(folder)
    assert [(h["name"], h["schedule"], h["target"], h["archived"]) for h in habits_of(other)] == [
        ("Read", "daily", None, False),
        ("Gym", "3 in 7 days", None, False),
        ("Meeting Team Sync", "1 in 3 days", None, False),
        ("#1 priority", "5 in 7 days", None, False),
        ("Pages", "10 in 30 days", 12.5, False),
        ("Old", "1 in 14 days", None, True),
    ]
    assert [(c.day.day, c.note) for c in other.checkins("Read")] == [
        (2, "sore back then"),
        (3, "3:00 PM"),
    ]


def test_an_empty_export_writes_a_habits_file_and_an_empty_log(tmp_path: Path) -> None:
    tracker = memory_tracker(clock=FakeClock(NOW))
    assert exchange.write(tracker.export(), "harsh", tmp_path / "new" / "harsh") == b""
    assert (tmp_path / "new" / "harsh" / "log").read_bytes() == b""
    assert exchange.read(tmp_path / "new" / "harsh", "harsh").habits == ()


def test_writing_replaces_the_files_already_there(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "harsh", "Old: 1\n", log_line(day(1), "Old", "y"))
    tracker = memory_tracker(clock=FakeClock(NOW))
    tracker.add_habit("Read")
    harsh_export.write(tracker.export(), folder)
    assert (folder / "habits").read_text().endswith("\nRead: 1\n")
    assert (folder / "log").read_bytes() == b""
    assert oct((folder / "habits").stat().st_mode & 0o777) == "0o644"


def test_names_that_would_read_alike_are_told_apart(tmp_path: Path) -> None:
    tracker = memory_tracker(clock=FakeClock(NOW))
    for name in ("A: B", "A B", "a : b", ":", "x :", "!go"):
        tracker.add_habit(name)
        tracker.check(name, day=date(2026, 1, 9))
    exchange.write(tracker.export(), "harsh", tmp_path)
    assert (tmp_path / "habits").read_text().splitlines()[4:] == [
        "A B: 1",
        "A B (2): 1",
        "a b (3): 1",
        "Habit 4: 1",
        "x: 1",
        " !go: 1",
    ]
    other = memory_tracker(clock=FakeClock(NOW))
    other.import_file(tmp_path)
    assert [(h["name"], len(h["checkins"])) for h in habits_of(other)] == [
        ("A B", 1),
        ("A B (2)", 1),
        ("a b (3)", 1),
        ("Habit 4", 1),
        ("x", 1),
        ("!go", 1),
    ]


@pytest.mark.parametrize(
    ("schedule", "written", "back"),
    [
        ("daily", "1", "daily"),
        ("weekdays", "5/7", "5 in 7 days"),
        ("mon,wed,fri", "3/7", "3 in 7 days"),
        ("every 3 days", "3", "1 in 3 days"),
        ("3/week", "3/7", "3 in 7 days"),
        ("1/week", "7", "1 in 7 days"),
        ("10/month", "10/30", "10 in 30 days"),
        ("30/month", "1", "daily"),
        ("31/month", "1", "daily"),
        ("1 in 7 days", "7", "1 in 7 days"),
        ("3 in 10 days", "3/10", "3 in 10 days"),
        ("1 in 365 days", "365", "1 in 365 days"),
    ],
)
def test_schedules_become_harshs_nearest_frequency(
    schedule: str, written: str, back: str, tmp_path: Path
) -> None:
    assert harsh_export.frequency(parse_schedule(schedule)) == written
    tracker = memory_tracker(clock=FakeClock(NOW))
    tracker.add_habit("Read", schedule)
    exchange.write(tracker.export(), "harsh", tmp_path)
    assert exchange.read(tmp_path).habits[0].schedule == back


def harshable(schedule: Schedule) -> str:
    """The schedule a habit has after a trip through harsh ("a in b days" only)."""
    match schedule:
        case DaysOfWeek(days):
            times, window = len(days), 7
        case EveryNDays(n):
            times, window = 1, n
        case PerPeriod(n, period):
            times, window = (n, 7) if period == "week" else (min(n, 30), 30)
        case Rolling(n, w):
            times, window = n, w
        case Daily():
            times, window = 1, 1
    return "daily" if times >= window else f"{times} in {window} days"


NAMES = {  # a habitcore name -> the name it has after a trip through harsh
    "Read": "Read",
    "Meeting: Team Sync": "Meeting Team Sync",
    "10:30 wakeup": "10:30 wakeup",
    "#1 priority": "#1 priority",
    "! loud": "! loud",
    "ends with :": "ends with",
    "Méditer 10'": "Méditer 10'",
}
NOTES = {  # a note -> the comment harsh keeps of it
    None: None,
    "ok": "ok",
    "3:00 PM": "3:00 PM",
    "a : b": "a b",
    "two\nlines": "two lines",
    ": lead": "lead",
    ":": None,
}
habit_specs = st.fixed_dictionaries(
    {
        "name": st.sampled_from(sorted(NAMES)),
        "schedule": schedules.map(str),
        "target": st.none() | st.sampled_from([1, 2.5, 20]),
        "archived": st.booleans(),
        "days": st.dictionaries(
            st.integers(0, 60),
            st.tuples(
                st.sampled_from(["done", "done", "skipped"]),
                st.none() | st.sampled_from([0.0, 0.5, 3.0, 12.25, 1e9]),
                st.sampled_from(sorted(NOTES, key=str)),
            ),
            max_size=12,
        ),
    }
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(habit_specs, max_size=4))
def test_export_write_read_import_gives_the_habits_back(
    specs: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = memory_tracker(clock=FakeClock(NOW))
    start = TODAY - timedelta(days=60)
    expected = []
    seen: set[str] = set()
    for spec in specs:
        if name_key(spec["name"]) in seen:
            continue
        seen.add(name_key(spec["name"]))
        measurable = spec["target"] is not None
        source.add_habit(
            spec["name"], spec["schedule"], target=spec["target"], unit="u" if measurable else None
        )
        source.edit_habit(spec["name"], start=start)
        checkins = []
        for offset, (status, amount, note) in sorted(spec["days"].items()):
            when = start + timedelta(days=offset)
            if status == "skipped":
                source.skip(spec["name"], day=when, note=note)
                amount = None
            else:
                given = amount if measurable else None
                source.check(spec["name"], day=when, amount=given, note=note)
                # A measurable habit's plain "done" holds its target.
                amount = (spec["target"] if given is None else given) if measurable else None
            checkins.append((when.isoformat(), status, amount, NOTES[note]))
        if spec["archived"]:
            source.archive(spec["name"])
        # harsh keeps no target: the smallest amount of a done day becomes it.
        amounts = [a for _, s, a, _ in checkins if s == "done" and a is not None]
        target = min((a for a in amounts if a > 0), default=None)
        if target is None:
            checkins = [(d, s, None, n) for d, s, _, n in checkins]
        expected.append(
            habit_row(
                NAMES[spec["name"]],
                harshable(parse_schedule(spec["schedule"])),
                checkins,
                target=target,
                archived=spec["archived"],
            )
        )
    folder = tmp_path_factory.mktemp("harsh")
    exchange.write(source.export(), "harsh", folder)
    target_tracker = memory_tracker(clock=FakeClock(NOW))
    target_tracker.import_file(folder)
    assert habits_of(target_tracker) == expected


# -- the command line --------------------------------------------------------------------------


def test_export_and_import_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, third = (tmp_path / f"{n}.db" for n in ("first", "second", "third"))
    monkeypatch.setenv("TZ", "UTC")
    assert habit("--db", str(first), "add", "Read", "--start", "-5")[0] == 0
    assert habit("--db", str(first), "add", "Gym", "-s", "3/week")[0] == 0
    assert habit("--db", str(first), "done", "read", "-1", "--note", "a : b")[0] == 0
    assert habit("--db", str(first), "done", "gym")[0] == 0
    out = tmp_path / "harsh"
    assert habit("--db", str(first), "export", "--format", "harsh", "-o", str(out)) == (
        0,
        f"Wrote {out / 'habits'} and {out / 'log'}.\n",
        "",
    )
    code, stdout, _ = habit("--db", str(second), "import", str(out))
    assert code == 0
    assert stdout.splitlines() == [
        f"Imported a harsh habits and log pair ({out}):",
        "  habits: 2 created, 0 matched",
        "  check-ins: 2 added, 0 already there",
    ]
    imported = habitcore.open(f"sqlite:///{second}")
    today = datetime.now(UTC).date()
    assert [(c.day, c.note) for c in imported.checkins("Read")] == [
        (today - timedelta(days=1), "a b")
    ]
    assert imported.habit("Gym").schedule == "3 in 7 days"
    # One file of the pair stands for its folder.
    code, stdout, _ = habit("--db", str(third), "import", str(out / "log"), "--dry-run")
    assert code == 0
    assert stdout.splitlines()[1:3] == [
        "  habits: 2 created, 0 matched",
        "  check-ins: 2 added, 0 already there",
    ]
    code, stdout, _ = habit("--db", str(second), "import", str(out / "log"))
    assert code == 0
    assert stdout.splitlines()[1:3] == [
        "  habits: 0 created, 2 matched (Read, Gym)",
        "  check-ins: 0 added, 2 already there",
    ]


def test_a_zip_of_the_export_imports(tmp_path: Path) -> None:
    tracker = memory_tracker(clock=FakeClock(NOW))
    tracker.add_habit("Read")
    tracker.check("Read", day=date(2026, 1, 9), note="ok")
    folder = tmp_path / "harsh"
    exchange.write(tracker.export(), "harsh", folder)
    path = tmp_path / "harsh.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("habits", "log"):
            archive.write(folder / name, f"harsh/{name}")
    other = memory_tracker(clock=FakeClock(NOW))
    other.import_file(path)
    assert habits_of(other) == [habit_row("Read", checkins=[(day(9), "done", None, "ok")])]
