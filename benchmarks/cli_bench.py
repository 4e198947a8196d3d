"""How the ``habit`` command feels: whole processes, against importing what it cannot avoid.

A database of 100 habits with five years of history each (SQLite, the default store). Each round
runs, as separate processes: ``python -c "import sqlmodel, typer, rich"`` (the baseline),
``habit --version``, ``habit done X`` and ``habit list`` (output to a pipe, as a script or a
pager sees it), and the medians of interleaved rounds are compared. A look with no kept tallies
(the first after an import or an upgrade, or for a habit whose past was just edited) walks all
history; that cost is shown separately. A further check runs ``habit list`` under
``python -X importtime`` and lists whatever it imports that it should not (Alembic).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from harness import Row, interleaved_medians

import habitcore
from habitcore.storage.tables import CheckInRow, HabitRow, TallyRow

HABITS = 100
YEARS = 5
TARGET = 1.3
HABIT = str(Path(sys.executable).with_name("habit"))
FORBIDDEN = ("alembic",)


def seed(path: Path) -> None:
    """100 habits of mixed schedules, each with five years of ~80% done days."""
    tracker = habitcore.open(f"sqlite:///{path}")
    today = tracker.today()
    start = today - timedelta(days=YEARS * 365)
    schedules = ["daily"] * 70 + ["weekdays"] * 10 + ["3/week"] * 10 + ["mon,wed,fri"] * 5
    schedules += ["3 in 7 days"] * 5
    for number, schedule in enumerate(schedules[:HABITS]):
        reminders = ["21:00"] if number % 3 == 0 else []
        tracker.add_habit(f"Habit {number:03d}", schedule, start=start, reminders=reminders)
    rng = random.Random(7)
    with tracker.store.write() as session:
        ids = list(session.execute(sa.select(HabitRow.id)).scalars())
        rows = []
        for habit_id in ids:
            day = start
            while day < today:
                roll = rng.random()
                if roll < 0.8:
                    rows.append({"habit_id": habit_id, "day": day, "status": "done"})
                elif roll < 0.85:
                    rows.append({"habit_id": habit_id, "day": day, "status": "skipped"})
                day += timedelta(days=1)
        session.execute(sa.insert(CheckInRow), [{**r, "amount": None} for r in rows])
    tracker.store.close()


def run(repeat: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="habitcore-cli-bench-") as folder:
        path = Path(folder) / "habits.db"
        seed(path)
        env = {**os.environ, "HABITCORE_DATABASE_URL": f"sqlite:///{path}", "TERM": "dumb"}

        def process(*args: str) -> None:
            subprocess.run(args, env=env, stdout=subprocess.DEVNULL, check=True)

        def forget_tallies() -> None:
            engine = sa.create_engine(f"sqlite:///{path}")
            with engine.begin() as connection:
                connection.execute(sa.delete(TallyRow))
            engine.dispose()

        medians = interleaved_medians(
            {
                "baseline": lambda: process(sys.executable, "-c", "import sqlmodel, typer, rich"),
                "version": lambda: process(HABIT, "--version"),
                "done": lambda: process(HABIT, "done", "habit 042"),
                "list": lambda: process(HABIT, "list"),
                "list, cold": lambda: process(HABIT, "list"),
            },
            repeat=repeat,
            warmup=1,
            before={"list, cold": forget_tallies},
        )
        imported = _imported(env)
    base = medians["baseline"] * 1000
    rows = [
        Row("sqlite", "cli", "habit --version / bare imports", medians["version"] * 1000, base),
        Row("sqlite", "cli", "habit done X / bare imports", medians["done"] * 1000, base, TARGET),
        Row("sqlite", "cli", "habit list / bare imports", medians["list"] * 1000, base, TARGET),
        Row(
            "sqlite",
            "cli",
            "habit list with no kept tallies (after an import or upgrade) / bare imports (info)",
            medians["list, cold"] * 1000,
            base,
        ),
    ]
    found = [name for name in FORBIDDEN if name in imported]
    print(f"habit list imports {len(imported)} modules; of {FORBIDDEN}: {found or 'none'}")
    return rows


def _imported(env: dict[str, str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", HABIT, "list"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}


if __name__ == "__main__":  # pragma: no cover - a quick look without run.py
    print(datetime.now(UTC).isoformat())
    for row in run(5):
        print(row.case, f"{row.ratio:.2f}")
