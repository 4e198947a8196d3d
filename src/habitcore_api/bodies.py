"""What a client sends, and the answers that only HTTP gives (the rest are ``habitcore.shapes``).

Fields are typed loosely where the library has the better sentence: a name of 10,000
characters, a schedule of "sometimes" or an amount of -1 reach ``Tracker``, which refuses them
in the words the CLI prints. The body cap (``limits.MAX_BODY``) bounds what can arrive at all.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from habitcore.shapes import CheckInShape, HabitShape, PauseShape

DAY_HELP = (
    "The habit day: YYYY-MM-DD, or as the CLI takes it (today, yesterday, -3, a weekday); "
    "default today. A day ahead is refused."
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class NewHabit(Body):
    name: str = Field(examples=["Read"])
    schedule: str = Field("daily", examples=["daily", "3/week", "mon,wed,fri"])
    target: float | None = Field(None, description="Makes the habit measurable (20 pages).")
    unit: str | None = None
    at_most: bool = Field(False, description="The target is a ceiling (at most 2 coffees).")
    reminders: list[str] = Field(default_factory=list, examples=[["21:00"]])
    start: date | None = Field(None, description="The first day it counts; default today.")
    description: str | None = None


class HabitChange(Body):
    """Only the fields sent change; ``null`` clears target, unit or description."""

    name: str | None = None
    schedule: str | None = None
    target: float | None = None
    unit: str | None = None
    at_most: bool | None = None
    reminders: list[str] | None = None
    start: date | None = None
    description: str | None = None


class Done(Body):
    day: str | None = Field(None, description=DAY_HELP)
    amount: float | None = Field(None, description="For a measurable habit; default its target.")
    add: bool = Field(False, description="Add the amount to what the day holds.")
    note: str | None = None


class Skip(Body):
    day: str | None = Field(None, description=DAY_HELP)
    note: str | None = None


class Undo(Body):
    day: str | None = Field(None, description=DAY_HELP)


class Note(Body):
    day: str | None = Field(None, description=DAY_HELP)
    note: str | None = Field(description="The day's note; null or empty removes it.")


class NewPause(Body):
    habit_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="The habit to pause; null pauses every habit."
    )
    start: str | None = Field(None, description="The first paused day; default today.")
    end: str | None = Field(
        None, description="The last paused day (a day ahead is fine); null: until resumed."
    )


class Resume(Body):
    habit_id: int | None = Field(None, ge=1, le=2**31 - 1)
    planned: bool = Field(False, description="Cancel planned pauses too.")


class SettingsChange(Body):
    timezone: str | None = Field(None, examples=["Europe/Berlin"])
    day_start: str | None = Field(None, alias="day-start", examples=["04:00"])
    week_start: str | None = Field(None, alias="week-start", examples=["monday"])
    language: str | None = Field(None, examples=["en"])


class Recorded(BaseModel):
    """A day recorded, and where the habit stands now."""

    checkin: CheckInShape
    habit: HabitShape


class Undone(BaseModel):
    removed: bool = Field(description="False when the day had nothing recorded.")
    day: date
    habit: HabitShape


class Resumed(BaseModel):
    """Each pause as it was before the resume, so a client can say what changed; ``GET
    /v1/pauses`` lists them as they are now (an ended one ends yesterday, or is gone if it
    began today)."""

    ended: list[PauseShape] = Field(description="Pauses that held today, as they were.")
    cancelled: list[PauseShape] = Field(description="Planned pauses removed, as they were.")
    kept: list[PauseShape] = Field(description="Planned pauses left as they are.")


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    database: str = Field(examples=["sqlite", "postgresql"])
