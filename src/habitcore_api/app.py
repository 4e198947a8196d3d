"""The ASGI application, and ``habit-api``, which serves it with uvicorn.

``create_app`` opens the store once per process (upgrading its schema as every frontend does)
and shares it across requests; each request gets its own ``Tracker`` for the token's owner.
``habit-api`` checks the database before it starts any worker, so a wrong URL is one sentence
at the terminal rather than a worker crash loop.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from fastapi import FastAPI

import habitcore
from habitcore import Clock, HabitcoreError, Store, SystemClock, database_url
from habitcore_api import problems
from habitcore_api.access import Access
from habitcore_api.limits import MAX_BODY, MAX_IMPORT, BodyLimit, Buckets, Rate
from habitcore_api.routes import account, checkins, habits, pauses

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
        raise HabitcoreError(
            f"HABITCORE_API_RATE must be a number of requests a minute, such as 120; got {raw!r}."
        ) from None
    return Rate(per_minute=per_minute, burst=max(1, int(per_minute / 2)))


cli = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@cli.command()
def run(
    host: Annotated[
        str, typer.Option(envvar="HABITCORE_API_HOST", help="The address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="HABITCORE_API_PORT", min=1, max=65535, help="The port.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(envvar="HABITCORE_API_WORKERS", min=1, max=64, help="Worker processes."),
    ] = 1,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="HABITCORE_DATABASE_URL",
            help="A SQLAlchemy URL or a SQLite file. Default: the CLI's database.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve habitcore's HTTP API (docs at /docs, the contract at /openapi.json)."""
    import uvicorn

    url = database_url(db)
    try:
        habitcore.check_database(
            url, new_folder=not (db or os.environ.get("HABITCORE_DATABASE_URL"))
        )
        Store(url).close()  # creates or upgrades the schema once, before any worker starts
        rate_from_env()
    except HabitcoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    os.environ["HABITCORE_DATABASE_URL"] = url  # what every worker process opens
    typer.echo(
        f"habit-api on http://{host}:{port} ({workers} worker{'s' * (workers > 1)})", err=True
    )
    uvicorn.run(
        "habitcore_api.app:serve",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,
    )


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
