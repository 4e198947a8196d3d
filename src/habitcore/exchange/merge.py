"""Writing a read ``Document`` into one user's habits, inside the caller's transaction.

This is the one place an import writes, whatever the format, so every format obeys the same
rules as typed input: no day after today, a day before a habit's start moves the start back,
a name already taken by an active habit gets a number (``Vegan (2)``), and reminders kept by the
file keep their ids and what they have fired.

A habit in the file is matched to one here by where it came from first (``habit_origins``: a
Loop uuid, or the source's own id with the identity of its file), so a habit renamed here is
still found; then by its name. What a match means depends on the document's ``Mode``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.exchange.document import (
    Document,
    Entry,
    HabitDoc,
    ImportSummary,
    Mode,
    Span,
    Unmapped,
)
from habitcore.rules.habits import MAX_NAME, Status, name_key
from habitcore.rules.reminders import parse_reminders
from habitcore.scheduling import set_reminders
from habitcore.storage.bulk import insert_many
from habitcore.storage.tables import CheckInRow, HabitOriginRow, HabitRow, PauseRow, UserRow

Progress = Callable[[int, int], None]
_CHECKIN_COLUMNS = ("habit_id", "day", "status", "amount", "note")


def apply(
    session: Session,
    user: UserRow,
    document: Document,
    now: datetime,
    today: date,
    progress: Progress | None = None,
) -> ImportSummary:
    """Merge a validated document into ``user``; the caller commits (or rolls back a dry run)."""
    assert user.id is not None
    summary = ImportSummary(format=document.format.value, unmapped=list(document.unmapped))
    if document.mode is Mode.RESTORE:
        for key, value in document.settings.items():
            setattr(user, key, value)
        session.add(user)
    merger = _Merger(session, user, document.mode, now, today, summary)
    merger.add_pauses(None, document.pauses)
    total, done = document.size, 0
    for habit in document.habits:
        merger.habit(habit)
        done += len(habit.entries) + 1
        if progress is not None:
            progress(done, total)
    if merger.future:
        summary.unmapped.append(
            Unmapped("days after today", "left out: only past days and today", merger.future)
        )
    return summary


class _Merger:
    def __init__(
        self,
        session: Session,
        user: UserRow,
        mode: Mode,
        now: datetime,
        today: date,
        summary: ImportSummary,
    ) -> None:
        assert user.id is not None
        self.session, self.user, self.user_id = session, user, user.id
        self.mode, self.now, self.today, self.summary = mode, now, today, summary
        self.rows = list(session.exec(select(HabitRow).where(HabitRow.user_id == user.id)))
        self.origins = {
            key: habit_id
            for key, habit_id in session.execute(
                sa.select(col(HabitOriginRow.key), col(HabitOriginRow.habit_id)).where(
                    col(HabitOriginRow.user_id) == user.id
                )
            )
        }
        self.matched: set[int] = set()
        self.next_position = max((r.position for r in self.rows), default=-1) + 1
        self.pauses = {
            (p.habit_id, p.start, p.end)
            for p in session.exec(select(PauseRow).where(PauseRow.user_id == user.id))
        }
        self.future = 0

    # -- one habit -----------------------------------------------------------------------------

    def habit(self, doc: HabitDoc) -> None:
        entries = self._past(doc.entries)
        first = min((e.day for e in entries), default=None)
        row = self._match(doc)
        created = row is None
        if row is None:
            row = self._create(doc, first)
            self.summary.habits_added.append(row.name)
        else:
            self.summary.habits_merged.append(row.name)
            if self.mode is Mode.RESTORE:
                self._restore_fields(row, doc)
        if first is not None and first < row.start:
            row.start = first  # a recorded day before the start moves it back, as typed
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        self.matched.add(row.id)
        if self.mode is Mode.RESTORE or created:
            set_reminders(self.session, self.user, row, parse_reminders(doc.reminders), self.now)
        self._remember(row.id, doc.origins)
        self._entries(row, entries)
        self.add_pauses(row.id, doc.pauses)

    def _past(self, entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
        kept = tuple(e for e in entries if e.day <= self.today)
        self.future += len(entries) - len(kept)
        return kept

    def _match(self, doc: HabitDoc) -> HabitRow | None:
        by_id = {r.id: r for r in self.rows}
        for origin in doc.origins:
            found = by_id.get(self.origins.get(origin))
            if found is not None and found.id not in self.matched:
                return found
        key = name_key(doc.name)
        for row in sorted(self.rows, key=lambda r: (r.archived, -(r.id or 0))):
            if row.id in self.matched or row.name_key != key or row.archived != doc.archived:
                continue
            if self.mode is Mode.RESTORE and doc.archived and row.start != doc.start:
                continue  # archived namesakes are told apart by their start
            return row
        return None

    def _create(self, doc: HabitDoc, first: date | None) -> HabitRow:
        start = doc.start or first or self.today
        name = doc.name if doc.archived else self._free_name(doc.name)
        if self.mode is Mode.RESTORE and doc.position is not None:
            position = doc.position
        else:
            position = self.next_position + (doc.position or 0)
        row = HabitRow(
            user_id=self.user_id,
            name=name,
            name_key=name_key(name),
            description=doc.description,
            schedule=doc.schedule,
            target=doc.target,
            unit=doc.unit,
            at_most=doc.at_most,
            start=start,
            archived=doc.archived,
            position=position,
            # As for a new habit: only days that end from now on are rollover news.
            closed_through=max(start, self.today) - timedelta(days=1),
            created_at=self.now,
        )
        self.session.add(row)
        self.session.flush()
        self.rows.append(row)
        return row

    def _free_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``(3)``… when an active habit already has it."""
        taken = {r.name_key for r in self.rows if not r.archived}
        candidate, number = name, 1
        while name_key(candidate) in taken:
            number += 1
            suffix = f" ({number})"
            candidate = name[: MAX_NAME - len(suffix)].rstrip() + suffix
        return candidate

    def _restore_fields(self, row: HabitRow, doc: HabitDoc) -> None:
        row.name, row.name_key = doc.name, name_key(doc.name)
        row.schedule, row.description = doc.schedule, doc.description
        row.target, row.unit, row.at_most = doc.target, doc.unit, doc.at_most
        row.archived = doc.archived
        if doc.start is not None:
            row.start = doc.start
        if doc.position is not None:
            row.position = doc.position

    def _remember(self, habit_id: int, origins: tuple[str, ...]) -> None:
        for origin in origins:
            if origin in self.origins:
                continue
            self.origins[origin] = habit_id
            self.session.add(HabitOriginRow(user_id=self.user_id, habit_id=habit_id, key=origin))

    # -- days and pauses -----------------------------------------------------------------------

    def _entries(self, row: HabitRow, entries: tuple[Entry, ...]) -> None:
        assert row.id is not None
        habit_id, summary = row.id, self.summary
        existing = {
            day: (status, amount, note, row_id)
            for row_id, day, status, amount, note in self.session.execute(
                sa.select(
                    col(CheckInRow.id),
                    col(CheckInRow.day),
                    col(CheckInRow.status),
                    col(CheckInRow.amount),
                    col(CheckInRow.note),
                ).where(col(CheckInRow.habit_id) == habit_id)
            )
        }
        measurable = row.target is not None
        dropped = 0
        new = []
        for day, status, amount, note in entries:
            if amount is not None and not measurable:
                amount, dropped = None, dropped + 1
            found = existing.get(day)
            if found is None:
                new.append((habit_id, day, status.value, amount, note))
            elif (found[0], found[1]) == (status.value, amount) and (
                found[2] == note or (self.mode is Mode.MERGE and note is None)
            ):
                summary.checkins_unchanged += 1
            elif self.mode is Mode.RESTORE:
                self._update(found[3], status, amount, note)
                summary.checkins_updated += 1
            elif (found[0], found[1]) == (status.value, amount):
                self._update(found[3], status, amount, found[2] or note)  # a note it lacked
                summary.checkins_unchanged += 1
            else:
                summary.checkins_kept += 1
        if new:
            table: sa.Table = CheckInRow.__table__  # type: ignore[attr-defined]
            insert_many(self.session.connection(), table, _CHECKIN_COLUMNS, new)
            summary.checkins_added += len(new)
        if dropped:
            summary.unmapped.append(
                Unmapped(f"{row.name}: amounts", "dropped: the habit here is yes/no", dropped)
            )

    def _update(
        self, checkin_id: int, status: Status, amount: float | None, note: str | None
    ) -> None:
        self.session.execute(
            sa.update(CheckInRow)
            .where(col(CheckInRow.id) == checkin_id)
            .values(status=status.value, amount=amount, note=note)
        )

    def add_pauses(self, habit_id: int | None, spans: tuple[Span, ...]) -> None:
        for span in spans:
            key = (habit_id, span.start, span.end)
            if key in self.pauses:
                self.summary.pauses_unchanged += 1
                continue
            self.pauses.add(key)
            self.session.add(
                PauseRow(user_id=self.user_id, habit_id=habit_id, start=span.start, end=span.end)
            )
            self.summary.pauses_added += 1
