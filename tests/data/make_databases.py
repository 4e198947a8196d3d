"""Make the database kept for each released schema revision (run from the repository root).

    python tests/data/make_databases.py 0001

Each file is made with the migrations of its revision and filled through the API of that time,
so that test_store.py can prove a later habitcore upgrades it with nothing lost.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import habitcore
from habitcore.testing import FakeClock


def make_0001(path: Path) -> None:
    tracker = habitcore.open(f"sqlite:///{path}", clock=FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    tracker.set_timezone("Europe/Moscow")
    tracker.set_day_start("04:00")
    tracker.add_habit("Read", "daily", reminders=["21:00"], start=date(2025, 12, 1))
    tracker.add_habit("Pages", "daily", target=20, unit="pages", start=date(2025, 12, 1))
    tracker.add_habit("Run", "3/week", start=date(2025, 12, 1))
    for offset in range(20):
        tracker.check("Read", day=date(2025, 12, 1) + timedelta(days=offset))
    tracker.check("Pages", day=date(2025, 12, 30), amount=12.5)
    tracker.skip("Run", day=date(2025, 12, 2))
    tracker.archive("Run")
    tracker.pause(start=date(2025, 12, 24), end=date(2025, 12, 26))
    tracker.store.close()


if __name__ == "__main__":
    revision = sys.argv[1]
    target = Path(__file__).parent / f"habitcore-{revision}.db"
    target.unlink(missing_ok=True)
    {"0001": make_0001}[revision](target)
    print(f"wrote {target}")
