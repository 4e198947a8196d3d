"""What every ``Tracker`` method stands on: its user, read once, and the shared lookups.

A ``Tracker`` (``habitcore.tracker``) reads its user's row once, when it is made, and keeps the
settings and the zone (time zone, day start, week start) for its life, changing them only when
it changes them itself. It is meant to live for one command, one update or one request; a
program that runs for long (a reminder loop) makes a new one for each turn, so as to see what
another process changed meanwhile. ``settings()`` reads the row again (and keeps what it
finds); ``kept_settings`` does not. A method that writes the user row reads it afresh in its
own transaction, so nothing it writes is ever based on kept settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlmodel import Session

from habitcore.clock import Clock, SystemClock, system_timezone_name
from habitcore.errors import HabitNotFound, StoreError
from habitcore.rules.days import habit_day, recordable_day
from habitcore.rules.habits import CheckIn, Status
from habitcore.rules.reminders import DEFAULT_GRACE
from habitcore.storage import queries, tallies
from habitcore.storage.queries import HabitRef
from habitcore.storage.records import Settings, Zone, checkin_of, ident, settings_of
from habitcore.storage.store import Store
from habitcore.storage.tables import CheckInRow, HabitRow, UserRow

LOCAL_USER = "local"
Day = date | None


class TrackerBase:
    """The user a ``Tracker`` is bound to, and the helpers its public methods share."""

    def __init__(
        self,
        store: Store,
        *,
        user: str = LOCAL_USER,
        clock: Clock | None = None,
        reminder_grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        if not isinstance(user, str) or not user.strip() or len(user) > 200:
            raise ValueError("a user id is a non-empty string of at most 200 characters")
        self.store = store
        self.user = user
        self.clock = clock or SystemClock()
        self.reminder_grace = reminder_grace
        self.created = False  # True when opening this tracker created its user
        row = self._ensure_user()
        self._user_id = ident(row)
        self._remember(row)

    # -- the clock and the settings, as read when the tracker was made --------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """The current habit day for this user (their zone and day start)."""
        return habit_day(self.now(), self._zone.tz, self._zone.day_start)

    def settings(self) -> Settings:
        """The user's settings as stored now (one read), which the tracker then keeps."""
        with self.store.read() as session:
            self._remember(self._user(session))
        return self._settings

    @property
    def kept_settings(self) -> Settings:
        """The settings as this tracker last read or changed them, asking the database nothing:
        what a short-lived tracker (one update, one request) needs after it was made."""
        return self._settings

    def _remember(self, row: UserRow) -> None:
        self._settings, self._zone = settings_of(row), Zone.of(row)

    # -- inside --------------------------------------------------------------------------------

    def _keep(self, kept: list[tallies.Kept]) -> None:
        """Store tallies that moved on; a cache, so failing to store one is no error."""
        if not kept:
            return
        try:
            with self.store.write() as session:
                tallies.store(session, kept)
        except StoreError:
            pass  # e.g. a read-only database: the figures were right, next time folds again

    def _bump(self, session: Session, habit_ids: Iterable[int | None] | None = None) -> None:
        queries.bump(session, self._user_id, habit_ids)

    def _ensure_user(self) -> UserRow:
        with self.store.read() as session:
            found = queries.user_named(session, self.user)
        if found is not None:
            return found
        local = self.user == LOCAL_USER
        try:
            with self.store.write() as session:
                zone = system_timezone_name() if local else "UTC"
                made = queries.user(
                    session, queries.new_user(session, self.user, zone, local, self.now())
                )
            assert made is not None
            self.created = True
            return made
        except Exception:
            # Another process created the same user a moment ago.
            with self.store.read() as session:
                found = queries.user_named(session, self.user)
            if found is None:
                raise
            return found

    def _user(self, session: Session) -> UserRow:
        """The user row read afresh in ``session``, for a method that writes it or hands it on."""
        row = queries.user(session, self._user_id)
        if row is None:
            raise HabitNotFound(self.user)  # pragma: no cover - after delete_user only
        return row

    def _habit_rows(self, session: Session, *, archived: bool | None) -> list[HabitRow]:
        return queries.habit_rows(session, self._user_id, archived=archived)

    def _habit_row(
        self, session: Session, name: HabitRef | None, archived: bool | None = False
    ) -> HabitRow:
        return queries.habit_row(session, self._user_id, name, archived)

    def _row_and_day(
        self, session: Session, name: HabitRef, today: date | None
    ) -> tuple[HabitRow, Zone, date]:
        row = self._habit_row(session, name, archived=None)
        return row, self._zone, today or self.today()

    def _editable_day(
        self, session: Session, name: HabitRef, day: Day, *, backfill: bool = True, to: Day = None
    ) -> tuple[HabitRow, date, date]:
        """The habit, the day to record and the last of a range (``to``), refusing a future day.

        With ``backfill``, a day before the habit's start moves the start back to it: people
        arrive with last week in their head. Otherwise such a day simply has nothing recorded.
        """
        row = self._habit_row(session, name)
        today = self.today()
        day = recordable_day(day, today)
        last = recordable_day(to, today) if to is not None else day
        if backfill and day < row.start:
            row.start = day
            session.add(row)
        # Any recorded day may already be folded into a kept tally, by a look whose clock is a
        # little ahead (another process just past midnight) or that asked about a later day.
        self._bump(session, [row.id])
        return row, day, last

    def _put_checkin(
        self,
        session: Session,
        row: HabitRow,
        day: date,
        existing: CheckInRow | None,
        status: Status,
        amount: float | None,
        note: str | None,
    ) -> CheckIn:
        assert row.id is not None
        checkin = existing or CheckInRow(habit_id=row.id, day=day, status=status.value)
        checkin.status, checkin.amount = status.value, amount
        if note is not None:
            checkin.note = note
        session.add(checkin)
        return checkin_of(checkin)
