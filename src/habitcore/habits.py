"""The plain records rules work on: what a habit asks for, its check-ins and its pauses.

These are frozen dataclasses, not database rows, so every rule can be called (and property
tested) without a store.
"""

from __future__ import annotations

import enum
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from habitcore.errors import InvalidAmount, InvalidName, InvalidPause
from habitcore.schedule import Schedule

MAX_NAME = 100
MAX_DESCRIPTION = 1000
MAX_UNIT = 20
MAX_AMOUNT = 1e9


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


@dataclass(frozen=True)
class Pause:
    """Nothing is due from ``start`` to ``end``, both included."""

    start: date
    end: date

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


def clean_name(name: object) -> str:
    """Trim and normalise a habit name, or refuse it with the limit stated."""
    if not isinstance(name, str):
        raise InvalidName("A habit name must be text.")
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise InvalidName("A habit needs a name of 1 to 100 characters.")
    if len(cleaned) > MAX_NAME:
        raise InvalidName(
            f"A habit name can be at most {MAX_NAME} characters; this one has {len(cleaned)}."
        )
    if any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise InvalidName("A habit name cannot contain control characters.")
    return cleaned


def name_key(name: str) -> str:
    """The form names are compared in: case-insensitive, for any script."""
    return unicodedata.normalize("NFC", name).casefold()


def clean_description(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = text.strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise InvalidName(
            f"A description can be at most {MAX_DESCRIPTION} characters; this one has "
            f"{len(cleaned)}."
        )
    return cleaned or None


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


def clean_target(target: float | None, unit: str | None) -> tuple[float | None, str | None]:
    if target is None:
        if unit:
            raise InvalidAmount("A unit only makes sense with a target, such as 20 pages.")
        return None, None
    value = clean_amount(target, what="A target")
    if not value:
        raise InvalidAmount("A target must be more than 0, such as 20 (pages).")
    unit_text = (unit or "").strip() or None
    if unit_text is not None and len(unit_text) > MAX_UNIT:
        raise InvalidAmount(f"A unit can be at most {MAX_UNIT} characters, such as 'pages'.")
    return value, unit_text
