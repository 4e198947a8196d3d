"""Pauses: ``habit pause``, ``resume``, ``pauses`` and ``unpause``.

A pause rewrites history (the days it holds stop counting), so every pause can be seen with its
id and taken back, and ``resume`` says exactly which pauses it ended and which planned ones it
cancelled, asking first on a terminal before it cancels a planned one.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from typing import Annotated, Any

import typer

from habitcore import shapes
from habitcore_cli.app import command, state
from habitcore_cli.output import print_json, say, table

HABIT_OR_ALL = Annotated[
    str | None,
    typer.Argument(
        metavar="[NAME]",
        help="The habit (name, unique prefix or #ID); leave out for every habit (a vacation).",
        show_default=False,
    ),
]


@command("pause")
def pause(
    ctx: typer.Context,
    name: HABIT_OR_ALL = None,
    start: Annotated[
        str | None, typer.Option("--from", metavar="DAY", help="First paused day. Default: today.")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DAY",
            help="Last paused day (YYYY-MM-DD, +14, mon, ...). Default: until habit resume.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Pause a habit, or all of them: nothing is due, streaks and score are frozen.

    Example: habit pause --from 2026-07-01 --to 2026-07-14; habit pause gym (until resume)
    """
    from habitcore.rules.days import parse_day

    tracker = state(ctx).tracker()
    today = tracker.today()
    first = parse_day(start, today) if start else today
    last = parse_day(end, today, ahead=True) if end else None  # the next such weekday
    full = tracker.find(name).name if name else None
    tracker.pause(full, start=first, end=last)
    what = full or "every habit"
    until = f"to {last.isoformat()}" if last else "until you resume it"
    if last is None and full is None:
        until = "until you resume them"
    say(f"Paused {what} from {first.isoformat()} {until}.")


@command("resume")
def resume(
    ctx: typer.Context,
    name: HABIT_OR_ALL = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="Cancel pauses planned for later too, without asking."),
    ] = False,
) -> None:
    """End today the pause that holds a habit (or the vacation); asks before cancelling a
    planned one.

    Example: habit resume gym; habit resume --yes
    """
    tracker = state(ctx).tracker()
    full = tracker.find(name).name if name else None
    done = tracker.resume(full, planned=False)
    for entry in done.ended:
        say(f"Ended {_describe(entry)}; {_due_again(entry, done.day)}", style="green")
    for entry in done.kept:
        asked = not yes and sys.stdin.isatty() and sys.stdout.isatty()
        if yes or (asked and typer.confirm(f"Also cancel {_describe(entry)}?", default=False)):
            tracker.unpause(entry.id)
            say(f"Cancelled {_describe(entry)}.", style="green")
        else:
            say(f"Kept {_describe(entry)}; habit unpause {entry.id} cancels it.")
    if not done.ended and not done.kept:
        say(f"{full or 'Every habit'} had no pause to end; nothing changed.")


def _describe(entry: Any) -> str:
    whose = f"of {entry.habit}" if entry.habit else "of every habit"
    until = entry.end.isoformat() if entry.end else "until resumed"
    return f"pause #{entry.id} {whose} ({entry.start.isoformat()} to {until})"


def _due_again(entry: Any, day: date) -> str:
    if entry.start >= day:
        return "it began today, so it is gone."
    return (
        f"it now ends {(day - timedelta(days=1)).isoformat()}. If it was a mistake, "
        f"habit unpause {entry.id} removes it altogether."
    )


@command("pauses")
def pauses(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="[NAME]",
            help="Only the pauses holding this habit (its own and the vacations).",
            show_default=False,
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List pauses with their ids: past, current and planned.

    Example: habit pauses gym
    """
    tracker = state(ctx).tracker()
    today = tracker.today()
    full = tracker.find(name).name if name else None
    found = tracker.pause_list(full)
    rows = [shapes.pause(p, today).data() for p in found]
    if json:
        print_json(rows)
        return
    if not rows:
        say(f"{full} has no pauses." if full else "There are no pauses.")
        return
    table(
        ["ID", "HABIT", "FROM", "TO", "WHEN"],
        [
            [
                f"#{r['id']}",
                r["habit"] or "every habit",
                r["start"],
                r["end"] or "until resumed",
                r["state"],
            ]
            for r in rows
        ],
    )


@command("unpause")
def unpause(
    ctx: typer.Context,
    pause_id: Annotated[
        str, typer.Argument(metavar="ID", help="The pause's id, as habit pauses lists it.")
    ],
) -> None:
    """Remove one pause, past or planned, as if it had never been: its days count again.

    Example: habit unpause 3
    """
    typed = pause_id.strip().removeprefix("#")
    if not typed.isdigit() or len(typed) > 18:
        raise typer.BadParameter(
            f"{pause_id!r} is not a pause id; habit pauses lists them.", param_hint="ID"
        )
    removed = state(ctx).tracker().unpause(int(typed))
    say(f"Removed {_describe(removed)}; those days count as recorded again.", style="green")
