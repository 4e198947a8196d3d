"""The ``habit`` command: global options, where the data lives, and turning errors into exits.

Every command is registered through ``command()``, the one place where a ``HabitcoreError``
becomes a single line on stderr and exit code 1. Click reports usage errors itself, with exit
code 2. A traceback is shown only with ``HABITCORE_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, TypeVar

import typer

from habitcore_cli.output import error

F = TypeVar("F", bound=Callable[..., Any])
INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C (128 + SIGINT)


def _plain_help() -> None:
    """Write help as Click and man pages do: ``NAME [DAY]`` in usage lines, ``--target TARGET``
    for options. Typer writes ``{NAME}`` and ``<list[str]>``, which read as syntax to type.

    The two display methods are Typer's; a test walks every command's help, so a Typer that
    renames them fails the suite rather than the help.
    """
    from typer.core import TyperArgument, TyperOption

    def usage_name(self: Any) -> str:
        name: str = self.metavar or self.name.upper()
        return (name if self.required else f"[{name}]") + ("..." if self.nargs != 1 else "")

    def argument_type(self: Any, ctx: Any) -> str | None:
        return None  # the NAME column says what it is; its help says the rest

    def option_value(self: Any, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return str(self.metavar or self.name.upper().replace("_", "-"))

    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
    TyperArgument.display_type_rich = argument_type  # type: ignore[method-assign]
    TyperOption.display_type_rich = option_value  # type: ignore[method-assign]


_plain_help()

app = typer.Typer(
    name="habit",
    help="Track habits in your terminal: correct about days, honest about streaks.\n\n"
    "Example: habit add Read --remind 21:00, then habit done read.",
    invoke_without_command=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help and usage errors: short, and fast to print
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(
    help="Where the data lives, backups, and its schema.\n\nExample: habit db path",
    rich_markup_mode=None,
)
app.add_typer(db_app, name="db")
token_app = typer.Typer(
    help="Tokens that let a program act as you over HTTP (habit-api).\n\n"
    "Example: habit token create --label phone",
    rich_markup_mode=None,
)
app.add_typer(token_app, name="token")


class State:
    """What the global options chose; the tracker is opened on first use only."""

    opened: ClassVar[list[Any]] = []  # trackers opened in this process, closed by main()

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._tracker: Any = None

    @property
    def url(self) -> str:
        from habitcore import database_url

        return database_url(self.db)

    @property
    def chosen_url(self) -> str | None:
        """The database asked for by ``--db`` or the environment, resolved (a relative path made
        absolute); None for the default location."""
        if not (self.db or os.environ.get("HABITCORE_DATABASE_URL")):
            return None
        return self.url

    def tracker(self) -> Any:
        """The tracker on the chosen database, refusing one that would lose data or land in a
        folder nobody made; a file created here is announced on stderr, once."""
        if self._tracker is None:
            import habitcore

            url = self.url
            path = habitcore.check_database(url, new_folder=self.chosen_url is None)
            fresh = path is not None and not (path.is_file() and path.stat().st_size > 0)
            self._tracker = habitcore.open(url)
            State.opened.append(self._tracker)
            if fresh:
                from habitcore_cli.output import note

                note(f"Created a new database at {path}.")
        return self._tracker


def state(ctx: typer.Context) -> State:
    found = ctx.find_object(State)
    if found is None:  # pragma: no cover - the callback always sets it
        found = State(None)
        ctx.obj = found
    return found


# The command a bare ``habit`` runs, set where that command is defined (``default=True``).
_DEFAULT: list[Callable[..., Any]] = []


def command(
    name: str | None = None,
    *,
    parent: typer.Typer = app,
    default: bool = False,
    **kwargs: Any,
) -> Callable[[F], F]:
    """Register a command whose domain errors become one line on stderr and exit code 1.

    ``default=True`` makes it what ``habit`` alone runs; commands.register always loads the
    module holding it, so ``app`` never imports a command module.
    """

    def register(function: F) -> F:
        @functools.wraps(function)
        def guarded(*args: Any, **kw: Any) -> Any:
            from habitcore import HabitcoreError

            try:
                return function(*args, **kw)
            except HabitcoreError as exc:
                if os.environ.get("HABITCORE_DEBUG") == "1":
                    raise
                error(_sentence(exc))
                raise typer.Exit(1) from None
            except KeyboardInterrupt:
                raise typer.Exit(INTERRUPTED) from None  # Ctrl-C: stop quietly, changing nothing
            except BrokenPipeError:
                # The reader left (habit show read | head): nothing more to say, and no error.
                _silence_stdout()
                raise typer.Exit(0) from None
            except (typer.Exit, typer.Abort):
                raise
            except Exception as exc:
                if os.environ.get("HABITCORE_DEBUG") == "1" or _is_click_error(exc):
                    raise
                error(
                    f"habit hit an unexpected problem ({type(exc).__name__}: {exc}). "
                    "Run it again with HABITCORE_DEBUG=1 to see the details, and report it."
                )
                raise typer.Exit(1) from None

        parent.command(name, **kwargs)(guarded)
        if default:
            _DEFAULT[:] = [guarded]
        return guarded  # type: ignore[return-value]

    return register


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the final flush of what the reader never took is quiet."""
    import sys

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _sentence(exc: Exception) -> str:
    """habitcore's sentence, naming the command that helps where the terminal has one."""
    from habitcore.errors import HabitArchived

    if isinstance(exc, HabitArchived):
        import shlex

        again = shlex.quote(exc.name)
        return f"{exc.name!r} is archived; `habit unarchive {again}` brings it back."
    return str(exc)


def _is_click_error(exc: Exception) -> bool:
    """Usage errors (BadParameter and friends) are click's to report, with exit code 2."""
    from typer.exceptions import TyperException

    return isinstance(exc, TyperException)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"habit (habitcore) {version('habitcore')}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="A database URL or a SQLite file path. Default: HABITCORE_DATABASE_URL, "
            "else habits.db in your platform's data folder.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Track habits in your terminal: correct about days, honest about streaks.

    Example: habit add Read --remind 21:00, then habit done read.
    Run habit alone for today's checklist.
    """
    ctx.obj = State(db)
    if ctx.invoked_subcommand is None and _DEFAULT:
        ctx.invoke(_DEFAULT[0], ctx=ctx)


def main() -> None:
    """The ``habit`` executable: run one command, close the database, leave at once.

    Python's own exit would then spend longer tearing down SQLAlchemy's and pydantic's
    objects than most commands take; everything that matters (the database, the output) is
    closed and flushed first, so leaving without that teardown loses nothing.
    """
    import sys

    from habitcore_cli.commands import register

    code: int = 0
    try:
        register(sys.argv[1:])
        app()
    except KeyboardInterrupt:
        code = INTERRUPTED  # Ctrl-C while starting up: leave quietly, as a shell expects
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    finally:
        for opened in State.opened:
            opened.store.close()
        code = _flush(code)
    os._exit(code)


def _flush(code: int) -> int:
    """Flush the output; a write that failed (a full disk) is an error, not a quiet success."""
    import sys

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # a reader that went away (habit list | head): nothing more to say
    except OSError as exc:
        with contextlib.suppress(OSError):
            sys.stderr.write(f"Error: could not write the output: {exc.strerror or exc}.\n")
        code = code or 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    return code
