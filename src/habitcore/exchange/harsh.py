"""harsh's two plain-text files, both ways: ``habits`` (``Name: frequency`` lines) and ``log``
(``YYYY-MM-DD : Name : y|n|s : comment : amount`` lines), in a folder or a zip of it.

Reading follows harsh's own parser (wakatara/harsh, ``internal/storage``): ``#`` lines are
comments and ``!`` lines headings (habitcore has no groups, so they are noted and dropped); a
habit line splits on its first ``": "``, a third part being the newest harsh's end date. A
frequency ``1`` is daily, ``N`` once in any N days (``1 in N days``), ``a/b`` a times in any b days,
``Nw`` N weeks, ``0`` tracking without a goal (daily here, noted). A log line splits on
``" : "``: ``y`` is a done day, ``s`` a skipped one, ``n`` no check-in; the comment is the note and
the amount the amount, the last line of a day winning as in harsh. Where harsh skips a bad line
with a warning, habitcore refuses the file, naming the file and line.

Writing lays out what harsh writes: integer or ``a/b`` frequencies every harsh version reads,
five-field log lines in day order, and ``: ``/`` : `` taken out of names and comments where harsh's
splitting would break on them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
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
    foreign_name,
    foreign_note,
    foreign_window,
    in_range,
)
from habitcore.exchange.source import Source
from habitcore.rules.habits import MAX_AMOUNT, Status

FREQUENCIES = (
    "1 (daily), N (once in N days), a/b (a times in b days), Nw (every N weeks) or 0 (tracking)"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT = re.compile(r"\+?(\d+)\s*([wW]?)")
_RATIO = re.compile(r"\+?(\d+)\s*/\s*\+?(\d+)\s*([wW]?)\s*(/.*)?")
# Go's strconv.ParseFloat in base 10, without hex floats (which no harsh user types).
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_LOG_FIELDS = ("date", "habit", "status", "comment", "amount")
_NEEDED = {"date", "habit", "status"}


# -- reading -----------------------------------------------------------------------------------


@dataclass
class _Habit:
    """One habit line of the ``habits`` file."""

    raw: str  # the name as harsh keys the log by it (trimmed, as harsh 0.11 trims it)
    name: str  # as habitcore will hold it
    schedule: str
    archived: bool
    days: dict[date, tuple[str, str | None, str]] = field(default_factory=dict)
    # the log's last line of each day: (status, comment, amount text)


def read(source: Source) -> Document:
    """harsh's folder (or a zip of it) as a document to merge."""
    habits_file = source.find("habits")
    if habits_file is None:
        raise InvalidImport(
            "There is no habits file in it; harsh keeps its habits in a file named habits, "
            "beside its log."
        )
    folder = str(PurePosixPath(habits_file).parent)
    log_file = next(
        (
            n
            for n in source.files
            if str(PurePosixPath(n).parent) == folder and PurePosixPath(n).name.casefold() == "log"
        ),
        None,
    )
    if log_file is None:
        raise InvalidImport(
            f"There is no log beside {habits_file}; harsh keeps its check-ins in a file named "
            "log (an empty one will do)."
        )
    notes = Notes()
    habits, identity = _read_habits(source.read(habits_file), habits_file, notes)
    _read_log(source.read(log_file), log_file, habits, notes)
    return Document(
        Format.HARSH,
        Mode.MERGE,
        tuple(_docs(habits, identity, notes)),
        unmapped=notes.all(),
    )


def _lines(raw: bytes, label: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of a text file, as Go's bufio.Scanner gives them (no ``\\r``)."""
    text = decoded(raw, label)
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r")


def _read_habits(raw: bytes, label: str, notes: Notes) -> tuple[list[_Habit], str]:
    habits: list[_Habit] = []
    for number, line in _lines(raw, label):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("!"):
            notes.add("headings", "habitcore has no groups of habits; imported without them")
            continue
        if ": " not in line:
            if line.lstrip().startswith("#"):
                continue  # an indented comment: harsh skips it too (as malformed)
            raise InvalidImport(
                f"{label} line {number}: {shown(line)} is not a habit line; harsh's are "
                "'Name: frequency' (a colon and a space)."
            )
        parts = line.split(": ")
        raw_name, frequency = parts[0].strip(), parts[1].strip()
        if not raw_name:
            raise InvalidImport(f"{label} line {number}: the habit has no name before ': '.")
        name = foreign_name(raw_name, notes, f"habit line {number}")
        schedule = _schedule(frequency, label, number, name, notes)
        archived = False
        for extra in parts[2:]:
            text = extra.strip()
            end = _iso_day(text)
            if end is not None and not archived:
                archived = True
                notes.add(
                    f"{name}: end date {end.isoformat()}",
                    "habitcore keeps no end dates; imported as archived",
                )
            elif text:
                notes.add(f"{name}: {shown(text)} after the frequency", "not an end date; ignored")
        habits.append(_Habit(raw_name, name, schedule, archived))
    # What the file's habits are (their names in order), not their frequencies or end dates
    # nor the log: a later copy of the same harsh, with more days, a changed frequency or a
    # retired habit, still finds the habits it found before.
    names = json.dumps([h.raw for h in habits], ensure_ascii=False)
    return habits, hashlib.sha256(names.encode()).hexdigest()[:16]


def _iso_day(text: str) -> date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _schedule(text: str, label: str, number: int, name: str, notes: Notes) -> str:
    """harsh's frequency as the habitcore schedule that asks the same (or the nearest)."""
    if match := _COUNT.fullmatch(text):
        times, days = 1, int(match.group(1))
        if days == 0:
            if match.group(2):
                raise _bad_frequency(label, number, text, "a week count of 0 is no interval")
            times, days = 0, 1
        days *= 7 if match.group(2) else 1
    elif match := _RATIO.fullmatch(text):
        times, days = int(match.group(1)), int(match.group(2)) * (7 if match.group(3) else 1)
        if days == 0:
            raise _bad_frequency(label, number, text, "the days after the slash cannot be 0")
        if match.group(4):
            notes.add(f"{name}: frequency {shown(text)}", "harsh reads only its first two parts")
    else:
        raise _bad_frequency(label, number, text, f"harsh's frequencies are {FREQUENCIES}")
    if times > days:
        raise _bad_frequency(
            label, number, text, f"it asks for more times ({times}) than days ({days})"
        )
    if times == 0:
        notes.add(
            f"{name}: frequency {text}",
            "harsh tracks it without a goal (no score, no warnings); habitcore has no such "
            "schedule, so it is daily",
        )
        return "daily"
    return foreign_window(times, days, notes, f"{name}: frequency {text}")


def _bad_frequency(label: str, number: int, text: str, why: str) -> InvalidImport:
    return InvalidImport(f"{label} line {number}: {shown(text)} is not a frequency; {why}.")


def _read_log(raw: bytes, label: str, habits: list[_Habit], notes: Notes) -> None:
    by_name: dict[str, _Habit] = {}
    for each in habits:
        by_name.setdefault(each.raw, each)  # harsh keys the log by name: the first one's
    order: tuple[str, ...] = _LOG_FIELDS
    first = True
    for number, line in _lines(raw, label):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(" : ")
        if first:
            first = False
            words = tuple(p.strip().casefold() for p in parts)
            if len(set(words)) == len(words) and _NEEDED <= set(words) <= set(_LOG_FIELDS):
                # A header line naming the columns, as one harsh build wrote.
                order = _LOG_FIELDS if words == _LOG_FIELDS else words
                continue
        cells = _cells(parts, order)
        if cells is None:
            raise InvalidImport(
                f"{label} line {number}: {shown(line)} is not a log line; harsh's are "
                "'YYYY-MM-DD : habit : y|n|s' with a comment and an amount after ' : ' if any."
            )
        day_text, habit_name, status = cells["date"], cells["habit"], cells["status"]
        day = _iso_day(day_text)
        if day is None:
            raise InvalidImport(
                f"{label} line {number}: {shown(day_text)} is not a date (YYYY-MM-DD)."
            )
        status = status.strip().lower()
        if status not in ("y", "n", "s"):
            raise InvalidImport(
                f"{label} line {number}: the status must be y, n or s, not "
                f"{shown(cells['status'].strip())}."
            )
        if not habit_name.strip():
            raise InvalidImport(f"{label} line {number}: the habit's name is empty.")
        habit = by_name.get(habit_name) or by_name.get(habit_name.strip())
        if habit is None:
            notes.add(
                f"log lines of {shown(habit_name.strip())}",
                "not in the habits file, so harsh shows them nowhere; left out (add the habit "
                "to the habits file to import them)",
            )
            continue
        if not in_range(day):
            notes.add(f"{habit.name}: days before 1900 or after 9000", "left out")
            continue
        comment = cells.get("comment") or None
        habit.days[day] = (status, comment, cells.get("amount", "").strip())


def _cells(parts: list[str], order: tuple[str, ...]) -> dict[str, str] | None:
    """A log line's fields by name; a comment holding ``" : "`` is joined back together."""
    if len(parts) < 3:
        return None
    if order is not _LOG_FIELDS:
        if len(parts) > len(order):
            return None
        return dict(zip(order, parts, strict=False))
    if len(parts) > 5:  # harsh 0.11 drops such a line; its comment held " : "
        last = parts[-1].strip()
        if not last or _NUMBER.fullmatch(last):
            parts = [*parts[:3], " : ".join(parts[3:-1]), parts[-1]]
        else:
            parts = [*parts[:3], " : ".join(parts[3:])]
    return dict(zip(_LOG_FIELDS, parts, strict=False))


def _docs(habits: list[_Habit], identity: str, notes: Notes) -> Iterator[HabitDoc]:
    seen: dict[str, int] = {}
    for index, habit in enumerate(habits):
        times = seen[habit.raw] = seen.get(habit.raw, 0) + 1
        origin = f"harsh:{identity}:{habit.raw}" + (f":{times}" if times > 1 else "")
        if times > 1:
            notes.add(
                f"{habit.name}: listed again in the habits file",
                "harsh keys the log by name, so its days went to the first one",
            )
        entries, target = _entries(habit, notes)
        yield HabitDoc(
            name=habit.name,
            schedule=habit.schedule,
            start=None,
            target=target,
            archived=habit.archived,
            position=index,
            entries=entries,
            origins=(origin[:300],),
        )


def _entries(habit: _Habit, notes: Notes) -> tuple[tuple[Entry, ...], float | None]:
    """A habit's days, and its target: the smallest amount of a done day, if it has amounts.

    harsh logs an amount with a day but keeps no target, and any ``y`` is done; habitcore
    counts a measurable day done when its amount reaches the target, so the smallest amount
    logged with a ``y`` is the one target under which every harsh-done day stays done.
    """
    name = habit.name
    rows: list[tuple[date, Status, float | None, str | None]] = []
    for day in sorted(habit.days):
        status, comment, amount_text = habit.days[day]
        note = foreign_note(comment, notes, name)
        if status == "n":
            if note is not None or amount_text:
                notes.add(
                    f"{name}: comments and amounts on days marked n",
                    "habitcore keeps them only with a check-in (done or skipped); left out",
                )
            continue
        amount = None
        if amount_text:
            amount = _amount(amount_text)
            if amount is None:
                notes.add(
                    f"{name}: amounts",
                    f"not a number from 0 to {MAX_AMOUNT:,.0f}; kept in the check-in's note",
                )
                note = foreign_note("\n".join(t for t in (note, amount_text) if t), notes, name)
            elif status == "s":
                if amount:
                    notes.add(f"{name}: amounts on skipped days", "habitcore keeps none; left out")
                amount = None
        rows.append((day, Status.DONE if status == "y" else Status.SKIPPED, amount, note))
    amounts = [a for _, s, a, _ in rows if s is Status.DONE and a is not None]
    target = min((a for a in amounts if a > 0), default=None)
    if target is None:
        if amounts:
            notes.add(f"{name}: amounts", "all 0; imported as a yes/no habit without them")
        return tuple(Entry(d, s, None, n) for d, s, _, n in rows), None
    notes.add(
        f"{name}: target",
        f"harsh logs amounts without a target; took {target:g}, the smallest amount of a day "
        "marked y",
    )
    zeros = sum(1 for a in amounts if a == 0)
    if zeros:
        notes.add(
            f"{name}: days marked y with amount 0",
            f"below the target, so habitcore counts them not done ({zeros} days)",
        )
    return tuple(Entry(d, s, a, n) for d, s, a, n in rows), target


def _amount(text: str) -> float | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) and 0 <= value <= MAX_AMOUNT else None
