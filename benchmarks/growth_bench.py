"""Benchmark 6: how the database grows with history, and whether one user's reads stay flat.

Running habitcore for many people on one PostgreSQL server ("beyond one process") raises two
questions the other benchmarks do not answer:

* **How many bytes does a user-year of history cost?** Disk, backups and the page cache all
  follow it. Users with three habits each (two daily, one of them measured in pages, and one
  ``3/week``; reminders on the daily two) get a year of check-ins at about 70% of due days,
  some with notes, the reminder log a year of firings leaves, an occasional vacation, and
  their kept tallies (computed and stored by ``storage.tallies`` itself). The database is
  measured at two sizes (1,000 and 2,000 users with a year each, and 1,000 users with two
  years), so the figures are slopes, marginal bytes, without the fixed size of an empty schema:
  on PostgreSQL ``pg_table_size`` / ``pg_indexes_size`` per table after ``VACUUM ANALYZE``, on
  SQLite the file after a checkpoint and ``VACUUM``, split by ``dbstat``.
* **Do the due-reminder queries and the "today" reads stay flat from 1,000 to 100,000 users?**
  Their statements are captured as the library sends them (``find_due``, the claim of a batch,
  and every statement of ``Tracker(...).habits()``, what a checklist reads), explained with
  ``EXPLAIN (ANALYZE, BUFFERS)`` at 1,000, 10,000 and 100,000 users of three habits each, and
  checked for sequential scans. Each is timed against a baseline at the same size in the same
  process: the 1,000 due reminder rows by primary key for the due-reminder queries, as in the
  reminders benchmark, and the same users' rows by primary key for the checklists.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

import reminders_bench
import sqlalchemy as sa
from harness import Backend, Row, aligned, interleaved_medians

from habitcore import leases
from habitcore.rules.days import day_end_instant
from habitcore.rules.habits import Goal
from habitcore.rules.reminders import Decision, ReminderRule, next_fire
from habitcore.rules.schedule import parse_schedule
from habitcore.storage import queries, tallies
from habitcore.storage.due import take
from habitcore.storage.store import Store
from habitcore.storage.tables import (
    CheckInRow,
    HabitRow,
    PauseRow,
    ReminderLogRow,
    ReminderRow,
    UserRow,
    metadata,
)
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

NOW = reminders_bench.NOW  # 2026-01-10 12:00 UTC: the same day in all five zones
TODAY = NOW.date()
ZONES = reminders_bench.ZONES
MIDNIGHT = time(0, 0)
SEED = 20261207
DATABASE = "habitcore_bench_growth"  # on PostgreSQL: its own, beside others' habitcore_bench
FLUSH = 50_000  # rows buffered before a bulk insert
GROWTH_USERS = (1_000, 2_000)
GROWTH_YEARS = (1, 2)
SCALE_USERS = (1_000, 10_000, 100_000)
SCALE_HISTORY_DAYS = 14  # check-ins before today for every habit in the scale scenarios
CHECKLISTS = 50  # users whose checklist is read per timed round
GROWTH_TARGET = 2.0  # time at 100,000 users over time at 1,000
NOTES = (
    "felt good",
    "late, but done",
    "after lunch",
    "with Anna in the park, 5 km, slow pace",
    "only half, headache",
    "chapter 12 of the novel; long but worth it",
    "morning, before work",
    "rainy, did it indoors",
)
# The tables a user's history fills; the rest (alembic_version, api_tokens, habit_origins and
# any a frontend adds) are counted together as "other".
HISTORY_TABLES = ("users", "habits", "checkins", "tallies", "pauses", "reminders", "reminder_log")
OTHER = "other"


@dataclass(frozen=True)
class Kind:
    """One of every user's three habits: its schedule, how it is kept, its reminder."""

    name: str
    schedule: str
    done: float  # share of days done
    skipped: float
    reminder: int | None  # minutes after local midnight (varied per user), None: no reminder
    target: float | None = None
    unit: str | None = None


HABITS = (
    Kind("Water", "daily", 0.70, 0.03, 9 * 60),
    Kind("Read", "daily", 0.70, 0.03, 21 * 60, 20.0, "pages"),
    # Three times a week is about 43% of days; kept at about 70% of that.
    Kind("Gym", "3/week", 0.30, 0.01, None),
)


class Bulk:
    """Rows buffered per table and inserted with Core a chunk at a time, as the other
    benchmarks seed, so a year of history for thousands of users takes seconds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[Any, list[dict[str, Any]]] = {}
        self.count: dict[str, int] = {}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        """Insert everything pending, parents before children (foreign keys)."""
        order = [table.name for table in metadata.sorted_tables]
        for table in sorted(self.pending, key=lambda t: order.index(t.__tablename__)):
            rows = self.pending.pop(table)
            if rows:
                reminders_bench._insert(self.store, table, rows)
                name = str(table.__tablename__)
                self.count[name] = self.count.get(name, 0) + len(rows)


def _fire_at(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    return local.astimezone(UTC)


def seed_history(store: Store, users: int, years: int) -> dict[str, int]:
    """``users`` users with the three ``HABITS`` each and ``years`` of history; rows per table.

    Users, habits, reminders, check-ins, pauses and the reminder log go in with bulk Core
    inserts (explicit ids for the first three, as in the reminders benchmark); each reminder's
    ``next_fire`` is what habitcore computes, each log entry is ``leases.log_entry``'s, and the
    kept tallies are folded and stored by ``storage.tallies``, as a first look stores them.
    """
    rng = random.Random(SEED + users * 10 + years)
    first = TODAY - timedelta(days=365 * years)
    bulk = Bulk(store)
    upcoming: dict[tuple[str, int, str], tuple[date, datetime]] = {}
    reminder_id = 0
    for i in range(1, users + 1):
        zone = ZONES[i % len(ZONES)]
        tz = ZoneInfo(zone)
        created = _fire_at(first, 8 * 60, tz)
        bulk.add(
            UserRow,
            {
                "id": i,
                "external_id": f"telegram:{1_000_000 + i}",
                "timezone": zone,
                "timezone_set": True,
                "day_start": 0,
                "week_start": 0,
                "language": "en" if i % 3 else "ru",
                "active": True,
                "morning_summary": True,
                "next_close": day_end_instant(NOW, tz, MIDNIGHT),
                "created_at": created,
            },
        )
        if i % 10 == 0:  # one user in ten takes a week's vacation a year
            for year in range(years):
                start = first + timedelta(days=365 * year + rng.randrange(300))
                bulk.add(
                    PauseRow,
                    {
                        "user_id": i,
                        "habit_id": None,
                        "start": start,
                        "end": start + timedelta(days=6),
                    },
                )
        for n, kind in enumerate(HABITS):
            h = (i - 1) * len(HABITS) + n + 1
            bulk.add(
                HabitRow,
                {
                    "id": h,
                    "user_id": i,
                    "name": kind.name,
                    "name_key": kind.name.lower(),
                    "active_key": kind.name.lower(),
                    "description": None,
                    "schedule": kind.schedule,
                    "target": kind.target,
                    "unit": kind.unit,
                    "at_most": False,
                    "start": first,
                    "archived": False,
                    "position": n,
                    "closed_through": TODAY - timedelta(days=1),
                    "revision": 0,
                    "created_at": created,
                },
            )
            days = _checkins(bulk, rng, h, kind, first)
            if kind.reminder is None:
                continue
            reminder_id += 1
            minutes = kind.reminder + rng.randrange(-60, 61, 15)
            key = (zone, minutes, kind.schedule)
            if key not in upcoming:
                goal = Goal(parse_schedule(kind.schedule), first)
                rule = ReminderRule(time(minutes // 60, minutes % 60))
                found = next_fire(goal, rule, NOW, tz, MIDNIGHT)
                assert found is not None
                upcoming[key] = found
            next_day, fire = upcoming[key]
            bulk.add(
                ReminderRow,
                {
                    "id": reminder_id,
                    "habit_id": h,
                    "minutes": minutes,
                    "weekdays": 127,
                    "next_fire": fire,
                    "next_day": next_day,
                    "snoozed": False,
                    "last_day": next_day - timedelta(days=1),
                },
            )
            _log(bulk, rng, reminder_id, minutes, tz, first, next_day, days)
    bulk.flush()
    if store.dialect == "postgresql":
        with store.engine.begin() as connection:
            for table, count in (
                ("users", users),
                ("habits", users * len(HABITS)),
                ("reminders", reminder_id),
            ):
                connection.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"),
                    {"n": count},
                )
    bulk.count["tallies"] = _keep_tallies(store, range(1, users + 1))
    return bulk.count


def _checkins(bulk: Bulk, rng: random.Random, habit_id: int, kind: Kind, first: date) -> set[date]:
    """A habit's check-ins from ``first`` through today; the days checked in."""
    days: set[date] = set()
    day = first
    while day <= TODAY:
        roll = rng.random()
        status = (
            "done" if roll < kind.done else "skipped" if roll < kind.done + kind.skipped else ""
        )
        if status:
            days.add(day)
            amount = float(rng.choice((5, 10, 15, 20, 25, 30))) if kind.target else None
            note = rng.choice(NOTES) if rng.random() < 0.1 else None
            bulk.add(
                CheckInRow,
                {
                    "habit_id": habit_id,
                    "day": day,
                    "status": status,
                    "amount": amount,
                    "note": note,
                },
            )
        day += timedelta(days=1)
    return days


def _log(
    bulk: Bulk,
    rng: random.Random,
    reminder_id: int,
    minutes: int,
    tz: ZoneInfo,
    first: date,
    upto: date,
    checked: set[date],
) -> None:
    """One log entry per day the reminder fired before ``upto``: suppressed when the day was
    checked in before it fired (half of them), missed now and then, else sent."""
    day = first
    while day < upto:
        roll = rng.random()
        if roll < 0.01:
            decision = Decision.MISS
        elif day in checked and roll < 0.5:
            decision = Decision.SUPPRESS
        else:
            decision = Decision.SEND
        fire = _fire_at(day, minutes, tz)
        decided = fire + timedelta(seconds=rng.randrange(1, 40))
        bulk.add(ReminderLogRow, leases.log_entry(reminder_id, day, fire, decided, decision))
        day += timedelta(days=1)


def _keep_tallies(store: Store, user_ids: Sequence[int], chunk: int = 500) -> int:
    """Fold and store every habit's tally as of yesterday, through ``storage.tallies``."""
    stored = 0
    for start in range(0, len(user_ids), chunk):
        kept: list[tallies.Kept] = []
        with store.read() as session:
            for user_id in user_ids[start : start + chunk]:
                rows = queries.habit_rows(session, user_id, archived=False)
                kept += tallies.figures(session, user_id, rows, TODAY, 0)[1]
        with store.write() as session:
            tallies.store(session, kept)
        stored += len(kept)
    return stored


# -- measuring size ---------------------------------------------------------------------------


@dataclass
class Size:
    """A database's size: in all, and per table its data (heap, TOAST, maps) and indexes."""

    total: int
    data: dict[str, int] = field(default_factory=dict)
    indexes: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def _table_of(name: str) -> str:
    return name if name in HISTORY_TABLES else OTHER


def measure(backend: Backend, store: Store) -> Size:
    """The size after ``VACUUM ANALYZE`` (PostgreSQL) or a checkpoint and ``VACUUM`` (SQLite)."""
    if store.dialect == "postgresql":
        backend.analyze(store)  # VACUUM ANALYZE, as autovacuum leaves a loaded table
        with store.engine.connect() as connection:
            total = connection.exec_driver_sql(
                "SELECT pg_database_size(current_database())"
            ).scalar_one()
            size = Size(int(total))
            for name, data, index, rows in connection.exec_driver_sql(
                "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid), c.reltuples "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r'"
            ):
                key = _table_of(name)
                size.data[key] = size.data.get(key, 0) + int(data)
                size.indexes[key] = size.indexes.get(key, 0) + int(index)
                size.rows[key] = size.rows.get(key, 0) + max(int(rows), 0)
        return size
    path = Path(str(store.engine.url.database))
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        owner = {
            name: table
            for name, table in connection.execute("SELECT name, tbl_name FROM sqlite_master")
        }
        size = Size(path.stat().st_size)
        for name, pages in connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            key = _table_of(table)
            kept = size.data if name == table else size.indexes
            kept[key] = kept.get(key, 0) + int(pages)
        for name in metadata.tables:
            count = connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()
            key = _table_of(name)
            size.rows[key] = size.rows.get(key, 0) + (int(count[0]) if count else 0)
    return size


@dataclass
class Growth:
    """Sizes of an empty schema and of each (users, years) seeded."""

    backend: str
    empty: Size
    sizes: dict[tuple[int, int], Size]
    seconds: dict[tuple[int, int], float]


def grow(backend: Backend) -> Growth:
    """Seed and measure an empty schema, then each scenario in a fresh database."""
    with backend.fresh() as store:
        empty = measure(backend, store)
    users, more_users = GROWTH_USERS
    years, more_years = GROWTH_YEARS
    sizes: dict[tuple[int, int], Size] = {}
    seconds: dict[tuple[int, int], float] = {}
    for scenario in ((users, years), (more_users, years), (users, more_years)):
        with backend.fresh() as store:
            started = perf_counter()
            counts = seed_history(store, *scenario)
            seconds[scenario] = perf_counter() - started
            sizes[scenario] = measure(backend, store)
        print(
            f"  [{backend.name}] growth: {scenario[0]:,} users x {scenario[1]} y seeded in "
            f"{seconds[scenario]:.0f} s: "
            + ", ".join(f"{name} {count:,}" for name, count in sorted(counts.items())),
            flush=True,
        )
    return Growth(backend.name, empty, sizes, seconds)


def growth_table(results: Sequence[Growth]) -> str:
    """Marginal bytes per user with a year of history, and per further year of a user's
    history, by table: the slopes between the seeded sizes."""
    users, more_users = GROWTH_USERS
    years, more_years = GROWTH_YEARS
    header = [
        "backend",
        "table",
        "rows / user-year",
        "data B / user-year",
        "index B / user-year",
        "total B / user-year",
        "B / row",
        "total B / further year",
    ]
    body: list[list[str]] = []
    for result in results:
        low = result.sizes[(users, years)]
        wide = result.sizes[(more_users, years)]
        long = result.sizes[(users, more_years)]
        added = more_users - users
        lengthened = users * (more_years - years)
        for name in [*HISTORY_TABLES, OTHER, "all (database)"]:
            if name == "all (database)":
                rows = sum(wide.rows.values()) - sum(low.rows.values())
                data = sum(wide.data.values()) - sum(low.data.values())
                index = sum(wide.indexes.values()) - sum(low.indexes.values())
                total = wide.total - low.total
                further = long.total - low.total
            else:
                rows = wide.rows.get(name, 0) - low.rows.get(name, 0)
                data = wide.data.get(name, 0) - low.data.get(name, 0)
                index = wide.indexes.get(name, 0) - low.indexes.get(name, 0)
                total = data + index
                further = (
                    long.data.get(name, 0)
                    + long.indexes.get(name, 0)
                    - low.data.get(name, 0)
                    - low.indexes.get(name, 0)
                )
            body.append(
                [
                    result.backend,
                    name,
                    f"{rows / added:,.1f}",
                    f"{data / added:,.0f}",
                    f"{index / added:,.0f}",
                    f"{total / added:,.0f}",
                    f"{total / rows:,.1f}" if rows > 0 else "-",
                    f"{further / lengthened:,.0f}",
                ]
            )
    return aligned(header, body, numeric={2, 3, 4, 5, 6, 7})


def sizes_table(results: Sequence[Growth]) -> str:
    """The measured sizes themselves, from which the slopes come."""
    header = ["backend", "scenario", "database bytes", "seeded in s"]
    body: list[list[str]] = []
    for result in results:
        body.append([result.backend, "empty schema", f"{result.empty.total:,}", "-"])
        for (users, years), size in result.sizes.items():
            body.append(
                [
                    result.backend,
                    f"{users:,} users x {years} y",
                    f"{size.total:,}",
                    f"{result.seconds[(users, years)]:.0f}",
                ]
            )
    return aligned(header, body, numeric={2, 3})


# -- flat with users --------------------------------------------------------------------------

_SCAN = re.compile(
    r"(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan|Bitmap Index Scan)"
    r"(?: Backward)?(?: using (\S+))? on (\S+)"
)


@dataclass(frozen=True)
class Plan:
    """A statement's ``EXPLAIN (ANALYZE, BUFFERS)``: the text, its scans, its top buffers."""

    query: str
    users: int
    text: str
    sql: str = ""

    @property
    def scans(self) -> list[str]:
        found = []
        for match in _SCAN.finditer(self.text):
            kind, index, table = match.groups()
            found.append(f"{kind} {index} on {table}" if index else f"{kind} on {table}")
        return found

    @property
    def sequential(self) -> list[str]:
        return [scan for scan in self.scans if scan.startswith("Seq Scan")]

    @property
    def buffers(self) -> str:
        """The buffers of the top node (all the statement touched)."""
        for line in self.text.splitlines():
            if "Buffers:" in line:
                return line.split("Buffers:", 1)[1].strip()
        return "-"

    @property
    def execution_ms(self) -> str:
        for line in self.text.splitlines():
            if line.strip().startswith("Execution Time:"):
                return line.split(":", 1)[1].strip()
        return "-"


def explain_analyze(store: Store, statement: tuple[str, Any]) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of a captured statement, in a transaction rolled back
    (the claim writes)."""
    with store.engine.connect() as connection, connection.begin() as transaction:
        plan = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement[0], statement[1]
        ).all()
        transaction.rollback()
    return "\n".join(str(row[0]) for row in plan)


def add_history(store: Store, users: int, days: int) -> int:
    """Check-ins on each of the ``days`` days before today (about 70% of them), a past
    vacation for one user in ten, and every
    habit's tally kept as of yesterday, as after a daily look: tallies of users 1 to 4 (both
    schedules among them) are folded by ``storage.tallies`` and stored for every habit of the
    same schedule, since folding 300,000 habits one by one would take minutes."""
    rng = random.Random(SEED + users)
    bulk = Bulk(store)
    for user_id in range(10, users + 1, 10):  # one user in ten took a week's vacation
        start = TODAY - timedelta(days=rng.randrange(20, 300))
        bulk.add(
            PauseRow,
            {"user_id": user_id, "habit_id": None, "start": start, "end": start + timedelta(6)},
        )
    for habit_id in range(1, users * reminders_bench.HABITS_PER_USER + 1):
        for back in range(1, days + 1):
            if rng.random() < 0.7:
                day = TODAY - timedelta(days=back)
                bulk.add(
                    CheckInRow, {"habit_id": habit_id, "day": day, "status": "done", "amount": None}
                )
    bulk.flush()
    with store.read() as session:
        kinds: dict[str, tallies.Kept] = {}
        for user_id in range(1, 5):
            rows = queries.habit_rows(session, user_id, archived=False)
            folded = {k.habit_id: k for k in tallies.figures(session, user_id, rows, TODAY, 0)[1]}
            for row in rows:
                if row.id in folded:
                    kinds.setdefault(row.schedule, folded[row.id])
        schedules = session.execute(
            sa.select(sa.column("id"), sa.column("schedule")).select_from(metadata.tables["habits"])
        ).all()
    kept = [tallies.Kept(habit_id, 0, kinds[schedule].tally) for habit_id, schedule in schedules]
    for first in range(0, len(kept), reminders_bench.INSERT_CHUNK):
        with store.write() as session:
            tallies.store(session, kept[first : first + reminders_bench.INSERT_CHUNK])
    return bulk.count.get("checkins", 0)


@dataclass
class Scale:
    """One size's plans and median times."""

    users: int
    plans: list[Plan]
    medians: dict[str, float]


def _checklists(store: Store, externals: Sequence[str]) -> Callable[[], int]:
    """What a checklist reads, for each of these users: a new ``Tracker`` (as the bot opens one
    per update) and ``habits()``."""

    def today() -> int:
        return sum(
            len(Tracker(store, user=external, clock=FakeClock(NOW)).habits())
            for external in externals
        )

    return today


def _user_rows(store: Store, ids: Sequence[int]) -> Callable[[], int]:
    """The baseline for checklists: each of the same users' rows by primary key, one read
    transaction each."""

    def fetch() -> int:
        found = 0
        for user_id in ids:
            with store.read() as session:
                found += session.get(UserRow, user_id) is not None
        return found

    return fetch


def scale(backend: Backend, users: int, repeat: int) -> Scale:
    """Seed ``users`` users of three habits (the reminders benchmark's, 1,000 due), a fortnight
    of check-ins and kept tallies; capture, explain and time the due-reminder queries and the
    checklist reads against their baselines."""
    with backend.fresh() as store:
        seeded = reminders_bench.seed(store, users)
        history = add_history(store, users, SCALE_HISTORY_DAYS)
        backend.analyze(store)
        print(
            f"  [{backend.name}] growth: {users:,} users, {users * 3:,} habits, "
            f"{history:,} check-ins of history, {reminders_bench.DUE:,} reminders due",
            flush=True,
        )
        rng = random.Random(SEED - users)
        ids = sorted(rng.sample(range(1, users + 1), CHECKLISTS))
        externals = [f"telegram:{1_000_000 + i}" for i in ids]
        pk_fetch = reminders_bench._pk_fetch(seeded)
        find = reminders_bench._find(seeded)
        checklists, user_rows = _checklists(store, externals), _user_rows(store, ids)

        def claim() -> int:
            with store.write() as session:
                until = NOW + leases.DEFAULT_LEASE
                return len(
                    take(session, NOW, reminders_bench.DUE, None, None, worker="g", until=until)
                )

        if find() != reminders_bench.DUE or checklists() != CHECKLISTS * 3:
            raise AssertionError("the seeded reminders or habits were not all found")
        # Capture first (the claim runs once for that), put the data back and vacuum, so
        # every plan sees the seeded tables and none of the row versions capturing left.
        find_sql = _one(store, find, "next_fire <=")
        claim_sql = _one(store, claim, "WITH taken")
        reminders_bench.reset(seeded)
        one_today = reminders_bench.every_sql(store, _checklists(store, externals[:1]))
        writes = [s for s, _ in one_today if not s.lstrip().upper().startswith("SELECT")]
        if writes:
            raise AssertionError(f"a second look wrote: {writes[0][:80]}")
        backend.analyze(store)
        plans = [
            Plan("find_due", users, explain_analyze(store, find_sql), find_sql[0]),
            Plan("claim", users, explain_analyze(store, claim_sql), claim_sql[0]),
        ]
        for number, statement in enumerate(one_today, 1):
            plans.append(
                Plan(f"today {number}", users, explain_analyze(store, statement), statement[0])
            )
        medians = interleaved_medians(
            {
                "pk": pk_fetch,
                "find": find,
                "users by pk": user_rows,
                "today": checklists,
            },
            repeat * 5,
            warmup=3,
        )
        claimed = reminders_bench._time_claim(
            seeded, reminders_bench.Options(repeat=repeat, deliver=False)
        )
        medians.update({f"claim {k}": v for k, v in claimed.items()})
    return Scale(users, plans, medians)


def _one(store: Store, action: Callable[[], object], marker: str) -> tuple[str, Any]:
    return reminders_bench.captured_sql(store, action, marker)


def scale_rows(backend: str, results: Sequence[Scale]) -> list[Row]:
    rows: list[Row] = []
    for result in results:
        label = f"growth, {result.users:,} users"
        m = {k: v * 1000 for k, v in result.medians.items()}
        rows += [
            Row(backend, label, "find_due / PK fetch", m["find"], m["pk"]),
            Row(backend, label, "claim 1,000 / PK fetch", m["claim claim"], m["claim pk"]),
            Row(
                backend,
                label,
                f"today x {CHECKLISTS} / user rows by PK",
                m["today"],
                m["users by pk"],
            ),
        ]
    low = results[0]
    for high in results[1:]:
        label = f"growth, {high.users:,} vs {low.users:,} users"
        for case, key in (
            ("find_due growth", "find"),
            ("claim growth", "claim claim"),
            ("today growth", "today"),
            ("PK fetch growth (baseline)", "pk"),
            ("user rows by PK growth (baseline)", "users by pk"),
        ):
            target = None if "baseline" in case else GROWTH_TARGET
            rows.append(
                Row(backend, label, case, high.medians[key] * 1000, low.medians[key] * 1000, target)
            )
    return rows


def sequential(results: Sequence[Scale]) -> str:
    """The verdict on the plans: every sequential scan, by statement and size, or none."""
    found = [
        f"{plan.query} at {plan.users:,} users ({', '.join(plan.sequential)})"
        for result in results
        for plan in result.plans
        if plan.sequential
    ]
    if not found:
        return "Sequential scans: none, at any size."
    return "Sequential scans: " + "; ".join(found) + "."


def plan_table(results: Sequence[Scale]) -> str:
    """Per statement and size: its scans, whether any is sequential, buffers, time."""
    header = ["statement", "users", "scans", "seq scan", "buffers", "execution"]
    body = [
        [
            plan.query,
            f"{plan.users:,}",
            "; ".join(dict.fromkeys(plan.scans)),
            ", ".join(plan.sequential) or "none",
            plan.buffers,
            plan.execution_ms,
        ]
        for result in results
        for plan in result.plans
    ]
    return aligned(header, body, numeric={1})


@dataclass
class Result:
    rows: list[Row]
    notes: list[str]


def run(backend: Backend, repeat: int, user_counts: Sequence[int] = SCALE_USERS) -> Result:
    """Database growth on this backend; on PostgreSQL also the plans and times at each size."""
    growth = grow(backend)
    notes = [
        f"Database growth on {backend.name} (slopes between {GROWTH_USERS[0]:,} and "
        f"{GROWTH_USERS[1]:,} users with {GROWTH_YEARS[0]} year each; the last column between "
        f"{GROWTH_YEARS[0]} and {GROWTH_YEARS[1]} years of {GROWTH_USERS[0]:,} users):",
        growth_table([growth]),
        sizes_table([growth]),
    ]
    if backend.name != "postgres":
        return Result([], notes)
    results = [scale(backend, users, repeat) for users in user_counts]
    notes.append("Plans on PostgreSQL, EXPLAIN (ANALYZE, BUFFERS), per statement and size:")
    notes.append(plan_table(results))
    notes.append(sequential(results))
    for plan in results[-1].plans:
        notes.append(f"-- {plan.query}, as habitcore sends it:\n{_indent(plan.sql)}")
    for result in results:
        for plan in result.plans:
            notes.append(f"-- {plan.query}, {plan.users:,} users\n{_indent(plan.text)}")
    return Result(scale_rows(backend.name, results), notes)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
