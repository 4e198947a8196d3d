"""Habits: listed, created, read, changed, archived and deleted, each addressed by its id."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from habitcore import InvalidSetting, shapes
from habitcore.shapes import DetailShape, HabitShape, StatsShape
from habitcore_api.access import Person
from habitcore_api.bodies import HabitChange, NewHabit
from habitcore_api.problems import responses
from habitcore_api.routes.params import All, HabitId, status_of
from habitcore_api.routing import Router

router = Router(prefix="/v1", tags=["habits"], responses=responses(401, 413, 422, 429, 503))
ONE = responses(404, 409)
CLEARABLE = {"target", "unit", "description"}  # null means "clear it", not "leave it"


@router.get("/habits", summary="List habits")
def list_habits(tracker: Person, all_habits: All = False) -> list[HabitShape]:
    """Active habits in the person's order (with `all=true`, archived ones too), each where it
    stands today: the same objects as `habit list --json`."""
    return [shapes.habit(s) for s in tracker.habits(archived=all_habits)]


@router.post("/habits", status_code=201, summary="Create a habit", responses=responses(409))
def create_habit(tracker: Person, body: NewHabit) -> HabitShape:
    made = tracker.add_habit(
        body.name,
        body.schedule,
        target=body.target,
        unit=body.unit,
        at_most=body.at_most,
        reminders=body.reminders,
        start=body.start,
        description=body.description,
    )
    return shapes.habit(status_of(tracker, made.id))


@router.get("/habits/{habit_id}", summary="Read a habit", responses=ONE)
def read_habit(tracker: Person, habit_id: HabitId) -> DetailShape:
    """One habit with its streaks, completion and every check-in (`habit show --json`)."""
    return shapes.detail(status_of(tracker, habit_id), tracker.checkins(habit_id))


@router.patch("/habits/{habit_id}", summary="Change a habit", responses=ONE)
def change_habit(tracker: Person, habit_id: HabitId, body: HabitChange) -> HabitShape:
    """Change the fields sent and leave the rest; `"target": null` makes it yes/no again."""
    sent = body.model_dump(include=body.model_fields_set)
    changes: dict[str, Any] = {k: v for k, v in sent.items() if v is not None or k in CLEARABLE}
    if not changes:
        raise InvalidSetting(
            "Nothing to change: send at least one of name, schedule, target, unit, at_most, "
            "reminders, start or description."
        )
    if "name" in changes:
        changes["new_name"] = changes.pop("name")
    tracker.edit_habit(habit_id, **changes)
    return shapes.habit(status_of(tracker, habit_id))


@router.post("/habits/{habit_id}/archive", summary="Archive a habit", responses=ONE)
def archive_habit(tracker: Person, habit_id: HabitId) -> HabitShape:
    """Keep its history, take no more check-ins, send no more reminders."""
    tracker.archive(habit_id)
    return shapes.habit(status_of(tracker, habit_id))


@router.post("/habits/{habit_id}/unarchive", summary="Bring a habit back", responses=ONE)
def unarchive_habit(tracker: Person, habit_id: HabitId) -> HabitShape:
    tracker.unarchive(habit_id)
    return shapes.habit(status_of(tracker, habit_id))


@router.delete(
    "/habits/{habit_id}", status_code=204, summary="Delete a habit", responses=responses(404)
)
def delete_habit(tracker: Person, habit_id: HabitId) -> Response:
    """Delete the habit with every check-in, reminder and pause it has, for good."""
    tracker.delete_habit(habit_id)
    return Response(status_code=204)


@router.get("/habits/{habit_id}/stats", summary="A habit's statistics", responses=ONE)
def habit_stats(tracker: Person, habit_id: HabitId) -> StatsShape:
    return shapes.stats(status_of(tracker, habit_id))


@router.get("/stats", summary="Every habit's statistics")
def all_stats(tracker: Person, all_habits: All = False) -> list[StatsShape]:
    """Streaks, score and completion over 7, 30 and 365 days (`habit stats --json`)."""
    return [shapes.stats(s) for s in tracker.habits(archived=all_habits)]


@router.get("/today", summary="Today's checklist")
def today(tracker: Person) -> list[HabitShape]:
    """Active habits on the person's current habit day, the due ones first (`habit list --json`)."""
    return [shapes.habit(s) for s in shapes.checklist_order(tracker.habits())]
