"""Loop Habit Tracker's full backup: the SQLite file of "Export full backup", any schema Loop wrote.

The facts, from Loop's own source (uhabits-core: the migrations 09.sql to 25.sql, HabitRecord,
EntryRecord, Entry, WeekdayList, Timestamp, LoopDBImporter):

- ``PRAGMA user_version`` is the schema; Loop creates files at 9 or later and writes 25 today.
  Columns are read by name, since each schema adds some: ``reminder_days`` at 11, ``type`` and
  ``Repetitions.value`` at 16, ``target_type``/``target_value``/``unit`` at 18, ``question`` at
  23 (before it, ``description`` held the question), ``uuid`` at 24, ``Repetitions.notes`` at 25.
- ``Repetitions.timestamp`` is milliseconds at 00:00 UTC of the person's local day. Without a
  ``value`` column a row means done; with one: 2 done, 1 filled in by Loop itself, 0 no, 3 (or -3
  on some builds) skipped, -1 unknown; a numerical habit stores its amount times 1000.
- ``reminder_days`` is a weekday mask with bit 0 for Saturday, bit 1 Sunday … bit 6 Friday.
- ``freq_num`` times in ``freq_den`` days is a rolling window; 1/1 is daily.

Only days Loop recorded as done or skipped become check-ins; its own fill-ins, "no" and
"unknown" are not check-ins, and a note on such a day is counted among what was not imported.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from typing import Any

from habitcore.errors import HabitcoreError, InvalidImport
from habitcore.exchange.document import (
    Document,
    Entry,
    Format,
    HabitDoc,
    Mode,
    Notes,
    foreign_description,
    foreign_name,
    foreign_note,
    foreign_unit,
    foreign_window,
    in_range,
)
from habitcore.exchange.source import Source, sqlite_in_memory
from habitcore.rules.habits import MAX_AMOUNT, Status

NEWEST_SCHEMA = 25
OLDEST_SCHEMA = 8  # Loop refuses anything older itself
DAY_MS = 86_400_000
EPOCH = date(1970, 1, 1)
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
_SKIPS = (SKIP, -3)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def read(source: Source) -> Document:
    with closing(sqlite_in_memory(source.first, source.label)) as connection:
        try:
            return _read(connection)
        except sqlite3.DatabaseError as exc:
            raise InvalidImport(
                f"This Loop backup is damaged ({exc}); it may have been cut short while copying."
            ) from None


def _read(connection: sqlite3.Connection) -> Document:
    schema = int(connection.execute("PRAGMA user_version").fetchone()[0])
    tables = {
        str(name).lower()
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if not {"habits", "repetitions"} <= tables:
        raise InvalidImport(
            "This SQLite file is not a Loop Habit Tracker backup: it has no Habits and "
            "Repetitions tables."
        )
    if schema > NEWEST_SCHEMA:
        raise InvalidImport(
            f"This Loop backup was written by a newer Loop (schema {schema}); habitcore reads "
            f"Loop's schemas up to {NEWEST_SCHEMA}. Upgrade habitcore to import it."
        )
    if schema < OLDEST_SCHEMA:
        raise InvalidImport(
            f"This file has Loop's tables but schema {schema}, older than any Loop writes; it "
            "is not a Loop backup habitcore can read."
        )
    habit_columns = _columns(connection, "Habits")
    entry_columns = _columns(connection, "Repetitions")
    habits = [dict(zip(habit_columns, row, strict=True)) for row in _habit_rows(connection)]
    notes = Notes()
    identity = _identity(habits)
    entries = _entries(connection, entry_columns, {h["id"]: h for h in habits}, notes)
    docs = tuple(
        _habit(habit, position, identity, entries.get(habit["id"], []), notes)
        for position, habit in enumerate(habits)
    )
    return Document(Format.LOOP, Mode.MERGE, docs, unmapped=notes.all())


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]).lower() for row in connection.execute(f"PRAGMA table_info({table})")]


def _habit_rows(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return connection.execute("SELECT * FROM Habits ORDER BY position, id").fetchall()


def _identity(habits: list[dict[str, Any]]) -> str:
    """A short hash of the habit list, standing for the file where habits carry no uuid."""
    digest = hashlib.sha256()
    for habit in habits:
        digest.update(repr((habit.get("id"), habit.get("name"))).encode())
    return digest.hexdigest()[:16]


def _entries(
    connection: sqlite3.Connection,
    columns: list[str],
    habits: dict[Any, dict[str, Any]],
    notes: Notes,
) -> dict[Any, list[Entry]]:
    value = "value" if "value" in columns else "NULL"
    note = "notes" if "notes" in columns else "NULL"
    rows = connection.execute(
        f"SELECT habit, timestamp, {value}, {note} FROM Repetitions "
        "WHERE habit IS NOT NULL AND timestamp IS NOT NULL ORDER BY habit, timestamp, id"
    )
    found: dict[Any, list[Entry]] = {}
    last: tuple[Any, date] | None = None
    for habit_id, stamp, raw, text in rows:
        habit = habits.get(habit_id)
        if habit is None:
            continue  # a repetition of a deleted habit; Loop's own migration 22 drops these
        day = _day(stamp)
        if day is None:
            notes.add(f"{_name(habit)}: a day", "lies outside 1900 to 9000; left out")
            continue
        if last == (habit_id, day):
            continue  # before schema 22 a day could be stored twice; Loop keeps the first
        last = (habit_id, day)
        entry = _entry(habit, day, raw, text, notes)
        if entry is not None:
            found.setdefault(habit_id, []).append(entry)
    return found


def _day(stamp: Any) -> date | None:
    try:
        day = EPOCH + timedelta(days=int(stamp) // DAY_MS)
    except (TypeError, ValueError, OverflowError):
        return None
    return day if in_range(day) else None


def _entry(habit: dict[str, Any], day: date, raw: Any, text: Any, notes: Notes) -> Entry | None:
    note = foreign_note(text, notes, _name(habit)) if text else None
    numerical = habit.get("type") == 1
    if raw is None:  # before schema 16: a row is a day done
        return Entry(day, Status.DONE, None, note)
    value = int(raw)
    if value in _SKIPS:
        return Entry(day, Status.SKIPPED, None, note)
    if numerical and value >= 0:
        amount = min(value / 1000, MAX_AMOUNT)
        return Entry(day, Status.DONE, amount, note)
    if not numerical and value == YES_MANUAL:
        return Entry(day, Status.DONE, None, note)
    if note:
        notes.add(
            f"{_name(habit)}: notes",
            "on days Loop did not record as done or skipped; habitcore keeps notes with "
            "check-ins, so they were left out",
        )
    return None


def _name(habit: dict[str, Any]) -> str:
    name = habit.get("name")
    return str(name).strip() if name else f"Loop habit {habit.get('id')}"


def _habit(
    habit: dict[str, Any], position: int, identity: str, entries: list[Entry], notes: Notes
) -> HabitDoc:
    name = foreign_name(habit.get("name"), notes, f"Loop habit {habit.get('id')}")
    target, unit, at_most = _goal(habit, name, notes)
    if target is None:
        entries = [e._replace(amount=None) for e in entries]
    uuid = str(habit.get("uuid") or "").strip()
    origin = f"loop:uuid:{uuid}" if uuid else f"loop:{identity}:{habit.get('id')}"
    return HabitDoc(
        name=name,
        schedule=_schedule(habit.get("freq_num"), habit.get("freq_den"), name, notes),
        start=None,
        description=_description(habit, name, notes),
        target=target,
        unit=unit,
        at_most=at_most,
        archived=bool(habit.get("archived")),
        position=position,
        reminders=_reminders(habit, name, notes),
        entries=tuple(entries),
        origins=(origin[:300],),
    )


def _description(habit: dict[str, Any], name: str, notes: Notes) -> str | None:
    if "question" in habit:
        parts = [habit.get("question"), habit.get("description")]
    else:  # up to schema 22 the description field was the question
        parts = [habit.get("description")]
    text = "\n\n".join(str(p).strip() for p in parts if p and str(p).strip())
    try:
        return foreign_description(text or None, notes, name)
    except HabitcoreError:
        notes.add(f"{name}: description", "could not be kept")
        return None


def _schedule(num: Any, den: Any, name: str, notes: Notes) -> str:
    try:
        times, days = int(num or 1), int(den or 1)
    except (TypeError, ValueError):
        times, days = 0, 0
    return foreign_window(times, days, notes, f"{name}: frequency {num}/{den}")


def _goal(habit: dict[str, Any], name: str, notes: Notes) -> tuple[float | None, str | None, bool]:
    if habit.get("type") != 1:
        return None, None, False
    try:
        target = float(habit.get("target_value") or 0)
    except (TypeError, ValueError):
        target = 0.0
    if not 0 < target <= MAX_AMOUNT:
        notes.add(
            f"{name}: target",
            f"{habit.get('target_value')} is not a target habitcore can hold; imported as a "
            "yes/no habit, its amounts left out",
        )
        return None, None, False
    return target, foreign_unit(habit.get("unit"), notes, name), habit.get("target_type") == 1


def _reminders(habit: dict[str, Any], name: str, notes: Notes) -> tuple[str, ...]:
    hour, minute = habit.get("reminder_hour"), habit.get("reminder_min")
    if hour is None or minute is None:
        return ()
    try:
        hour, minute = int(hour), int(minute)
    except (TypeError, ValueError):
        hour = minute = -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        notes.add(f"{name}: reminder", f"{hour}:{minute} is not a time of day; left out")
        return ()
    mask = int(habit.get("reminder_days", 127) or 0) & 127
    # Loop's bit 0 is Saturday; habitcore's weekday 0 is Monday.
    days = [w for w in range(7) if mask >> ((w + 2) % 7) & 1]
    if not days:
        notes.add(f"{name}: reminder", "set for no weekday in Loop; left out")
        return ()
    at = f"{hour:02d}:{minute:02d}"
    if len(days) == 7:
        return (at,)
    return (f"{at} {','.join(_WEEKDAYS[d] for d in days)}",)
