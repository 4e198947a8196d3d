"""Loop Habit Tracker's CSV export: reading its zip and folder (both header generations), and
writing the newest layout from a habitcore export."""

from __future__ import annotations

import io
import re
import uuid
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
from habitcore.exchange import loop_csv_export
from habitcore.exchange.source import Source
from habitcore.rules.habits import clean_name, name_key
from habitcore.rules.schedule import nearest_window, parse_schedule
from habitcore.storage.store import Store
from habitcore.testing import FakeClock, memory_store
from habitcore.tracker import Tracker
from loop_csv_files import (
    NO,
    SKIP,
    UNKNOWN,
    YES_AUTO,
    YES_MANUAL,
    LoopHabit,
    export,
    write_folder,
    write_zip,
)
from strategies import schedules

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # the tracker fixture's clock
TODAY = NOW.date()


_SHARED: list[Store] = []


def fresh_tracker() -> Tracker:
    """A new user's tracker on one in-memory store: hypothesis examples each get their own user,
    without building a database each time."""
    if not _SHARED:
        _SHARED.append(memory_store())
    made = Tracker(_SHARED[0], user=f"user-{uuid.uuid4().hex}", clock=FakeClock(NOW))
    made.set_timezone("UTC")
    return made


def day(n: int) -> date:
    return date(2026, 1, n)


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


def every_field() -> list[LoopHabit]:
    return [
        LoopHabit(
            "Meditate",
            question="Did you meditate today?",
            description="Ten minutes, eyes closed",
            entries=[
                (day(9), YES_MANUAL, "calm"),
                (day(8), SKIP, "travelling"),
                (day(7), NO, "tired"),
                (day(6), UNKNOWN, "forgot?"),
                (day(5), YES_MANUAL, ""),
            ],
        ),
        LoopHabit(
            "Gym",
            num=3,
            den=7,
            color="#D32F2F",
            entries=[
                (day(9), YES_MANUAL, ""),
                (day(8), YES_AUTO, ""),
                (day(7), YES_MANUAL, ""),
                (day(6), YES_MANUAL, ""),
            ],
        ),
        LoopHabit(
            "Run",
            type="NUMERICAL",
            num=1,
            den=7,
            unit="km",
            target_value=5.0,
            entries=[(day(9), 7500, "hilly"), (day(8), SKIP, ""), (day(4), 12250, "")],
        ),
        LoopHabit(
            "Coffee",
            type="NUMERICAL",
            num=10,
            den=30,
            unit="cups",
            target_type="AT_MOST",
            target_value=2.0,
            archived=True,
            entries=[(day(9), 1000, ""), (day(8), NO, "none at all")],
        ),
        LoopHabit("Vegan", entries=[(day(9), YES_MANUAL, "")]),
        LoopHabit("Vegan", num=5, den=7, entries=[(day(8), YES_MANUAL, "")]),
        LoopHabit(
            "'-5 kg",
            description='\'=HYPERLINK("http://x")',
            entries=[(day(3), YES_MANUAL, '\'+1 day, then "more"')],
        ),
    ]


EVERY_FIELD = [
    {
        "name": "Meditate",
        "schedule": "daily",
        "description": "Did you meditate today?\n\nTen minutes, eyes closed",
        "target": None,
        "unit": None,
        "at_most": False,
        "archived": False,
        "checkins": [
            ("2026-01-05", "done", None, None),
            ("2026-01-08", "skipped", None, "travelling"),
            ("2026-01-09", "done", None, "calm"),
        ],
    },
    {
        "name": "Gym",
        "schedule": "3 in 7 days",
        "description": None,
        "target": None,
        "unit": None,
        "at_most": False,
        "archived": False,
        "checkins": [
            ("2026-01-06", "done", None, None),
            ("2026-01-07", "done", None, None),
            ("2026-01-09", "done", None, None),
        ],
    },
    {
        "name": "Run",
        "schedule": "1 in 7 days",
        "description": None,
        "target": 5.0,
        "unit": "km",
        "at_most": False,
        "archived": False,
        "checkins": [
            ("2026-01-04", "done", 12.25, None),
            ("2026-01-08", "skipped", None, None),
            ("2026-01-09", "done", 7.5, "hilly"),
        ],
    },
    {
        "name": "Coffee",
        "schedule": "10 in 30 days",
        "description": None,
        "target": 2.0,
        "unit": "cups",
        "at_most": True,
        "archived": True,
        "checkins": [
            ("2026-01-08", "done", 0.0, "none at all"),
            ("2026-01-09", "done", 1.0, None),
        ],
    },
    {
        "name": "Vegan",
        "schedule": "daily",
        "description": None,
        "target": None,
        "unit": None,
        "at_most": False,
        "archived": False,
        "checkins": [("2026-01-09", "done", None, None)],
    },
    {
        "name": "Vegan (2)",
        "schedule": "5 in 7 days",
        "description": None,
        "target": None,
        "unit": None,
        "at_most": False,
        "archived": False,
        "checkins": [("2026-01-08", "done", None, None)],
    },
    {
        "name": "-5 kg",
        "schedule": "daily",
        "description": '=HYPERLINK("http://x")',
        "target": None,
        "unit": None,
        "at_most": False,
        "archived": False,
        "checkins": [("2026-01-03", "done", None, '+1 day, then "more"')],
    },
]


# -- reading -----------------------------------------------------------------------------------


def test_a_zip_of_the_newest_layout_maps_every_field(tracker: Tracker, tmp_path: Path) -> None:
    path = write_zip(export(every_field(), TODAY), tmp_path / "Loop Habits CSV 2026-01-10.zip")
    summary = tracker.import_file(path)
    assert summary.format == "loop-csv"
    assert summary.habits_added == [
        "Meditate",
        "Gym",
        "Run",
        "Coffee",
        "Vegan",
        "Vegan (2)",
        "-5 kg",
    ]
    assert habits_of(tracker) == EVERY_FIELD
    # The notes of days not done have no check-in to go with; the user is told.
    assert [str(u) for u in summary.unmapped] == [
        "Meditate: notes: a note on a day not done has no check-in to keep it (2 times)"
    ]
    assert [h.name for h in tracker.habits()] == [
        "Meditate",
        "Gym",
        "Run",
        "Vegan",
        "Vegan (2)",
        "-5 kg",
    ]


def test_the_unpacked_folder_reads_as_the_zip_does(tracker: Tracker, tmp_path: Path) -> None:
    files = export(every_field(), TODAY, prefix="Loop Habits CSV 2026-01-10/")
    folder = write_folder(files, tmp_path / "unpacked")
    zipped = exchange.read(write_zip(files, tmp_path / "export.zip"))
    assert exchange.read(folder) == zipped
    # Pointing at Habits.csv itself reads the folder it lies in.
    assert exchange.read(folder / "Loop Habits CSV 2026-01-10" / "Habits.csv") == zipped
    tracker.import_file(folder)
    assert habits_of(tracker) == EVERY_FIELD


def test_the_older_header_with_integer_cells_and_headerless_files(
    tracker: Tracker, tmp_path: Path
) -> None:
    habits = [
        LoopHabit(
            "Meditate",
            question="Did you meditate?",
            num=2,
            den=7,
            entries=[(day(9), YES_MANUAL, ""), (day(8), YES_AUTO, ""), (day(7), YES_MANUAL, "")],
        ),
        # Before the Type column, a habit whose values are amounts is measurable.
        LoopHabit(
            "Pages",
            type="NUMERICAL",
            entries=[
                (day(9), 20000, ""),
                (day(8), NO, ""),
                (day(7), 12500, ""),
                (day(6), SKIP, ""),
            ],
        ),
        LoopHabit("Floss", num=7, den=7, entries=[(day(9), SKIP, ""), (day(8), NO, "")]),
    ]
    files = export(habits, TODAY, generation="older")
    assert files["Habits.csv"].decode().splitlines()[0] == (
        "Position,Name,Question,Description,NumRepetitions,Interval,Color"
    )
    assert files["002 Pages/Checkmarks.csv"].decode().splitlines()[0] == "2026-01-09,20000"
    summary = tracker.import_file(write_zip(files, tmp_path / "old.zip"))
    assert habits_of(tracker) == [
        {
            "name": "Meditate",
            "schedule": "2 in 7 days",
            "description": "Did you meditate?",
            "target": None,
            "unit": None,
            "at_most": False,
            "archived": False,
            "checkins": [("2026-01-07", "done", None, None), ("2026-01-09", "done", None, None)],
        },
        {
            "name": "Pages",
            "schedule": "daily",
            "description": None,
            "target": 20.0,
            "unit": None,
            "at_most": False,
            "archived": False,
            # An older export lists 0 for days without an amount: they are no check-ins.
            "checkins": [
                ("2026-01-06", "skipped", None, None),
                ("2026-01-07", "done", 12.5, None),
                ("2026-01-09", "done", 20.0, None),
            ],
        },
        {
            "name": "Floss",
            "schedule": "daily",
            "description": None,
            "target": None,
            "unit": None,
            "at_most": False,
            "archived": False,
            "checkins": [("2026-01-09", "skipped", None, None)],
        },
    ]
    assert [str(u) for u in summary.unmapped] == [
        "Pages: target: Loop's older CSV export holds none; took 20"
    ]


def test_own_files_win_and_the_overall_file_fills_in_by_position(
    tracker: Tracker, tmp_path: Path
) -> None:
    habits = [
        # The all-habits file misses a day its own file has (uhabits#2336).
        LoopHabit(
            "Read, write",
            entries=[(day(9), YES_MANUAL, "own file"), (day(8), YES_MANUAL, "")],
            in_overall={day(8)},
        ),
        LoopHabit("Stretch", entries=[(day(9), SKIP, ""), (day(7), YES_MANUAL, "")]),
        LoopHabit("Run", type="NUMERICAL", target_value=5.0, entries=[(day(6), 3500, "")]),
    ]
    # No folders for Stretch and Run: their days come from Checkmarks.csv, whose header has
    # four names for three habits (Loop writes "Read, write" unquoted).
    files = export(habits, TODAY, without_folders=[1, 2])
    assert files["Checkmarks.csv"].decode().splitlines()[:2] == [
        "Date,Read, write,Stretch,Run,",
        "2026-01-10,UNKNOWN,UNKNOWN,UNKNOWN,",
    ]
    tracker.import_file(write_zip(files, tmp_path / "export.zip"))
    assert [h["checkins"] for h in habits_of(tracker)] == [
        [("2026-01-08", "done", None, None), ("2026-01-09", "done", None, "own file")],
        [("2026-01-07", "done", None, None), ("2026-01-09", "skipped", None, None)],
        [("2026-01-06", "done", 3.5, None)],
    ]


def test_loop_2_0_cells_and_an_export_without_days(tracker: Tracker, tmp_path: Path) -> None:
    # Loop 2.0.x wrote each cell of Checkmarks.csv as the Entry itself (uhabits#1162, #1652).
    habits = [LoopHabit("Read"), LoopHabit("Run", type="NUMERICAL", target_value=5.0)]
    files = export(habits, TODAY, without_folders=[0, 1])
    files["Checkmarks.csv"] = (
        b"Date,Read,Run,\n"
        b"2026-01-09,Entry(timestamp=2026-01-09, value=2),Entry(timestamp=2026-01-09, value=7000),\n"
        b"2026-01-08,Entry(timestamp=2026-01-08, value=0),Entry(timestamp=2026-01-08, value=-1),\n"
    )
    tracker.import_file(write_zip(files, tmp_path / "old.zip"))
    assert [h["checkins"] for h in habits_of(tracker)] == [
        [("2026-01-09", "done", None, None)],
        [("2026-01-09", "done", 7.0, None)],
    ]
    # A Loop without any recorded day writes only the header: nothing is missing.
    files = export([LoopHabit("Walk")], TODAY, without_folders=[0])
    assert files["Checkmarks.csv"] == b"Date,Walk,\n"
    summary = tracker.import_file(write_zip(files, tmp_path / "empty.zip"))
    assert (summary.habits_added, summary.unmapped) == (["Walk"], [])


def test_overall_columns_that_fit_no_habit_list_are_refused(
    tracker: Tracker, tmp_path: Path
) -> None:
    habits = [LoopHabit("Read", entries=[(day(9), YES_MANUAL, "")]), LoopHabit("Run")]
    files = export(habits, TODAY, selected=[0], without_folders=[0])
    files["Checkmarks.csv"] = b"Date,Read,Run,Walk,\n2026-01-09,YES_MANUAL,NO,NO,\n"
    with pytest.raises(
        habitcore.InvalidImport,
        match=re.escape("Checkmarks.csv has 3 habit columns, but Habits.csv lists 2 habits."),
    ):
        tracker.import_file(write_zip(files, tmp_path / "export.zip"))
    files["Checkmarks.csv"] = b"Date,Read,Run,\n\n2026-01-09,YES_MANUAL,NO,\n2026-01-08,NO,\n"
    with pytest.raises(
        habitcore.InvalidImport,
        match=re.escape("Checkmarks.csv line 4 has 1 cell after the date, but line 3 has 2 cells."),
    ):
        tracker.import_file(write_zip(files, tmp_path / "export.zip"))
    assert tracker.export()["habits"] == []


def test_a_partial_export_lists_every_habit_but_only_some_days(
    tracker: Tracker, tmp_path: Path
) -> None:
    habits = [
        LoopHabit("Read", entries=[(day(9), YES_MANUAL, "")]),
        LoopHabit("Write", entries=[(day(8), YES_MANUAL, "")]),
        LoopHabit("Walk", entries=[(day(7), YES_MANUAL, "")]),
    ]
    files = export(habits, TODAY, selected=[0, 2])
    assert sorted(files) == sorted(
        [
            "Habits.csv",
            "001 Read/Scores.csv",
            "001 Read/Checkmarks.csv",
            "003 Walk/Scores.csv",
            "003 Walk/Checkmarks.csv",
            "Scores.csv",
            "Checkmarks.csv",
        ]
    )
    summary = tracker.import_file(write_zip(files, tmp_path / "export.zip"))
    assert [(h["name"], len(h["checkins"])) for h in habits_of(tracker)] == [
        ("Read", 1),
        ("Write", 0),
        ("Walk", 1),
    ]
    assert [str(u) for u in summary.unmapped] == [
        "Write: check-ins: not in this export (Loop exported other habits)"
    ]


def test_origins_find_renamed_habits_and_a_later_export_with_more_days(
    tracker: Tracker, tmp_path: Path
) -> None:
    habits = [LoopHabit("Read", entries=[(day(8), YES_MANUAL, "")]), LoopHabit("Read")]
    tracker.import_file(write_zip(export(habits, TODAY), tmp_path / "first.zip"))
    tracker.edit_habit("Read", new_name="Reading")
    habits[0].entries.append((day(9), YES_MANUAL, ""))
    habits[0].archived = True  # archived in Loop meanwhile: still the same habit
    summary = tracker.import_file(write_zip(export(habits, TODAY), tmp_path / "later.zip"))
    assert summary.habits_merged == ["Reading", "Read (2)"]
    assert (summary.checkins_added, summary.checkins_unchanged) == (1, 1)
    assert [h.name for h in tracker.habits()] == ["Reading", "Read (2)"]


loop_values = st.sampled_from([YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN])
loop_habits = st.builds(
    LoopHabit,
    name=st.sampled_from(["Read", "Read", "Run, fast", "=1+1", "Méditer 10'"]),
    type=st.sampled_from(["YES_NO", "NUMERICAL"]),
    num=st.integers(1, 7),
    den=st.integers(1, 40),
    target_value=st.sampled_from([1.0, 2.5, 10.0]),
    archived=st.booleans(),
    entries=st.dictionaries(
        st.integers(0, 60).map(lambda n: TODAY - timedelta(days=n)),
        st.tuples(loop_values | st.integers(4, 99_000), st.sampled_from(["", "note", "-x"])),
        max_size=12,
    ).map(lambda d: [(k, v, n) for k, (v, n) in d.items()]),
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    habits=st.lists(loop_habits, max_size=4),
    generation=st.sampled_from(["newest", "older"]),
)
def test_importing_a_loop_export_twice_equals_importing_it_once(
    habits: list[LoopHabit], generation: str
) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in export(habits, TODAY, generation=generation).items():
            archive.writestr(name, content)
    document = exchange.read(Source.of_bytes("export.zip", data.getvalue()))
    tracker = fresh_tracker()
    tracker.import_document(document)
    once = habits_of(tracker)
    again = tracker.import_document(document)
    assert again.checkins_added == again.checkins_updated == 0
    assert again.habits_added == []
    assert habits_of(tracker) == once


# -- bad files ---------------------------------------------------------------------------------


def test_a_zip_without_habits_csv_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    files = export([LoopHabit("Read", entries=[(day(9), YES_MANUAL, "")])], TODAY)
    del files["Habits.csv"]
    path = write_zip(files, tmp_path / "export.zip")
    with pytest.raises(habitcore.InvalidImport, match="holds neither Loop's CSV export"):
        tracker.import_file(path)
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(path, format="loop-csv")
    assert str(caught.value) == (
        f"{path}: There is no Habits.csv in it; Loop's CSV export holds Habits.csv, "
        "Checkmarks.csv and a folder per habit."
    )
    assert tracker.export()["habits"] == []


@pytest.mark.parametrize("file", ["001 Read/Checkmarks.csv", "Checkmarks.csv"])
def test_a_bad_date_at_line_9000_names_the_file_and_line(
    tracker: Tracker, tmp_path: Path, file: str
) -> None:
    tracker.add_habit("Kept", start=day(1))
    tracker.check("Kept", day=day(2))
    before = tracker.export()
    entries = [(TODAY - timedelta(days=n), YES_MANUAL, "") for n in range(9_500)]
    files = export([LoopHabit("Read", entries=entries)], TODAY)
    if file == "Checkmarks.csv":
        del files["001 Read/Checkmarks.csv"]
    lines = files[file].decode().split("\n")
    lines[8_999] = "2001-02-30" + lines[8_999][10:]  # line 9000
    files[file] = "\n".join(lines).encode()
    path = write_zip(files, tmp_path / "export.zip")
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(path)
    assert str(caught.value) == (
        f"{path}: {file} line 9000: '2001-02-30' is not a date (YYYY-MM-DD)."
    )
    assert tracker.export() == before


def test_a_habits_csv_that_is_not_utf8_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    files = export([LoopHabit("Méditer", entries=[(day(9), YES_MANUAL, "")])], TODAY)
    files["Habits.csv"] = files["Habits.csv"].decode().encode("latin-1")
    bad_byte = files["Habits.csv"].index("é".encode("latin-1")) + 1
    folder = write_folder(files, tmp_path / "export")
    with pytest.raises(habitcore.InvalidImport) as caught:
        tracker.import_file(folder)
    assert str(caught.value) == (
        f"{folder}: Habits.csv is not UTF-8 text (byte {bad_byte} cannot be read); export it again "
        "as UTF-8."
    )
    assert tracker.export()["habits"] == []


@pytest.mark.parametrize(
    ("habits_csv", "message"),
    [
        (b"", "Habits.csv is empty; it is not from Loop's CSV export."),
        (b"Name,Colour\nRead,red\n", "Habits.csv does not start with Loop's header"),
        (
            b"Position,Name,Question,Description,NumRepetitions,Interval,Color\n"
            b"001,Read,,,three,7,#D32F2F\n",
            "Habits.csv line 2: 'three' is not a frequency number.",
        ),
        (
            b"Position,Name,Question,Description,NumRepetitions,Interval,Color\n"
            b"001,Read,,,1,1,#D32F2F\n001,Write,,,1,1,#D32F2F\n",
            "Habits.csv line 3: position 1 is listed twice.",
        ),
    ],
)
def test_a_damaged_habits_csv_is_refused(
    tracker: Tracker, tmp_path: Path, habits_csv: bytes, message: str
) -> None:
    files = export([LoopHabit("Read", entries=[(day(9), YES_MANUAL, "")])], TODAY)
    files["Habits.csv"] = habits_csv
    with pytest.raises(habitcore.InvalidImport, match=message):
        tracker.import_file(write_zip(files, tmp_path / "export.zip"), format="loop-csv")
    assert tracker.export()["habits"] == []


def test_a_value_loop_never_writes_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    files = export([LoopHabit("Read", entries=[(day(9), YES_MANUAL, "")])], TODAY)
    files["001 Read/Checkmarks.csv"] = b"Date,Value,Notes\n2026-01-09,MAYBE,\n"
    with pytest.raises(habitcore.InvalidImport, match=r"001 Read/Checkmarks.csv line 2: 'MAYBE'"):
        tracker.import_file(write_zip(files, tmp_path / "export.zip"))
    assert tracker.export()["habits"] == []


# -- writing -----------------------------------------------------------------------------------


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_writer_lays_out_what_loops_exporter_writes(tracker: Tracker) -> None:
    tracker.add_habit("Stretch", "every 3 days", start=day(1), description='Back, "gently"')
    tracker.add_habit("Méditer, 10'", "1 in 7 days", start=day(2))
    tracker.add_habit("Run", "3/week", target=5, unit="km", start=day(1))
    tracker.add_habit("Beer", target=2, unit="glasses", at_most=True, start=day(8))
    tracker.check("Stretch", day=day(2), note="sore\nback")
    tracker.skip("Stretch", day=day(5))
    tracker.check("Méditer, 10'", day=day(3))
    tracker.check("Run", day=day(4), amount=7.25)
    tracker.check("Beer", day=day(9), amount=0)
    tracker.archive("Beer")
    files = unzip(exchange.write(tracker.export(), "loop-csv"))
    assert list(files) == [
        "Habits.csv",
        "001 Stretch/Scores.csv",
        "001 Stretch/Checkmarks.csv",
        "002 Mditer 10/Scores.csv",
        "002 Mditer 10/Checkmarks.csv",
        "003 Run/Scores.csv",
        "003 Run/Checkmarks.csv",
        "004 Beer/Scores.csv",
        "004 Beer/Checkmarks.csv",
        "Scores.csv",
        "Checkmarks.csv",
    ]
    assert files["Habits.csv"] == (
        "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,"
        "Color,Unit,Target Type,Target Value,Archived?\n"
        '001,Stretch,YES_NO,,"Back, ""gently""",1,3,#00897B,,,,false\n'
        '002,"Méditer, 10\'",YES_NO,,,1,7,#00897B,,,,false\n'
        "003,Run,NUMERICAL,,,3,7,#00897B,km,AT_LEAST,5.0,false\n"
        "004,Beer,NUMERICAL,,,1,1,#00897B,glasses,AT_MOST,2.0,true\n"
    )
    assert files["001 Stretch/Checkmarks.csv"] == (
        "Date,Value,Notes\n2026-01-05,SKIP,\n"
        "2026-01-04,YES_AUTO,\n2026-01-03,YES_AUTO,\n"  # every 3 days is Loop's 1 in 3 days
        '2026-01-02,YES_MANUAL,"sore\nback"\n'
    )
    # A day the frequency's window excuses is YES_AUTO, as Loop computes it.
    assert files["002 Mditer 10/Checkmarks.csv"].splitlines() == [
        "Date,Value,Notes",
        *(f"2026-01-{n:02d},YES_AUTO," for n in range(9, 3, -1)),
        "2026-01-03,YES_MANUAL,",
    ]
    assert files["003 Run/Checkmarks.csv"] == "Date,Value,Notes\n2026-01-04,7250,\n"
    assert files["004 Beer/Checkmarks.csv"] == "Date,Value,Notes\n2026-01-09,NO,\n"
    checks = files["Checkmarks.csv"].splitlines()
    assert checks[0] == 'Date,Stretch,"Méditer, 10\'",Run,Beer,'
    assert checks[1:3] == [
        "2026-01-10,UNKNOWN,UNKNOWN,UNKNOWN,UNKNOWN,",
        "2026-01-09,UNKNOWN,YES_AUTO,UNKNOWN,NO,",
    ]
    assert checks[-1] == "2026-01-02,YES_MANUAL,UNKNOWN,UNKNOWN,UNKNOWN,"
    assert len(checks) == 1 + 9  # today back to the oldest recorded day
    # The Scores files hold habitcore's own score, %.4f, newest first from today.
    # Today's is the score habitcore shows today.
    steps = {step.day: step.score for step in tracker.explain_score("Stretch")}
    scores = files["001 Stretch/Scores.csv"].splitlines()
    assert scores[0] == "Date,Score"
    assert scores[1] == f"2026-01-10,{tracker.stats('Stretch').score:.4f}"
    assert scores[-1] == f"2026-01-02,{steps[day(2)]:.4f}"
    assert scores[-2] == f"2026-01-03,{steps[day(3)]:.4f}"
    assert files["Scores.csv"].splitlines()[-1].startswith("2026-01-02,")
    assert files["Scores.csv"].splitlines()[-1].endswith(",0.0000,")  # Beer not yet begun


def test_an_empty_export_writes_the_headers(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    files = unzip(exchange.write(tracker.export(), "loop-csv"))
    assert files["Checkmarks.csv"] == "Date,Read,\n"
    assert files["001 Read/Checkmarks.csv"] == "Date,Value,Notes\n"
    assert files["001 Read/Scores.csv"] == "Date,Score\n2026-01-10,0.0000\n"


@pytest.mark.parametrize(
    ("schedule", "loop", "back"),
    [
        ("daily", (1, 1), "daily"),
        ("weekdays", (5, 7), "5 in 7 days"),
        ("mon,wed,fri", (3, 7), "3 in 7 days"),
        ("every 3 days", (1, 3), "1 in 3 days"),
        ("3/week", (3, 7), "3 in 7 days"),
        ("7/week", (1, 1), "daily"),
        ("10/month", (10, 30), "10 in 30 days"),
        ("31/month", (1, 1), "daily"),
        ("3 in 10 days", (3, 10), "3 in 10 days"),
    ],
)
def test_schedules_become_loops_nearest_frequency(
    schedule: str, loop: tuple[int, int], back: str
) -> None:
    assert nearest_window(parse_schedule(schedule)) == loop
    tracker = fresh_tracker()
    tracker.add_habit("Read", schedule)
    document = exchange.read(Source.of_bytes("x.zip", exchange.write(tracker.export(), "loop-csv")))
    assert document.habits[0].schedule == back


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10, "10.0"),
        (2.5, "2.5"),
        (0.001, "0.001"),
        (0.0005, "5.0E-4"),
        (1e7, "1.0E7"),
        (123456789.5, "1.234567895E8"),
        (1234567.0, "1234567.0"),
    ],
)
def test_target_values_read_as_kotlins_double_to_string(value: float, text: str) -> None:
    assert loop_csv_export.java_double(value) == text


def test_formula_cells_are_protected_and_read_back(tracker: Tracker, tmp_path: Path) -> None:
    tracker.add_habit("-5 kg", description="=1+1", target=5, unit="@kg", start=day(1))
    tracker.add_habit("+wins")
    tracker.check("-5 kg", day=day(2), amount=1, note='=HYPERLINK("http://evil")')
    tracker.check("+wins", day=day(3), note="@mention")
    data = exchange.write(tracker.export(), "loop-csv")
    files = unzip(data)
    assert files["Habits.csv"].splitlines()[1:] == [
        "001,'-5 kg,NUMERICAL,,'=1+1,1,1,#00897B,'@kg,AT_LEAST,5.0,false",
        "002,'+wins,YES_NO,,,1,1,#00897B,,,,false",
    ]
    assert files["001 -5 kg/Checkmarks.csv"].splitlines()[1] == (
        '2026-01-02,1000,"\'=HYPERLINK(""http://evil"")"'
    )
    assert files["002 wins/Checkmarks.csv"].splitlines()[1] == "2026-01-03,YES_MANUAL,'@mention"
    assert files["Checkmarks.csv"].splitlines()[0] == "Date,'-5 kg,'+wins,"
    path = tmp_path / "out.zip"
    path.write_bytes(data)
    other = fresh_tracker()
    other.import_file(path)
    assert [(h["name"], h["description"], h["unit"]) for h in habits_of(other)] == [
        ("-5 kg", "=1+1", "@kg"),
        ("+wins", None, None),
    ]
    assert [c.note for c in other.checkins("-5 kg")] == ['=HYPERLINK("http://evil")']
    assert [c.note for c in other.checkins("+wins")] == ["@mention"]


names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=20,
)
checkin_specs = st.dictionaries(
    st.integers(0, 90),
    st.tuples(
        st.sampled_from(["done", "skipped"]),
        st.integers(0, 40_000).map(lambda n: n / 1000),  # Loop keeps thousandths
        st.none() | st.sampled_from(["ok", "-3 reps", "line\nbreak", 'a "quote", comma']),
    ),
    max_size=15,
)
habit_specs = st.fixed_dictionaries(
    {
        "name": names,
        "schedule": schedules.map(str),
        "target": st.none() | st.sampled_from([1, 2.5, 20, 12_000_000]),
        "at_most": st.booleans(),
        "description": st.none() | st.sampled_from(["why", "-why\nnot", "=SUM(A1)"]),
        "archived": st.booleans(),
        "days": checkin_specs,
    }
)


def loopable(schedule: str) -> str:
    """The schedule a habit has after a trip through Loop: Loop's num/den as a window."""
    times, days = nearest_window(parse_schedule(schedule))
    return str(parse_schedule(f"{times} in {days} days"))


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(habit_specs, max_size=4))
def test_export_write_read_import_gives_the_habits_back(specs: list[dict[str, Any]]) -> None:
    start = TODAY - timedelta(days=90)
    habits: list[dict[str, Any]] = []
    seen: set[str] = set()
    for spec in specs:
        key = name_key(clean_name(spec["name"]))
        if key in seen:
            continue
        seen.add(key)
        measurable = spec["target"] is not None
        habits.append(
            {
                "name": spec["name"],
                "schedule": spec["schedule"],
                "target": spec["target"],
                "unit": "u" if measurable else None,
                "at_most": spec["at_most"] and measurable,
                "description": spec["description"],
                "archived": spec["archived"],
                "start": start.isoformat(),
                "checkins": [
                    {
                        "day": (start + timedelta(days=offset)).isoformat(),
                        "status": status,
                        "amount": amount if measurable and status == "done" else None,
                        "note": note,
                    }
                    for offset, (status, amount, note) in sorted(spec["days"].items())
                ],
            }
        )
    source = fresh_tracker()
    source.import_data({"format": "habitcore", "version": 1, "habits": habits})
    data = exchange.write(source.export(), "loop-csv")
    target = fresh_tracker()
    target.import_document(exchange.read(Source.of_bytes("out.zip", data)))
    expected = habits_of(source)
    for spec in expected:
        spec["schedule"] = loopable(spec["schedule"])
        # Loop's measurable cells are thousandths; 0.001 reads as YES_AUTO and 0.003 as SKIP.
        spec["checkins"] = [
            (d, "skipped", None, n) if a == 0.003 else (d, s, a, n)
            for d, s, a, n in spec["checkins"]
            if a != 0.001
        ]
    assert habits_of(target) == expected


def test_export_and_import_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    monkeypatch.setenv("TZ", "UTC")
    assert habit("--db", str(first), "add", "Read", "--start", "-5")[0] == 0
    assert (
        habit("--db", str(first), "add", "Run", "-s", "3/week", "--target", "5", "--unit", "km")[0]
        == 0
    )
    assert habit("--db", str(first), "done", "read", "-1")[0] == 0
    assert habit("--db", str(first), "done", "run", "--amount", "7.5")[0] == 0
    out = tmp_path / "out.zip"
    assert habit("--db", str(first), "export", "--format", "loop-csv", "-o", str(out)) == (
        0,
        f"Wrote {out}.\n",
        "",
    )
    code, stdout, _ = habit("--db", str(second), "import", str(out))
    assert code == 0
    assert stdout.splitlines()[:3] == [
        f"Imported a Loop Habit Tracker CSV export ({out}):",
        "  habits: 2 created, 0 matched",
        "  check-ins: 2 added, 0 already there",
    ]
    imported = habitcore.open(f"sqlite:///{second}")
    today = datetime.now(UTC).date()
    assert [c.day for c in imported.checkins("Read")] == [today - timedelta(days=1)]
    assert [(c.day, c.amount) for c in imported.checkins("Run")] == [(today, 7.5)]
    assert imported.habit("Run").schedule == "3 in 7 days"
