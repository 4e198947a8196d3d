"""Telling a file's format from its content, never from its name.

A Loop backup is a SQLite file with Loop's tables; Loop's CSV export and harsh's pair are
recognised by what their files hold; habitcore's JSON by its ``format`` key and its CSV by its
header row. A file that belongs to a pair (harsh's ``log``, Loop's ``Habits.csv``) stands for
the folder it lies in, so pointing at either file of the pair works. Anything else is an
``InvalidImport`` saying what the file seems to be.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing

from habitcore.errors import InvalidImport
from habitcore.exchange.document import Format
from habitcore.exchange.source import Source, sqlite_in_memory

NAMES = {
    Format.JSON: "a habitcore JSON export",
    Format.CSV: "a habitcore CSV export",
    Format.LOOP: "a Loop Habit Tracker backup",
    Format.LOOP_CSV: "a Loop Habit Tracker CSV export",
    Format.HARSH: "a harsh habits and log pair",
}
SQLITE = b"SQLite format 3\x00"
_LOG_LINE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2} : .+ : \s*[yns]\s*( : .*)?$")
_HABIT_LINE = re.compile(r"^[^#!].*?: \s*(\d+|\d+\s*/\s*\d+|\d+w)\s*(: .*)?$")
_SIGNATURES = {  # magic numbers of files people pick by mistake
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip file",
}


def detect(source: Source) -> tuple[Format, Source]:
    """The format of ``source``, and the source to read it from (a pair's folder)."""
    if not source.single:
        return _collection(source), source
    data = source.first
    if not data.strip():
        raise InvalidImport(f"{source.label} is empty; there is nothing to import.")
    if data.startswith(SQLITE):
        return _sqlite(source, data), source
    for magic, kind in _SIGNATURES.items():
        if data.startswith(magic):
            raise InvalidImport(f"{source.label} is {kind}, not a file habitcore can import.")
    text = _text(source, data)
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return Format.JSON, source
    first = head.split("\n", 1)[0].strip().lower()
    cells = tuple(c.strip().strip('"') for c in first.split(","))
    if cells[:4] == ("habit", "day", "status", "amount"):
        return Format.CSV, source
    if cells[:2] == ("position", "name") or (cells[:1] == ("date",) and len(cells) > 1):
        return Format.LOOP_CSV, _beside(
            source, "Loop's CSV export (Habits.csv, Checkmarks.csv)", holding="Habits.csv"
        )
    if _harsh_lines(text):
        return Format.HARSH, _beside(source, "harsh's habits and log files")
    raise InvalidImport(
        f"{source.label} is not a format habitcore imports: habitcore JSON or CSV, a Loop "
        "Habit Tracker backup (.db) or CSV export (.zip), or harsh's habits and log files."
    )


def _collection(source: Source) -> Format:
    if source.find("Habits.csv") is not None:
        return Format.LOOP_CSV
    if source.find("habits") is not None and source.find("log") is not None:
        return Format.HARSH
    raise InvalidImport(
        f"{source.label} holds neither Loop's CSV export (Habits.csv) nor harsh's habits and "
        "log files."
    )


def _sqlite(source: Source, data: bytes) -> Format:
    tables = sqlite_tables(data, source.label)
    if {"habits", "repetitions"} <= tables and "alembic_version" not in tables:
        return Format.LOOP
    if "alembic_version" in tables:
        raise InvalidImport(
            f"{source.label} is a habitcore database, not an export: open it with "
            "--db (or HABITCORE_DATABASE_URL), or export from it and import the export."
        )
    raise InvalidImport(
        f"{source.label} is a SQLite database but not a Loop Habit Tracker backup "
        "(it has no Habits and Repetitions tables)."
    )


def sqlite_tables(data: bytes, label: str) -> set[str]:
    """The table names (lower case) of a SQLite file's bytes, read in memory."""
    with closing(sqlite_in_memory(data, label)) as connection:
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {str(name).lower() for (name,) in rows}
        except sqlite3.DatabaseError as exc:
            raise InvalidImport(
                f"{label} is a damaged SQLite file ({exc}); it may have been cut short while "
                "copying."
            ) from None


def _text(source: Source, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise InvalidImport(
            f"{source.label} is neither text nor a SQLite database or zip file; habitcore "
            "cannot import it."
        )
    try:
        return data[: 64 * 1024].decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as exc:
        if exc.start >= 16:  # text with a bad byte further on: its reader says where
            return data[: exc.start].decode("utf-8-sig")
        raise InvalidImport(
            f"{source.label} is neither text nor a SQLite database or zip file; habitcore "
            "cannot import it."
        ) from None


def _harsh_lines(text: str) -> bool:
    lines = [
        line.strip("\r")
        for line in text.split("\n")
        if line.strip() and not line.startswith(("#", "!"))
    ][:20]
    return bool(lines) and (
        all(_LOG_LINE.match(line) for line in lines)
        or all(_HABIT_LINE.match(line) for line in lines)
    )


def _beside(source: Source, what: str, holding: str | None = None) -> Source:
    """The folder a file of a pair lies in (the nearest one up holding ``holding``: a Loop
    habit's own Checkmarks.csv lies one folder below Habits.csv)."""
    if source.path is None:
        raise InvalidImport(
            f"{source.label} is one file of {what}; import the folder holding them, or a zip of it."
        )
    folder = source.path.parent
    if holding is not None:
        for candidate in (folder, folder.parent):
            if (candidate / holding).is_file():
                folder = candidate
                break
    return Source.of_path(folder)


def describe(fmt: Format) -> str:
    return NAMES[fmt]
