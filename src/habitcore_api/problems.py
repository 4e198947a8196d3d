"""Every refusal as ``{"detail": "<a sentence>"}``, with the status a client can act on.

The sentence is the library's own, the one the CLI prints, so a client can show it as it is.
The status comes from the error's class alone. Nothing a client sends may end in a 500: a bug
is logged here and answered with a plain sentence that gives nothing of the server away.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from habitcore import (
    AmbiguousHabit,
    DuplicateHabit,
    HabitArchived,
    HabitcoreError,
    HabitNotArchived,
    HabitNotFound,
    PauseNotFound,
    ReminderNotFound,
    StoreError,
)

log = logging.getLogger("habitcore_api")

# The first class an error is an instance of decides; order the subclasses first.
STATUS_OF: tuple[tuple[type[HabitcoreError], int], ...] = (
    (HabitNotArchived, 409),
    (HabitNotFound, 404),
    (PauseNotFound, 404),
    (ReminderNotFound, 404),
    (DuplicateHabit, 409),
    (HabitArchived, 409),
    (AmbiguousHabit, 422),
    (StoreError, 503),
    (HabitcoreError, 422),
)
UNAVAILABLE = "The database is not answering right now; try again in a moment."


class Problem(BaseModel):
    """Why a request was refused, as a sentence to show a person."""

    detail: str


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries for the refusals a route can give, all shaped as ``Problem``."""
    said = {
        401: "No token, or a wrong or revoked one.",
        404: "No such habit or pause for this token's owner.",
        409: "It clashes with what is stored (a duplicate name, an archived habit).",
        413: "The request body is too large.",
        422: "The request is not valid; the detail says what to change.",
        429: "Too many requests for this token; Retry-After says when to try again.",
        503: "The database is not answering.",
    }
    return {code: {"model": Problem, "description": said[code]} for code in codes}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def status_of(error: HabitcoreError) -> int:
    return next(code for kind, code in STATUS_OF if isinstance(error, kind))


def install(app: FastAPI) -> None:
    """Answer every error the application can meet with a ``Problem``."""

    @app.exception_handler(HabitcoreError)
    async def domain(request: Request, exc: HabitcoreError) -> JSONResponse:
        status = status_of(exc)
        if status == 503:
            log.warning("database unavailable: %s", exc)
            return problem(503, UNAVAILABLE, {"Retry-After": "5"})
        return problem(status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, validation_sentence(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        return problem(exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "Something went wrong on the server; nothing was changed.")


def validation_sentence(errors: Any) -> str:
    """FastAPI's list of validation errors as one sentence naming each field at fault."""
    parts = []
    for error in list(errors)[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    text = "; ".join(parts) or "The request is not valid"
    return text if text.endswith(".") else text + "."
