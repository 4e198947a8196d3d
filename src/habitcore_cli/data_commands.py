"""Getting data in and out: export, import, and the database file itself."""

from __future__ import annotations

import json
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


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


def _write_atomically(path: Path, text: str) -> None:
    """Write next to the target, then rename: a crash never leaves half a file."""
    path = path.expanduser()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="json (everything) or csv.")] = (
        Format.JSON
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="A file to write. Default: stdout.")
    ] = None,
) -> None:
    """Export everything (JSON) or the check-ins (CSV).

    Example: habit export -o habits.json; habit export --format csv > checkins.csv
    """
    tracker = state(ctx).tracker()
    if fmt is Format.JSON:
        text = json.dumps(tracker.export(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = tracker.export_csv()
    if output is None:
        sys.stdout.write(text)
        return
    if output.parent and not output.expanduser().parent.is_dir():
        error(f"The folder {str(output.parent)!r} does not exist; create it first.")
        raise typer.Exit(1)
    _write_atomically(output, text)
    say(f"Wrote {output}.", style="green")


@command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A JSON file made by habit export.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; change nothing.")
    ] = False,
) -> None:
    """Import a habit export: all of it, or nothing if any part is wrong.

    Example: habit import habits.json --dry-run
    """
    try:
        raw = file.expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        error(f"Could not read {str(file)!r}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        error(
            f"{str(file)!r} is not JSON (line {exc.lineno}, column {exc.colno}); "
            "import reads the JSON that habit export writes."
        )
        raise typer.Exit(1) from None
    tracker = state(ctx).tracker()
    summary = _import_with_progress(tracker, data, dry_run)
    prefix = "Would import" if dry_run else "Imported"
    say(
        f"{prefix}: {len(summary.habits_added)} habits added, {len(summary.habits_merged)} "
        f"merged; check-ins {summary.checkins_added} added, {summary.checkins_updated} updated, "
        f"{summary.checkins_unchanged} unchanged; pauses {summary.pauses_added} added, "
        f"{summary.pauses_unchanged} already there.",
        style="green",
    )
    if dry_run:
        say("Nothing was changed (--dry-run).")


def _import_with_progress(tracker: Any, data: Any, dry_run: bool) -> Any:
    habits = data.get("habits") if isinstance(data, dict) else None
    size = (
        sum(len(h.get("checkins") or []) + 1 for h in habits if isinstance(h, dict))
        if (isinstance(habits, list))
        else 0
    )
    if size < PROGRESS_FROM or not fancy():
        return tracker.import_data(data, dry_run=dry_run)
    from rich.progress import Progress

    with Progress(console=console(), transient=True) as progress:
        task = progress.add_task("Importing", total=size)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return tracker.import_data(data, dry_run=dry_run, progress=advance)


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
    import sqlite3

    import sqlalchemy as sa

    url = sa.make_url(state(ctx).url)
    if url.get_backend_name() != "sqlite" or not url.database:
        error(
            "db backup copies a SQLite file; for PostgreSQL use pg_dump, or habit export "
            "for a portable copy."
        )
        raise typer.Exit(1)
    source = Path(url.database).expanduser()
    target = file.expanduser()
    if not source.exists():
        error(f"There is no database at {source} yet; nothing to back up.")
        raise typer.Exit(1)
    if target.exists() and not force:
        error(f"{target} already exists; pass --force to replace it.")
        raise typer.Exit(1)
    if not target.parent.is_dir():
        error(f"The folder {str(target.parent)!r} does not exist; create it first.")
        raise typer.Exit(1)
    state(ctx).tracker()  # bring the schema up to date before copying
    partial = target.with_name(f".{target.name}.partial")
    live, copy = sqlite3.connect(source), sqlite3.connect(partial)
    try:
        live.backup(copy)  # a consistent snapshot, whatever other processes are writing
    finally:
        copy.close()
        live.close()
    os.replace(partial, target)
    say(f"Backed up {source} to {target}.", style="green")
