"""Habit days, local times and time zones.

A *habit day* is the date a person means when they say "today": the local date, except that the
day may start later than midnight. With a 04:00 day start, a check-in at 01:30 on Tuesday belongs
to Monday. Check-ins are keyed by habit day, never by instant, so travelling across zones or
living through a DST change cannot move a check-in to another day or break a streak.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from habitcore.errors import InvalidDay, InvalidTime, InvalidTimezone, InvalidWeekday, shown

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_WORDS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


def habit_day(now: datetime, tz: tzinfo, day_start: time) -> date:
    """The habit day that the instant ``now`` falls in, for a person in ``tz``."""
    if now.tzinfo is None:
        raise ValueError("habit_day needs a timezone-aware instant")
    local = now.astimezone(tz)
    if local.time().replace(tzinfo=None) >= day_start:
        return local.date()
    # The wall clock says the day has not started, but when clocks went back through the day
    # start it already has: trust the instant the day began, so the day never goes backwards.
    if local_instant(local.date(), day_start, tz) <= now:
        return local.date()
    return local.date() - timedelta(days=1)


def parse_time_of_day(text: str) -> time:
    """``"21:00"`` → ``time(21, 0)``; anything else is an ``InvalidTime`` naming the form."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidTime(
            f"{shown(text)} is not a time of day; write it as HH:MM, for example 07:30."
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise InvalidTime(
            f"{shown(text.strip())} is not a time of day: hours go from 00 to 23 and minutes from "
            "00 to 59, for example 21:45."
        )
    return time(hour, minute)


def format_time_of_day(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def minutes_of(value: time) -> int:
    return value.hour * 60 + value.minute


def time_of_minutes(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:[:.]?(\d{2}))?$", re.IGNORECASE)
# No Etc/ zone exists for offsets that are not whole hours, so such an offset means the zone that
# uses it; where that zone keeps DST (St John's, Lord Howe, Chatham) it follows it.
_PART_HOUR_ZONES = {
    -570: "Pacific/Marquesas",
    -210: "America/St_Johns",
    210: "Asia/Tehran",
    270: "Asia/Kabul",
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    570: "Australia/Darwin",
    630: "Australia/Lord_Howe",
    765: "Pacific/Chatham",
}
_ZONE_HINT = "use an IANA name such as Europe/Moscow or America/New_York, or an offset such as +3"


def offset_zone(text: str) -> ZoneInfo | None:
    """The zone a typed UTC offset (``+3``, ``-05:00``, ``UTC+5:30``) stands for, else None.

    Whole hours become ``Etc/GMT-3`` and the like (POSIX signs are inverted: ``+3`` is
    ``Etc/GMT-3``), which never change for DST: a person who types an offset says what their
    clock reads now, and sharing a location or naming a city is the way to follow DST.
    """
    match = _OFFSET.match(text.strip())
    if match is None:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    total = (hours * 60 + minutes) * (-1 if sign == "-" else 1)
    if minutes < 60 and -12 * 60 <= total <= 14 * 60:
        if total == 0:
            return ZoneInfo("UTC")
        if minutes == 0:
            return ZoneInfo(f"Etc/GMT{'-' if total > 0 else '+'}{hours}")
        if total in _PART_HOUR_ZONES:
            return ZoneInfo(_PART_HOUR_ZONES[total])
    raise InvalidTimezone(f"{shown(text)} is not a UTC offset in use; {_ZONE_HINT}.")


# Files in a zone database that name no place: the machine's own zone (which moves with the
# data to another machine), the database's defaults and placeholder, and the same zones again
# under other rules.
_NOT_PLACES = frozenset({"localtime", "posixrules", "factory"})


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone by name or a UTC offset (see ``offset_zone``), or an ``InvalidTimezone``
    that says what a valid one looks like."""
    cleaned = name.strip() if isinstance(name, str) else ""
    offset = offset_zone(cleaned) if cleaned else None
    if offset is not None:
        return offset
    if (
        not cleaned
        or cleaned.startswith(("/", "."))
        or ".." in cleaned
        or len(cleaned) > 64
        or cleaned.casefold() in _NOT_PLACES
        or cleaned.casefold().startswith(("posix/", "right/"))
    ):
        raise InvalidTimezone(f"{shown(name)} is not a time zone; {_ZONE_HINT}.")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    # Accept a name typed in the wrong case ("europe/moscow") when it is unambiguous.
    folded = {zone.casefold(): zone for zone in available_timezones()}
    if cleaned.casefold() in folded:
        return ZoneInfo(folded[cleaned.casefold()])
    similar = zone_like(cleaned, folded)
    if similar is not None:
        raise InvalidTimezone(f"{shown(cleaned)} is not a time zone; did you mean {similar}?")
    raise InvalidTimezone(f"{shown(cleaned)} is not a time zone; {_ZONE_HINT}.")


def zone_like(typed: str, folded: dict[str, str]) -> str | None:
    """The zone a person probably meant: the one whose city is ``typed`` ("berlin" is
    Europe/Berlin, "new york" America/New_York), else the closest spelling of a whole name."""
    import difflib

    key = typed.casefold().replace(" ", "_")
    cities: dict[str, str] = {}
    for folded_name, zone in folded.items():
        if "/" in folded_name and not folded_name.startswith(("etc/", "posix", "right")):
            cities.setdefault(folded_name.rsplit("/", 1)[1], zone)
    if key in cities:
        return cities[key]
    close = difflib.get_close_matches(key, list(cities) + list(folded), n=1, cutoff=0.8)
    if not close:
        return None
    return cities.get(close[0]) or folded[close[0]]


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant at which the wall clock in ``tz`` first shows ``at`` on ``day``.

    A wall time that happens twice (the hour repeated when clocks go back) is its first
    occurrence. A wall time that does not exist (skipped when clocks go forward) is the first
    instant after the gap, i.e. the moment the clocks jump.
    """
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == wall:
        second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
        return min(first, second) if _wall(second, tz) == wall else first
    # In a gap: find the first instant whose wall time is at or after ``wall``.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _wall(middle, tz) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if _wall(high.replace(microsecond=0), tz) >= wall else high


def day_start_instant(day: date, tz: tzinfo, day_start: time) -> datetime:
    """The instant habit day ``day`` begins."""
    return local_instant(day, day_start, tz)


def day_end_instant(now: datetime, tz: tzinfo, day_start: time) -> datetime:
    """The instant the habit day holding ``now`` ends: the next day start."""
    return day_start_instant(habit_day(now, tz, day_start) + timedelta(days=1), tz, day_start)


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def parse_day(text: str, today: date, *, ahead: bool = False) -> date:
    """A day as people type it, relative to the habit day ``today``.

    ``2026-01-05`` (or ``2026-1-5``), ``today``, ``yesterday``, ``tomorrow``, ``-3`` (three days
    ago), ``+3`` (in three days) or a weekday name: the most recent one, today included, or with
    ``ahead`` (a pause's end) the next one. Whether a day ahead is allowed is the caller's rule.
    """
    word = text.strip().casefold() if isinstance(text, str) else ""
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if word in named:
        return today + timedelta(days=named[word])
    if re.fullmatch(r"[-+]\d{1,5}", word):
        days = int(word)
        if (today - FIRST_DAY).days < -days:
            raise InvalidDay(f"{shown(text)} reaches back before {FIRST_DAY.isoformat()}.")
        if (LAST_DAY - today).days < days:
            raise InvalidDay(f"{shown(text)} reaches past {LAST_DAY.isoformat()}.")
        return today + timedelta(days=days)
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", word):
        year, month, day = (int(part) for part in word.split("-"))
        try:
            return date(year, month, day)
        except ValueError:
            pass
    else:
        try:
            weekday = parse_weekday(word)
        except InvalidWeekday:
            pass
        else:
            if ahead:
                return today + timedelta(days=(weekday - today.weekday()) % 7)
            return today - timedelta(days=(today.weekday() - weekday) % 7)
    raise InvalidDay(
        f"{shown(text)} is not a day; write YYYY-MM-DD, today, yesterday, -3 (three days ago), "
        "+3 (in three days) or a weekday such as mon."
    )


FIRST_DAY = date(1900, 1, 1)  # habits and check-ins start no earlier
LAST_DAY = date(9000, 12, 31)  # nor later: days around them must still be dates


def check_day(day: date, what: str = "A day") -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidDay(
            f"{what} must lie between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}; "
            f"got {day.isoformat()}."
        )
    return day


def recordable_day(day: date | None, today: date) -> date:
    """The day a check-in goes on: ``today`` by default, any past day, never a day ahead."""
    chosen = check_day(day or today)
    if chosen > today:
        raise InvalidDay(
            f"{chosen.isoformat()} has not come yet (today is {today.isoformat()}); "
            "only today and past days can be checked."
        )
    return chosen


def parse_weekday(text: str) -> int:
    """``"mon"``/``"Monday"`` → 0 … ``"sun"`` → 6."""
    word = text.strip().casefold()
    for index, (short, full) in enumerate(zip(WEEKDAY_NAMES, WEEKDAY_WORDS, strict=True)):
        if word in (short, full) or (len(word) >= 3 and full.startswith(word)):
            return index
    raise InvalidWeekday(
        f"{shown(text.strip())} is not a weekday; use mon, tue, wed, thu, fri, sat or sun."
    )
