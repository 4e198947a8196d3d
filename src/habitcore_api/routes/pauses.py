"""Pauses: a habit (or, with no habit, every habit) held still, so nothing is due and streaks
and score stay frozen; listed, made, resumed and removed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from habitcore import Tracker, shapes
from habitcore.shapes import PauseShape
from habitcore_api.access import Person
from habitcore_api.bodies import NewPause, Resume, Resumed
from habitcore_api.problems import responses
from habitcore_api.routes.params import MAX_ID, PauseId, day_of
from habitcore_api.routing import Router

router = Router(prefix="/v1", tags=["pauses"], responses=responses(401, 404, 413, 422, 429, 503))
HabitFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only the pauses holding this habit.")
]


@router.get("/pauses", summary="List pauses")
def list_pauses(tracker: Person, habit_id: HabitFilter = None) -> list[PauseShape]:
    """Past, current and planned pauses, earliest first (`habit pauses --json`)."""
    return _listed(tracker, habit_id)


@router.post("/pauses", status_code=201, summary="Pause", responses=responses(409))
def make_pause(tracker: Person, body: NewPause) -> PauseShape:
    """Pause a habit, or every habit when `habit_id` is null, from `start` (default today) to
    `end` (default: until resumed)."""
    first = day_of(tracker, body.start)
    last = day_of(tracker, body.end, ahead=True) if body.end is not None else None
    tracker.pause(body.habit_id, start=first, end=last)
    made = [
        p
        for p in tracker.pause_list(body.habit_id)
        if p.habit_id == body.habit_id and p.start == first and p.end == last
    ]
    return shapes.pause(max(made, key=lambda p: p.id), tracker.today())


@router.delete("/pauses/{pause_id}", summary="Remove a pause")
def remove_pause(tracker: Person, pause_id: PauseId) -> PauseShape:
    """Remove a pause, past or planned, as if it had never been; answers with what it was."""
    return shapes.pause(tracker.unpause(pause_id), tracker.today())


@router.post("/resume", summary="Resume", responses=responses(409))
def resume(tracker: Person, body: Resume | None = None) -> Resumed:
    """End the pauses holding today (of one habit, or the vacations): each now ends yesterday.
    Planned pauses are kept unless `planned` is true."""
    body = body or Resume()
    done = tracker.resume(body.habit_id, planned=body.planned)
    today = done.day
    return Resumed(
        ended=[shapes.pause(p, today) for p in done.ended],
        cancelled=[shapes.pause(p, today) for p in done.cancelled],
        kept=[shapes.pause(p, today) for p in done.kept],
    )


def _listed(tracker: Tracker, habit_id: int | None) -> list[PauseShape]:
    today = tracker.today()
    return [shapes.pause(p, today) for p in tracker.pause_list(habit_id)]
