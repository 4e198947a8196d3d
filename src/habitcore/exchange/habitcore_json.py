"""habitcore's own export: a versioned JSON document holding everything about one user.

Settings, habits with their schedules, targets, reminders, check-ins (with notes) and pauses,
the user's vacations, and where each habit was once imported from. Reading validates the whole
document before anything is written; the error names the bad spot (``habits[2].checkins[5].day``).
Exporting an import of an export gives the same document back.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from habitcore.errors import HabitcoreError, InvalidImport, shown
from habitcore.exchange.document import Document, Entry, Format, HabitDoc, Mode, Span, decoded
from habitcore.rules.days import (
    WEEKDAY_WORDS,
    check_day,
    format_time_of_day,
    minutes_of,
    parse_time_of_day,
    parse_timezone,
    parse_weekday,
    time_of_minutes,
)
from habitcore.rules.habits import (
    OPEN_END,
    Pause,
    Status,
    clean_amount,
    clean_description,
    clean_name,
    clean_note,
    clean_target,
    name_key,
)
from habitcore.rules.reminders import parse_reminders
from habitcore.rules.schedule import parse_schedule
from habitcore.storage.records import rule_of
from habitcore.storage.tables import (
    CheckInRow,
    HabitOriginRow,
    HabitRow,
    PauseRow,
    ReminderRow,
    UserRow,
)

FORMAT = "habitcore"
VERSION = 1
MAX_DEPTH = 32  # habitcore's document nests 5 deep; a file nesting far deeper is no export


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
    origins: dict[int | None, list[str]] = {i: [] for i in ids}
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
                col(CheckInRow.note),
            )
            .where(col(CheckInRow.habit_id).in_(ids))
            .order_by(col(CheckInRow.habit_id), col(CheckInRow.day))
        )
        for habit_id, day, status, amount, note in rows:
            checkins[habit_id].append(
                {"day": day.isoformat(), "status": status, "amount": amount, "note": note}
            )
        for reminder in session.exec(select(ReminderRow).where(col(ReminderRow.habit_id).in_(ids))):
            reminders[reminder.habit_id].append(reminder)
        for origin in session.exec(
            select(HabitOriginRow)
            .where(col(HabitOriginRow.habit_id).in_(ids))
            .order_by(col(HabitOriginRow.key))
        ):
            origins[origin.habit_id].append(origin.key)
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
                "origins": origins[h.id],
            }
            for h in habits
        ],
    }


def _span(row: PauseRow) -> dict[str, str | None]:
    """A pause; ``end`` is null for one that lasts until it is resumed."""
    open_ended = Pause(row.start, row.end).open
    return {"start": row.start.isoformat(), "end": None if open_ended else row.end.isoformat()}


def write(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# -- import ------------------------------------------------------------------------------------


def read(raw: bytes) -> Document:
    """A habitcore JSON export from the bytes of its file."""
    return parse_document(loads(raw))


def loads(raw: bytes) -> Any:
    """JSON from a file's bytes, or an ``InvalidImport`` that says what is wrong with it."""
    text = decoded(raw)
    if _nesting(text) > MAX_DEPTH:
        raise InvalidImport(
            f"This JSON nests more than {MAX_DEPTH} levels deep; a habitcore export nests 5."
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidImport(
            f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None


def _nesting(text: str) -> int:
    """How deep brackets nest, outside strings: checked before parsing, which would recurse."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_document(data: Any) -> Document:
    """Validate a whole export before anything is written; the error names the bad spot."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidImport("This is not a habitcore export (its 'format' is not 'habitcore').")
    version = data.get("version")
    if version != VERSION:
        said = version if isinstance(version, int) else shown(version)
        raise InvalidImport(
            f"This export has format version {said}; this habitcore "
            f"reads version {VERSION}. Upgrade habitcore to import it."
        )
    settings = _settings(_get(data, "settings", dict, "settings", {}))
    pauses = tuple(_spans(_get(data, "pauses", list, "pauses", []), "pauses"))
    habits = []
    active: set[str] = set()  # active names are unique; archived namesakes may repeat
    archived: set[tuple[str, date | None]] = set()
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
    return Document(Format.JSON, Mode.RESTORE, tuple(habits), settings, pauses)


def _get(data: dict[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    value = data.get(key, default)
    if value is None and default is not None:
        value = default
    if not isinstance(value, kind):
        names: dict[type, str] = {list: "a list", dict: "an object", str: "text"}
        expected = names.get(kind, kind.__name__)
        raise InvalidImport(f"{where}: expected {expected}, found {_kind(value)}.")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _date(value: Any, where: str) -> date:
    if value is None:
        raise InvalidImport(f"{where}: missing; expected a date (YYYY-MM-DD).")
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
        start = _date(item.get("start"), f"{here}.start")
        # null: until resumed; a missing end is a damaged file, not an endless pause.
        open_ended = "end" in item and item["end"] is None
        end = OPEN_END if open_ended else _date(item.get("end"), f"{here}.end")
        if end < start:
            raise InvalidImport(f"{here}: the pause ends before it starts.")
        spans.append(Span(start, end))
    return spans


def _settings(raw: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        if "timezone" in raw:
            zone = parse_timezone(_text(raw["timezone"], "settings.timezone")).key
            # A zone the exporting user never chose (still the default) is no choice to
            # restore: it must not replace the zone the importing user did choose.
            if _flag({"timezone_set": True, **raw}, "timezone_set", "settings"):
                result["timezone"], result["timezone_set"] = zone, True
        if "day_start" in raw:
            day_start = _text(raw["day_start"], "settings.day_start")
            result["day_start"] = minutes_of(parse_time_of_day(day_start))
        if "week_start" in raw:
            result["week_start"] = parse_weekday(_text(raw["week_start"], "settings.week_start"))
        if "language" in raw:
            language = _text(raw["language"], "settings.language").strip().lower()
            if not language or len(language) > 16 or not language.replace("-", "").isalnum():
                raise InvalidImport(f"settings.language: {shown(language)} is not a language.")
            result["language"] = language
        if "morning_summary" in raw:
            result["morning_summary"] = _flag(raw, "morning_summary", "settings")
    except InvalidImport:
        raise
    except HabitcoreError as exc:
        raise InvalidImport(f"settings: {exc}") from None
    return result


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidImport(f"{where}: expected text, found {_kind(value)}.")
    return value


def _habit(item: Any, where: str) -> HabitDoc:
    if not isinstance(item, dict):
        raise InvalidImport(f"{where}: expected a habit object.")
    try:
        name = clean_name(item.get("name"))
        schedule = str(parse_schedule(_text(item.get("schedule", "daily"), f"{where}.schedule")))
        target, unit = clean_target(item.get("target"), item.get("unit"))
        listed = _get(item, "reminders", list, f"{where}.reminders", [])
        texts = [_text(r, f"{where}.reminders") for r in listed]
        reminders = tuple(str(r) for r in parse_reminders(texts))
        description = clean_description(item.get("description"))
    except InvalidImport:
        raise
    except HabitcoreError as exc:
        raise InvalidImport(f"{where}: {exc}") from None
    entries = []
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
            note = clean_note(checkin.get("note"))
        except HabitcoreError as exc:
            raise InvalidImport(f"{here}: {exc}") from None
        entries.append(Entry(day, Status(status), amount, note))
    position = item.get("position", 0)
    if isinstance(position, bool) or not isinstance(position, int) or abs(position) > 10**6:
        raise InvalidImport(f"{where}.position: expected a whole number, found {shown(position)}.")
    origins = _get(item, "origins", list, f"{where}.origins", [])
    if not all(isinstance(o, str) and 0 < len(o) <= 300 for o in origins):
        raise InvalidImport(f"{where}.origins: expected a list of short texts.")
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
        entries=tuple(entries),
        pauses=tuple(_spans(_get(item, "pauses", list, f"{where}.pauses", []), f"{where}.pauses")),
        origins=tuple(origins),
    )
