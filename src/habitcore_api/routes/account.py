"""The person's own settings, their whole history out (export) and in (import), and the
health check a load balancer asks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from habitcore import HabitcoreError, InvalidSetting, shapes
from habitcore.exchange import Format, Source, read
from habitcore.rules.days import parse_time_of_day, parse_timezone, parse_weekday
from habitcore.rules.habits import clean_language
from habitcore.shapes import ImportShape, SettingsShape
from habitcore_api.access import Person, access_of
from habitcore_api.bodies import Health, SettingsChange
from habitcore_api.limits import MAX_IMPORT, size_text
from habitcore_api.problems import UNAVAILABLE, Problem, responses
from habitcore_api.routing import Router

router = Router(prefix="/v1", responses=responses(401, 413, 422, 429, 503))
health = Router(tags=["service"])
CHECKS = {  # each setting's check, all run before any is stored, so a bad one changes nothing
    "timezone": parse_timezone,
    "day_start": parse_time_of_day,
    "week_start": parse_weekday,
    "language": clean_language,
}


@router.get("/settings", tags=["settings"], summary="Read settings")
def read_settings(tracker: Person) -> SettingsShape:
    return shapes.settings(tracker.settings())


@router.patch("/settings", tags=["settings"], summary="Change settings")
def change_settings(tracker: Person, body: SettingsChange) -> SettingsShape:
    """Change the settings sent, all or none: a time zone, when the day starts, the first day
    of the week, the language."""
    wanted = {k: v for k, v in body.model_dump().items() if v is not None}
    if not wanted:
        raise InvalidSetting("Nothing to change: send timezone, day-start, week-start or language.")
    for key, value in wanted.items():
        CHECKS[key](value)
    for key, value in wanted.items():
        getattr(tracker, f"set_{key}")(value)
    return shapes.settings(tracker.settings())


@router.get("/export", tags=["history"], summary="Export everything")
def export(tracker: Person) -> dict[str, Any]:
    """Every habit, check-in, pause and setting as habitcore's JSON (`habit export --format
    json`), which `POST /v1/import` and `habit import` read back."""
    return tracker.export()


@router.post(
    "/import",
    tags=["history"],
    summary="Import a history file",
    responses=responses(409),
    description=(
        "Upload a habitcore JSON or CSV export, a Loop Habit Tracker backup (.db) or CSV export "
        "(.zip), or harsh's habits and log files zipped together, as the multipart field `file` "
        f"(at most {size_text(MAX_IMPORT)}). The format is told from the content unless "
        "`format` names it. All of it is imported or none; `dry_run` says what would change."
    ),
)
def import_history(
    tracker: Person,
    file: Annotated[UploadFile, File(description="The history file.")],
    dry_run: Annotated[bool, Query(description="Change nothing; say what would.")] = False,
    format: Annotated[Format | None, Query(description="Insist on a format.")] = None,
) -> ImportShape:
    data = file.file.read()
    document = read(Source.of_bytes(file.filename or "the upload", data), format)
    summary = tracker.import_document(document, dry_run=dry_run)
    return shapes.imported(summary, dry_run=dry_run)


@health.get(
    "/healthz",
    summary="Health",
    response_model=Health,
    responses={503: {"model": Problem, "description": "The database is not answering."}},
)
def healthz(request: Request) -> Any:
    """Whether this process can reach its database: for load balancers; needs no token."""
    store = access_of(request).store
    try:
        store.ping()
    except HabitcoreError:
        return JSONResponse({"detail": UNAVAILABLE}, status_code=503, headers={"Retry-After": "5"})
    return Health(status="ok", database=store.dialect)
