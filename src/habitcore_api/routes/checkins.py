"""Check-ins: a day done (with an amount and a note), skipped, or taken back."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from habitcore import shapes
from habitcore.shapes import CheckInShape
from habitcore_api.access import Person
from habitcore_api.bodies import Done, Note, Recorded, Skip, Undo, Undone
from habitcore_api.problems import responses
from habitcore_api.routes.params import HabitId, day_of, status_of
from habitcore_api.routing import Router

router = Router(
    prefix="/v1/habits/{habit_id}",
    tags=["check-ins"],
    responses=responses(401, 404, 409, 413, 422, 429, 503),
)


@router.post("/done", summary="Mark a day done")
def done(tracker: Person, habit_id: HabitId, body: Done | None = None) -> Recorded:
    """Today, or any past day as the CLI allows; an amount for a measurable habit (default its
    target; with `add`, added to the day's total), and a note."""
    body = body or Done()
    day = day_of(tracker, body.day)
    checkin = tracker.check(habit_id, day, amount=body.amount, add=body.add, note=body.note)
    return Recorded(
        checkin=shapes.checkin(checkin), habit=shapes.habit(status_of(tracker, habit_id))
    )


@router.post("/skip", summary="Skip a day")
def skip(tracker: Person, habit_id: HabitId, body: Skip | None = None) -> Recorded:
    """A skipped day neither breaks nor extends a streak."""
    body = body or Skip()
    checkin = tracker.skip(habit_id, day_of(tracker, body.day), note=body.note)
    return Recorded(
        checkin=shapes.checkin(checkin), habit=shapes.habit(status_of(tracker, habit_id))
    )


@router.post("/undo", summary="Take back a day's check-in")
def undo(tracker: Person, habit_id: HabitId, body: Undo | None = None) -> Undone:
    """Remove the day's check-in, done or skipped, with its note."""
    day = day_of(tracker, (body or Undo()).day)
    removed = tracker.uncheck(habit_id, day)
    return Undone(removed=removed, day=day, habit=shapes.habit(status_of(tracker, habit_id)))


@router.put("/note", summary="Write or remove a day's note")
def note(tracker: Person, habit_id: HabitId, body: Note) -> Recorded:
    """The note of a day already recorded (as `habit note`); `null` or `""` removes it."""
    checkin = tracker.set_note(habit_id, day_of(tracker, body.day), body.note)
    return Recorded(
        checkin=shapes.checkin(checkin), habit=shapes.habit(status_of(tracker, habit_id))
    )


@router.get("/checkins", summary="A habit's check-ins")
def checkins(
    tracker: Person,
    habit_id: HabitId,
    since: Annotated[date | None, Query(description="The first day wanted.")] = None,
) -> list[CheckInShape]:
    return [shapes.checkin(c) for c in tracker.checkins(habit_id, since)]
