"""What becomes of a reminder firing between its claim and its outcome: the lease it is held under.

``delivery.claim`` hands a due firing to one worker (a bot process, a ``habit remind``) under a
lease: the reminder row names the worker (``claimed_by``) and how long the claim holds
(``lease_until``), and the firing stays where it was, at ``next_fire``. Nothing is logged yet.
The worker then reports what became of it:

- ``confirm`` once the frontend really sent it: logged ``sent``, the reminder moved on to its
  next firing;
- ``settle`` with another outcome (the person did the habit meanwhile, the frontend could not
  reach them): logged so, moved on;
- ``release`` when it cannot send it (it is stopping): due again at once, for any worker.

A worker that dies holding firings reports nothing; once their leases have passed they are due
again and another worker claims them, still within the grace period, decided afresh. A live
worker that holds firings for long (a paced queue) ``renew``s their leases. So a firing is lost
only when its grace period ends, and repeated only when a worker sent it and could not confirm
it (it died, or lost the database, in between).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from habitcore.rules.habits import Goal
from habitcore.rules.reminders import Decision, ReminderRule, fire_instant, next_fire
from habitcore.storage.records import Zone, goal_of, rule_of
from habitcore.storage.store import Store, changed_rows
from habitcore.storage.tables import HabitRow, ReminderLogRow, ReminderRow, UserRow, metadata

# Long enough that a live worker renews its leases many times over before they pass (the bot
# renews every tick once a third of it has gone), short enough that a dead worker's firings are
# sent by another well within the 30-minute grace period.
DEFAULT_LEASE = timedelta(minutes=2)
_CHUNK = 1000  # ids in one IN list


class Held(Protocol):
    """A claimed firing as a frontend holds it (``delivery.DueReminder`` is one)."""

    @property
    def reminder_id(self) -> int: ...
    @property
    def day(self) -> date: ...
    @property
    def fire_at(self) -> datetime: ...
    @property
    def claimed_by(self) -> str | None: ...


def new_worker() -> str:
    """A name for one worker's leases: its host and process, for whoever reads the table, and
    a random part, so that a later process given the same pid never takes over old leases."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(6)}"


def confirm(store: Store, firings: Sequence[Held], now: datetime) -> int:
    """These firings were sent: log them ``sent`` and move their reminders on, in one
    transaction. Returns how many were still held under the lease they were claimed with."""
    return settle(store, firings, Decision.SEND, now)


def settle(store: Store, firings: Sequence[Held], decision: Decision, now: datetime) -> int:
    """Record what became of these claimed firings, in one transaction; how many were held.

    A firing still held under its claim is logged with ``decision``, its lease ends, and its
    reminder moves on to the next firing (unless a snooze or a new schedule moved it meanwhile:
    that stays). A firing whose lease another worker has taken since is that worker's to
    decide; only a ``SEND`` is logged for it, as it did go out, and only if the log does not
    say so already: a firing has one ``sent`` entry, however often it went out. A firing of a
    reminder deleted meanwhile leaves nothing. Firings not claimed (``claimed_by`` None, as
    ``due_reminders`` hands them out) were settled when handed out.
    """
    held = [firing for firing in firings if firing.claimed_by is not None]
    if not held:
        return 0
    moves: list[tuple[int, date, tuple[date, datetime] | None]] = []
    freed: list[dict[str, Any]] = []
    logged: list[Held] = []
    strays: list[Held] = []  # sent, but no longer held: another worker took them over
    with store.write() as session:
        rows = _reminders(session, [firing.reminder_id for firing in held])
        for firing in held:
            row = rows.get(firing.reminder_id)
            if row is None:
                continue
            if row.claimed_by != firing.claimed_by:
                if decision is Decision.SEND:
                    strays.append(firing)
                continue
            logged.append(firing)
            if (row.next_fire, row.next_day) != (firing.fire_at, firing.day):
                freed.append(
                    {"rid": firing.reminder_id, "by": firing.claimed_by, "day": firing.day}
                )
                continue
            zone, goal, rule = Zone.of(row), goal_of(row), rule_of(row)
            after = following(goal, rule, zone, firing.day, firing.fire_at, row.snoozed)
            moves.append((firing.reminder_id, firing.day, after))
        logged += _not_yet_sent(session, strays)
        move_on(session, moves)
        if freed:
            session.execute(_FREE, freed)
        if logged:
            entries = [log_entry(f.reminder_id, f.day, f.fire_at, now, decision) for f in logged]
            session.execute(sa.insert(ReminderLogRow), entries)
    return len(moves) + len(freed)


def release(store: Store, firings: Sequence[Held]) -> int:
    """Give claimed firings back, unsent: due again at once for any worker; how many were still
    held (one taken over by another worker meanwhile is left to it)."""
    by_worker: dict[str, list[int]] = {}
    for firing in firings:
        if firing.claimed_by is not None:
            by_worker.setdefault(firing.claimed_by, []).append(firing.reminder_id)
    if not by_worker:
        return 0
    released = 0
    with store.write() as session:
        for worker, ids in by_worker.items():
            released += _update_held(session, worker, ids, claimed_by=None, lease_until=None)
    return released


def renew(store: Store, worker: str, reminder_ids: Sequence[int], until: datetime) -> int:
    """Extend to ``until`` the leases ``worker`` holds on these reminders, in one transaction;
    how many it still holds (one taken over by another worker meanwhile is left to it)."""
    if not reminder_ids:
        return 0
    with store.write() as session:
        renewed = _update_held(session, worker, reminder_ids, lease_until=until)
    return renewed


def _update_held(session: Session, worker: str, ids: Sequence[int], **values: Any) -> int:
    """Set ``values`` on those of the reminders ``ids`` that ``worker`` still holds, in chunks
    the database takes as parameters; how many it held."""
    changed = 0
    for first in range(0, len(ids), _CHUNK):
        changed += changed_rows(
            session.execute(
                sa.update(ReminderRow)
                .where(
                    col(ReminderRow.claimed_by) == worker,
                    col(ReminderRow.id).in_(ids[first : first + _CHUNK]),
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )
    return changed


def following(
    goal: Goal, rule: ReminderRule, zone: Zone, day: date, fire_at: datetime, snoozed: bool
) -> tuple[date, datetime] | None:
    """The firing after this one, for a later habit day. A snooze moves one firing only: after
    a snoozed firing the regular ones go on from its habit day's own time. A time zone changed
    while the firing was held may bring the same day round again: it is passed over."""
    after = fire_instant(day, rule.at, zone.tz, zone.day_start) if snoozed else fire_at
    found = next_fire(goal, rule, after, zone.tz, zone.day_start)
    while found and found[0] <= day:
        found = next_fire(goal, rule, found[1], zone.tz, zone.day_start)
    return found


def move_on(
    session: Session, decided: Sequence[tuple[int, date, tuple[date, datetime] | None]]
) -> None:
    """Decided firings, each (reminder id, its habit day, the firing after it): the reminders
    go on to that next firing (none: nothing scheduled), the day is remembered as decided, and
    any lease ends."""
    if decided:
        session.execute(_MOVE, [_move(rid, after, day) for rid, day, after in decided])


def log_entry(
    reminder_id: int, day: date, fire_at: datetime, now: datetime, decision: Decision
) -> dict[str, Any]:
    return {
        "reminder_id": reminder_id,
        "day": day,
        "fire_at": fire_at,
        "decided_at": now,
        "decision": decision.value,
    }


def _move(reminder_id: int, after: tuple[date, datetime] | None, decided: date) -> dict[str, Any]:
    day, fire = after if after else (None, None)
    return {"rid": reminder_id, "fire": fire, "next": day, "decided": decided}


_REMINDERS = metadata.tables["reminders"]
_MOVE = (
    sa.update(_REMINDERS)
    .where(_REMINDERS.c.id == sa.bindparam("rid"))
    .values(
        next_fire=sa.bindparam("fire"),
        next_day=sa.bindparam("next"),
        snoozed=False,
        last_day=sa.bindparam("decided"),
        claimed_by=None,
        lease_until=None,
    )
)


def _freeing() -> sa.Update:
    """Ends the lease ``by`` holds, leaving the reminder where a snooze or a new schedule put
    it, and remembers ``day`` as decided (unless a later one is: a NULL is not), so that no new
    time zone hands that day out again."""
    last = _REMINDERS.c.last_day
    day: sa.BindParameter[date] = sa.bindparam("day", type_=sa.Date)
    return (
        sa.update(_REMINDERS)
        .where(
            _REMINDERS.c.id == sa.bindparam("rid"), _REMINDERS.c.claimed_by == sa.bindparam("by")
        )
        .values(claimed_by=None, lease_until=None, last_day=sa.case((last >= day, last), else_=day))
    )


_FREE = _freeing()


def _reminders(session: Session, ids: list[int]) -> dict[int, Any]:
    """The reminders with what finding their next firing needs, locked (on PostgreSQL) so that
    no other worker claims one while this transaction settles it."""
    found: dict[int, Any] = {}
    for first in range(0, len(ids), _CHUNK):
        query = (
            sa.select(
                col(ReminderRow.id),
                col(ReminderRow.minutes),
                col(ReminderRow.weekdays),
                col(ReminderRow.next_fire),
                col(ReminderRow.next_day),
                col(ReminderRow.snoozed),
                col(ReminderRow.claimed_by),
                col(HabitRow.schedule),
                col(HabitRow.start),
                col(HabitRow.target),
                col(HabitRow.unit),
                col(HabitRow.at_most),
                col(UserRow.timezone),
                col(UserRow.day_start),
                col(UserRow.week_start),
            )
            .join(HabitRow, col(HabitRow.id) == ReminderRow.habit_id)
            .join(UserRow, col(UserRow.id) == HabitRow.user_id)
            .where(col(ReminderRow.id).in_(ids[first : first + _CHUNK]))
            .with_for_update(of=_REMINDERS)
        )
        found.update((row.id, row) for row in session.execute(query))
    return found


def _not_yet_sent(session: Session, firings: list[Held]) -> list[Held]:
    """Those of ``firings`` the log has no ``sent`` entry for."""
    if not firings:
        return []
    query = sa.select(
        col(ReminderLogRow.reminder_id), col(ReminderLogRow.day), col(ReminderLogRow.fire_at)
    ).where(
        col(ReminderLogRow.reminder_id).in_([firing.reminder_id for firing in firings]),
        col(ReminderLogRow.decision) == Decision.SEND.value,
    )
    sent = {tuple(row) for row in session.execute(query)}
    return [f for f in firings if (f.reminder_id, f.day, f.fire_at) not in sent]
