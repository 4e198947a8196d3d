"""``habit-api``: check the database and the settings once, then serve the application with
uvicorn's worker processes.

The checks run before any worker starts, so a wrong URL or setting is one sentence at the
terminal rather than a crash loop of workers. This module imports neither FastAPI nor uvicorn
at the top, so that without the ``api`` extra the command can say which extra to install.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

import habitcore
from habitcore import HabitcoreError, Store, database_url
from habitcore.schema import refuse_older_schema

EXTRA_MISSING = "habit-api needs the API extra; install it with: pip install 'habitcore[api]'"

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

    from habitcore_api.app import rate_from_env

    url = database_url(db)
    try:
        habitcore.check_database(
            url, new_folder=not (db or os.environ.get("HABITCORE_DATABASE_URL"))
        )
        # On PostgreSQL an older schema is `habit db upgrade`'s to change (docs/deploy.md); an
        # empty one, or a SQLite file, is set up or upgraded once, before any worker starts.
        refuse_older_schema(url, "habit-api")
        Store(url).close()
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
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print(EXTRA_MISSING, file=sys.stderr)
        raise SystemExit(1) from None
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
