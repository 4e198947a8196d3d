"""Benchmark 2: finding and claiming the reminders due now among many users.

A bot asks every few seconds for the reminders due, for every user it serves, so finding what is
due must cost what the due rows cost and not grow with the number of users: ``find_due`` is
meant to walk the ``reminders.next_fire`` index from its low end and stop after the due rows,
and ``claim`` takes them under a lease in one statement per batch of 1,000 (on PostgreSQL an
``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1000) RETURNING``, joined to what
deciding needs), decides them, and settles the ones not to send, in one transaction. The
baseline is the cheapest way there is to get those same rows, by primary key, so

* find_due / PK fetch should be small (the join to habits, users and check-ins costs something)
  and, above all, the same for 10,000 and 100,000 users;
* claim / PK fetch, the claim of a batch of 1,000 (taken under a lease and read with what
  deciding needs, in a transaction of its own: it writes), should be at most 2 on PostgreSQL,
  the backend for several workers, and just as flat (SQLite's is shown for information);
  the whole batch as a worker claims it (the claim, then the decisions, and the suppressed ones
  logged and moved on, in the same transaction) is shown for information;
* due_reminders / PK fetch (claim, decide, confirm, log: all of it) is shown for information.

Each user has three habits with one reminder each (10,000 users: 30,000 habits); 1,000 of the
reminders fired in the last ten minutes and the rest fire within the next day, in five time
zones. A third of the due habits are done already, so their firings are suppressed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from harness import Backend, Row, interleaved_medians, profile
from sqlmodel import col

from habitcore import delivery, leases
from habitcore.rules.days import habit_day
from habitcore.rules.habits import Goal
from habitcore.rules.reminders import DEFAULT_GRACE, ReminderRule, next_fire
from habitcore.rules.schedule import Daily
from habitcore.storage.due import take
from habitcore.storage.store import Store
from habitcore.storage.tables import (
    CheckInRow,
    HabitRow,
    ReminderLogRow,
    ReminderRow,
    UserRow,
    metadata,
)

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
DUE = 1000
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/Moscow")
HABIT_START = date(2025, 10, 1)
SEED = 20260110
INSERT_CHUNK = 10_000
FIND_TARGET = 2.0
CLAIM_TARGET = 2.0
HABITS_PER_USER = 3
NAMES = ("Water", "Read", "Walk")
MIDNIGHT = time(0, 0)


@dataclass
class Seeded:
    store: Store
    users: int
    due_ids: list[int]
    # What the due reminders held before due_reminders moved them on, to put it back.
    due_state: list[dict[str, Any]]


def _insert(store: Store, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    with store.engine.begin() as connection:
        for first in range(0, len(rows), INSERT_CHUNK):
            connection.execute(sa.insert(table), rows[first : first + INSERT_CHUNK])


def seed(store: Store, users: int) -> Seeded:
    """Bulk-insert ``users`` users, each with three habits of one reminder each, with Core.

    Rows get explicit ids (user i owns habits and reminders 3i-2 to 3i) so a few plain
    multi-row inserts do it: 100,000 users take seconds, where the Tracker would take many
    minutes. Every reminder's ``next_fire`` is what habitcore itself would have computed for it.
    """
    rng = random.Random(SEED + users)
    habits = users * HABITS_PER_USER
    due = set(rng.sample(range(1, habits + 1), DUE))
    created = NOW - timedelta(days=100)
    goal = Goal(Daily(), HABIT_START)
    upcoming: dict[tuple[str, int], tuple[date, datetime]] = {}
    user_rows: list[dict[str, Any]] = []
    habit_rows: list[dict[str, Any]] = []
    reminder_rows: list[dict[str, Any]] = []
    checkin_rows: list[dict[str, Any]] = []
    due_state: list[dict[str, Any]] = []
    # Newer schemas keep the name key of active habits in ``active_key`` (an ORM hook fills it,
    # which a Core insert bypasses); older ones have no such column.
    keyed = "active_key" in metadata.tables["habits"].c
    for i in range(1, users + 1):
        zone = ZONES[i % len(ZONES)]
        tz = ZoneInfo(zone)
        user_rows.append(
            {
                "id": i,
                "external_id": f"telegram:{1_000_000 + i}",
                "timezone": zone,
                "timezone_set": True,
                "day_start": 0,
                "week_start": 0,
                "language": "en",
                "active": True,
                "morning_summary": True,
                "created_at": created,
            }
        )
        for n, name in enumerate(NAMES):
            h = (i - 1) * HABITS_PER_USER + n + 1
            if h in due:
                # Fired 0 to 9 minutes ago, within the grace period: sent unless done already.
                fire = NOW - timedelta(minutes=rng.randrange(10))
                local = fire.astimezone(tz)
                minutes = local.hour * 60 + local.minute
                day = local.date()
            else:
                minutes = rng.randrange(24 * 60)
                key = (zone, minutes)
                if key not in upcoming:
                    rule = ReminderRule(time(minutes // 60, minutes % 60))
                    found = next_fire(goal, rule, NOW, tz, MIDNIGHT)
                    assert found is not None
                    upcoming[key] = found
                day, fire = upcoming[key]
            habit_rows.append(
                {
                    **({"active_key": name.lower()} if keyed else {}),
                    "id": h,
                    "user_id": i,
                    "name": name,
                    "name_key": name.lower(),
                    "description": None,
                    # One habit in ten counts per week: deciding those reads recent check-ins.
                    "schedule": "3/week" if h % 10 == 0 else "daily",
                    "target": None,
                    "unit": None,
                    "at_most": False,
                    "start": HABIT_START,
                    "archived": False,
                    "position": n,
                    "closed_through": habit_day(NOW, tz, MIDNIGHT) - timedelta(days=1),
                    "created_at": created,
                }
            )
            reminder_rows.append(
                {
                    "id": h,
                    "habit_id": h,
                    "minutes": minutes,
                    "weekdays": 127,
                    "next_fire": fire,
                    "next_day": day,
                    "snoozed": False,
                }
            )
            if h in due:
                due_state.append({"rid": h, "fire": fire, "day": day})
            # A third of habits are done already today: a due one's firing is suppressed.
            if rng.random() < 1 / 3:
                today = habit_day(NOW, tz, MIDNIGHT)
                checkin_rows.append({"habit_id": h, "day": today, "status": "done", "amount": None})
    _insert(store, UserRow, user_rows)
    _insert(store, HabitRow, habit_rows)
    _insert(store, ReminderRow, reminder_rows)
    _insert(store, CheckInRow, checkin_rows)
    if store.dialect == "postgresql":
        # Explicit ids leave the sequences behind; move them on as a real store would have.
        with store.engine.begin() as connection:
            for table, count in (("users", users), ("habits", habits), ("reminders", habits)):
                connection.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"),
                    {"n": count},
                )
    return Seeded(store, users, sorted(due), due_state)


def reset(seeded: Seeded) -> None:
    """Undo a claim or a due_reminders run: the due reminders due again as seeded, held by
    nobody, the log empty."""
    table = metadata.tables["reminders"]
    values: dict[str, Any] = {
        "next_fire": sa.bindparam("fire"),
        "next_day": sa.bindparam("day"),
        "snoozed": False,
    }
    if "last_day" in table.c:
        values["last_day"] = None  # newer schemas remember the last day decided; seeded: none
    if "claimed_by" in table.c:
        values.update(claimed_by=None, lease_until=None)  # and leases, from 0005 on
    with seeded.store.engine.begin() as connection:
        connection.execute(sa.delete(ReminderLogRow))
        connection.execute(
            sa.update(table).where(table.c.id == sa.bindparam("rid")).values(**values),
            seeded.due_state,
        )


def _pk_fetch(seeded: Seeded) -> Callable[[], int]:
    """The baseline: the 1,000 due reminder rows, as ORM rows, by primary key."""
    query = sa.select(ReminderRow).where(col(ReminderRow.id).in_(seeded.due_ids))

    def pk_fetch() -> int:
        with seeded.store.read() as session:
            return len(session.execute(query).all())

    return pk_fetch


def _find(seeded: Seeded) -> Callable[[], int]:
    def find() -> int:
        with seeded.store.read() as session:
            return len(delivery.find_due(session, NOW))

    return find


def _claim(seeded: Seeded) -> Callable[[], int]:
    """A worker's claim of one batch: the 1,000 due taken under a lease in one statement,
    decided, the suppressed ones logged and moved on, in one transaction."""

    def claim() -> int:
        batches = delivery.claim(seeded.store, NOW, DEFAULT_GRACE, worker="bench")
        return len(next(batches, []))

    return claim


def _deliver(seeded: Seeded) -> Callable[[], int]:
    def deliver() -> int:
        return len(delivery.due_reminders(seeded.store, NOW, DEFAULT_GRACE))

    return deliver


def every_sql(store: Store, action: Callable[[], object]) -> list[tuple[str, Any]]:
    """Every statement (and its parameters) ``action`` sends, in order.

    Taken at the cursor, after SQLAlchemy has rendered and bound everything, so each can be
    replayed on the bare driver (to time the database without the ORM) or explained.
    """
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, params))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    return captured


def captured_sql(store: Store, action: Callable[[], object], marker: str) -> tuple[str, Any]:
    """The first statement ``action`` sends whose text contains ``marker``."""
    for statement in every_sql(store, action):
        if marker in statement[0]:
            return statement
    raise AssertionError(f"no statement containing {marker!r} was sent")


def _replay(store: Store, statement: tuple[str, Any]) -> Callable[[], int]:
    """Run a captured statement on the driver and fetch every row: the database's share."""

    def replay() -> int:
        with store.engine.connect() as connection:
            return len(connection.exec_driver_sql(*statement).fetchall())

    return replay


def explain(store: Store, statement: tuple[str, Any]) -> str:
    """The database's plan for a captured statement."""
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql(prefix + statement[0], statement[1]).all()
    return "\n".join(str(row[-1]) for row in plan)


@dataclass(frozen=True)
class Options:
    """How hard to measure: rounds of the cheap reads, and runs of the writing delivery."""

    repeat: int
    deliver: bool = True
    deliver_runs: int = 2
    deliver_warmup: int = 1


def run(
    backend: Backend, user_counts: Sequence[int], options: Options, show_profile: bool
) -> list[Row]:
    """For each number of users: seed, check find_due finds the 1,000, time it, the claim of
    them and (``options.deliver``) due_reminders."""
    rows: list[Row] = []
    found_ms: dict[int, float] = {}
    sql_ms: dict[int, float] = {}
    claim_ms: dict[int, float] = {}
    batch_ms: dict[int, float] = {}
    for users in user_counts:
        with backend.fresh() as store:
            seeded = seed(store, users)
            backend.analyze(store)
            pk_fetch, find, deliver = _pk_fetch(seeded), _find(seeded), _deliver(seeded)
            if pk_fetch() != DUE or find() != DUE:
                raise AssertionError("the seeded due reminders were not all found")
            find_sql = captured_sql(store, find, "next_fire <=")
            pk_sql = captured_sql(store, pk_fetch, "FROM reminders")
            print(f"  [{backend.name}] reminders: {users:,} users, {DUE:,} due", flush=True)
            # These reads are cheap (milliseconds), so they get many rounds for a steady median.
            medians = interleaved_medians(
                {
                    "pk": pk_fetch,
                    "find": find,
                    "pk sql": _replay(store, pk_sql),
                    "find sql": _replay(store, find_sql),
                },
                options.repeat * 5,
                warmup=3,
            )
            claimed = _time_claim(seeded, options)
            delivered: dict[str, float] = {}
            if options.deliver:
                # due_reminders writes (claims, moves next_fire on, logs): reset before each run.
                delivered = interleaved_medians(
                    {"deliver": deliver},
                    options.deliver_runs,
                    warmup=options.deliver_warmup,
                    before={"deliver": partial(reset, seeded)},
                )
                reset(seeded)
                sent = deliver()
                reset(seeded)
                print(f"    due_reminders sent {sent:,} of {DUE:,}", flush=True)
            if show_profile:
                print(f"\n  plan [{backend.name}] find_due, {users:,} users")
                print(_indent(explain(store, find_sql)))
                print(f"\n  profile [{backend.name}] find_due, {users:,} users, by own time")
                print(_indent(profile(find)))
                if options.deliver:
                    reset(seeded)
                    print(
                        f"\n  profile [{backend.name}] due_reminders, {users:,} users, by own time"
                    )
                    print(_indent(profile(deliver)))
                    reset(seeded)
                print()
        base = medians["pk"] * 1000
        found_ms[users] = medians["find"] * 1000
        sql_ms[users] = medians["find sql"] * 1000
        label = f"reminders, {users:,} users"
        rows.append(
            Row(backend.name, label, "find_due / PK fetch", found_ms[users], base, FIND_TARGET)
        )
        rows.append(
            Row(
                backend.name,
                label,
                "find_due SQL only / PK SQL only",
                sql_ms[users],
                medians["pk sql"] * 1000,
            )
        )
        claim_ms[users] = claimed["claim"] * 1000
        batch_ms[users] = claimed["batch"] * 1000
        pk_ms = claimed["pk"] * 1000
        rows.append(
            Row(
                backend.name,
                label,
                f"claim {DUE:,} / PK fetch",
                claim_ms[users],
                pk_ms,
                # The goal is PostgreSQL's, the backend for several workers; SQLite's is shown.
                CLAIM_TARGET if backend.name == "postgres" else None,
            )
        )
        if "claim sql" in claimed:
            rows.append(
                Row(
                    backend.name,
                    label,
                    "claim SQL only / PK SQL only",
                    claimed["claim sql"] * 1000,
                    claimed["pk sql"] * 1000,
                )
            )
        rows.append(
            Row(backend.name, label, "claim and decide a batch / PK fetch", batch_ms[users], pk_ms)
        )
        if delivered:
            rows.append(
                Row(
                    backend.name,
                    label,
                    "due_reminders / PK fetch",
                    delivered["deliver"] * 1000,
                    base,
                )
            )
    if len(user_counts) > 1:
        low, high = min(user_counts), max(user_counts)
        label = f"reminders, {high:,} vs {low:,} users"
        rows.append(Row(backend.name, label, "find_due growth", found_ms[high], found_ms[low]))
        rows.append(Row(backend.name, label, "find_due SQL growth", sql_ms[high], sql_ms[low]))
        rows.append(Row(backend.name, label, "claim growth", claim_ms[high], claim_ms[low]))
        rows.append(Row(backend.name, label, "batch growth", batch_ms[high], batch_ms[low]))
    return rows


def _time_claim(seeded: Seeded, options: Options) -> dict[str, float]:
    """Median seconds, interleaved with the PK fetch, of: the claim itself (the 1,000 due taken
    under a lease and read with what deciding needs, in a write transaction of its own), and a
    worker's whole batch (``delivery.claim``: the claim, the decisions, the suppressed ones
    logged and moved on). On PostgreSQL also the claim's one statement alone, replayed on the
    driver in a transaction rolled back. The data is put back, untimed, before each claim."""
    store = seeded.store
    pk_fetch, batch = _pk_fetch(seeded), _claim(seeded)

    def claim() -> int:
        with store.write() as session:
            until = NOW + leases.DEFAULT_LEASE
            return len(take(session, NOW, DUE, None, None, worker="bench", until=until))

    for action in (claim, batch):
        reset(seeded)
        if not action():
            raise AssertionError("the claim took nothing")
    reset(seeded)
    actions = {"pk": pk_fetch, "claim": claim, "batch": batch}
    if store.dialect == "postgresql":
        claim_sql = captured_sql(store, claim, "WITH taken")
        reset(seeded)
        actions["pk sql"] = _replay(store, captured_sql(store, pk_fetch, "FROM reminders"))
        actions["claim sql"] = _replay(store, claim_sql)
    put_back = partial(reset, seeded)
    medians = interleaved_medians(
        actions,
        options.repeat * 3,
        warmup=2,
        before={"claim": put_back, "batch": put_back, "claim sql": put_back},
    )
    reset(seeded)
    return medians


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
