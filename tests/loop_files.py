"""Build Loop Habit Tracker backups as Loop itself lays them out, at any schema from 9 to 25.

A fresh Loop database is 09.sql followed by every migration up to its version (uhabits-core's
MigrationHelper), and ``PRAGMA user_version`` holds the version. The statements below are the
schema-changing parts of Loop's migrations (uhabits-core/src/jvmMain/resources/migrations);
the ones that only clear caches, add indexes or remap colours (10, 12, 13, 14, 15, 17, 21) leave
the columns as they were and are left out. Rows are then written through the columns the
version has, so a test states habits and repetitions once and gets any schema's file.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

MIGRATIONS: dict[int, list[str]] = {
    9: [
        "create table Habits ( id integer primary key autoincrement, archived integer, "
        "color integer, description text, freq_den integer, freq_num integer, highlight integer, "
        "name text, position integer, reminder_hour integer, reminder_min integer )",
        "create table Checkmarks ( id integer primary key autoincrement, habit integer "
        "references habits(id), timestamp integer, value integer )",
        "create table Repetitions ( id integer primary key autoincrement, habit integer "
        "references habits(id), timestamp integer )",
        "create table Streak ( id integer primary key autoincrement, end integer, habit integer "
        "references habits(id), length integer, start integer )",
        "create table Score ( id integer primary key autoincrement, habit integer "
        "references habits(id), score integer, timestamp integer )",
    ],
    11: ["alter table Habits add column reminder_days integer not null default 127"],
    16: [
        "alter table Habits add column type integer not null default 0",
        "alter table Repetitions add column value integer not null default 2",
    ],
    18: [
        "alter table Habits add column target_type integer not null default 0",
        "alter table Habits add column target_value real not null default 0",
        "alter table Habits add column unit text not null default ''",
    ],
    19: [
        "create table Events ( id integer primary key autoincrement, timestamp integer, "
        "message text, server_id integer )"
    ],
    20: ["drop table checkmarks", "drop table streak", "drop table score"],
    22: [
        "alter table Repetitions rename to RepetitionsBak",
        "create table Repetitions ( id integer primary key autoincrement, habit integer not null "
        "references habits(id), timestamp integer not null, value integer not null)",
        "create unique index idx_repetitions_habit_timestamp on Repetitions(habit, timestamp)",
        "insert into Repetitions select * from RepetitionsBak",
        "drop table RepetitionsBak",
    ],
    23: [
        "alter table Habits add column question text",
        "update Habits set question = description",
        "update Habits set description = ''",
    ],
    24: ["alter table habits add column uuid text"],
    25: ["alter table Repetitions add column notes text"],
}

# Entry values (Entry.kt) and the day stamp (Timestamp.kt: ms at 00:00 UTC of the local day).
YES_MANUAL, YES_AUTO, NO, SKIP, UNKNOWN = 2, 1, 0, 3, -1
DAY_MS = 86_400_000
EPOCH = date(1970, 1, 1)
# WeekdayList: bit 0 Saturday, bit 1 Sunday, bit 2 Monday ... bit 6 Friday.
SAT, SUN, MON, TUE, WED, THU, FRI = (1 << i for i in range(7))


def stamp(day: date) -> int:
    return (day - EPOCH).days * DAY_MS


def habit(name: str, **fields: Any) -> dict[str, Any]:
    """A Habits row as Loop's app writes one (HabitRecord), with any field overridden."""
    row = {
        "name": name,
        "description": "",
        "question": "",
        "freq_num": 1,
        "freq_den": 1,
        "color": 8,
        "position": 0,
        "reminder_hour": None,
        "reminder_min": None,
        "reminder_days": 0,
        "highlight": 0,
        "archived": 0,
        "type": 0,
        "target_type": 0,
        "target_value": 0.0,
        "unit": "",
        "uuid": None,
    }
    row.update(fields)
    return row


def backup(
    path: Path,
    schema: int,
    habits: Iterable[Mapping[str, Any]],
    repetitions: Iterable[tuple[Any, ...]] = (),
) -> Path:
    """Write a Loop backup at ``schema``: ``repetitions`` are (habit id, day, value, notes)
    with ids counted from 1 in ``habits`` order; columns the schema lacks are dropped."""
    with closing(sqlite3.connect(path)) as connection:
        for version in range(9, schema + 1):
            for statement in MIGRATIONS.get(version, []):
                connection.execute(statement)
        habit_columns = _columns(connection, "Habits")
        for number, row in enumerate(habits, start=1):
            values = {"id": number, **row}
            if schema < 23 and row.get("question"):
                values["description"] = row["question"]  # the question lived there
            if schema >= 24 and not values.get("uuid"):
                values["uuid"] = f"{number:032x}"
            kept = {k: v for k, v in values.items() if k in habit_columns}
            connection.execute(
                f"INSERT INTO Habits ({', '.join(kept)}) VALUES ({', '.join('?' * len(kept))})",
                list(kept.values()),
            )
        entry_columns = _columns(connection, "Repetitions")
        names = [c for c in ("habit", "timestamp", "value", "notes") if c in entry_columns]
        rows = []
        for habit_id, day, value, *rest in repetitions:
            full = (habit_id, stamp(day), value, rest[0] if rest else None)
            rows.append(full[: len(names)])
        connection.executemany(
            f"INSERT INTO Repetitions ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            rows,
        )
        connection.execute(f"PRAGMA user_version = {schema}")
        connection.commit()
    return path


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [row[1].lower() for row in connection.execute(f"PRAGMA table_info({table})")]


def big_backup(path: Path, habits: int = 50, years: int = 10, seed: int = 7) -> int:
    """A schema-25 backup of ``habits`` habits over ``years`` years, about 70% of days done,
    a few skipped, numerical habits among them; returns the number of repetitions."""
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    first = today - timedelta(days=years * 365)
    rows = []
    made = []
    for number in range(habits):
        numerical = number % 5 == 4
        made.append(
            habit(
                f"Habit {number:02d}",
                position=number,
                freq_num=1 if number % 3 else 3,
                freq_den=1 if number % 3 else 7,
                type=1 if numerical else 0,
                target_value=20.0 if numerical else 0.0,
                unit="pages" if numerical else "",
                reminder_hour=21 if number % 4 == 0 else None,
                reminder_min=0 if number % 4 == 0 else None,
                reminder_days=127 if number % 4 == 0 else 0,
            )
        )
        day = first
        while day < today:
            roll = rng.random()
            if roll < 0.70:
                value = rng.randrange(5_000, 30_000) if numerical else YES_MANUAL
                rows.append((number + 1, day, value, "good day" if roll < 0.01 else None))
            elif roll < 0.73:
                rows.append((number + 1, day, SKIP, None))
            day += timedelta(days=1)
    backup(path, 25, made, rows)
    return len(rows)
