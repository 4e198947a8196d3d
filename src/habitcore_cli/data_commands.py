"""Getting data in and out: export, import, and the database file itself."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from habitcore_cli.app import command, db_app, state
from habitcore_cli.output import console, error, fancy, say

PROGRESS_FROM = 5_000  # items; smaller imports finish before a bar could be read


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    LOOP_CSV = "loop-csv"
    HARSH = "harsh"


class ImportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    LOOP = "loop"
    LOOP_CSV = "loop-csv"
    HARSH = "harsh"


def _format_of(kind: type[StrEnum], value: str | None) -> StrEnum | None:
    """The format named, or a sentence listing the ones there are (exit 2)."""
    if value is None:
        return None
    for member in kind:
        if member.value == value.strip().lower():
            return member
    names = [member.value for member in kind]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}"
    raise typer.BadParameter(f"{value!r} is not a format habit knows; use {listed}.")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: a crash never leaves half a file."""
    path = path.expanduser()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            callback=lambda value: _format_of(ExportFormat, value),
            help="json (everything), csv (check-ins), loop-csv (a zip Loop Habit Tracker's "
            "CSV readers take) or harsh (a folder with harsh's habits and log).",
        ),
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="A file (a folder for harsh). Default: stdout."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace harsh files already in the folder.")
    ] = False,
) -> None:
    """Export everything (JSON), the check-ins (CSV), or for Loop Habit Tracker or harsh.

    Example: habit export -o habits.json; habit export -f loop-csv -o loop.zip
    """
    from habitcore import exchange

    tracker = state(ctx).tracker()
    if fmt == ExportFormat.HARSH:
        _export_harsh(tracker, output, force)
        return
    if fmt == ExportFormat.LOOP_CSV and output is None:
        error("A Loop CSV export is a zip file; name it with -o, such as -o loop-habits.zip.")
        raise typer.Exit(1)
    data = exchange.write(tracker.export(), str(fmt))
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    _check_folder(output)
    _write_atomically(output, data)
    say(f"Wrote {output}.", style="green")


def _export_harsh(tracker: Any, output: Path | None, force: bool) -> None:
    from habitcore import exchange

    if output is None:
        error("harsh keeps two files, habits and log; name their folder with -o, such as -o harsh.")
        raise typer.Exit(1)
    folder = output.expanduser()
    if folder.exists() and not folder.is_dir():
        error(f"{str(output)!r} is a file; harsh's export is a folder holding habits and log.")
        raise typer.Exit(1)
    present = [name for name in ("habits", "log") if (folder / name).exists()]
    if present and not force:
        error(
            f"{str(output)!r} already holds harsh's {' and '.join(present)}; pass --force to "
            "replace them (harsh's own files would be lost)."
        )
        raise typer.Exit(1)
    _check_folder(folder)  # its parent must exist; the folder itself is made
    folder.mkdir(exist_ok=True)
    exchange.write(tracker.export(), "harsh", folder)
    say(f"Wrote {folder / 'habits'} and {folder / 'log'}.", style="green")


def _check_folder(path: Path) -> None:
    parent = path.expanduser().parent
    if not parent.is_dir():
        error(f"The folder {str(parent)!r} does not exist; create it first.")
        raise typer.Exit(1)


@command("import")
def import_file(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="A file or folder: habitcore JSON or CSV, a Loop Habit Tracker backup (.db) or "
            "CSV export (.zip or its folder), or harsh's folder (habits and log).",
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            callback=lambda value: _format_of(ImportFormat, value),
            help="Insist on a format (json, csv, loop, loop-csv or harsh) instead of telling it "
            "from the content.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; change nothing.")
    ] = False,
) -> None:
    """Import history: all of it, or nothing if any part is wrong; twice adds nothing more.

    Example: habit import "Loop Habits Backup.db" --dry-run
    """
    from habitcore import exchange

    tracker = state(ctx).tracker()
    document = exchange.read(path, str(fmt) if fmt else None)
    summary = _import_with_progress(tracker, document, dry_run)
    for line in summary_lines(summary, str(path), dry_run):
        say(line)
    if dry_run:
        say("Nothing was changed (--dry-run).")


def summary_lines(summary: Any, label: str, dry_run: bool) -> list[str]:
    """What an import did (or would do), as the lines ``habit import`` prints."""
    from habitcore.exchange.detect import describe
    from habitcore.exchange.document import Format

    verb = "Would import" if dry_run else "Imported"
    lines = [f"{verb} {describe(Format(summary.format))} ({label}):"]
    habits = f"  habits: {len(summary.habits_added)} created, {len(summary.habits_merged)} matched"
    if summary.habits_merged:
        habits += " (" + _names(summary.habits_merged) + ")"
    lines.append(habits)
    checkins = (
        f"  check-ins: {summary.checkins_added:,} added, {summary.checkins_unchanged:,} "
        "already there"
    )
    if summary.checkins_updated:
        checkins += f", {summary.checkins_updated:,} updated from the file"
    if summary.checkins_kept:
        checkins += f", {summary.checkins_kept:,} recorded otherwise here and kept"
    lines.append(checkins)
    if summary.pauses_added or summary.pauses_unchanged:
        lines.append(
            f"  pauses: {summary.pauses_added} added, {summary.pauses_unchanged} already there"
        )
    if summary.unmapped:
        lines.append("  not imported as they were:")
        lines.extend(f"    - {item}" for item in summary.unmapped)
    return lines


def _names(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _import_with_progress(tracker: Any, document: Any, dry_run: bool) -> Any:
    if document.size < PROGRESS_FROM or not fancy():
        return tracker.import_document(document, dry_run=dry_run)
    from rich.progress import Progress

    with Progress(console=console(), transient=True) as progress:
        task = progress.add_task("Importing", total=document.size)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return tracker.import_document(document, dry_run=dry_run, progress=advance)


@command("path", parent=db_app)
def db_path(ctx: typer.Context) -> None:
    """Print where the data lives.

    Example: habit db path
    """
    import sqlalchemy as sa

    url = sa.make_url(state(ctx).url)
    if url.get_backend_name() == "sqlite" and url.database:
        say(str(Path(url.database).expanduser()))
    else:
        say(url.render_as_string(hide_password=True))


@command("backup", parent=db_app)
def db_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a consistent copy of the SQLite database, even while it is in use.

    Example: habit db backup ~/habits-backup.db
    """
    import habitcore

    source = habitcore.check_database(state(ctx).url)
    if source is None:
        error(
            "db backup copies a SQLite file; for PostgreSQL use pg_dump, or habit export "
            "for a portable copy."
        )
        raise typer.Exit(1)
    target = file.expanduser()
    if not source.exists():
        error(f"There is no database at {source} yet; nothing to back up.")
        raise typer.Exit(1)
    if target.exists() and not target.is_dir() and not force:
        error(f"{target} already exists; pass --force to replace it.")
        raise typer.Exit(1)
    # Opening brings the schema up to date, so the copy is of the current layout.
    state(ctx).tracker().store.backup(target)
    say(f"Backed up {source} to {target}.", style="green")


@command("current", parent=db_app)
def db_current(ctx: typer.Context) -> None:
    """Print the database's schema revision and this habitcore's; exit 1 when they differ.

    Example: habit db current (before or after an upgrade; in a health check)
    """
    from habitcore.schema import schema_state

    found = schema_state(state(ctx).url)
    say(f"database: {found.database or 'none'}")
    say(f"habitcore: {found.code}")
    if found.database is None:
        error("The database holds no habitcore schema yet; `habit db upgrade` creates it.")
        raise typer.Exit(1)
    if not found.current:
        error(
            f"The database is at schema revision {found.database}, behind this habitcore's "
            f"{found.code}; run `habit db upgrade`."
        )
        raise typer.Exit(1)


@command("upgrade", parent=db_app)
def db_upgrade(ctx: typer.Context) -> None:
    """Bring the database's schema up to this habitcore's revision, safe while others use it.

    Example: habit db upgrade (compose's migrate service runs it before the bot and the API)
    """
    import habitcore
    from habitcore.schema import upgrade_schema

    chosen = state(ctx)
    path = habitcore.check_database(chosen.url, new_folder=chosen.chosen_url is None)
    fresh = path is not None and not (path.is_file() and path.stat().st_size > 0)
    done = upgrade_schema(chosen.url)
    if not done.changed:
        say(f"The database is already at schema revision {done.after}; nothing to do.")
    elif done.before is None:
        where = f"a new database at {path}" if fresh else "the schema"
        say(f"Created {where}, at schema revision {done.after}.", style="green")
    else:
        say(
            f"Upgraded the database from schema revision {done.before} to {done.after}.",
            style="green",
        )
    if done.copy is not None:
        say(f"The file as it was is kept at {done.copy}.")
