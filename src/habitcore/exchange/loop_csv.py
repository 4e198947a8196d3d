"""Loop Habit Tracker's CSV export, both ways: the zip (or its unpacked folder) of
``Habits.csv``, a ``NNN Name/`` folder per habit and the all-habits ``Checkmarks.csv``.

Reading takes the habits from ``Habits.csv`` (the newest 12-column header, or the older
``Position,Name,Question,Description,NumRepetitions,Interval,Color`` one) and their days from each
habit's own ``Checkmarks.csv``; the all-habits file is read, by column position, only for habits
without one (Loop's all-habits file misses some days, iSoron/uhabits#2336). Loop's ``YES_MANUAL``
is a done day and ``SKIP`` a skipped one; ``YES_AUTO`` (a day the frequency excused), ``NO`` and
``UNKNOWN`` are no check-ins. A measurable habit's cell is its amount × 1000.

Writing lays out what Loop's own exporter writes (``HabitsCSVExporter.kt``): the same files in the
same order, headers, value words, newest-first rows and trailing commas, with habitcore's score in
the Scores files. Names, descriptions, units and notes that a spreadsheet would run as formulas
get a leading apostrophe, which reading takes off again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from habitcore.errors import InvalidImport, shown
from habitcore.exchange.document import (
    Document,
    Entry,
    Format,
    HabitDoc,
    Mode,
    Notes,
    decoded,
    foreign_description,
    foreign_name,
    foreign_note,
    foreign_unit,
    foreign_window,
    in_range,
)
from habitcore.exchange.source import Source
from habitcore.exchange.spreadsheet import unprotect
from habitcore.rules.habits import MAX_AMOUNT, Status

HEADER = (
    "Position",
    "Name",
    "Type",
    "Question",
    "Description",
    "FrequencyNumerator",
    "FrequencyDenominator",
    "Color",
    "Unit",
    "Target Type",
    "Target Value",
    "Archived?",
)
OLD_HEADER = ("Position", "Name", "Question", "Description", "NumRepetitions", "Interval", "Color")
_FIELDS = {  # a Habits.csv header cell (any case) -> what it holds, for every generation
    "position": "position",
    "name": "name",
    "type": "type",
    "question": "question",
    "description": "description",
    "frequencynumerator": "num",
    "numrepetitions": "num",
    "frequencydenominator": "den",
    "interval": "den",
    "unit": "unit",
    "target type": "target_type",
    "target value": "target_value",
    "archived?": "archived",
}
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
WORDS = {"YES_MANUAL": YES_MANUAL, "YES_AUTO": YES_AUTO, "NO": NO, "SKIP": SKIP, "UNKNOWN": UNKNOWN}
_BOOLEAN_VALUES = {YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN, -3}  # -3: SKIP in some Loop branches
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLDER = re.compile(r"^(\d+)(?: |$)")
_OLD_CELL = re.compile(r"Entry\(timestamp=([^,()]*), value=(-?\d+)")  # Loop 2.0.x's broken cells
Days = dict[date, tuple[int, str]]  # Loop's entries of one habit: day -> (value, notes)


# -- reading -----------------------------------------------------------------------------------


@dataclass(eq=False)  # each row is itself: two rows may hold the same values
class _Habit:
    """One row of Habits.csv, as Loop wrote it."""

    line: int
    number: int  # Position: the folder's NNN and the order
    name: str
    kind: str | None  # "YES_NO", "NUMERICAL", or None for exports older than the Type column
    question: str
    description: str
    num: int
    den: int
    unit: str
    at_most: bool
    target: str
    archived: bool
    days: list[tuple[date, int, str]] = field(default_factory=list)  # (day, value, note)
    missing: str | None = None  # why the export holds no days for it, when it holds none


def read(source: Source) -> Document:
    """Loop's CSV export (a zip or its folder) as a document to merge."""
    habits_file = source.find("Habits.csv")
    if habits_file is None:
        raise InvalidImport(
            "There is no Habits.csv in it; Loop's CSV export holds Habits.csv, Checkmarks.csv "
            "and a folder per habit."
        )
    root = habits_file[: -len("Habits.csv")]
    habits, identity = _read_habits(source.read(habits_file), habits_file)
    folders = _folders(source, root)
    notes = Notes()
    without = []
    for habit in habits:
        found = folders.get(habit.number)
        if found is not None and found[1] is not None:
            habit.days = _read_own_checkmarks(source.read(found[1]), found[1])
        else:
            without.append(habit)
    if without:
        overall = _find(source, root, "Checkmarks.csv")
        if overall is None:
            for habit in without:
                habit.missing = "the export has no Checkmarks.csv for it"
        else:
            _read_all_checkmarks(source.read(overall), overall, habits, set(folders), without)
    docs = tuple(_doc(habit, index, identity, notes) for index, habit in enumerate(habits))
    return Document(Format.LOOP_CSV, Mode.MERGE, docs, unmapped=notes.all())


def _find(source: Source, root: str, name: str) -> str | None:
    wanted = (root + name).casefold()
    return next((n for n in source.files if n.casefold() == wanted), None)


def _folders(source: Source, root: str) -> dict[int, tuple[str, str | None]]:
    """Each habit folder's number -> (folder, its Checkmarks.csv if it has one)."""
    found: dict[int, tuple[str, str | None]] = {}
    for name in source.files:
        if not name.startswith(root):
            continue
        parts = PurePosixPath(name[len(root) :]).parts
        if len(parts) != 2 or not (match := _FOLDER.match(parts[0])):
            continue
        number = int(match.group(1))
        own = found.get(number, (parts[0], None))[1]
        if parts[1].casefold() == "checkmarks.csv":
            own = name
        found[number] = (parts[0], own)
    return found


def _rows(raw: bytes, label: str) -> Iterable[tuple[int, list[str]]]:
    """(line, cells) of a CSV file, blank lines left out; an error names the file and line."""
    reader = csv.reader(io.StringIO(decoded(raw, label), newline=""))
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row
    except csv.Error as exc:
        raise InvalidImport(f"{label} line {reader.line_num} is not CSV: {exc}.") from None


def _read_habits(raw: bytes, label: str) -> tuple[list[_Habit], str]:
    if not raw.strip():
        raise InvalidImport(f"{label} is empty; it is not from Loop's CSV export.")
    rows = iter(_rows(raw, label))
    _, header = next(rows, (0, []))
    titles = [c.strip().casefold() for c in header]
    columns = {_FIELDS[t]: i for i, t in enumerate(titles) if t in _FIELDS}
    if not {"position", "name", "num", "den"} <= set(columns):
        raise InvalidImport(
            f"{label} does not start with Loop's header ({','.join(HEADER)}); it is not from "
            "Loop's CSV export."
        )
    habits: list[_Habit] = []
    numbers: set[int] = set()
    for line, row in rows:
        cells = {key: "" for key in _FIELDS.values()}
        cells.update((key, row[i]) for key, i in columns.items() if i < len(row))
        number = _integer(cells["position"], label, line, "position")
        if number in numbers:
            raise InvalidImport(f"{label} line {line}: position {number} is listed twice.")
        numbers.add(number)
        habits.append(
            _Habit(
                line=line,
                number=number,
                name=cells["name"],
                kind=cells["type"].strip().upper() if "type" in columns else None,
                question=cells["question"],
                description=cells["description"],
                num=_integer(cells["num"], label, line, "frequency"),
                den=_integer(cells["den"], label, line, "frequency"),
                unit=cells["unit"],
                at_most=cells["target_type"].strip().upper() == "AT_MOST",
                target=cells["target_value"].strip(),
                archived=cells["archived"].strip().lower() == "true",
            )
        )
    # What the file's habits are, not their days nor settings that change (archived, colour,
    # frequency): a later export of the same Loop finds the habits it found before.
    names = json.dumps([h.name for h in habits], ensure_ascii=False)
    return habits, hashlib.sha256(names.encode()).hexdigest()[:16]


def _integer(text: str, label: str, line: int, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidImport(f"{label} line {line}: {shown(text)} is not a {what} number.") from None


def _day(text: str, label: str, line: int) -> date:
    cell = text.strip()
    try:
        if _DATE.match(cell):
            return date.fromisoformat(cell)
    except ValueError:
        pass
    raise InvalidImport(f"{label} line {line}: {shown(cell)} is not a date (YYYY-MM-DD).")


def _value(text: str, label: str, line: int) -> int:
    cell = text.strip()
    word = WORDS.get(cell.upper())
    if word is not None:
        return word
    try:
        return int(cell)
    except ValueError:
        raise InvalidImport(
            f"{label} line {line}: {shown(cell)} is not one of Loop's values (YES_MANUAL, "
            "YES_AUTO, NO, SKIP, UNKNOWN or a number)."
        ) from None


def _read_own_checkmarks(raw: bytes, label: str) -> list[tuple[date, int, str]]:
    """A habit folder's Checkmarks.csv: ``Date,Value,Notes`` rows, or headerless
    ``date,value`` rows in exports before Loop 2.2."""
    days = []
    for line, row in _rows(raw, label):
        if line == 1 and row[0].strip().casefold() == "date":
            continue
        if len(row) < 2:
            raise InvalidImport(f"{label} line {line}: expected a date and a value.")
        note = row[2] if len(row) > 2 else ""
        days.append((_day(row[0], label, line), _value(row[1], label, line), note))
    return days


def _read_all_checkmarks(
    raw: bytes, label: str, habits: list[_Habit], folders: set[int], wanted: list[_Habit]
) -> None:
    """The all-habits Checkmarks.csv: one column per exported habit, in Habits.csv's order.

    Loop writes the header's names unescaped (a comma in a name breaks it), so the columns are
    told by position, never by name.
    """
    lines = decoded(raw, label).split("\n")
    columns: list[_Habit] | None = None
    first = 0
    needed = set(wanted)
    for number, text in enumerate(lines[1:], start=2):
        text = text.rstrip("\r")
        if not text.strip():
            continue
        if "Entry(" in text:  # Loop 2.0.x wrote each cell as Entry(timestamp=..., value=...)
            cells = [text.split(",", 1)[0], *(m.group(2) for m in _OLD_CELL.finditer(text))]
        else:
            cells = text.split(",")
            if cells[-1].strip() == "":
                cells.pop()  # the trailing comma Loop ends each line with
        day = _day(cells[0], label, number)
        values = cells[1:]
        if columns is None:
            columns, first = _columns(len(values), habits, folders, label), number
            for habit in wanted:
                if habit not in columns:
                    habit.missing = "not in this export (Loop exported other habits)"
        if len(values) != len(columns):
            raise InvalidImport(
                f"{label} line {number} has {_cells(len(values))} after the date, but line "
                f"{first} has {_cells(len(columns))}."
            )
        for habit, cell in zip(columns, values, strict=True):
            if habit in needed:
                habit.days.append((day, _value(cell, label, number), ""))


def _cells(count: int) -> str:
    return "1 cell" if count == 1 else f"{count} cells"


def _columns(count: int, habits: list[_Habit], folders: set[int], label: str) -> list[_Habit]:
    """Which habits the columns are: those exported with a folder, else all of them."""
    selected = [h for h in habits if h.number in folders]
    if selected and count == len(selected):
        return selected
    if count == len(habits):
        return habits
    raise InvalidImport(
        f"{label} has {count} habit columns, but Habits.csv lists {len(habits)} habits"
        + (f" and the export {len(selected)} habit folders." if selected else ".")
    )


def _doc(habit: _Habit, index: int, identity: str, notes: Notes) -> HabitDoc:
    name = foreign_name(unprotect(habit.name), notes, f"Loop habit {habit.number}")
    question, about = unprotect(habit.question).strip(), unprotect(habit.description).strip()
    text = "\n\n".join(part for part in (question, about if about != question else "") if part)
    description = foreign_description(text or None, notes, name)
    if habit.kind is None:  # before the Type column: measurable if a value is an amount
        numerical = any(value not in _BOOLEAN_VALUES for _, value, _ in habit.days)
    else:
        numerical = habit.kind == "NUMERICAL"
        if habit.kind not in ("YES_NO", "NUMERICAL"):
            notes.add(f"{name}: type {shown(habit.kind)}", "not a Loop type; read as yes/no")
    entries = _entries(habit, name, numerical, notes)
    if habit.missing is not None:
        notes.add(f"{name}: check-ins", habit.missing)
    target = unit = None
    if numerical:
        target = _target(habit, name, entries, notes)
        unit = foreign_unit(unprotect(habit.unit) or None, notes, name)
    return HabitDoc(
        name=name,
        schedule=_schedule(habit.num, habit.den, name, notes),
        start=None,
        description=description,
        target=target,
        unit=unit,
        at_most=habit.at_most and target is not None,
        archived=habit.archived,
        position=index,
        entries=entries,
        origins=(f"loop-csv:{identity}:{habit.number}",),
    )


def _entries(habit: _Habit, name: str, numerical: bool, notes: Notes) -> tuple[Entry, ...]:
    # A 0 of a habit Loop marks NUMERICAL is an amount someone entered (an at-most habit's
    # best day); before the Type column, Loop 1.x listed 0 for every day without one.
    zero_is_amount = numerical and habit.kind is not None
    days: dict[date, Entry] = {}
    for day, value, raw_note in habit.days:
        note = foreign_note(unprotect(raw_note) or None, notes, name)
        entry = _entry(day, value, note, numerical, zero_is_amount, name, notes)
        if entry is None:
            if note is not None:
                notes.add(f"{name}: notes", "a note on a day not done has no check-in to keep it")
            continue
        if not in_range(day):
            notes.add(f"{name}: days before 1900 or after 9000", "left out")
        elif day in days:
            notes.add(f"{name}: {day}", "listed twice; the first was kept")
        else:
            days[day] = entry
    return tuple(sorted(days.values(), key=lambda e: e.day))


def _entry(
    day: date,
    value: int,
    note: str | None,
    numerical: bool,
    zero_is_amount: bool,
    name: str,
    notes: Notes,
) -> Entry | None:
    if value in (SKIP, -3):
        return Entry(day, Status.SKIPPED, None, note)
    if value in (UNKNOWN, YES_AUTO):
        return None
    if not numerical:
        if value == YES_MANUAL:
            return Entry(day, Status.DONE, None, note)
        if value != NO:
            notes.add(f"{name}: values", "numbers in a yes/no habit were left out")
        return None
    if value == NO and not zero_is_amount:
        return None
    if not 0 <= value <= MAX_AMOUNT * 1000:
        notes.add(f"{name}: amounts", f"below 0 or above {MAX_AMOUNT:,.0f}; left out")
        return None
    return Entry(day, Status.DONE, value / 1000, note)


def _target(habit: _Habit, name: str, entries: tuple[Entry, ...], notes: Notes) -> float:
    try:
        target = float(habit.target)
    except ValueError:
        target = math.nan
    if math.isfinite(target) and 0 < target <= MAX_AMOUNT:
        return target
    largest = max((e.amount for e in entries if e.amount), default=1.0)
    if habit.kind is None:
        notes.add(f"{name}: target", f"Loop's older CSV export holds none; took {largest:g}")
    else:
        notes.add(f"{name}: target {shown(habit.target)}", f"not a target; took {largest:g}")
    return largest


def _schedule(num: int, den: int, name: str, notes: Notes) -> str:
    """Loop's "num times in den days" as the equal rolling window (1/1: daily)."""
    return foreign_window(num, den, notes, f"{name}: frequency {num}/{den}")
