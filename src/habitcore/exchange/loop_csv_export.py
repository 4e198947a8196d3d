"""Loop Habit Tracker's CSV export, written: the files, headers, row order and value words of
Loop's own exporter (``HabitsCSVExporter.kt``), with habitcore's score in the Scores files. Cells
a spreadsheet would run as formulas get a leading apostrophe, which reading (``loop_csv``) takes
off again.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from habitcore.errors import HabitcoreError
from habitcore.exchange.loop_csv import (
    HEADER,
    SKIP,
    UNKNOWN,
    WORDS,
    YES_AUTO,
    YES_MANUAL,
    Days,
)
from habitcore.exchange.spreadsheet import protect
from habitcore.rules.days import habit_day, parse_time_of_day, parse_timezone
from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.schedule import (
    nearest_window,
    parse_schedule,
)
from habitcore.rules.tally import explain

COLOR = "#00897B"  # Loop's default colour for a new habit, PaletteColor(8)
_UNSAFE_FILENAME = re.compile(r"[^ a-zA-Z0-9._-]+")
_WORD_OF = {value: word for word, value in WORDS.items()}


def folder_name(number: int, name: str) -> str:
    """Loop's ``%03d <name>`` with only ``[ a-zA-Z0-9._-]`` kept, cut to 100, trimmed."""
    sane = _UNSAFE_FILENAME.sub("", name)[:100]
    return f"{number:03d} {sane}".strip()


def java_double(value: float) -> str:
    """Kotlin's ``Double.toString()``: ``10.0``, ``2.5``, ``1.0E7``."""
    if value == 0:
        return "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(float(value))  # fixed notation in this range, the shortest digits as Java's
        return text if "." in text else text + ".0"
    exact = Decimal(repr(float(value)))
    digits = "".join(str(d) for d in exact.as_tuple().digits).rstrip("0") or "0"
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exact.adjusted()}"


def _cell(text: str) -> str:
    """One field as opencsv's CSVWriter writes it: quoted only when it must be."""
    if any(ch in text for ch in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _line(cells: Iterable[str]) -> str:
    return ",".join(_cell(c) for c in cells) + "\n"


@dataclass
class _Out:
    """One habit of the export, as Loop's model would hold it."""

    number: int
    name: str
    stored: Days  # what Loop would have stored
    computed: Days  # and what it computes from them (EntryList.recomputeFrom)
    scores: Callable[[date], float]


def write(document: dict[str, Any]) -> bytes:
    """A habitcore export (``Tracker.export()``) as the bytes of Loop's CSV zip."""
    today, moment = _today(document)
    habits = [_out(i + 1, h, document, today) for i, h in enumerate(document["habits"])]
    files: list[tuple[str, str]] = [("Habits.csv", _habits_csv(document["habits"]))]
    for habit in habits:
        folder = folder_name(habit.number, habit.name) + "/"
        files.append((folder + "Scores.csv", _own_scores(habit, today)))
        files.append((folder + "Checkmarks.csv", _own_checkmarks(habit)))
    scores, checkmarks = _all_habits(habits, today)
    files += [("Scores.csv", scores), ("Checkmarks.csv", checkmarks)]
    out = io.BytesIO()
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(zipfile.ZipInfo(name, stamp), text.encode(), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _today(document: dict[str, Any]) -> tuple[date, datetime]:
    """The exporting user's habit day: Loop's exports run up to today."""
    now = datetime.fromisoformat(document["exported_at"])
    settings = document.get("settings") or {}
    try:
        zone = parse_timezone(settings.get("timezone") or "UTC")
        day_start = parse_time_of_day(settings.get("day_start") or "00:00")
    except HabitcoreError:
        zone, day_start = parse_timezone("UTC"), time(0)
    return habit_day(now, zone, day_start), now.astimezone(zone)


def _habits_csv(habits: list[dict[str, Any]]) -> str:
    lines = [_line(HEADER)]
    for index, habit in enumerate(habits):
        numerical = habit["target"] is not None
        times, days = nearest_window(parse_schedule(habit["schedule"]))
        lines.append(
            _line(
                (
                    f"{index + 1:03d}",
                    protect(habit["name"]),
                    "NUMERICAL" if numerical else "YES_NO",
                    "",  # Loop's question; habitcore's description is Loop's description
                    protect(habit.get("description") or ""),
                    str(times),
                    str(days),
                    COLOR,
                    protect(habit.get("unit") or "") if numerical else "",
                    ("AT_MOST" if habit.get("at_most") else "AT_LEAST") if numerical else "",
                    java_double(float(habit["target"])) if numerical else "",
                    "true" if habit.get("archived") else "false",
                )
            )
        )
    return "".join(lines)


def _out(number: int, habit: dict[str, Any], document: dict[str, Any], today: date) -> _Out:
    target = habit["target"]
    numerical = target is not None
    stored: Days = {}
    checkins = []
    for checkin in habit["checkins"]:
        day = date.fromisoformat(checkin["day"])
        status, amount = Status(checkin["status"]), checkin.get("amount")
        if status is Status.SKIPPED:
            value = SKIP
        elif numerical:  # a done day recorded without an amount held the whole target
            value = math.floor((target if amount is None else amount) * 1000 + 0.5)
        else:
            value = YES_MANUAL
        stored[day] = (value, checkin.get("note") or "")
        checkins.append(CheckIn(day, status, amount, checkin.get("note")))
    schedule = parse_schedule(habit["schedule"])
    computed = dict(stored) if numerical else _computed(stored, *nearest_window(schedule))
    start = date.fromisoformat(habit["start"])
    pauses = [
        Pause(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]))
        for p in [*document.get("pauses", []), *habit.get("pauses", [])]
    ]
    goal = Goal(schedule, start, target, habit.get("unit"), bool(habit.get("at_most")))
    return _Out(
        number,
        habit["name"],
        stored,
        computed,
        _score_days(goal, History.of(checkins, pauses), today),
    )


def _score_days(goal: Goal, history: History, today: date) -> Callable[[date], float]:
    """habitcore's score of each day (0 before the habit began, as Loop has it)."""
    by_day: dict[date, float] = {}
    score = 0.0
    for step in explain(goal, history, today):
        if step.counted:
            score = step.score
        by_day[step.day] = score
    last = score

    def score_on(day: date) -> float:
        if day in by_day:
            return by_day[day]
        return 0.0 if day < goal.start else last

    return score_on


def _computed(
    stored: dict[date, tuple[int, str]], num: int, den: int
) -> dict[date, tuple[int, str]]:
    """Loop's computed entries of a yes/no habit (``EntryList.recomputeFrom``): the days a
    frequency's window excuses become YES_AUTO; days neither stored nor excused stay unknown."""
    if not stored:
        return {}
    original = sorted(stored, reverse=True)  # newest first, as Loop's getKnown()
    done = [d for d in original if stored[d][0] == YES_MANUAL]
    intervals: list[tuple[date, date, date]] = []  # (begin, center, end), newest first
    for i in range(num - 1, len(done)):
        begin, center = done[i], done[i - num + 1]
        if (center - begin).days < den:
            intervals.append((begin, center, begin + timedelta(days=den - 1)))
    for i in range(1, len(intervals)):  # snapIntervalsTogether
        begin, center, end = intervals[i]
        gap_next = (end - intervals[i - 1][0]).days
        if gap_next >= 0:
            shift = timedelta(days=min((end - center).days, gap_next + 1))
            intervals[i] = (begin - shift, center, end - shift)
    computed: Days = {}
    for begin, _, end in intervals:
        day = begin
        while day <= end:
            computed[day] = (YES_AUTO, "")
            day += timedelta(days=1)
    computed.update(stored)  # a stored day keeps its value (YES_MANUAL or SKIP) and notes
    return computed


def _formatted(value: int) -> str:
    """Loop's ``Entry.formattedValue``: the word for 2, 1, 0, 3 and -1, else the number."""
    return _WORD_OF.get(value, str(value))


def _own_checkmarks(habit: _Out) -> str:
    lines = [_line(("Date", "Value", "Notes"))]
    for day in sorted(habit.computed, reverse=True):
        value, note = habit.computed[day]
        lines.append(_line((day.isoformat(), _formatted(value), protect(note))))
    return "".join(lines)


def _own_scores(habit: _Out, today: date) -> str:
    oldest = min(habit.computed, default=today)
    lines = [_line(("Date", "Score"))]
    day = today
    while day >= oldest:
        lines.append(_line((day.isoformat(), f"{habit.scores(day):.4f}")))
        day -= timedelta(days=1)
    return "".join(lines)


def _all_habits(habits: list[_Out], today: date) -> tuple[str, str]:
    """The all-habits Scores.csv and Checkmarks.csv: a column per habit, a row per day from
    the oldest stored day to today, newest first, each line ending in a comma as Loop's do.

    Loop writes the header's names raw; habitcore quotes one holding a comma or quote, so
    that a spreadsheet still finds the columns.
    """
    header = "Date," + "".join(_cell(protect(h.name)) + "," for h in habits) + "\n"
    scores, checks = [header], [header]
    oldest = min((min(h.stored) for h in habits if h.stored), default=today + timedelta(days=1))
    day = today
    while day >= oldest:
        stamp = day.isoformat() + ","
        scores.append(stamp + "".join(f"{h.scores(day):.4f}," for h in habits) + "\n")
        checks.append(
            stamp
            + "".join(_formatted(h.computed.get(day, (UNKNOWN, ""))[0]) + "," for h in habits)
            + "\n"
        )
        day -= timedelta(days=1)
    return "".join(scores), "".join(checks)
