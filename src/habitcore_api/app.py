"""The ASGI application that ``habit-api`` serves (see ``command``).

``create_app`` opens the store once per process (upgrading its schema as every frontend does)
and shares it across requests; each request gets its own ``Tracker`` for the token's owner.
"""

from __future__ import annotations

import math
import os

from fastapi import FastAPI

import habitcore
from habitcore import Clock, HabitcoreError, Store, SystemClock, database_url
from habitcore_api import problems
from habitcore_api.access import Access
from habitcore_api.limits import MAX_BODY, MAX_IMPORT, BodyLimit, Buckets, Rate
from habitcore_api.routes import account, checkins, habits, pauses

MAX_RATE = 1_000_000  # requests a minute: beyond any client, and a burst that fits an int
DESCRIPTION = """\
habitcore over HTTP: check in, read today's checklist and statistics, manage habits, pauses and
settings, and move history in and out, for the one person a token belongs to.

Every `/v1` request needs `Authorization: Bearer TOKEN` (`habit token create` prints one). Every
refusal is `{"detail": "<a sentence>"}`, the same sentence the `habit` command prints.
"""


def create_app(
    store: Store | str | None = None,
    *,
    clock: Clock | None = None,
    rate: Rate | None = None,
    max_body: int = MAX_BODY,
    max_import: int = MAX_IMPORT,
) -> FastAPI:
    """The application over ``store`` (a ``Store`` or a URL; default: as the CLI chooses)."""
    opened = store if isinstance(store, Store) else Store(store or database_url())
    app = FastAPI(
        title="habitcore",
        version=habitcore.__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "habits", "description": "A habit is addressed by its `id`."},
            {"name": "check-ins", "description": "Done, skipped, taken back."},
        ],
    )
    app.state.access = Access(opened, clock or SystemClock(), Buckets(rate or rate_from_env()))
    problems.install(app)
    for module in (habits, checkins, pauses, account):
        app.include_router(module.router)
    app.include_router(account.health)
    app.add_middleware(BodyLimit, body=max_body, upload=max_import)
    return app


def serve() -> FastAPI:
    """What each uvicorn worker builds (``habitcore_api.app:serve``, a factory)."""
    return create_app()


def rate_from_env() -> Rate:
    """``HABITCORE_API_RATE``: requests a minute per token (0: no limit); default 120."""
    raw = os.environ.get("HABITCORE_API_RATE", "").strip()
    if not raw:
        return Rate()
    try:
        per_minute = float(raw)
    except ValueError:
        per_minute = math.nan
    if not math.isfinite(per_minute) or not 0 <= per_minute <= MAX_RATE:
        raise HabitcoreError(
            f"HABITCORE_API_RATE must be a number of requests a minute from 0 (no limit) to "
            f"{MAX_RATE:,}, such as 120; got {raw[:40]!r}."
        )
    return Rate(per_minute=per_minute, burst=max(1, int(per_minute / 2)))
