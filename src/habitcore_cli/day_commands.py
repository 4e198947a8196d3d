"""``habit done``, ``habit undo``, ``habit skip``: recording a habit day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import typer

from habitcore_cli.app import command, state
from habitcore_cli.arguments import NAME
from habitcore_cli.output import say

DAY = Annotated[
    str | None,
    typer.Argument(
        metavar="DAY",
        help="YYYY-MM-DD, today, yesterday, -3 (three days ago) or a weekday (the last one). "
        "Default: today.",
        show_default=False,
    ),
]


NOTE = Annotated[
    str | None,
    typer.Option(
        "--note", metavar="TEXT", help="A note to keep with the check-in (replaces one it had)."
    ),
]

# "-3" (three days ago) must reach DAY instead of being taken for an option.
DAY_CONTEXT = {"ignore_unknown_options": True}


def _day(tracker: Any, text: str | None) -> date:
    from habitcore.rules.days import parse_day

    if text is not None and text.startswith("--"):
        raise typer.BadParameter(f"No such option: {text}", param_hint="DAY")
    today: date = tracker.today()
    return today if text is None else parse_day(text, today)


def _report(tracker: Any, name: str, what: str) -> None:
    stats = tracker.stats(name)
    streak = stats.current_streak
    say(
        f"{name}: {what} (streak {streak}, best {stats.best_streak})",
        style="green",
    )


@command("done", context_settings=DAY_CONTEXT)
def done(
    ctx: typer.Context,
    name: NAME,
    day: DAY = None,
    amount: Annotated[
        float | None,
        typer.Option(
            "--amount", "-n", metavar="N", help="For a measurable habit: how much (default: all)."
        ),
    ] = None,
    add: Annotated[
        bool, typer.Option("--add", help="Add the amount to what the day already has.")
    ] = False,
    note: NOTE = None,
) -> None:
    """Mark a habit done for today, a past day (before its start, too: the start moves back) or
    a range of days, FIRST..LAST.

    Example: habit done read yesterday --note "two chapters"; habit done pages --amount 12;
    habit done read 2026-11-20..2026-11-30
    """
    tracker = state(ctx).tracker()
    habit = tracker.find(name)
    if day is not None and ".." in day:
        first, last = (_day(tracker, end) for end in day.split("..", 1))
        recorded = tracker.check_days(habit.id, first, last, amount=amount, add=add, note=note)
        days = f"{len(recorded)} days, {first.isoformat()} to {last.isoformat()}"
        _report(tracker, habit.name, f"done for {days}")
        return
    when = _day(tracker, day)
    checkin = tracker.check(habit.id, when, amount=amount, add=add, note=note)
    what = "done"
    if habit.target is not None and checkin.amount is not None:
        from habitcore.rules.habits import format_amount

        of = f"{format_amount(checkin.amount)} of {format_amount(habit.target)}"
        what = f"{of} {habit.unit or ''}".rstrip()
    _report(tracker, habit.name, f"{what} for {when.isoformat()}")


@command("undo", context_settings=DAY_CONTEXT)
def undo(ctx: typer.Context, name: NAME, day: DAY = None) -> None:
    """Remove a day's check-in (done or skipped).

    Example: habit undo read yesterday
    """
    tracker = state(ctx).tracker()
    full = tracker.find(name).name
    when = _day(tracker, day)
    if tracker.uncheck(full, when):
        _report(tracker, full, f"check-in removed for {when.isoformat()}")
    else:
        say(f"{full}: nothing was recorded for {when.isoformat()}; nothing changed.")


@command("skip", context_settings=DAY_CONTEXT)
def skip(ctx: typer.Context, name: NAME, day: DAY = None, note: NOTE = None) -> None:
    """Skip a day: it neither breaks nor extends the streak.

    Example: habit skip run today --note "knee hurts"
    """
    tracker = state(ctx).tracker()
    full = tracker.find(name).name
    when = _day(tracker, day)
    tracker.skip(full, when, note=note)
    _report(tracker, full, f"skipped for {when.isoformat()}")


@command("note", context_settings=DAY_CONTEXT)
def note(
    ctx: typer.Context,
    name: NAME,
    text: Annotated[
        str | None,
        typer.Argument(
            metavar="TEXT", help="The note; leave it out with --clear.", show_default=False
        ),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--day",
            "-d",
            metavar="DAY",
            help="The day whose check-in it goes with. Default: today.",
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the day's note.")] = False,
) -> None:
    """Write or remove the note of a day already recorded, keeping what was recorded.

    Example: habit note read "finished the book" --day yesterday; habit note read --clear
    """
    if (text is None) == (not clear):
        raise typer.BadParameter(
            "give the note's text, or --clear to remove it (not both)", param_hint="TEXT"
        )
    tracker = state(ctx).tracker()
    full = tracker.find(name).name
    when = _day(tracker, day)
    tracker.set_note(full, when, None if clear else text)
    what = "note removed" if clear else "note kept"
    say(f"{full}: {what} for {when.isoformat()}.", style="green")


@command("ask", context_settings=DAY_CONTEXT)
def ask(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Argument(
            metavar="DAY",
            help="Only this day. Default: today, and yesterday's habits not yet recorded.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Go through every habit due and not yet recorded, one keypress each: y done, n not done,
    s skip, q stop, Enter to leave it (a measurable habit takes an amount, then Enter).

    Example: habit ask; habit ask yesterday
    """
    import sys

    from habitcore import DayState

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from habitcore_cli.output import error

        error("habit ask asks on a terminal; in a script use habit done, skip or undo.")
        raise typer.Exit(1)
    tracker = state(ctx).tracker()
    today = tracker.today()
    days = [_day(tracker, day)] if day else [today - timedelta(days=1), today]
    asked = answered = 0
    # A generator: each day's habits are read when that day's turn comes, after the day before.
    waiting = ((when, s) for when in days for s in tracker.habits(when) if s.state is DayState.DUE)
    for when, status in waiting:
        asked += 1
        label = "today" if when == today else when.isoformat()
        outcome = _ask_one(tracker, status.habit, when, label)
        if outcome is _QUIT:
            break
        if outcome:
            say(f"  {status.habit.name}: {outcome} for {when.isoformat()}", style="green")
            answered += 1
    if not asked:
        say("Nothing is waiting: every habit due is recorded.")
    else:
        say(f"Recorded {answered} of {asked}.")


_QUIT = "quit"


def _ask_one(tracker: Any, habit: Any, when: date, label: str) -> str | None:
    """Ask about one habit until the answer is one habit can take; what was recorded, if any."""
    from habitcore import HabitcoreError, Kind
    from habitcore.rules.habits import format_amount
    from habitcore_cli.output import error

    while True:
        if habit.kind is Kind.MEASURABLE:
            target = f"{format_amount(habit.target)} {habit.unit or ''}".rstrip()
            key = (
                typer.prompt(
                    f"{habit.name} ({label}): how much of {target}? [a number, s, n, q, Enter]",
                    default="",
                    show_default=False,
                )
                .strip()
                .casefold()
            )
        else:
            typer.echo(f"{habit.name} ({label})? [y/n/s/q, Enter to leave it] ", nl=False)
            key = typer.getchar().casefold()
            typer.echo(key if key.isprintable() else "")
        try:
            if key in ("", "\r", "\n", "n"):
                return None
            if key == "q":
                return _QUIT
            if key == "s":
                tracker.skip(habit.id, when)
                return "skipped"
            if key == "y" and habit.kind is not Kind.MEASURABLE:
                tracker.check(habit.id, when)
                return "done"
            if habit.kind is Kind.MEASURABLE:
                amount = float(key.replace(",", "."))
                tracker.check(habit.id, when, amount=amount, add=True)
                return f"{format_amount(amount)} {habit.unit or ''}".rstrip()
            error(f"{key!r} is not an answer here: y done, n not done, s skip, q stop.")
        except ValueError:
            error(f"{key!r} is not an amount; type a number such as 12, or Enter to leave it.")
        except HabitcoreError as exc:
            error(str(exc))
