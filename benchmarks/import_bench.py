"""``habit import`` of a Loop Habit Tracker backup, against the least any importer must do.

The file: a schema-25 Loop backup of 50 habits over 10 years (about 128,000 repetitions), built
by the same builder the tests use (``tests/loop_files.py``). Each round runs, as separate
processes on the same file:

- the floor: Python starting with the CLI's libraries (``sqlmodel``, ``typer``, ``rich``),
  reading the repetitions with ``sqlite3`` and writing them with ``executemany`` into a fresh
  SQLite file in one transaction;
- ``habit import FILE`` into a fresh database (created, migrated, then filled).

Both sides get a new target file each round, made untimed beforehand for the floor and not at
all for ``habit`` (creating and migrating its database is part of what a person waits for).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from harness import Row, interleaved_medians

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from loop_files import big_backup  # the tests' builder of Loop backups

TARGET = 3.0
HABIT = str(Path(sys.executable).with_name("habit"))
FLOOR = """
import sqlite3, sys
import sqlmodel, typer, rich
source, target = sys.argv[1], sys.argv[2]
rows = sqlite3.connect(source).execute(
    "SELECT habit, timestamp, value, notes FROM Repetitions").fetchall()
out = sqlite3.connect(target)
out.execute("CREATE TABLE checkins (id INTEGER PRIMARY KEY, habit_id INT, day INT, "
            "status TEXT, amount REAL, note TEXT, UNIQUE (habit_id, day))")
with out:
    out.executemany("INSERT INTO checkins (habit_id, day, status, amount, note) "
                    "VALUES (?, ?, 'done', ?, ?)", rows)
"""


def run(repeat: int) -> tuple[list[Row], int]:
    with tempfile.TemporaryDirectory(prefix="habitcore-import-bench-") as folder:
        root = Path(folder)
        backup = root / "Loop Habits Backup.db"
        repetitions = big_backup(backup)
        counter = iter(range(10**6))
        env = {**os.environ, "TERM": "dumb"}
        env.pop("HABITCORE_DATABASE_URL", None)

        def fresh(name: str) -> Path:
            path = root / f"{name}-{next(counter)}.db"
            path.unlink(missing_ok=True)
            return path

        def floor() -> None:
            command = [sys.executable, "-c", FLOOR, str(backup), str(fresh("floor"))]
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)

        def habit_import() -> None:
            command = [HABIT, "--db", str(fresh("habit")), "import", str(backup)]
            subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)

        medians = interleaved_medians(
            {"floor": floor, "habit import": habit_import}, repeat=repeat, warmup=1
        )
    case = f"habit import of a Loop backup ({repetitions:,} repetitions) / floor"
    return [
        Row(
            "sqlite",
            "import",
            case,
            medians["habit import"] * 1000,
            medians["floor"] * 1000,
            TARGET,
        )
    ], repetitions


if __name__ == "__main__":  # pragma: no cover - a quick look without run.py
    print(datetime.now(UTC).isoformat())
    rows, _ = run(5)
    for row in rows:
        print(row.case, f"{row.measured_ms:.0f} ms / {row.baseline_ms:.0f} ms = {row.ratio:.2f}")
