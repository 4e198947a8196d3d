"""The library's façade: one person's habits on a store.

``habitcore.open()`` gives a ``Tracker`` bound to one user. Each method that changes something is
one transaction, reads the time only from the injected ``Clock``, and either does all it says or
raises a ``HabitcoreError`` having changed nothing. Rules live in the modules they are named
for; this module only loads, calls them, and stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from habitcore.clock import Clock, SystemClock
from habitcore.errors import (
    InvalidAmount,
    InvalidDay,
    InvalidPause,
    PauseNotFound,
    ReminderNotFound,
)
from habitcore.rules.days import (
    check_day,
    day_end_instant,
    habit_day,
    minutes_of,
    parse_time_of_day,
    parse_timezone,
    parse_weekday,
    recordable_day,
)
from habitcore.rules.habits import (
    OPEN_END,
    CheckIn,
    Pause,
    Status,
    clean_amount,
    clean_description,
    clean_language,
    clean_name,
    clean_note,
    clean_target,
    name_key,
)
from habitcore.rules.reminders import DEFAULT_GRACE, ReminderRule, parse_reminders
from habitcore.rules.rollover import DayResult, Outcome, calendar, day_outcome
from habitcore.rules.schedule import parse_schedule
from habitcore.rules.score import ScoreStep
from habitcore.rules.stats import DayState, Stats
from habitcore.rules.tally import evaluate, explain
from habitcore.scheduling import reminder_rows, reschedule, set_reminders
from habitcore.storage import queries, tallies
from habitcore.storage.queries import HabitRef
from habitcore.storage.records import (
    Habit,
    PauseEntry,
    Resumed,
    Settings,
    Zone,
    checkin_of,
    day_history,
    goal_of,
    habit_of,
    histories,
    ident,
    pause_entry_of,
)
from habitcore.storage.store import Store, default_url
from habitcore.storage.tables import HabitRow, PauseRow
from habitcore.tracker.base import LOCAL_USER as LOCAL_USER
from habitcore.tracker.base import TrackerBase

if TYPE_CHECKING:
    from habitcore.delivery import DueReminder
    from habitcore.exchange.document import Document, ImportSummary

MAX_SNOOZE = timedelta(hours=24)
MAX_RANGE_DAYS = 3660  # ten years of days recorded by one command
Amount = float | None
Text = str | None
_UNSET: Any = object()
Progress = Callable[[int, int], None] | None  # called with (done, total) as an import goes


@dataclass(frozen=True)
class HabitStatus:
    """A habit with where it stands on a given habit day."""

    habit: Habit
    day: date
    stats: Stats

    @property
    def name(self) -> str:
        return self.habit.name

    @property
    def state(self) -> DayState:
        return self.stats.state


@dataclass(frozen=True)
class Toggled:
    """What a checklist button did (``Tracker.toggle``) to habit ``habit_id`` on ``day``.

    ``status`` is what the day holds now (None: nothing), with its ``amount``. With
    ``asks_amount`` nothing was written: a measurable habit's day is done with an amount, which
    the frontend asks for (``target`` and ``unit`` help it ask).
    """

    habit_id: int
    name: str
    day: date
    status: Status | None
    amount: float | None = None
    target: float | None = None
    unit: str | None = None
    asks_amount: bool = False


def open(
    url: str | Engine | Store | None = None,
    *,
    user: str = LOCAL_USER,
    clock: Clock | None = None,
    reminder_grace: timedelta = DEFAULT_GRACE,
) -> Tracker:
    """Open (creating and upgrading as needed) the store at ``url`` as ``user``.

    ``url`` is any SQLAlchemy URL; by default a SQLite file under the platform's user data dir.
    A new ``local`` user gets the machine's time zone; any other new user gets UTC until they
    set one, and ``Settings.timezone_set`` tells which.
    """
    store = url if isinstance(url, Store) else Store(url if url is not None else default_url())
    return Tracker(store, user=user, clock=clock or SystemClock(), reminder_grace=reminder_grace)


def user_exists(store: Store, user: str) -> bool:
    """Whether ``user`` has anything stored, without creating them as ``Tracker`` would."""
    with store.read() as session:
        return queries.user_id_of(session, user) is not None


def habit_names(store: Store, user: str = LOCAL_USER) -> list[str]:
    """A user's active habits' names in order, creating nothing (shell completion asks)."""
    with store.read() as session:
        return queries.active_names(session, user)


class Tracker(TrackerBase):
    """One person's habits on a store (``habitcore.open`` makes one).

    A tracker reads its user's row once, when it is made, and keeps the settings (and the zone
    every day rule needs: ``today()``, the checklist, check-ins) for its life, changing them
    through its own ``set_…`` calls and imports, and when ``settings()`` reads them again. It is
    meant to be short-lived: one command, one update, one request. Open a new one to see
    settings changed elsewhere (another process, another tracker); a long-running loop makes a
    fresh one each turn.
    """

    # -- settings ------------------------------------------------------------------------------

    def set_timezone(self, name: str) -> Settings:
        zone = parse_timezone(name)
        return self._change_user(timezone=zone.key, timezone_set=True)

    def set_day_start(self, value: str | time) -> Settings:
        at = value if isinstance(value, time) else parse_time_of_day(value)
        return self._change_user(day_start=minutes_of(at))

    def set_week_start(self, value: str | int) -> Settings:
        day = value if isinstance(value, int) and 0 <= value <= 6 else parse_weekday(str(value))
        return self._change_user(week_start=day)

    def set_language(self, code: str) -> Settings:
        return self._change_user(language=clean_language(code))

    def set_morning_summary(self, enabled: bool) -> Settings:
        return self._change_user(morning_summary=bool(enabled))

    def set_active(self, active: bool) -> Settings:
        """Mark the user (un)reachable: an inactive user's reminders stop until reactivated."""
        return self._change_user(active=bool(active))

    def _change_user(self, **values: Any) -> Settings:
        with self.store.write() as session:
            row = self._user(session)
            for key, value in values.items():
                setattr(row, key, value)
            session.add(row)
            if values.keys() & {"timezone", "day_start", "week_start"}:
                self._bump(session)  # days and weeks fall differently now
            session.flush()
            if values.keys() & {"timezone", "day_start", "active"}:
                reschedule(session, row, self._habit_rows(session, archived=False), self.now())
                zone = Zone.of(row)
                row.next_close = (
                    day_end_instant(self.now(), zone.tz, zone.day_start) if row.active else None
                )
                session.add(row)
        self._remember(row)
        return self._settings

    # -- habits --------------------------------------------------------------------------------

    def add_habit(
        self,
        name: str,
        schedule: str = "daily",
        *,
        target: float | None = None,
        unit: str | None = None,
        at_most: bool = False,
        reminders: Iterable[str | ReminderRule] = (),
        start: date | None = None,
        description: str | None = None,
    ) -> Habit:
        cleaned = clean_name(name)
        parsed = parse_schedule(schedule)
        amount, unit_text = clean_target(target, unit)
        if at_most and amount is None:
            raise InvalidAmount("'at most' needs a target, such as at most 2 (coffees).")
        rules = parse_reminders(reminders)
        described = clean_description(description)
        with self.store.write() as session:
            user = self._user(session)
            today = self.today()
            first = check_day(start, "A start date") if start is not None else today
            queries.refuse_duplicate(session, self._user_id, cleaned)
            row = queries.new_habit(session, self._user_id, cleaned, str(parsed), first, today)
            row.target, row.unit, row.at_most = amount, unit_text, bool(at_most)
            row.description, row.created_at = described, self.now()
            session.flush()
            set_reminders(session, user, row, rules, self.now())
            return habit_of(row, reminder_rows(session, row))

    def edit_habit(
        self,
        name: HabitRef,
        *,
        new_name: str | None = None,
        schedule: str | None = None,
        target: float | None = _UNSET,
        unit: str | None = _UNSET,
        at_most: bool | None = None,
        reminders: Iterable[str | ReminderRule] | None = None,
        start: date | None = None,
        description: str | None = _UNSET,
    ) -> Habit:
        """Change what is given; leave the rest. ``target=None`` makes a habit yes/no again."""
        with self.store.write() as session:
            user = self._user(session)
            row = self._habit_row(session, name)
            before = goal_of(row)
            if new_name is not None:
                cleaned = clean_name(new_name)
                if name_key(cleaned) != row.name_key and not row.archived:
                    queries.refuse_duplicate(session, self._user_id, cleaned)
                row.name, row.name_key = cleaned, name_key(cleaned)
            if schedule is not None:
                row.schedule = str(parse_schedule(schedule))
            if target is not _UNSET or unit is not _UNSET:
                new_target = row.target if target is _UNSET else target
                new_unit = row.unit if unit is _UNSET else unit
                if new_target is None:
                    new_unit = None
                row.target, row.unit = clean_target(new_target, new_unit)
            if at_most is not None:
                row.at_most = bool(at_most)
            if row.at_most and row.target is None:
                raise InvalidAmount("'at most' needs a target, such as at most 2 (coffees).")
            if start is not None:
                row.start = check_day(start, "A start date")
            if description is not _UNSET:
                row.description = clean_description(description)
            goal_changed = goal_of(row) != before
            session.add(row)
            session.flush()
            if goal_changed:
                self._bump(session, [row.id])
            if reminders is not None:
                set_reminders(session, user, row, parse_reminders(reminders), self.now())
            elif goal_changed:
                reschedule(session, user, [row], self.now())
            return habit_of(row, reminder_rows(session, row))

    def archive(self, name: HabitRef) -> Habit:
        with self.store.write() as session:
            row = self._habit_row(session, name)
            row.archived = True
            session.add(row)
            queries.disarm_reminders(session, row.id)
            return habit_of(row, reminder_rows(session, row))

    def unarchive(self, name: HabitRef) -> Habit:
        with self.store.write() as session:
            row = self._habit_row(session, name, archived=True)
            queries.refuse_duplicate(session, self._user_id, row.name, unarchiving=True)
            row.archived = False
            # Days that ended while archived are history, not news for the next rollover.
            yesterday = self.today() - timedelta(days=1)
            row.closed_through = max(row.closed_through or yesterday, yesterday)
            session.add(row)
            session.flush()
            reschedule(session, self._user(session), [row], self.now())
            return habit_of(row, reminder_rows(session, row))

    def delete_habit(self, name: HabitRef) -> Habit:
        """Delete a habit with all its check-ins, reminders and pauses, for good."""
        with self.store.write() as session:
            row = self._habit_row(session, name, archived=None)
            habit = habit_of(row, reminder_rows(session, row))
            queries.delete_habits(session, [ident(row)])
            return habit

    def move(self, name: HabitRef, position: int) -> list[Habit]:
        """Put a habit at ``position`` (0 = first) in the user's order."""
        with self.store.write() as session:
            row = self._habit_row(session, name)
            rows = [r for r in self._habit_rows(session, archived=None) if r.id != row.id]
            rows.insert(max(0, min(position, len(rows))), row)
            for index, each in enumerate(rows):
                each.position = index
                session.add(each)
            session.flush()
            return [habit_of(r, reminder_rows(session, r)) for r in rows]

    def habit(self, name: HabitRef) -> Habit:
        with self.store.read() as session:
            row = self._habit_row(session, name, archived=None)
            return habit_of(row, reminder_rows(session, row))

    def find(self, text: HabitRef, *, archived: bool = False, exact: bool = False) -> Habit:
        """The habit a person means by ``text``, by the one rule every frontend follows (see
        ``storage.queries.find_habit``): a name in any case, a unique prefix, or ``#ID``."""
        with self.store.read() as session:
            row = queries.find_habit(session, self._user_id, text, archived=archived, exact=exact)
            return habit_of(row, reminder_rows(session, row))

    def resolve(self, text: str, *, archived: bool = False, exact: bool = False) -> str:
        """The full name of ``find(text, ...)``: ``habit done re`` finds "Read"."""
        return self.find(text, archived=archived, exact=exact).name

    def habits(
        self, today: date | None = None, *, archived: bool = False, only: HabitRef | None = None
    ) -> list[HabitStatus]:
        """Every active habit (with ``archived=True`` all), or ``only`` one, on a habit day."""
        with self.store.read() as session:
            zone, day = self._zone, today or self.today()
            if only is None:
                rows = self._habit_rows(session, archived=None if archived else False)
            else:
                rows = [self._habit_row(session, only, archived=None)]
            found, kept = tallies.figures(session, self._user_id, rows, day, zone.week_start)
            reminders = queries.reminders_by_habit(session, rows)
        self._keep(kept)
        return [
            HabitStatus(habit_of(row, reminders.get(row.id, [])), day, found[ident(row)])
            for row in rows
        ]

    # -- check-ins -----------------------------------------------------------------------------

    def check(
        self,
        name: HabitRef,
        day: date | None = None,
        *,
        amount: float | None = None,
        add: bool = False,
        note: str | None = None,
    ) -> CheckIn:
        """Mark ``day`` (default: the current habit day) done; a day before the start moves the
        start back. A measurable habit takes an ``amount`` (default: its whole target), and
        ``add=True`` adds it to what the day holds, so sessions sum up. A ``note`` is kept with
        the check-in; without one, a note the day already had stays."""
        return self.check_days(name, day, day, amount=amount, add=add, note=note)[-1]

    def check_days(
        self,
        name: HabitRef,
        first: date | None,
        last: date | None,
        *,
        amount: float | None = None,
        add: bool = False,
        note: str | None = None,
    ) -> list[CheckIn]:
        """Mark every day from ``first`` to ``last`` done as ``check`` does, all in one
        transaction: a range that is partly in the future is refused whole."""
        value, text = clean_amount(amount), clean_note(note)
        with self.store.write() as session:
            row, first_day, last_day = self._editable_day(session, name, first or last, to=last)
            days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
            if not days or len(days) > MAX_RANGE_DAYS:
                raise InvalidDay(
                    f"A range runs from its first day to a later last one, at most "
                    f"{MAX_RANGE_DAYS} days; got {first_day.isoformat()}..{last_day.isoformat()}."
                )
            if row.target is None and value is not None:
                raise InvalidAmount(
                    f"{row.name!r} is a yes/no habit and takes no amount; give it a target "
                    "to make it measurable."
                )
            return [self._done_on(session, row, day, value, add, text) for day in days]

    def _done_on(
        self, session: Session, row: HabitRow, day: date, value: Amount, add: bool, text: Text
    ) -> CheckIn:
        existing = queries.checkin(session, row.id, day)
        total = row.target if value is None else value
        if add and existing is not None and existing.status == Status.DONE and total is not None:
            # A done day recorded without an amount held the whole target.
            held = existing.amount if existing.amount is not None else row.target
            total = (held or 0.0) + total
        clean_amount(total, what="The day's total")
        return self._put_checkin(session, row, day, existing, Status.DONE, total, text)

    def skip(self, name: HabitRef, day: date | None = None, *, note: str | None = None) -> CheckIn:
        """Mark ``day`` skipped: it neither breaks nor extends a streak."""
        text = clean_note(note)
        with self.store.write() as session:
            row, day, _ = self._editable_day(session, name, day)
            existing = queries.checkin(session, row.id, day)
            return self._put_checkin(session, row, day, existing, Status.SKIPPED, None, text)

    def set_note(self, name: HabitRef, day: date | None, note: str | None) -> CheckIn:
        """Write (or, with None or an empty text, remove) the note of ``day``'s check-in.

        A note belongs to a check-in: a day with nothing recorded is an ``InvalidDay``.
        """
        text = clean_note(note)
        with self.store.write() as session:
            row, day, _ = self._editable_day(session, name, day, backfill=False)
            existing = queries.checkin(session, row.id, day)
            if existing is None:
                raise InvalidDay(
                    f"Nothing is recorded for {row.name!r} on {day.isoformat()}; a note goes "
                    "with a check-in, so record the day first."
                )
            existing.note = text
            session.add(existing)
            return checkin_of(existing)

    def uncheck(self, name: HabitRef, day: date | None = None) -> bool:
        """Remove ``day``'s check-in (done or skipped) and its note; False if there was none.

        The habit's start stays where it is, even when this was its earliest check-in.
        """
        with self.store.write() as session:
            row, day, _ = self._editable_day(session, name, day, backfill=False)
            existing = queries.checkin(session, row.id, day)
            if existing is None:
                return False
            session.delete(existing)
            return True

    def toggle(self, name: HabitRef, day: date | None = None, *, skip: bool = False) -> Toggled:
        """A checklist button, in one transaction: a day done or skipped (as the checklist shows
        it, ``HabitStatus.state``) is cleared, as ``uncheck`` does; any other day is marked done
        as ``check`` does, or with ``skip`` skipped (and a skipped day cleared). A measurable
        habit's day is left alone unless done: it wants an amount (``Toggled.asks_amount``)."""
        with self.store.write() as session:
            row = self._habit_row(session, name)
            day = recordable_day(day, self.today())
            existing = queries.checkin(session, row.id, day)
            history = day_history(session, self._user_id, ident(row), existing)
            shown = day_outcome(goal_of(row), history, day, None, ended=False)

            def told(status: Status | None, amount: float | None, asks: bool = False) -> Toggled:
                habit = (ident(row), row.name, day)
                return Toggled(*habit, status, amount, row.target, row.unit, asks)

            if shown is Outcome.SKIPPED or (shown is Outcome.DONE and not skip):
                if existing is not None:
                    session.delete(existing)
                    self._bump(session, [row.id])
                return told(None, None)
            if row.target is not None and not skip:
                if existing is None:
                    return told(None, None, asks=True)
                return told(Status(existing.status), existing.amount, asks=True)
            status = Status.SKIPPED if skip else Status.DONE
            if day < row.start:
                row.start = day  # as check and skip move it back
                session.add(row)
            self._bump(session, [row.id])
            self._put_checkin(session, row, day, existing, status, None, None)
            return told(status, None)

    def checkins(self, name: HabitRef, since: date | None = None) -> list[CheckIn]:
        with self.store.read() as session:
            row = self._habit_row(session, name, archived=None)
            return [checkin_of(c) for c in queries.checkins(session, row.id, since)]

    # -- figures -------------------------------------------------------------------------------

    def stats(self, name: HabitRef, today: date | None = None) -> Stats:
        with self.store.read() as session:
            row, zone, day = self._row_and_day(session, name, today)
            found, kept = tallies.figures(session, self._user_id, [row], day, zone.week_start)
        self._keep(kept)
        return found[ident(row)]

    def explain_score(self, name: HabitRef, today: date | None = None) -> list[ScoreStep]:
        """The score's history day by day: each day's value and the score after it."""
        return self.calendar_and_score(name, 1, today)[1]

    def calendar(
        self, name: HabitRef, days: int = 182, today: date | None = None
    ) -> list[tuple[date, Outcome]]:
        """Each of the last ``days`` habit days up to today with what happened on it."""
        with self.store.read() as session:
            row, zone, day = self._row_and_day(session, name, today)
            history = histories(session, self._user_id, [ident(row)])[ident(row)]
        goal = goal_of(row)
        units = evaluate(goal, history, day, zone.week_start)
        return calendar(goal, history, units, day - timedelta(days=days - 1), day)

    def calendar_and_score(
        self, name: HabitRef, days: int = 182, today: date | None = None
    ) -> tuple[list[tuple[date, Outcome]], list[ScoreStep]]:
        """``calendar`` and ``explain_score`` together, from one read of the habit's history."""
        with self.store.read() as session:
            row, zone, day = self._row_and_day(session, name, today)
            history = histories(session, self._user_id, [ident(row)])[ident(row)]
        goal = goal_of(row)
        units = evaluate(goal, history, day, zone.week_start)
        first = day - timedelta(days=days - 1)
        return calendar(goal, history, units, first, day), explain(goal, history, day)

    # -- pauses --------------------------------------------------------------------------------

    def pause(self, name: HabitRef | None = None, *, start: date, end: date | None = None) -> Pause:
        """Pause one habit, or all (a vacation) when ``name`` is None; no ``end``: until resumed."""
        last = OPEN_END if end is None else check_day(end, "A pause's end")
        span = Pause(check_day(start, "A pause's start"), last)
        if end is not None and (end - start).days > 3660:
            raise InvalidPause("A pause can last at most ten years; archive the habit instead.")
        with self.store.write() as session:
            habit_id = self._habit_row(session, name).id if name is not None else None
            session.add(PauseRow(user_id=self._user_id, habit_id=habit_id, start=start, end=last))
            self._bump(session, None if habit_id is None else [habit_id])
        return span

    def resume(
        self, name: HabitRef | None = None, today: date | None = None, *, planned: bool = True
    ) -> Resumed:
        """End the pauses (of one habit, or the vacations) holding ``today``: each now ends the
        day before (one that began today is dropped). Pauses planned to begin later are
        cancelled too, or with ``planned=False`` kept."""
        with self.store.write() as session:
            day = today or self.today()
            habit_id = self._habit_row(session, name).id if name is not None else None
            changed = queries.end_pauses(session, self._user_id, habit_id, day, planned=planned)
            names = queries.habit_names(session, self._user_id)
            self._bump(session, None if habit_id is None else [habit_id])
        ended, cancelled, kept = ([pause_entry_of(r, names) for r in rows] for rows in changed)
        return Resumed(day, tuple(ended), tuple(cancelled), tuple(kept))

    def unpause(self, pause_id: int) -> PauseEntry:
        """Delete one pause, past or planned, as if it had never been: its days count again."""
        with self.store.write() as session:
            row = queries.pause(session, self._user_id, pause_id)
            if row is None:
                raise PauseNotFound(pause_id)
            entry = pause_entry_of(row, queries.habit_names(session, self._user_id))
            session.delete(row)
            self._bump(session, None if row.habit_id is None else [row.habit_id])
        return entry

    def pauses(self, name: HabitRef | None = None) -> list[Pause]:
        """One habit's own pauses, or (``name`` None) the vacations, as the rules read them."""
        with self.store.read() as session:
            habit_id = self._habit_row(session, name, archived=None).id if name else None
            rows = queries.pauses(session, self._user_id, habit_id)
        return [Pause(r.start, r.end) for r in rows]

    def pause_list(self, name: HabitRef | None = None) -> list[PauseEntry]:
        """Every pause with its id, earliest first (with ``name``: those holding that habit)."""
        with self.store.read() as session:
            habit_id = self._habit_row(session, name, archived=None).id if name else None
            rows = queries.every_pause(session, self._user_id, habit_id)
            names = queries.habit_names(session, self._user_id)
        return [pause_entry_of(r, names) for r in rows]

    # -- rollover and reminders ----------------------------------------------------------------

    def close_days(self, now: datetime | None = None) -> list[DayResult]:
        """Report each habit day that ended since the last call, once, in order."""
        from habitcore import closing

        with self.store.write() as session:
            return closing.close_days(session, self._user(session), now or self.now())

    def due_reminders(self, now: datetime | None = None) -> list[DueReminder]:
        """This user's reminders to show now; each firing is handed out at most once."""
        from habitcore import delivery

        return delivery.due_reminders(
            self.store, now or self.now(), self.reminder_grace, user_id=self._user_id
        )

    def snooze(
        self, reminder_id: int, day: date, duration: timedelta, now: datetime | None = None
    ) -> datetime:
        """Fire reminder ``reminder_id`` for habit day ``day`` again after ``duration``."""
        if not timedelta(minutes=1) <= duration <= MAX_SNOOZE:
            raise InvalidAmount("A snooze lasts from 1 minute to 24 hours.")
        at = (now or self.now()) + duration
        with self.store.write() as session:
            found = queries.reminder_of(session, self._user_id, reminder_id)
            if found is None:
                raise ReminderNotFound("That reminder no longer exists; it may have been removed.")
            reminder, habit = found
            if habit.archived:
                raise ReminderNotFound(f"{habit.name!r} is archived; its reminders are off.")
            reminder.next_fire, reminder.next_day, reminder.snoozed = at, day, True
            session.add(reminder)
        return at

    # -- export and import ---------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """Everything this user has, in habitcore's versioned JSON format (a dict)."""
        from habitcore.exchange import habitcore_json

        with self.store.read() as session:
            return habitcore_json.export_user(session, self._user(session), self.now())

    def export_csv(self) -> str:
        """Every check-in as CSV: habit, day, status, amount, note."""
        from habitcore.exchange import habitcore_csv

        return habitcore_csv.write(self.export())

    def import_data(
        self, data: dict[str, Any], *, dry_run: bool = False, progress: Progress = None
    ) -> ImportSummary:
        """Merge an export (the dict of habitcore's JSON): all of it, or nothing."""
        from habitcore.exchange import habitcore_json

        document = habitcore_json.parse_document(data)
        return self.import_document(document, dry_run=dry_run, progress=progress)

    def import_file(
        self,
        path: str | Path,
        *,
        format: str | None = None,
        dry_run: bool = False,
        progress: Progress = None,
    ) -> ImportSummary:
        """Import a file or folder of any format ``habitcore.exchange`` reads (told from its
        content unless ``format`` insists), all of it or nothing."""
        from habitcore import exchange

        document = exchange.read(Path(path), format)
        return self.import_document(document, dry_run=dry_run, progress=progress)

    def import_document(
        self, document: Document, *, dry_run: bool = False, progress: Progress = None
    ) -> ImportSummary:
        """Write a read ``habitcore.exchange.Document`` in one transaction (none on a dry run)."""
        from habitcore.exchange import merge

        with self.store.write() as session:
            # A dry run works in a savepoint it then undoes, so that inside a unit of work
            # (habitcore.events) it takes nothing else of the transaction with it.
            trial = session.begin_nested() if dry_run else None
            user = self._user(session)
            zone = Zone.of(user)
            now = self.now()
            today = habit_day(now, zone.tz, zone.day_start)
            summary = merge.apply(session, user, document, now, today, progress)
            session.flush()
            self._bump(session)
            reschedule(session, user, self._habit_rows(session, archived=False), now)
            if trial is not None:
                trial.rollback()
        if not dry_run:
            self._remember(user)  # an import may bring settings
        return summary

    def delete_user(self) -> None:
        """Erase everything stored about this user. The tracker is unusable afterwards."""
        with self.store.write() as session:
            queries.delete_user(session, self._user_id)
