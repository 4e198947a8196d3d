"""Build Loop Habit Tracker CSV exports for tests, from the layout Loop's own exporter writes.

The layout is read from iSoron/uhabits: ``HabitsCSVExporter.kt`` (newest: @035b392e, values as
words and a ``Date,Value,Notes`` header per habit; older: @e9c464ad, integer values and
headerless per-habit files) and ``HabitList.writeCSV`` (the 12-column Habits.csv @0daa4f6a; the
7-column ``Position,Name,Question,Description,NumRepetitions,Interval,Color`` @b870dd85). See
/tmp/research/loop_formats.md section 5. This builder is independent of habitcore's own writer:
it writes what Loop writes, so that the reader is tested against Loop's files.

    files = export([LoopHabit("Meditate", entries=[(date(2026, 1, 9), YES_MANUAL, "")])], TODAY)
    write_zip(files, tmp_path / "Loop Habits CSV 2026-01-10.zip")
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
WORDS = {2: "YES_MANUAL", 1: "YES_AUTO", 0: "NO", 3: "SKIP", -1: "UNKNOWN"}  # Entry.formattedValue


@dataclass
class LoopHabit:
    """One Loop habit and the entries Loop's export lists for it (its computed entries)."""

    name: str
    type: str = "YES_NO"  # or "NUMERICAL"
    question: str = ""
    description: str = ""
    num: int = 1
    den: int = 1
    color: str = "#00897B"
    unit: str = ""
    target_type: str = "AT_LEAST"
    target_value: float = 0.0
    archived: bool = False
    # (day, Loop's value, notes): 2 YES_MANUAL, 1 YES_AUTO, 0 NO, 3 SKIP, -1 UNKNOWN, or an
    # amount × 1000 for numerical habits.
    entries: list[tuple[date, int, str]] = field(default_factory=list)
    # Days the all-habits Checkmarks.csv shows (None: all); Loop misses some (uhabits#2336).
    in_overall: set[date] | None = None


def export(
    habits: list[LoopHabit],
    today: date,
    *,
    generation: str = "newest",
    selected: Iterable[int] | None = None,
    without_folders: Iterable[int] = (),
    prefix: str = "",
) -> dict[str, bytes]:
    """The files of a Loop CSV export, path -> bytes, in the order Loop zips them.

    ``generation`` is "newest" or "older"; ``selected`` the indexes of the habits exported (all
    by default; Habits.csv lists every habit either way); ``without_folders`` the indexes whose
    folders are left out, as if someone deleted them.
    """
    chosen = list(range(len(habits))) if selected is None else list(selected)
    files: dict[str, bytes] = {prefix + "Habits.csv": _habits_csv(habits, generation)}
    left_out = set(without_folders)
    for index in chosen:
        if index in left_out:
            continue
        habit = habits[index]
        sane = re.sub(r"[^ a-zA-Z0-9._-]+", "", habit.name)[:100]
        folder = f"{index + 1:03d} {sane}".strip() + "/"
        files[prefix + folder + "Scores.csv"] = _own_scores(habit, today, generation)
        files[prefix + folder + "Checkmarks.csv"] = _own_checkmarks(habit, generation)
    scores, checks = _overall([habits[i] for i in chosen], today, generation)
    files[prefix + "Scores.csv"] = scores
    files[prefix + "Checkmarks.csv"] = checks
    return files


def write_zip(files: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def write_folder(files: dict[str, bytes], path: Path) -> Path:
    for name, data in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path


def _csv(rows: Iterable[Iterable[str]]) -> bytes:
    """opencsv's CSVWriter(out).writeNext(row, false): minimal quoting, ``""``, ``\\n``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode()


def _habits_csv(habits: list[LoopHabit], generation: str) -> bytes:
    if generation == "newest":
        header = [
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
        ]
        rows = [
            [
                f"{i + 1:03d}",
                h.name,
                h.type,
                h.question,
                h.description,
                str(h.num),
                str(h.den),
                h.color,
                h.unit if h.type == "NUMERICAL" else "",
                h.target_type if h.type == "NUMERICAL" else "",
                repr(float(h.target_value)) if h.type == "NUMERICAL" else "",
                "true" if h.archived else "false",
            ]
            for i, h in enumerate(habits)
        ]
    else:
        header = ["Position", "Name", "Question", "Description", "NumRepetitions", "Interval"]
        header.append("Color")
        rows = [
            [f"{i + 1:03d}", h.name, h.question, h.description, str(h.num), str(h.den), h.color]
            for i, h in enumerate(habits)
        ]
    return _csv([header, *rows])


def _cell(value: int, generation: str) -> str:
    return WORDS.get(value, str(value)) if generation == "newest" else str(value)


def _newest_first(habit: LoopHabit) -> list[tuple[date, int, str]]:
    return sorted(habit.entries, key=lambda e: e[0], reverse=True)


def _own_checkmarks(habit: LoopHabit, generation: str) -> bytes:
    if generation == "newest":
        rows = [[d.isoformat(), _cell(v, generation), n] for d, v, n in _newest_first(habit)]
        return _csv([["Date", "Value", "Notes"], *rows])
    return "".join(f"{d.isoformat()},{v}\n" for d, v, _ in _newest_first(habit)).encode()


def _days(first: date, last: date) -> list[date]:
    return [last - timedelta(days=i) for i in range((last - first).days + 1)]


def _own_scores(habit: LoopHabit, today: date, generation: str) -> bytes:
    oldest = min((d for d, _, _ in habit.entries), default=today)
    rows = [[d.isoformat(), "0.5000"] for d in _days(oldest, today)]
    if generation == "newest":
        return _csv([["Date", "Score"], *rows])
    return "".join(f"{d},{s}\n" for d, s in rows).encode()


def _overall(habits: list[LoopHabit], today: date, generation: str) -> tuple[bytes, bytes]:
    """The all-habits files: names raw in the header, a trailing comma on every line, a row
    per day from the oldest stored entry to today, newest first."""
    header = "Date," + "".join(h.name + "," for h in habits) + "\n"
    stored = [d for h in habits for d, v, _ in h.entries if v != YES_AUTO]
    days = _days(min(stored), today) if stored else []
    by_day = [{d: v for d, v, _ in h.entries} for h in habits]
    scores, checks = [header], [header]
    for day in days:
        scores.append(day.isoformat() + "," + "0.5000," * len(habits) + "\n")
        cells = []
        for habit, values in zip(habits, by_day, strict=True):
            shown = habit.in_overall is None or day in habit.in_overall
            cells.append(_cell(values.get(day, UNKNOWN) if shown else UNKNOWN, generation))
        checks.append(day.isoformat() + "," + "".join(c + "," for c in cells) + "\n")
    return "".join(scores).encode(), "".join(checks).encode()
