"""habitcore's check-ins as CSV: one row per recorded day, for spreadsheets and scripts.

Columns: ``habit, day, status, amount, note``. Names and notes that a spreadsheet would take for
a formula are written with a leading apostrophe (see ``spreadsheet``). Reading such a file back
adds the days it lists to habits of those names; a name not yet here becomes a daily habit
(measurable, with the largest amount as its target, when the rows carry amounts). The CSV holds
no schedules, reminders or settings: the JSON export is the one that restores everything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from habitcore.errors import HabitcoreError, InvalidImport, shown
from habitcore.exchange.document import Document, Entry, Format, HabitDoc, Mode, decoded
from habitcore.exchange.spreadsheet import protect, unprotect
from habitcore.rules.habits import Status, clean_amount, clean_name, clean_note, name_key

HEADER = ("habit", "day", "status", "amount", "note")
_OLD_HEADER = HEADER[:4]  # habitcore 0.1 wrote no notes


def write(document: dict[str, Any]) -> str:
    """The check-ins of a habitcore export (``Tracker.export()``) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for habit in document["habits"]:
        name = protect(habit["name"])
        for checkin in habit["checkins"]:
            amount, note = checkin["amount"], checkin.get("note")
            writer.writerow(
                [
                    name,
                    checkin["day"],
                    checkin["status"],
                    "" if amount is None else f"{amount:g}",
                    "" if note is None else protect(note),
                ]
            )
    return out.getvalue()


def looks_like(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip().lower()
    return tuple(c.strip() for c in first.split(",")) in (HEADER, _OLD_HEADER)


def read(raw: bytes) -> Document:
    text = decoded(raw)
    return parse(io.StringIO(text, newline=""))


def parse(lines: Iterable[str]) -> Document:
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidImport(f"Line 1 is not CSV: {exc}.") from None
    if header is None or tuple(c.strip().lower() for c in header) not in (HEADER, _OLD_HEADER):
        raise InvalidImport(
            "This CSV does not start with habitcore's header row "
            f"({','.join(HEADER)}); it is not a habitcore check-in export."
        )
    habits: dict[str, tuple[str, dict[date, Entry]]] = {}
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            name, entry = _row(row, line)
            key = name_key(name)
            spelled, days = habits.setdefault(key, (name, {}))
            if entry.day in days:
                raise InvalidImport(f"Line {line}: {spelled!r} has {entry.day} twice.")
            days[entry.day] = entry
    except csv.Error as exc:
        raise InvalidImport(f"Line {reader.line_num} is not CSV: {exc}.") from None
    docs = []
    for name, days in habits.values():
        amounts = [e.amount for e in days.values() if e.amount is not None]
        target = max(amounts) if amounts and max(amounts) > 0 else None
        entries = tuple(
            e if target is not None else e._replace(amount=None)
            for e in sorted(days.values(), key=lambda e: e.day)
        )
        docs.append(HabitDoc(name, "daily", None, target=target, entries=entries))
    return Document(Format.CSV, Mode.MERGE, tuple(docs))


def _row(row: list[str], line: int) -> tuple[str, Entry]:
    cells = [*row, "", "", "", "", ""][:5]
    name_cell, day_cell, status_cell, amount_cell, note_cell = (c.strip() for c in cells)
    try:
        name = clean_name(unprotect(name_cell))
    except HabitcoreError as exc:
        raise InvalidImport(f"Line {line}: {exc}") from None
    try:
        day = date.fromisoformat(day_cell)
    except ValueError:
        raise InvalidImport(f"Line {line}: {shown(day_cell)} is not a date (YYYY-MM-DD).") from None
    status_text = status_cell.lower()
    if status_text not in (Status.DONE.value, Status.SKIPPED.value):
        raise InvalidImport(
            f"Line {line}: the status must be 'done' or 'skipped', not {shown(status_cell)}."
        )
    try:
        amount = clean_amount(float(amount_cell)) if amount_cell else None
        note = clean_note(unprotect(note_cell)) if note_cell else None
    except ValueError:
        raise InvalidImport(f"Line {line}: {shown(amount_cell)} is not an amount.") from None
    except HabitcoreError as exc:
        raise InvalidImport(f"Line {line}: {exc}") from None
    status = Status(status_text)
    return name, Entry(day, status, amount if status is Status.DONE else None, note)
