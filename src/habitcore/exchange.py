"""Export and import: habitcore's versioned JSON format, and a CSV of check-ins.

The JSON document holds everything about one user: settings, habits with their schedules,
targets, reminders, check-ins and pauses, and the user's vacations. Importing validates the whole
document before writing anything, then merges it in one transaction: a habit of the same name
is updated from the file, check-ins are added or overwritten day by day, identical pauses are not
repeated. Exporting an import of an export gives the same document back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.days import (
    WEEKDAY_WORDS,
    check_day,
    format_time_of_day,
    minutes_of,
    parse_time_of_day,
    parse_timezone,
    parse_weekday,
    time_of_minutes,
)
from habitcore.errors import HabitcoreError, InvalidImport, shown
from habitcore.habits import (
    Status,
    clean_amount,
    clean_description,
    clean_name,
    clean_target,
    name_key,
)
from habitcore.records import rule_of
from habitcore.reminders import parse_reminders
from habitcore.schedule import parse_schedule
from habitcore.tables import CheckInRow, HabitRow, PauseRow, ReminderRow, UserRow

FORMAT = "habitcore"
VERSION = 1


@dataclass(frozen=True)
class Span:
    start: date
    end: date


@dataclass(frozen=True)
class HabitDoc:
    name: str
    schedule: str
    start: date
    description: str | None
    target: float | None
    unit: str | None
    at_most: bool
    archived: bool
    position: int
    reminders: tuple[str, ...]
    checkins: tuple[tuple[date, str, float | None], ...]
    pauses: tuple[Span, ...]


@dataclass(frozen=True)
class Document:
    settings: dict[str, Any]
    pauses: tuple[Span, ...]
    habits: tuple[HabitDoc, ...]

    @property
    def size(self) -> int:
        return sum(len(h.checkins) + 1 for h in self.habits)


@dataclass
class ImportSummary:
    habits_added: list[str] = field(default_factory=list)
    habits_merged: list[str] = field(default_factory=list)
    checkins_added: int = 0
    checkins_updated: int = 0
    checkins_unchanged: int = 0
    pauses_added: int = 0
    pauses_unchanged: int = 0


# -- export ------------------------------------------------------------------------------------


def export_user(session: Session, user: UserRow, now: datetime) -> dict[str, Any]:
    habits = list(
        session.exec(
            select(HabitRow)
            .where(HabitRow.user_id == user.id)
            .order_by(col(HabitRow.position), col(HabitRow.id))
        )
    )
    ids = [h.id for h in habits]
    checkins: dict[int | None, list[dict[str, Any]]] = {i: [] for i in ids}
    reminders: dict[int | None, list[ReminderRow]] = {i: [] for i in ids}
    pauses = list(
        session.exec(
            select(PauseRow).where(PauseRow.user_id == user.id).order_by(col(PauseRow.start))
        )
    )
    if ids:
        rows = session.execute(
            sa.select(
                col(CheckInRow.habit_id),
                col(CheckInRow.day),
                col(CheckInRow.status),
                col(CheckInRow.amount),
            )
            .where(col(CheckInRow.habit_id).in_(ids))
            .order_by(col(CheckInRow.habit_id), col(CheckInRow.day))
        )
        for habit_id, day, status, amount in rows:
            checkins[habit_id].append({"day": day.isoformat(), "status": status, "amount": amount})
        for reminder in session.exec(select(ReminderRow).where(col(ReminderRow.habit_id).in_(ids))):
            reminders[reminder.habit_id].append(reminder)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "user": user.external_id,
        "settings": {
            "timezone": user.timezone,
            "timezone_set": user.timezone_set,
            "day_start": format_time_of_day(time_of_minutes(user.day_start)),
            "week_start": WEEKDAY_WORDS[user.week_start],
            "language": user.language,
            "morning_summary": user.morning_summary,
        },
        "pauses": [_span(p) for p in pauses if p.habit_id is None],
        "habits": [
            {
                "name": h.name,
                "description": h.description,
                "schedule": h.schedule,
                "target": h.target,
                "unit": h.unit,
                "at_most": h.at_most,
                "start": h.start.isoformat(),
                "archived": h.archived,
                "position": h.position,
                "reminders": [
                    str(rule_of(r))
                    for r in sorted(reminders[h.id], key=lambda r: (r.minutes, r.weekdays))
                ],
                "checkins": checkins[h.id],
                "pauses": [_span(p) for p in pauses if p.habit_id == h.id],
            }
            for h in habits
        ],
    }


def _span(row: PauseRow) -> dict[str, str]:
    return {"start": row.start.isoformat(), "end": row.end.isoformat()}


def checkins_csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["habit", "day", "status", "amount"])
    for habit in document["habits"]:
        for checkin in habit["checkins"]:
            amount = checkin["amount"]
            writer.writerow(
                [habit["name"], checkin["day"], checkin["status"], "" if amount is None else amount]
            )
    return out.getvalue()


# -- import ------------------------------------------------------------------------------------


def parse_document(data: Any) -> Document:
    """Validate a whole export before anything is written; the error names the bad spot."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidImport("This is not a habitcore export (its 'format' is not 'habitcore').")
    if data.get("version") != VERSION:
        raise InvalidImport(
            f"This export has format version {data.get('version')!r}; this habitcore reads "
            f"version {VERSION}. Upgrade habitcore to import it."
        )
    settings = _settings(_get(data, "settings", dict, "settings", {}))
    pauses = tuple(_spans(_get(data, "pauses", list, "pauses", []), "pauses"))
    habits = []
    active: set[str] = set()  # active names are unique; archived namesakes may repeat
    archived: set[tuple[str, date]] = set()
    for index, item in enumerate(_get(data, "habits", list, "habits", [])):
        habit = _habit(item, f"habits[{index}]")
        key = name_key(habit.name)
        if (key in active) if not habit.archived else ((key, habit.start) in archived):
            raise InvalidImport(f"habits[{index}]: the name {habit.name!r} appears twice.")
        if habit.archived:
            archived.add((key, habit.start))
        else:
            active.add(key)
        habits.append(habit)
    return Document(settings, pauses, tuple(habits))


def _get(data: dict[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind):
        raise InvalidImport(f"{where}: expected {kind.__name__}, found {type(value).__name__}.")
    return value


def _date(value: Any, where: str) -> date:
    try:
        return check_day(date.fromisoformat(value))
    except (TypeError, ValueError):
        raise InvalidImport(f"{where}: {shown(value)} is not a date (YYYY-MM-DD).") from None
    except HabitcoreError as exc:
        raise InvalidImport(f"{where}: {exc}") from None


def _flag(item: dict[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise InvalidImport(f"{where}.{key}: expected true or false, found {shown(value)}.")
    return value


def _spans(items: list[Any], where: str) -> list[Span]:
    spans = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise InvalidImport(f"{here}: expected a pause with start and end.")
        start, end = (
            _date(item.get("start"), f"{here}.start"),
            _date(item.get("end"), f"{here}.end"),
        )
        if end < start:
            raise InvalidImport(f"{here}: the pause ends before it starts.")
        spans.append(Span(start, end))
    return spans


def _settings(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        if "timezone" in raw:
            zone = parse_timezone(raw["timezone"]).key
            # A zone the exporting user never chose (still the default) is no choice to
            # restore: it must not replace the zone the importing user did choose.
            if _flag({"timezone_set": True, **raw}, "timezone_set", "settings"):
                result["timezone"], result["timezone_set"] = zone, True
        if "day_start" in raw:
            result["day_start"] = minutes_of(parse_time_of_day(raw["day_start"]))
        if "week_start" in raw:
            result["week_start"] = parse_weekday(str(raw["week_start"]))
        if "language" in raw:
            result["language"] = str(raw["language"])[:16]
        if "morning_summary" in raw:
            result["morning_summary"] = _flag(raw, "morning_summary", "settings")
    except HabitcoreError as exc:
        raise InvalidImport(f"settings: {exc}") from None
    return result


def _habit(item: Any, where: str) -> HabitDoc:
    if not isinstance(item, dict):
        raise InvalidImport(f"{where}: expected a habit object.")
    try:
        name = clean_name(item.get("name"))
        schedule = str(parse_schedule(item.get("schedule", "daily")))
        target, unit = clean_target(item.get("target"), item.get("unit"))
        reminders = tuple(str(r) for r in parse_reminders(item.get("reminders") or []))
        description = clean_description(item.get("description"))
    except HabitcoreError as exc:
        raise InvalidImport(f"{where}: {exc}") from None
    checkins = []
    days: set[date] = set()
    for index, checkin in enumerate(_get(item, "checkins", list, f"{where}.checkins", [])):
        here = f"{where}.checkins[{index}]"
        if not isinstance(checkin, dict):
            raise InvalidImport(f"{here}: expected a check-in object.")
        day = _date(checkin.get("day"), f"{here}.day")
        if day in days:
            raise InvalidImport(f"{here}: {day} is listed twice.")
        days.add(day)
        status = checkin.get("status")
        if status not in (Status.DONE.value, Status.SKIPPED.value):
            raise InvalidImport(f"{here}: status must be 'done' or 'skipped', not {shown(status)}.")
        try:
            amount = clean_amount(checkin.get("amount"))
        except HabitcoreError as exc:
            raise InvalidImport(f"{here}: {exc}") from None
        checkins.append((day, status, amount))
    position = item.get("position", 0)
    if isinstance(position, bool) or not isinstance(position, int) or abs(position) > 10**6:
        raise InvalidImport(f"{where}.position: expected a whole number, found {shown(position)}.")
    return HabitDoc(
        name=name,
        schedule=schedule,
        start=_date(item.get("start"), f"{where}.start"),
        description=description,
        target=target,
        unit=unit,
        at_most=_flag(item, "at_most", where) and target is not None,
        archived=_flag(item, "archived", where),
        position=position,
        reminders=reminders,
        checkins=tuple(checkins),
        pauses=tuple(_spans(_get(item, "pauses", list, f"{where}.pauses", []), f"{where}.pauses")),
    )


def apply(
    session: Session,
    user: UserRow,
    document: Document,
    now: datetime,
    today: date,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Merge a validated document into ``user`` inside the caller's transaction."""
    summary = ImportSummary()
    for key, value in document.settings.items():
        setattr(user, key, value)
    session.add(user)
    assert user.id is not None
    existing_pauses = {
        (p.habit_id, p.start, p.end)
        for p in session.exec(select(PauseRow).where(PauseRow.user_id == user.id))
    }
    _add_pauses(session, user.id, None, document.pauses, existing_pauses, summary)
    total, done = document.size, 0
    for habit in document.habits:
        row = _matching_habit(session, user.id, habit)
        if row is None:
            row = HabitRow(
                user_id=user.id,
                name=habit.name,
                name_key=name_key(habit.name),
                schedule=habit.schedule,
                start=habit.start,
                created_at=now,
            )
            summary.habits_added.append(habit.name)
        else:
            summary.habits_merged.append(habit.name)
        row.name, row.name_key = habit.name, name_key(habit.name)
        row.schedule, row.start, row.description = habit.schedule, habit.start, habit.description
        row.target, row.unit, row.at_most = habit.target, habit.unit, habit.at_most
        row.archived, row.position = habit.archived, habit.position
        if row.closed_through is None:
            # As for a new habit: only days that end from now on are rollover news.
            row.closed_through = max(habit.start, today) - timedelta(days=1)
        session.add(row)
        session.flush()
        assert row.id is not None
        _replace_reminders(session, row.id, habit.reminders)
        _merge_checkins(session, row.id, habit.checkins, summary)
        _add_pauses(session, user.id, row.id, habit.pauses, existing_pauses, summary)
        done += len(habit.checkins) + 1
        if progress is not None:
            progress(done, total)
    return summary


def _matching_habit(session: Session, user_id: int, habit: HabitDoc) -> HabitRow | None:
    query = select(HabitRow).where(
        HabitRow.user_id == user_id,
        HabitRow.name_key == name_key(habit.name),
        HabitRow.archived == habit.archived,
    )
    if habit.archived:
        query = query.where(HabitRow.start == habit.start)
    return session.exec(query).first()


def _replace_reminders(session: Session, habit_id: int, reminders: tuple[str, ...]) -> None:
    session.execute(sa.delete(ReminderRow).where(col(ReminderRow.habit_id) == habit_id))
    for rule in parse_reminders(reminders):
        session.add(ReminderRow(habit_id=habit_id, minutes=minutes_of(rule.at), weekdays=rule.mask))


def _merge_checkins(
    session: Session,
    habit_id: int,
    checkins: tuple[tuple[date, str, float | None], ...],
    summary: ImportSummary,
) -> None:
    existing = {
        day: (status, amount, row_id)
        for row_id, day, status, amount in session.execute(
            sa.select(
                col(CheckInRow.id),
                col(CheckInRow.day),
                col(CheckInRow.status),
                col(CheckInRow.amount),
            ).where(col(CheckInRow.habit_id) == habit_id)
        )
    }
    new = []
    for day, status, amount in checkins:
        found = existing.get(day)
        if found is None:
            new.append({"habit_id": habit_id, "day": day, "status": status, "amount": amount})
        elif found[:2] == (status, amount):
            summary.checkins_unchanged += 1
        else:
            session.execute(
                sa.update(CheckInRow)
                .where(col(CheckInRow.id) == found[2])
                .values(status=status, amount=amount)
            )
            summary.checkins_updated += 1
    if new:
        session.execute(sa.insert(CheckInRow), new)
        summary.checkins_added += len(new)


def _add_pauses(
    session: Session,
    user_id: int,
    habit_id: int | None,
    spans: tuple[Span, ...],
    existing: set[tuple[int | None, date, date]],
    summary: ImportSummary,
) -> None:
    for span in spans:
        key = (habit_id, span.start, span.end)
        if key in existing:
            summary.pauses_unchanged += 1
            continue
        existing.add(key)
        session.add(PauseRow(user_id=user_id, habit_id=habit_id, start=span.start, end=span.end))
        summary.pauses_added += 1
