"""harsh's ``habits`` and ``log``, written in the forms every harsh version reads: integer
or ``a/b`` frequencies, five-field log lines in day order, and ``: `` taken out of names and
comments where harsh's splitting would break on them. Reading is ``harsh``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from habitcore.errors import InvalidImport
from habitcore.rules.habits import MAX_NAME, Status, name_key
from habitcore.rules.schedule import Schedule, nearest_window, parse_schedule


def frequency(schedule: Schedule) -> str:
    """The harsh frequency nearest a habitcore schedule, in the forms every harsh reads."""
    times, days = nearest_window(schedule)
    return str(days) if times == 1 else f"{times}/{days}"


def field_text(text: str) -> str:
    """``text`` as one field between harsh's ``" : "`` separators: on one line, and without
    the colons (those with a space on each side, or at an end) that would split it."""
    one = " ".join(text.split())
    while " : " in f" {one} ":
        one = " ".join(f" {one} ".replace(" : ", " ").split())
    return one


def harsh_name(name: str) -> str:
    """A habit name harsh reads back whole: no ``": "`` (the habits file splits on its first)
    and nothing that splits a log line."""
    text = field_text(name)
    while ": " in text or " : " in f" {text} ":
        text = field_text(text.replace(": ", " "))
    return text


def _names(habits: list[dict[str, Any]]) -> list[str]:
    """Each habit's name in harsh, told apart with `` (2)`` where two would read the same."""
    taken: set[str] = set()
    names = []
    for index, habit in enumerate(habits):
        base = harsh_name(habit["name"]) or f"Habit {index + 1}"
        candidate, number = base, 1
        while name_key(candidate) in taken:
            number += 1
            suffix = f" ({number})"
            candidate = base[: MAX_NAME - len(suffix)].rstrip() + suffix
        taken.add(name_key(candidate))
        names.append(candidate)
    return names


def habits_text(document: dict[str, Any]) -> str:
    habits = document["habits"]
    lines = [
        "# harsh habits, exported by habitcore.",
        "# Name: frequency (1 daily, 7 once in 7 days, 3/7 three times in 7 days)",
        "# and, for a habit no longer tracked, the last day: Name: 1: 2026-01-31",
        "",
    ]
    for habit, name in zip(habits, _names(habits), strict=True):
        line = f"{name}: {frequency(parse_schedule(habit['schedule']))}"
        if habit.get("archived"):
            days = [c["day"] for c in habit["checkins"]]
            line += f": {max([habit['start'], *days])}"
        # harsh takes a line starting with # or ! for a comment or heading; it trims names.
        lines.append(" " + line if line.startswith(("#", "!")) else line)
    return "\n".join(lines) + "\n"


def log_text(document: dict[str, Any]) -> str:
    habits = document["habits"]
    rows = []
    for order, (habit, name) in enumerate(zip(habits, _names(habits), strict=True)):
        measurable = habit.get("target") is not None
        for checkin in habit["checkins"]:
            done = checkin["status"] == Status.DONE.value
            amount = checkin.get("amount")
            fields = (
                checkin["day"],
                name,
                "y" if done else "s",
                field_text(checkin.get("note") or ""),
                _number(amount) if done and measurable and amount is not None else "",
            )
            rows.append((checkin["day"], order, " : ".join(fields) + "\n"))
    return "".join(line for _, _, line in sorted(rows))


def _number(value: float) -> str:
    """An amount as Go's ParseFloat reads it back exactly: ``2``, ``2.5``, ``1e-05``."""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def write(document: dict[str, Any], folder: Path | None) -> bytes:
    """Write a habitcore export (``Tracker.export()``) as harsh's ``habits`` and ``log`` into
    ``folder``; the log's bytes are returned.

    Both files are written beside their targets first and then renamed over them, so a crash
    leaves each file whole, old or new.
    """
    if folder is None:
        raise InvalidImport("harsh keeps two files, habits and log; name the folder to hold them.")
    folder = folder.expanduser()
    habits, log = habits_text(document).encode(), log_text(document).encode()
    written: list[tuple[str, str]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in (("habits", habits), ("log", log)):
            written.append((_temporary(folder, name, data), name))
        for temporary, name in written:
            os.replace(temporary, folder / name)
    except OSError as exc:
        for temporary, _ in written:
            Path(temporary).unlink(missing_ok=True)
        raise InvalidImport(f"Could not write to {folder}: {exc.strerror or exc}.") from None
    return log


def _temporary(folder: Path, name: str, data: bytes) -> str:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.chmod(temporary, 0o644)  # as harsh creates its files
    return temporary
