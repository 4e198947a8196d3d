"""A unit of work: everything one outside event (a Telegram update) changes, committed in one
transaction together with the record that the event was handled.

A sender may deliver an event twice (Telegram retries a webhook call whose answer it missed),
and two workers may get the same one. Recording the event's id in the very transaction of its
change makes the change happen once: the second delivery's insert of the same id finds it there
(on PostgreSQL it waits for the first to commit or roll back) and its work is thrown away.

On PostgreSQL (the backend for several workers) the transaction begins lazily, at the unit's
first write: reads before it run as usual, so an update that only reads takes no lock while it
reads (or while it downloads a file before importing it), and once it has written, the unit's
later reads see its own uncommitted changes. Later writes run in savepoints, so a write refused
half-way (a duplicate name) leaves the unit's earlier changes standing, as separate transactions
would. A unit that never wrote records its event in a short transaction at the end.

SQLite has a single write lock for the whole file, and a unit holding it from its first write to
its end would make every chat wait on a slow one. There the record goes into the transaction of
the unit's first write, and every write commits on its own, as outside a unit: a repeated
delivery is still found at its first write, but a process that dies between two writes of one
update keeps the first (SQLite serves one process, where deliveries repeat only after a crash).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from habitcore.errors import StoreError
from habitcore.storage.tables import HandledEventRow

Opener = Callable[[], Session]  # a session in a write transaction (BEGIN IMMEDIATE on SQLite)
Refusal = Callable[[SQLAlchemyError], str]


class AlreadyHandled(BaseException):
    """The event was handled before (or is being handled by another worker, which committed).

    A ``BaseException`` so that it unwinds past every ``except Exception`` of a frontend's
    handlers straight to the unit, which then discards the work; nothing should catch it.
    """


@dataclass
class Unit:
    source: str
    event_id: int
    at: datetime
    duplicate: bool = False  # True once the event turned out to be handled already
    recorded: bool = False  # its record is written (in ``session``, or committed)
    # A statement of the unit's transaction failed and left it aborted (PostgreSQL then turns
    # COMMIT into a silent rollback): the unit must fail at its end, not report success.
    broken: bool = False
    session: Session | None = field(default=None, repr=False)

    def record(self, session: Session) -> None:
        """Record the event in ``session``'s transaction; ``AlreadyHandled`` if it was."""
        dialect = session.get_bind().dialect.name
        insert = (postgresql if dialect == "postgresql" else sqlite).insert
        table: sa.Table = HandledEventRow.__table__  # type: ignore[attr-defined]
        statement = (
            insert(table)
            .values(source=self.source, event_id=self.event_id, handled_at=self.at)
            .on_conflict_do_nothing()
            .returning(table.c.event_id)
        )
        if session.execute(statement).first() is None:
            self.duplicate = True
            raise AlreadyHandled(f"{self.source} {self.event_id}")


class Units:
    """The unit each thread has open on one store, and how its reads and writes join it."""

    def __init__(self, open_write: Opener, refusal: Refusal, *, split: bool) -> None:
        self._open_write = open_write
        self._refusal = refusal
        self._local = threading.local()
        # SQLite has one write lock for the whole file: a unit holding it from its first write
        # to its end would make every other chat wait for a slow one. There each write commits
        # on its own, the first with the event's record (see the module's docstring).
        self._split = split

    def current(self) -> Unit | None:
        unit: Unit | None = getattr(self._local, "unit", None)
        return unit

    @contextmanager
    def unit(self, source: str, event_id: int, at: datetime) -> Iterator[Unit]:
        """Open a unit for the event ``(source, event_id)`` on this thread.

        The block's work is committed at its end; if the event had been handled before, the
        work is discarded and the unit's ``duplicate`` is True (the block ends early when it
        learns so at a write). An exception out of the block rolls the work back.
        """
        if self.current() is not None:
            raise RuntimeError("a unit of work is already open on this thread")
        unit = Unit(source, event_id, at)
        self._local.unit = unit
        try:
            try:
                yield unit
            finally:
                self._local.unit = None
            if unit.session is not None:
                self._end(unit, commit=True)
            elif not unit.recorded:
                with self._transaction() as session:
                    unit.record(session)
        except AlreadyHandled:
            unit.duplicate = True
        finally:
            if unit.session is not None:
                self._end(unit, commit=False)

    @contextmanager
    def write(self, unit: Unit) -> Iterator[Session]:
        if self._split:
            with self._transaction() as session:
                if not unit.recorded:
                    unit.record(session)
                yield session
            unit.recorded = True
            return
        if unit.session is None:
            with self._first_write(unit) as session:
                yield session
            return
        savepoint = unit.session.begin_nested()

        def undo() -> None:
            try:
                savepoint.rollback()
            except SQLAlchemyError:
                unit.broken = True  # not back at the savepoint: the transaction is lost
                raise

        with self._undone_on_failure(undo):
            yield unit.session
            savepoint.commit()

    @contextmanager
    def _first_write(self, unit: Unit) -> Iterator[Session]:
        """Begin the unit's transaction with the event's record, then the block; a block that
        fails takes the whole transaction with it (nothing else is in it yet)."""
        try:
            session = self._open_write()
        except SQLAlchemyError as exc:
            raise StoreError(self._refusal(exc)) from exc
        unit.session, unit.recorded = session, True
        try:
            unit.record(session)
            yield session
            session.flush()
        except SQLAlchemyError as exc:
            self._end(unit, commit=False)
            raise StoreError(self._refusal(exc)) from exc
        except BaseException:
            self._end(unit, commit=False)
            raise

    def _end(self, unit: Unit, *, commit: bool) -> None:
        session, unit.session = unit.session, None
        if not commit:
            unit.recorded = False
        if session is None:
            return
        try:
            if commit and unit.broken:
                with suppress(SQLAlchemyError):
                    session.rollback()
                raise StoreError(
                    "The database refused the change: a statement of it failed, so none of it "
                    "was saved."
                )
            if commit:
                try:
                    session.commit()
                except SQLAlchemyError as exc:
                    with suppress(SQLAlchemyError):
                        session.rollback()
                    raise StoreError(self._refusal(exc)) from exc
            else:
                with suppress(SQLAlchemyError):
                    session.rollback()
        finally:
            session.close()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        try:
            session = self._open_write()
        except SQLAlchemyError as exc:
            raise StoreError(self._refusal(exc)) from exc
        try:
            with self._undone_on_failure(session.rollback):
                yield session
                session.commit()
        finally:
            session.close()

    @contextmanager
    def _undone_on_failure(self, undo: Callable[[], object]) -> Iterator[None]:
        """``undo`` (a rollback) when the block fails; a database error becomes a StoreError."""
        try:
            yield
        except SQLAlchemyError as exc:
            with suppress(SQLAlchemyError):
                undo()
            raise StoreError(self._refusal(exc)) from exc
        except BaseException:
            with suppress(SQLAlchemyError):
                undo()
            raise


def forget_handled(session: Session, before: datetime) -> int:
    """Drop the records of events handled before ``before``; how many went."""
    stale = col(HandledEventRow.handled_at) < before
    result = session.execute(sa.delete(HandledEventRow).where(stale))
    return int(getattr(result, "rowcount", 0))
