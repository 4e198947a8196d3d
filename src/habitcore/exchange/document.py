"""What every importer produces: one person's habits as a file held them, checked and ready to
merge, and the summary of what merging did.

Each format's reader turns its file into a ``Document``; ``merge.apply`` is the one place that
writes one into the store. Readers never touch the database, so a format can be read, tested
and shown (``--dry-run``) without one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from habitcore.errors import InvalidImport
from habitcore.rules.days import FIRST_DAY, LAST_DAY
from habitcore.rules.habits import (
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NOTE,
    MAX_UNIT,
    Status,
    clean_description,
    clean_name,
    clean_note,
    strip_hidden,
)
from habitcore.rules.schedule import MAX_WINDOW, parse_schedule


class Format(enum.StrEnum):
    """The formats ``habit import`` reads (``--format``) and the ones ``habit export`` writes."""

    JSON = "json"  # habitcore's own export, everything
    CSV = "csv"  # habitcore's check-ins as CSV
    LOOP = "loop"  # a Loop Habit Tracker full backup (SQLite)
    LOOP_CSV = "loop-csv"  # Loop's CSV export: a zip, or its unpacked folder
    HARSH = "harsh"  # harsh's habits and log files


class Mode(enum.Enum):
    """How a document meets habits already there.

    RESTORE is habitcore's own export coming back: the file is the truth for every habit it
    names, settings, reminders and days alike. MERGE is history from elsewhere: a habit already
    here keeps its settings and its recorded days, and only days it lacks are added.
    """

    RESTORE = "restore"
    MERGE = "merge"


class Entry(NamedTuple):
    """One recorded day of one habit."""

    day: date
    status: Status
    amount: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Span:
    start: date
    end: date


@dataclass(frozen=True)
class HabitDoc:
    name: str
    schedule: str
    start: date | None  # None: from the first entry (or today, with none)
    description: str | None = None
    target: float | None = None
    unit: str | None = None
    at_most: bool = False
    archived: bool = False
    position: int | None = None  # None: after the habits already there
    reminders: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()
    pauses: tuple[Span, ...] = ()
    # Where the habit came from ("loop:uuid:…"), so that importing it again finds it here.
    origins: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unmapped:
    """Something in the file habitcore could not take as it was, and why; ``count`` alike."""

    what: str
    reason: str
    count: int = 1

    def __str__(self) -> str:
        times = f" ({self.count} times)" if self.count > 1 else ""
        return f"{self.what}: {self.reason}{times}"


@dataclass(frozen=True)
class Document:
    format: Format
    mode: Mode
    habits: tuple[HabitDoc, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    pauses: tuple[Span, ...] = ()
    unmapped: tuple[Unmapped, ...] = ()

    @property
    def size(self) -> int:
        """Units of work for a progress bar: a habit and each of its entries."""
        return sum(len(h.entries) + 1 for h in self.habits)


@dataclass
class ImportSummary:
    format: str = Format.JSON.value
    habits_added: list[str] = field(default_factory=list)
    habits_merged: list[str] = field(default_factory=list)  # matched a habit already here
    checkins_added: int = 0
    checkins_updated: int = 0  # a restore rewrote a day that differed
    checkins_unchanged: int = 0  # already there, the same
    checkins_kept: int = 0  # a merge found the day recorded otherwise here, and kept that
    pauses_added: int = 0
    pauses_unchanged: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)

    @property
    def habits_matched(self) -> list[str]:
        return self.habits_merged


class Notes:
    """Collects what a reader could not take as it was, counting repeats of one reason."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}

    def add(self, what: str, reason: str) -> None:
        key = (what, reason)
        self._counts[key] = self._counts.get(key, 0) + 1

    def all(self) -> tuple[Unmapped, ...]:
        return tuple(Unmapped(what, reason, n) for (what, reason), n in self._counts.items())


# -- turning a foreign file's values into habitcore's, with a note where something gives -------


def foreign_text(
    value: object, limit: int, notes: Notes, what: str, *, multiline: bool = False
) -> str | None:
    """A text from another app: invisible characters dropped, cut to ``limit``, noted."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    visible = strip_hidden(text, multiline=multiline)
    if visible != text:
        notes.add(what, "control or invisible formatting characters were removed")
    visible = visible.strip()
    if len(visible) > limit:
        notes.add(what, f"cut to habitcore's {limit} characters")
        visible = visible[:limit].rstrip()
    return visible or None


def foreign_name(value: object, notes: Notes, fallback: str) -> str:
    name = foreign_text(value, MAX_NAME, notes, f"the name of {fallback}")
    return clean_name(name or fallback)


def foreign_description(value: object, notes: Notes, habit: str) -> str | None:
    text = foreign_text(value, MAX_DESCRIPTION, notes, f"{habit}: description", multiline=True)
    return clean_description(text)


def foreign_note(value: object, notes: Notes, habit: str) -> str | None:
    text = foreign_text(value, MAX_NOTE, notes, f"{habit}: a note", multiline=True)
    return clean_note(text)


def foreign_unit(value: object, notes: Notes, habit: str) -> str | None:
    return foreign_text(value, MAX_UNIT, notes, f"{habit}: unit")


def foreign_window(times: int, days: int, notes: Notes, what: str) -> str:
    """Another tracker's "times in any days" as the habitcore schedule asking the same.

    Once a day or more is daily; a window longer than habitcore's is scaled to it, keeping
    the share of days. Each thing changed is noted under ``what``.
    """
    if times <= 0 or days <= 0:
        notes.add(what, "not a frequency; imported as daily")
        return "daily"
    if times >= days:
        if times > days:
            notes.add(what, "more than once a day; imported as daily")
        return "daily"
    if days > MAX_WINDOW:
        scaled = max(1, round(times * MAX_WINDOW / days))
        notes.add(
            what,
            f"habitcore's windows are at most {MAX_WINDOW} days; imported as {scaled} in "
            f"{MAX_WINDOW} days",
        )
        times, days = scaled, MAX_WINDOW
    return str(parse_schedule(f"{times} in {days} days"))


def decoded(raw: bytes, what: str = "This") -> str:
    """The text of a file's bytes (UTF-8, a BOM allowed), or the sentence saying it is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidImport(
            f"{what} is not UTF-8 text (byte {exc.start + 1} cannot be read); export it again "
            "as UTF-8."
        ) from None


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
