"""Path and query parameters the routes share, and turning a typed day into a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query

from habitcore import HabitStatus, Tracker
from habitcore.rules.days import parse_day

MAX_ID = 2**31 - 1  # ids are 32-bit integers on every backend

HabitId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The habit's id, as every habit object carries.")
]
PauseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The pause's id.")]
All = Annotated[bool, Query(alias="all", description="Archived habits too.")]


def day_of(tracker: Tracker, text: str | None, *, ahead: bool = False) -> date:
    """The day a client typed, read as the CLI reads it, relative to the person's habit day."""
    today = tracker.today()
    return today if text is None else parse_day(text, today, ahead=ahead)


def status_of(tracker: Tracker, habit_id: int) -> HabitStatus:
    [status] = tracker.habits(only=habit_id)
    return status
