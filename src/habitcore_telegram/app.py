"""The ``habit-telegram`` command: settings from flags, the environment or ``.env``, then run.

Without the ``telegram`` extra installed, it says what to install instead of a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

EXTRA_MISSING = (
    "habit-telegram needs the Telegram extra; install it with: pip install 'habitcore[telegram]'"
)

app = typer.Typer(
    name="habit-telegram",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command(
    help="Run the habitcore Telegram bot until SIGINT or SIGTERM: long polling, or with "
    "--webhook-url a webhook behind a TLS proxy.\n\n"
    "Settings come from the options, else the environment, else a .env file in the current "
    "folder (see .env.example)."
)
def run(
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="HABITCORE_TELEGRAM_TOKEN",
            show_envvar=True,
            show_default=False,
            help="The bot token from @BotFather (prefer the environment: flags show up in ps).",
        ),
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            envvar="HABITCORE_TELEGRAM_API_URL",
            show_envvar=True,
            help="The Bot API server; the bot calls {api-url}/bot{token}/{method}. "
            "[default: https://api.telegram.org]",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="HABITCORE_DATABASE_URL",
            show_envvar=True,
            help="Any SQLAlchemy URL. [default: the same SQLite file as the habit command]",
        ),
    ] = None,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            envvar="HABITCORE_LOG_LEVEL",
            show_envvar=True,
            help="DEBUG, INFO, WARNING or ERROR.",
        ),
    ] = "INFO",
    webhook_url: Annotated[
        str | None,
        typer.Option(
            "--webhook-url",
            envvar="HABITCORE_TELEGRAM_WEBHOOK_URL",
            show_envvar=True,
            show_default=False,
            help="Take updates by webhook at this public https address (the proxy in front "
            "forwards it to --listen:--port); without it the bot long-polls.",
        ),
    ] = None,
    secret_token: Annotated[
        str | None,
        typer.Option(
            "--secret-token",
            envvar="HABITCORE_TELEGRAM_SECRET_TOKEN",
            show_envvar=True,
            show_default=False,
            help="Required with --webhook-url: 1 to 256 of A-Z a-z 0-9 _ -; Telegram sends it "
            "with every update (prefer the environment: flags show up in ps).",
        ),
    ] = None,
    listen: Annotated[
        str | None,
        typer.Option(
            "--listen",
            envvar="HABITCORE_TELEGRAM_LISTEN",
            show_envvar=True,
            help="The address the webhook listener binds (plain HTTP). [default: 127.0.0.1]",
        ),
    ] = None,
    port: Annotated[
        str | None,
        typer.Option(
            "--port",
            envvar="HABITCORE_TELEGRAM_PORT",
            show_envvar=True,
            help="The webhook listener's port, 1 to 65535. [default: 8443]",
        ),
    ] = None,
    workers: Annotated[
        str | None,
        typer.Option(
            "--workers",
            envvar="HABITCORE_TELEGRAM_WORKERS",
            show_envvar=True,
            help="Updates handled at once, 1 to 64 (one chat's always in order). [default: 8]",
        ),
    ] = None,
) -> None:
    from habitcore import HabitcoreError, default_url
    from habitcore.schema import refuse_older_schema
    from habitcore_telegram import logs
    from habitcore_telegram.service import StartError, serve
    from habitcore_telegram.settings import SettingsError, check

    try:
        settings = check(
            token,
            api_url,
            database_url,
            log_level,
            webhook_url=webhook_url,
            secret_token=secret_token,
            listen=listen,
            port=port,
            workers=workers,
        )
    except SettingsError as error:
        # Settings errors never quote a value; redact anyway, the token may sit in any of them.
        said = logs.redact(str(error), logs.token_secrets(token.strip())) if token else str(error)
        typer.echo(f"Error: {said}", err=True)
        raise typer.Exit(2) from None
    logs.configure(settings.log_level, settings.token)
    if settings.webhook is not None:
        from habitcore_telegram.webhook import hide_secret

        hide_secret(settings.webhook.secret_token, everywhere=True)
    stop = threading.Event()

    def on_signal(number: int, frame: FrameType | None) -> None:
        if stop.is_set():
            # A second signal means now: no draining, no re-arming.
            logs.log.warning("received %s again: stopping at once", signal.Signals(number).name)
            os._exit(130)
        logs.log.info("received %s; a second one stops at once", signal.Signals(number).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        # On PostgreSQL the schema is `habit db upgrade`'s to change, never a starting worker's.
        refuse_older_schema(settings.database_url or default_url(), "habit-telegram")
        serve(settings, stop)
    except (StartError, HabitcoreError) as error:
        logs.log.error("%s", error)
        raise typer.Exit(1) from None


def main() -> None:
    try:
        import telebot  # noqa: F401
        from dotenv import load_dotenv
    except ImportError:
        print(EXTRA_MISSING, file=sys.stderr)
        raise SystemExit(1) from None
    # Only the .env of the folder the bot starts in (no search upwards); the environment wins.
    load_dotenv(Path.cwd() / ".env")
    app()
