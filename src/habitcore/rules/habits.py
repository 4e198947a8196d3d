"""The plain records rules work on: what a habit asks for, its check-ins and its pauses.

These are frozen dataclasses, not database rows, so every rule can be called (and property
tested) without a store.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from habitcore.errors import (
    AmbiguousHabit,
    HabitNotFound,
    InvalidAmount,
    InvalidName,
    InvalidPause,
    InvalidSetting,
    shown,
)
from habitcore.rules.days import LAST_DAY
from habitcore.rules.schedule import Schedule

MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_UNIT = 20
MAX_NOTE = 2000
MAX_AMOUNT = 1e9
OPEN_END = LAST_DAY  # the end of a pause that lasts until it is resumed


class Status(enum.StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


class Kind(enum.StrEnum):
    YES_NO = "yes_no"
    MEASURABLE = "measurable"


@dataclass(frozen=True)
class CheckIn:
    day: date
    status: Status
    amount: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Pause:
    """Nothing is due from ``start`` to ``end``, both included.

    A pause until further notice (until resumed) ends on ``OPEN_END``, the last day habitcore
    keeps, so every rule reads it as any other pause.
    """

    start: date
    end: date

    @property
    def open(self) -> bool:
        return self.end >= OPEN_END

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPause(f"A pause cannot end ({self.end}) before it starts ({self.start}).")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Goal:
    """What a habit asks for: its schedule and, for a measurable habit, the target amount.

    ``target`` is the amount per due day for day schedules, per time for ``N/week`` and
    ``N/month`` (the period asks for N × target, however it is split over the days) and for
    rolling windows likewise. ``at_most`` turns the target into a ceiling.
    """

    schedule: Schedule
    start: date
    target: float | None = None
    unit: str | None = None
    at_most: bool = False

    @property
    def kind(self) -> Kind:
        return Kind.YES_NO if self.target is None else Kind.MEASURABLE


@dataclass(frozen=True)
class History:
    """Everything recorded for one habit: check-ins by day, and the pauses that apply to it."""

    checkins: Mapping[date, CheckIn] = field(default_factory=dict)
    pauses: tuple[Pause, ...] = ()

    @classmethod
    def of(cls, checkins: Iterable[CheckIn], pauses: Iterable[Pause] = ()) -> History:
        return cls({c.day: c for c in checkins}, tuple(sorted(pauses, key=lambda p: p.start)))

    def paused(self, day: date) -> bool:
        return any(p.covers(day) for p in self.pauses)


# Format characters that change how text reads without showing themselves: bidi overrides
# (U+202E turns "gnidaer" into "reading"), zero-width spaces and joiners used to make look-alike
# names, byte order marks. Joiners are kept where scripts and emoji need them: ZWNJ and ZWJ
# (U+200C, U+200D: Persian, Indic scripts, 👨‍👩‍👧) and the emoji tag characters of flags.
_KEPT_FORMAT = {"\u200c", "\u200d"}


def _hidden(ch: str, *, multiline: bool) -> bool:
    """Whether ``ch`` is a character no text field may hold."""
    category = unicodedata.category(ch)
    if category == "Cc":  # C0/C1 controls: ESC retitles a terminal, NUL breaks PostgreSQL
        return not (multiline and ch in "\n\t")
    if category == "Cf":
        return ch not in _KEPT_FORMAT and not "\U000e0020" <= ch <= "\U000e007f"
    if category == "Cs":  # a lone surrogate cannot be stored as UTF-8 at all
        return True
    return category in ("Zl", "Zp") and not multiline


def clean_text(
    text: object, what: str, limit: int, *, multiline: bool = False, collapse: bool = False
) -> str | None:
    """Normalise a text field (NFC, trimmed) or refuse it with a sentence; None when empty.

    Every text a person or a file can put into habitcore passes here, so all fields refuse
    alike: control characters, invisible format characters and lone surrogates, which would
    retitle a terminal, make two names look the same, or fail on PostgreSQL but not SQLite.
    """
    if not isinstance(text, str):
        raise InvalidName(f"{what} must be text.")
    if any(_hidden(ch, multiline=multiline) for ch in text):
        raise InvalidName(
            f"{what} cannot contain control characters or invisible formatting characters."
        )
    cleaned = unicodedata.normalize("NFC", text)
    if collapse:
        cleaned = " ".join(cleaned.split())
    elif multiline:
        cleaned = "\n".join(line.rstrip() for line in cleaned.strip().splitlines())
    else:
        cleaned = cleaned.strip()
    if len(cleaned) > limit:
        raise InvalidName(f"{what} can be at most {limit} characters; this one has {len(cleaned)}.")
    return cleaned or None


def strip_hidden(text: str, *, multiline: bool = False) -> str:
    """``text`` without the characters ``clean_text`` refuses: for files of other apps, whose
    stray control characters should not keep a whole history out."""
    return "".join(ch for ch in text if not _hidden(ch, multiline=multiline))


def clean_name(name: object) -> str:
    """Trim and normalise a habit name (inner whitespace collapsed), or refuse it."""
    cleaned = clean_text(name, "A habit name", MAX_NAME, collapse=True)
    if cleaned is None:
        raise InvalidName(f"A habit needs a name of 1 to {MAX_NAME} characters.")
    return cleaned


def name_key(name: str) -> str:
    """The form names are compared in: case-insensitive, for any script."""
    return unicodedata.normalize("NFC", name).casefold()


_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


def clean_language(code: object) -> str:
    """A language code as BCP 47 writes one (``en``, ``ru``, ``pt-br``), in lower case.

    Any such code is kept, since a frontend falls back to a language it has; a word that is not
    a code (``klingon``) is refused rather than stored as a preference nothing can honour.
    """
    cleaned = str(code or "").strip().lower().replace("_", "-")
    if len(cleaned) > 16 or not _LANGUAGE.fullmatch(cleaned):
        raise InvalidSetting(
            f"{shown(code)} is not a language code; use a two-letter one such as en or ru."
        )
    return cleaned


def clean_description(text: object) -> str | None:
    if text is None:
        return None
    return clean_text(text, "A description", MAX_DESCRIPTION, multiline=True)


def clean_note(text: object) -> str | None:
    """A check-in's note: free text over several lines; empty means no note."""
    if text is None:
        return None
    return clean_text(text, "A note", MAX_NOTE, multiline=True)


def clean_amount(amount: float | None, *, what: str = "An amount") -> float | None:
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise InvalidAmount(f"{what} must be a number, such as 12 or 2.5.")
    try:
        value = float(amount)
    except OverflowError:
        raise InvalidAmount(f"{what} must be a number from 0 to {MAX_AMOUNT:,.0f}.") from None
    if not math.isfinite(value) or value < 0 or value > MAX_AMOUNT:
        raise InvalidAmount(f"{what} must be a number from 0 to {MAX_AMOUNT:,.0f}; got {amount}.")
    return value


def format_amount(value: float) -> str:
    """An amount as a person reads it: ``12``, ``2.5``, ``1,000,000,000`` (never ``1e+09``),
    with at most six decimals."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def clean_target(target: float | None, unit: object) -> tuple[float | None, str | None]:
    if target is None:
        if unit:
            raise InvalidAmount("A unit only makes sense with a target, such as 20 pages.")
        return None, None
    value = clean_amount(target, what="A target")
    if not value:
        raise InvalidAmount("A target must be more than 0, such as 20 (pages).")
    if unit is not None and not isinstance(unit, str):
        raise InvalidAmount("A unit must be text, such as 'pages'.")
    try:
        unit_text = clean_text(unit or "", "A unit", MAX_UNIT, collapse=True)
    except InvalidName as exc:
        raise InvalidAmount(f"{exc} Use a short word such as 'pages'.") from None
    return value, unit_text


def match_name(names: Sequence[str], text: str, *, exact: bool = False) -> int:
    """Which of ``names`` ``text`` means: the same name in any case, else (unless ``exact``) the
    one name it begins. Returns its index; the first of equal names wins.

    A miss names the closest habit: the one it begins (so an exact-only lookup can say why it
    refused) or, failing that, a name that looks alike (a typo).
    """
    import difflib

    key = name_key(clean_name(text))
    keys = [name_key(n) for n in names]
    if key in keys:
        return keys.index(key)
    starting = [i for i, k in enumerate(keys) if k.startswith(key)]
    typed = text.strip()
    if exact and starting:
        only = names[starting[0]] if len(starting) == 1 else None
        raise HabitNotFound(typed, similar=only, exact=only is not None)
    if len(starting) == 1:
        return starting[0]
    if starting:
        raise AmbiguousHabit(typed, [names[i] for i in starting])
    alike = difflib.get_close_matches(key, keys, n=1, cutoff=0.75)
    raise HabitNotFound(typed, similar=names[keys.index(alike[0])] if alike else None)
