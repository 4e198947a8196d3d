"""Due reminders across all users: found through one index, claimed under a lease, decided.

``find_due`` is a single query over the ``reminders.next_fire`` index joined to what a decision
needs, so its cost follows the number due, not the number of users. ``claim`` takes due firings a
batch at a time, each batch one transaction: the batch is taken in one statement (on PostgreSQL
``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING``, so any number of
processes share the due firings out, each to one of them), each firing is decided (send;
suppress because the habit is done, skipped, paused or met for the period; miss because it is
more than the grace period late), and the ones to send are handed out under a lease
(``habitcore.leases``). Nothing is logged ``sent`` until the frontend confirms it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from habitcore.leases import (
    DEFAULT_LEASE,
    confirm,
    following,
    log_entry,
    move_on,
    new_worker,
    release,
    settle,
)
from habitcore.rules.days import format_time_of_day
from habitcore.rules.habits import CheckIn, Goal, History, Pause, Status
from habitcore.rules.reminders import Decision, ReminderRule, decide, next_fire
from habitcore.rules.schedule import PerPeriod, Rolling, parse_schedule
from habitcore.rules.stats import day_state
from habitcore.rules.tally import evaluate
from habitcore.storage.due import Due, find, take
from habitcore.storage.queries import user_id_of
from habitcore.storage.records import Zone, goal_of, histories_since, pauses_for, pauses_of, rule_of
from habitcore.storage.store import Store, changed_rows
from habitcore.storage.tables import (
    CheckInRow,
    HabitRow,
    PauseRow,
    ReminderLogRow,
    ReminderRow,
    UserRow,
    metadata,
)

BATCH = 1000
_LOOKBACK = timedelta(days=400)


@dataclass(frozen=True)
class DueReminder:
    """A reminder to show now: which habit, for which habit day, for whom, and under whose
    lease."""

    reminder_id: int
    user: str  # the user's external id, e.g. "local" or "telegram:12345"
    habit: str
    day: date
    time: str  # the local wall time it was set for, "HH:MM"
    fire_at: datetime
    snoozed: bool
    language: str
    habit_id: int = 0  # the habit's ``Habit.id``
    # The worker whose lease holds this firing until it is confirmed; None once it is.
    claimed_by: str | None = None


def find_due(
    session: Session,
    now: datetime,
    user_id: int | None = None,
    limit: int = BATCH,
    prefix: str | None = None,
) -> list[Due]:
    """Firings due at or before ``now`` that nobody holds (no lease, or one that passed), oldest
    first, with what deciding them needs. Reads only: ``claim`` is what takes them."""
    return find(session, now, limit, user_id, prefix)


def claim(
    store: Store,
    now: datetime,
    grace: timedelta,
    *,
    worker: str,
    lease: timedelta = DEFAULT_LEASE,
    user_id: int | None = None,
    user: str | None = None,
    prefix: str | None = None,
) -> Iterator[list[DueReminder]]:
    """Claim and decide every reminder due at ``now``, a batch (one transaction) at a time;
    yield each batch's firings to send, held by ``worker`` until ``now + lease``.

    The rest of a batch is settled in its transaction: logged suppressed or missed, moved on. A
    batch is yielded before the next is looked for, so a failure later (a dropped connection)
    costs the frontend nothing it was given; a failure within a batch leaves all of it due. A
    firing given out is the frontend's to ``leases.confirm`` once sent (or ``settle`` or
    ``release``); if it never does, the lease passes and the firing is due again, for anyone.

    ``user_id`` (or ``user``, an external id) limits this to one user, ``prefix`` to users whose
    external id starts with it (``"telegram:"``), so a frontend never takes the firings another
    frontend on the same database delivers.
    """
    if user is not None:
        with store.read() as session:
            user_id = user_id_of(session, user)
        if user_id is None:
            return
    until = now + lease
    while True:
        with store.write() as session:
            rows = take(session, now, BATCH, user_id, prefix, worker=worker, until=until)
            handed = _decide(session, rows, now, grace, worker)
        if handed:
            yield handed
        if len(rows) < BATCH:
            return


def due_reminders(
    store: Store,
    now: datetime,
    grace: timedelta,
    user_id: int | None = None,
    *,
    prefix: str | None = None,
) -> list[DueReminder]:
    """Claim, decide and confirm every reminder due at ``now``; return the ones to send.

    For a caller that shows them at once (``Tracker.due_reminders``): what is returned is
    already logged ``sent``. They are confirmed together only once all are claimed, so a failure
    at any point returns nothing and logs nothing sent: every firing is handed out again, at
    once if its lease could be given back, else when it passes. ``prefix`` as for ``claim``.
    """
    worker = new_worker()
    claimed: list[DueReminder] = []
    try:
        for batch in claim(store, now, grace, worker=worker, user_id=user_id, prefix=prefix):
            claimed += batch
        confirm(store, claimed, now)
    except BaseException:
        with contextlib.suppress(Exception):
            release(store, claimed)
        raise
    return [replace(firing, claimed_by=None) for firing in claimed]


def rearm(store: Store, firings: Sequence[tuple[int, date]], at: datetime) -> None:
    """Hand these firings (reminder id, habit day) out again at ``at``, in one transaction.

    For a frontend that was handed firings by ``due_reminders`` and then could not send them:
    they come back as snoozes, so the regular next firing is not lost. Any lease on them ends.
    Reminders deleted meanwhile are skipped.
    """
    if not firings:
        return
    table = metadata.tables["reminders"]
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("rid"))
        .values(
            next_fire=at,
            next_day=sa.bindparam("day"),
            snoozed=True,
            claimed_by=None,
            lease_until=None,
        )
    )
    with store.write() as session:
        session.connection().execute(statement, [{"rid": r, "day": d} for r, d in firings])


def recheck(store: Store, firing: DueReminder, now: datetime, grace: timedelta) -> Decision:
    """Decide a firing handed out once more, just before it really goes out.

    A frontend paced to its channel's limits may hold a reminder for minutes (10,000 due in
    one minute leave Telegram over 400 seconds later), and longer while its server is down.
    Meanwhile the person may have done or skipped the habit, archived or deleted it, or the
    delay may have passed the grace period; a reminder then would be wrong. Any answer but
    ``SEND`` is recorded: a firing under lease is settled with it (logged, moved on), one
    ``due_reminders`` handed out has its ``sent`` entry replaced. A firing whose lease another
    worker has taken since (this one's passed unrenewed) is that worker's to send and record:
    the answer here is ``SUPPRESS``, and nothing is written.
    """
    paused = (
        sa.select(sa.literal(1))
        .where(
            col(PauseRow.user_id) == HabitRow.user_id,
            sa.or_(col(PauseRow.habit_id).is_(None), col(PauseRow.habit_id) == HabitRow.id),
            col(PauseRow.start) <= firing.day,
            col(PauseRow.end) >= firing.day,
        )
        .exists()
    )
    on_day = sa.and_(col(CheckInRow.habit_id) == HabitRow.id, col(CheckInRow.day) == firing.day)
    # One statement for what a day schedule needs: the habit, its user, that day's check-in and
    # whether a pause holds the day. Only period habits read their recent history besides.
    query = (
        sa.select(
            col(HabitRow.id),
            col(HabitRow.user_id),
            col(HabitRow.schedule),
            col(HabitRow.start),
            col(HabitRow.target),
            col(HabitRow.unit),
            col(HabitRow.at_most),
            col(HabitRow.archived),
            col(ReminderRow.claimed_by),
            col(UserRow.timezone),
            col(UserRow.day_start),
            col(UserRow.week_start),
            col(CheckInRow.status),
            col(CheckInRow.amount),
            paused.label("paused"),
        )
        .select_from(ReminderRow)
        .join(HabitRow, col(HabitRow.id) == ReminderRow.habit_id)
        .join(UserRow, col(UserRow.id) == HabitRow.user_id)
        .outerjoin(CheckInRow, on_day)
        .where(col(ReminderRow.id) == firing.reminder_id)
    )
    with store.read() as session:
        row = session.execute(query).first()
        ours = firing.claimed_by is None or (
            row is not None and row.claimed_by == firing.claimed_by
        )
        if row is not None and not ours:
            return Decision.SUPPRESS
        if row is None or row.archived:
            decision = Decision.SUPPRESS
        else:
            goal, zone = goal_of(row), Zone.of(row)
            if isinstance(goal.schedule, PerPeriod | Rolling):
                since = {row.id: (now - _LOOKBACK).date()}
                history = histories_since(session, {row.id: row.user_id}, since)[row.id]
                units = evaluate(goal, history, firing.day, zone.week_start)
            else:
                checkins = {}
                if row.status is not None:
                    checkins[firing.day] = CheckIn(firing.day, Status(row.status), row.amount)
                held = (Pause(firing.day, firing.day),) if row.paused else ()
                history, units = History(checkins, held), []
            state = day_state(goal, history, firing.day, units)
            decision = decide(state, firing.fire_at, now, grace)
    if decision is not Decision.SEND and firing.claimed_by is None:
        _relog(store, firing.reminder_id, firing.day, decision)
    elif decision is not Decision.SEND:
        settle(store, [firing], decision, now)
    return decision


def mark_undelivered(store: Store, reminder_id: int, day: date) -> bool:
    """Record that a firing handed out as sent never reached the person (they blocked the
    bot, say); False if there was no such sent firing."""
    return _relog(store, reminder_id, day, Decision.UNDELIVERED)


def _relog(store: Store, reminder_id: int, day: date, decision: Decision) -> bool:
    """Change what the log says of a firing handed out as sent; False if there was none."""
    with store.write() as session:
        return (
            changed_rows(
                session.execute(
                    sa.update(ReminderLogRow)
                    .where(
                        col(ReminderLogRow.reminder_id) == reminder_id,
                        col(ReminderLogRow.day) == day,
                        col(ReminderLogRow.decision) == Decision.SEND.value,
                    )
                    .values(decision=decision.value)
                    .execution_options(synchronize_session=False)
                )
            )
            > 0
        )


# A firing sent late after downtime: the reminder stays on its newest firing, under its lease,
# and the missed days before it are decided.
_AHEAD = (
    sa.update(metadata.tables["reminders"])
    .where(metadata.tables["reminders"].c.id == sa.bindparam("rid"))
    .values(
        next_fire=sa.bindparam("fire"),
        next_day=sa.bindparam("next"),
        last_day=sa.bindparam("decided"),
    )
)


def _decide(
    session: Session, rows: Sequence[Due], now: datetime, grace: timedelta, worker: str
) -> list[DueReminder]:
    """Decide each taken firing: the ones to send are returned under lease, the rest are
    logged and moved on."""
    if not rows:
        return []
    handed: list[DueReminder] = []
    decided: list[tuple[int, date, tuple[date, datetime] | None]] = []
    ahead: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    slow = _period_histories(session, rows, now)
    pauses = pauses_of(session, {row.user_id for row in rows})
    for row in rows:
        zone, goal, rule = Zone.of(row), goal_of(row), rule_of(row)
        # Downtime can hide several firings: the newest may still be on time, the older ones
        # are logged as missed.
        hidden = [] if row.snoozed else _skipped_firings(goal, rule, zone, row.next_fire, now)
        *late, (day, newest) = [(row.next_day, row.next_fire), *hidden]
        logs += [log_entry(row.reminder_id, d, f, now, Decision.MISS) for d, f in late]
        status, amount = row.status, row.amount
        if late and row.habit_id not in slow:
            status, amount = _checkin_on(session, row.habit_id, day)
        history = slow.get(row.habit_id) or History(
            {day: CheckIn(day, Status(status), amount)} if status is not None else {},
            pauses_for(pauses, row.user_id, row.habit_id),
        )
        units = evaluate(goal, history, day, zone.week_start) if row.habit_id in slow else []
        decision = decide(day_state(goal, history, day, units), newest, now, grace)
        if decision is not Decision.SEND:
            after = following(goal, rule, zone, day, newest, row.snoozed)
            decided.append((row.reminder_id, day, after))
            logs.append(log_entry(row.reminder_id, day, newest, now, decision))
            continue
        if late:
            ahead.append(
                {"rid": row.reminder_id, "fire": newest, "next": day, "decided": late[-1][0]}
            )
        handed.append(
            DueReminder(
                reminder_id=row.reminder_id,
                user=row.external_id,
                habit=row.name,
                day=day,
                time=format_time_of_day(rule.at),
                fire_at=newest,
                snoozed=row.snoozed,
                language=row.language,
                habit_id=row.habit_id,
                claimed_by=worker,
            )
        )
    move_on(session, decided)
    if ahead:
        session.execute(_AHEAD, ahead)
    if logs:
        session.execute(sa.insert(ReminderLogRow), logs)
    return handed


def _checkin_on(session: Session, habit_id: int, day: date) -> tuple[str | None, float | None]:
    found = session.execute(
        sa.select(col(CheckInRow.status), col(CheckInRow.amount)).where(
            col(CheckInRow.habit_id) == habit_id, col(CheckInRow.day) == day
        )
    ).first()
    return (found[0], found[1]) if found else (None, None)


def _skipped_firings(
    goal: Goal, rule: ReminderRule, zone: Zone, fire_at: datetime, now: datetime
) -> list[tuple[date, datetime]]:
    found = []
    after = fire_at
    while (nxt := next_fire(goal, rule, after, zone.tz, zone.day_start)) and nxt[1] <= now:
        found.append(nxt)
        after = nxt[1]
    return found


def _period_histories(session: Session, rows: Sequence[Due], now: datetime) -> dict[int, History]:
    """Period and rolling habits need their recent check-ins to tell if the target is met."""
    wanted = {
        row.habit_id: row.user_id
        for row in rows
        if isinstance(parse_schedule(row.schedule), PerPeriod | Rolling)
    }
    if not wanted:
        return {}
    since = (now - _LOOKBACK).date()
    return histories_since(session, wanted, dict.fromkeys(wanted, since))
