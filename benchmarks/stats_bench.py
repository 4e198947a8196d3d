"""Benchmark 1: the stats of 100 habits with ten years of daily history each.

The question is whether habitcore's rules are cheap next to the unavoidable cost of reading the
check-ins: if computing streaks, score and completion for a habit took longer than fetching its
rows, the rules and not the database would set how fast a checklist opens. So the baseline is one
plain query for exactly the rows ``Tracker.habits()`` needs, and the figures are

* compute / fetch: ``habit_stats`` for all 100 habits from histories already in memory;
* load / fetch: ``records.histories`` (the same query, plus building the records rules take);
* end to end / fetch: ``Tracker.habits()``, everything a checklist asks the library for.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from harness import Backend, Row, interleaved_medians, profile
from sqlmodel import col

from habitcore.rules.habits import Goal, History
from habitcore.rules.stats import Stats, habit_stats
from habitcore.storage.records import goal_of, histories
from habitcore.storage.store import Store
from habitcore.storage.tables import CheckInRow, HabitRow, UserRow, metadata
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
YEARS = 10
SEED = 20260110
INSERT_CHUNK = 10_000
COMPUTE_TARGET = 1.0
KEPT = "tallies"  # where newer habitcore keeps each habit's figures as of yesterday


@dataclass(frozen=True)
class Kind:
    """One sort of habit in the mix: its schedule and how its owner keeps it."""

    prefix: str
    count: int
    schedule: str
    target: float | None = None
    unit: str | None = None


# 100 habits: mostly daily yes/no ones, as in a real checklist, and a few of every other kind
# of schedule (day schedules, calendar periods, a rolling window, a measurable target).
MIX = (
    Kind("Daily", 84, "daily"),
    Kind("Weekdays", 4, "weekdays"),
    Kind("Gym", 4, "3/week"),
    Kind("Pages", 3, "daily", 20.0, "pages"),
    Kind("Run", 2, "mon,wed,fri"),
    Kind("Call", 1, "10/month"),
    Kind("Swim", 1, "3 in 7 days"),
    Kind("Plants", 1, "every 2 days"),
)


@dataclass
class Seeded:
    """A store holding the benchmark's user, with what the measurements need about it."""

    store: Store
    tracker: Tracker
    start: date
    user_id: int
    habit_ids: list[int]
    goals: dict[int, Goal]
    checkins: int


def _checkin_rows(rng: random.Random, habit_id: int, goal: Goal) -> list[dict[str, Any]]:
    """Years of one person keeping one habit: about 80% done, a few skips, some gaps."""
    rows: list[dict[str, Any]] = []
    schedule = str(goal.schedule)
    measurable = goal.target is not None
    day = goal.start
    while day <= TODAY:
        roll = rng.random()
        status: str | None = None
        amount: float | None = None
        if schedule in ("3/week", "3 in 7 days"):
            status = "done" if roll < 0.50 else "skipped" if roll < 0.52 else None
        elif schedule == "10/month":
            status = "done" if roll < 0.35 else None
        else:
            due = _due_by_calendar(schedule, day, goal.start)
            if not due:
                status = "done" if roll < 0.02 else None  # an extra session on a day off
            elif roll < 0.80:
                status = "done"
            elif roll < 0.85:
                status = "skipped"
        if status == "done" and measurable:
            amount = float(rng.choice((5, 10, 15, 20, 20, 25, 30)))
        if status is not None:
            rows.append({"habit_id": habit_id, "day": day, "status": status, "amount": amount})
        day += timedelta(days=1)
    return rows


def _due_by_calendar(schedule: str, day: date, start: date) -> bool:
    if schedule == "weekdays":
        return day.weekday() < 5
    if schedule == "mon,wed,fri":
        return day.weekday() in (0, 2, 4)
    if schedule == "every 2 days":
        return (day - start).days % 2 == 0
    return True


def seed(store: Store, years: int = YEARS) -> Seeded:
    """Create the habits through the Tracker, then bulk-insert their check-ins with Core.

    Habits and pauses go through the public API so their rows are exactly what habitcore
    writes. The ~300,000 check-ins go in as bulk Core inserts (an executemany per 10,000
    rows): 300,000 ``Tracker.check`` calls would take minutes and measure nothing this
    benchmark is about.
    """
    start = TODAY - timedelta(days=365 * years)
    tracker = Tracker(store, user="bench", clock=FakeClock(NOW))
    tracker.set_timezone("UTC")
    for kind in MIX:
        for number in range(1, kind.count + 1):
            tracker.add_habit(
                f"{kind.prefix} {number:02d}",
                kind.schedule,
                target=kind.target,
                unit=kind.unit,
                start=start,
            )
    # A couple of pauses: two two-week vacations (every habit) and one habit paused for two
    # months, spread over the history.
    span = (TODAY - start).days
    for share in (0.4, 0.8):
        first = start + timedelta(days=int(span * share))
        tracker.pause(start=first, end=first + timedelta(days=13))
    first = start + timedelta(days=int(span * 0.6))
    tracker.pause("Gym 01", start=first, end=first + timedelta(days=60))

    with store.read() as session:
        user_id = session.execute(
            sa.select(col(UserRow.id)).where(col(UserRow.external_id) == "bench")
        ).scalar_one()
        rows = list(
            session.execute(
                sa.select(HabitRow)
                .where(col(HabitRow.user_id) == user_id)
                .order_by(col(HabitRow.position))
            ).scalars()
        )
    goals = {row.id: goal_of(row) for row in rows if row.id is not None}
    rng = random.Random(SEED)
    total = 0
    with store.write() as session:
        pending: list[dict[str, Any]] = []
        for habit_id, goal in goals.items():
            pending.extend(_checkin_rows(rng, habit_id, goal))
            if len(pending) >= INSERT_CHUNK:
                session.execute(sa.insert(CheckInRow), pending)
                total += len(pending)
                pending = []
        if pending:
            session.execute(sa.insert(CheckInRow), pending)
            total += len(pending)
    return Seeded(store, tracker, start, user_id, list(goals), goals, total)


def _fetch(seeded: Seeded) -> Callable[[], Any]:
    """The baseline: one query for the check-in rows of the 100 habits, nothing else."""
    query = sa.select(
        col(CheckInRow.habit_id),
        col(CheckInRow.day),
        col(CheckInRow.status),
        col(CheckInRow.amount),
    ).where(col(CheckInRow.habit_id).in_(seeded.habit_ids))

    def fetch() -> int:
        with seeded.store.read() as session:
            return len(session.execute(query).all())

    return fetch


def _load(seeded: Seeded) -> dict[int, History]:
    with seeded.store.read() as session:
        return histories(session, seeded.user_id, seeded.habit_ids)


def _compute(seeded: Seeded, loaded: dict[int, History]) -> Callable[[], list[Stats]]:
    def compute() -> list[Stats]:
        return [habit_stats(seeded.goals[i], loaded[i], TODAY, 0) for i in seeded.habit_ids]

    return compute


def run(backend: Backend, years: int, repeat: int, show_profile: bool) -> list[Row]:
    """Seed a fresh database, check the three paths agree, then time them against the fetch."""
    with backend.fresh() as store:
        seeded = seed(store, years)
        backend.analyze(store)
        fetch = _fetch(seeded)
        loaded = _load(seeded)
        compute = _compute(seeded, loaded)

        def end_to_end() -> object:
            return seeded.tracker.habits(TODAY)

        # The figures mean nothing unless every path saw the same data and got the same answer.
        fetched = fetch()
        if fetched != seeded.checkins:
            raise AssertionError(f"fetched {fetched} check-ins, seeded {seeded.checkins}")
        by_tracker = [status.stats for status in seeded.tracker.habits(TODAY)]
        if by_tracker != compute():
            raise AssertionError("Tracker.habits() and habit_stats disagree")
        print(
            f"  [{backend.name}] stats: {len(seeded.habit_ids)} habits, "
            f"{seeded.checkins:,} check-ins since {seeded.start}",
            flush=True,
        )

        actions: dict[str, Callable[[], Any]] = {
            "fetch": fetch,
            "load": lambda: _load(seeded),
            "compute": compute,
            "end to end": end_to_end,
        }
        before: dict[str, Callable[[], None]] = {}
        if KEPT in metadata.tables:
            # Newer habitcore keeps each habit's figures as of yesterday, so a second look the
            # same day folds only today. The first look of a day (or after an edit to the past)
            # walks everything and stores them: time that too, with the kept figures cleared.
            actions["first look"] = end_to_end
            before["first look"] = partial(_forget_kept, seeded.store)
        medians = interleaved_medians(actions, repeat, before=before)
        if show_profile:
            print(f"\n  profile [{backend.name}] compute: habit_stats x 100, by own time")
            print(_indent(profile(compute)))
            print(f"\n  profile [{backend.name}] Tracker.habits() end to end, by own time")
            print(_indent(profile(end_to_end)))
            if "first look" in before:
                before["first look"]()
                print(f"\n  profile [{backend.name}] Tracker.habits(), first look, by own time")
                print(_indent(profile(end_to_end)))
            print()

    base = medians["fetch"] * 1000
    name = f"stats, 100 habits x {years} y"
    rows = [
        Row(backend.name, name, "compute / fetch", medians["compute"] * 1000, base, COMPUTE_TARGET),
        Row(backend.name, name, "histories() / fetch", medians["load"] * 1000, base),
    ]
    if "first look" in medians:
        rows += [
            Row(
                backend.name,
                name,
                "Tracker.habits(), first look / fetch",
                medians["first look"] * 1000,
                base,
            ),
            Row(
                backend.name,
                name,
                "Tracker.habits(), again / fetch",
                medians["end to end"] * 1000,
                base,
            ),
        ]
    else:
        rows.append(
            Row(backend.name, name, "Tracker.habits() / fetch", medians["end to end"] * 1000, base)
        )
    return rows


def _forget_kept(store: Store) -> None:
    """Drop every kept tally, so the next look computes from the whole history."""
    with store.engine.begin() as connection:
        connection.execute(sa.delete(metadata.tables[KEPT]))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
