"""Make the database kept for each released schema revision (run from the repository root).

    python tests/data/make_databases.py 0001

Each file is made with the migrations of its revision and filled through the API of that time,
so run it from a checkout of the release that wrote the revision (``make_0001`` needs the
habitcore of revision 0001). test_store.py then proves a later habitcore upgrades the file with
every row of every table unchanged.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import habitcore
from habitcore.testing import FakeClock


def make_0001(path: Path) -> None:
    url = f"sqlite:///{path}"
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    tracker = habitcore.open(url, clock=clock)
    tracker.set_timezone("Europe/Moscow")
    tracker.set_day_start("04:00")
    tracker.set_week_start("sunday")
    tracker.add_habit("Read", "daily", reminders=["21:00"], start=date(2025, 12, 1))
    tracker.add_habit("Pages", "daily", target=20, unit="pages", start=date(2025, 12, 1))
    tracker.add_habit("Run", "3/week", start=date(2025, 12, 1))
    tracker.add_habit(
        "Coffee",
        "daily",
        target=2,
        unit="cups",
        at_most=True,
        reminders=["08:00 mon,wed,fri"],
        start=date(2025, 12, 1),
        description="no more than two",
    )
    for offset in range(20):
        tracker.check("Read", day=date(2025, 12, 1) + timedelta(days=offset))
    tracker.check("Pages", day=date(2025, 12, 30), amount=12.5)
    tracker.check("Coffee", day=date(2025, 12, 30), amount=3)
    tracker.skip("Run", day=date(2025, 12, 2))
    tracker.archive("Run")
    tracker.pause(start=date(2025, 12, 24), end=date(2025, 12, 26))
    tracker.pause("Pages", start=date(2025, 12, 10), end=date(2025, 12, 12))
    tracker.stats("Read", today=date(2025, 12, 31))  # a kept tally
    # Reminder firings: Read's 21:00 Moscow firing of Jan 1 is sent, then snoozed.
    sent = tracker.due_reminders(datetime(2026, 1, 1, 18, 0, tzinfo=UTC))
    assert [r.habit for r in sent] == ["Read"], sent
    tracker.snooze(
        sent[0].reminder_id,
        sent[0].day,
        timedelta(hours=1),
        now=datetime(2026, 1, 1, 18, 1, tzinfo=UTC),
    )
    bot = habitcore.open(url, user="telegram:42", clock=clock)
    bot.set_language("ru")
    bot.set_morning_summary(False)
    bot.add_habit("Зарядка", "mon,wed,fri", reminders=["07:30"], start=date(2025, 12, 15))
    bot.check("Зарядка", day=date(2025, 12, 15))
    tracker.store.close()
    bot.store.close()


if __name__ == "__main__":
    revision = sys.argv[1]
    target = Path(__file__).parent / f"habitcore-{revision}.db"
    target.unlink(missing_ok=True)
    {"0001": make_0001}[revision](target)
    print(f"wrote {target}")
