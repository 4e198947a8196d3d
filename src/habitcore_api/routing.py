"""Routes written as plain functions, each run and answered in one hand-off to the thread pool.

FastAPI runs a plain ``def`` route in the thread pool, hands the answer to the pool once more
to check it against the response model, then turns it into JSON through generic Python objects;
a plain ``def`` dependency is a third hand-off. On a busy two-core machine each hand-off costs
about half a millisecond, and the generic JSON several for a checklist of 100 habits.
``Router`` wraps every plain route in a coroutine that makes the one hand-off itself: there the
``Caller`` the token proved is opened into the person's ``Tracker``, the route runs, and its
answer, already the declared shape (mypy holds the routes to their annotations), is written as
JSON by pydantic directly. The contract still comes from each route's own annotation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, get_type_hints

from fastapi import APIRouter
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from habitcore_api.access import Caller


def one_hop(
    route: Callable[..., Any], *, status_code: int | None = None, shape: Any = None
) -> Callable[..., Any]:
    """``route`` as a coroutine that opens its ``Caller``, runs it and writes its JSON answer
    in one thread hand-off; FastAPI reads the parameters from ``route`` (``__wrapped__``)."""
    declared = shape if shape is not None else get_type_hints(route).get("return", Any)
    writer = None if declared in (Any, Response) else TypeAdapter(declared)

    def answered(arguments: dict[str, Any]) -> Any:
        result = route(
            **{k: v.open() if isinstance(v, Caller) else v for k, v in arguments.items()}
        )
        if writer is None or isinstance(result, Response):
            return result
        return Response(
            writer.dump_json(result, by_alias=True),
            status_code=status_code or 200,
            media_type="application/json",
        )

    @functools.wraps(route)
    async def handler(**arguments: Any) -> Any:
        return await run_in_threadpool(answered, arguments)

    return handler


class Router(APIRouter):
    """An ``APIRouter`` that gives each plain ``def`` route a single thread hand-off."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            model = kwargs.get("response_model")
            endpoint = one_hop(
                endpoint,
                status_code=kwargs.get("status_code"),
                shape=None if isinstance(model, DefaultPlaceholder) else model,
            )
        super().add_api_route(path, endpoint, **kwargs)
