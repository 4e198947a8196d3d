"""Creating and changing habits: add, edit, archive, unarchive, rm."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, Any

import typer

from habitcore_cli.app import command, state
from habitcore_cli.arguments import ARCHIVED, NAME, WHOLE_NAME, complete_schedule
from habitcore_cli.output import say

SCHEDULE_HELP = (
    "daily, weekdays, weekends, mon,wed,fri, every 3 days, 3/week, weekly, 10/month, monthly, "
    "3 in 7 days (or 3/7) or every 2 weeks."
)
REMIND_HELP = "A reminder time, HH:MM, optionally with weekdays: --remind '08:00 mon,fri'. Repeat."


def _day(tracker: Any, text: str | None) -> date | None:
    from habitcore.rules.days import parse_day

    return None if text is None else parse_day(text, tracker.today())


@command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The habit's name, 1 to 100 characters.")
    ],
    schedule: Annotated[
        str, typer.Option("--schedule", "-s", help=SCHEDULE_HELP, autocompletion=complete_schedule)
    ] = "daily",
    target: Annotated[
        float | None,
        typer.Option("--target", "-t", metavar="N", help="Make it measurable: the amount."),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="The amount's unit.")] = None,
    at_most: Annotated[
        bool, typer.Option("--at-most", help="The target is a ceiling (e.g. at most 2 coffees).")
    ] = False,
    remind: Annotated[
        list[str] | None, typer.Option("--remind", "-r", help=REMIND_HELP, metavar="HH:MM")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", metavar="DAY", help="First day (YYYY-MM-DD, -3, ...). Default: today."
        ),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", "-d", metavar="TEXT", help="A note on what and why."),
    ] = None,
) -> None:
    """Add a habit.

    Example: habit add "Read" --schedule daily --remind 21:00;
    habit add Pages --target 20 --unit pages
    """
    if unit is not None and target is None:
        raise typer.BadParameter("--unit needs --target as well, e.g. --target 20 --unit pages.")
    if at_most and target is None:
        raise typer.BadParameter("--at-most needs --target as well, e.g. --target 2 --at-most.")
    tracker = state(ctx).tracker()
    habit = tracker.add_habit(
        name,
        schedule,
        target=target,
        unit=unit,
        at_most=at_most,
        reminders=remind or [],
        start=_day(tracker, start),
        description=description,
    )
    from habitcore.rules.habits import format_amount

    goal = ""
    if habit.target is not None:
        amount = f"{format_amount(habit.target)} {habit.unit or ''}".strip()
        goal = f", at most {amount}" if habit.at_most else f", {amount}"
    extra = f", reminders {', '.join(habit.reminders)}" if habit.reminders else ""
    say(f"Added {habit.name} ({habit.schedule}{goal}{extra}).", style="green")


@command("edit")
def edit(
    ctx: typer.Context,
    name: WHOLE_NAME,
    new_name: Annotated[
        str | None, typer.Option("--name", metavar="NEW", help="A new name.")
    ] = None,
    schedule: Annotated[
        str | None,
        typer.Option("--schedule", "-s", help=SCHEDULE_HELP, autocompletion=complete_schedule),
    ] = None,
    target: Annotated[
        float | None, typer.Option("--target", "-t", metavar="N", help="A new target amount.")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="A new unit.")] = None,
    at_most: Annotated[
        bool | None, typer.Option("--at-most/--at-least", help="Is the target a ceiling?")
    ] = None,
    yes_no: Annotated[
        bool, typer.Option("--yes-no", help="Drop the target: a plain done / not done habit.")
    ] = False,
    remind: Annotated[
        list[str] | None, typer.Option("--remind", "-r", help=REMIND_HELP, metavar="HH:MM")
    ] = None,
    no_remind: Annotated[bool, typer.Option("--no-remind", help="Remove all reminders.")] = False,
    start: Annotated[
        str | None, typer.Option("--start", metavar="DAY", help="A new first day.")
    ] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", "-d", metavar="TEXT", help="A note on what and why."),
    ] = None,
) -> None:
    """Change a habit; what you leave out stays as it is.

    Example: habit edit read --schedule weekdays --remind 07:30 --remind 21:00
    """
    if remind and no_remind:
        raise typer.BadParameter("Give either --remind or --no-remind, not both.")
    given = (new_name, schedule, target, unit, at_most, remind, start, description)
    if all(value is None or value == [] for value in given) and not (yes_no or no_remind):
        raise typer.BadParameter(
            "nothing to change; give what to change, such as --schedule weekdays or --name NEW "
            "(habit edit --help lists them)."
        )
    if yes_no and (target is not None or unit is not None):
        raise typer.BadParameter("--yes-no drops the target; do not give --target or --unit.")
    tracker = state(ctx).tracker()
    habit = tracker.find(name, exact=True)
    changes: dict[str, Any] = {}
    if yes_no:
        changes["target"] = None
    if target is not None:
        changes["target"] = target
    if unit is not None:
        changes["unit"] = unit
    if description is not None:
        changes["description"] = description
    reminders = [] if no_remind else remind or None
    habit = tracker.edit_habit(
        habit.id,
        new_name=new_name,
        schedule=schedule,
        at_most=at_most,
        reminders=reminders,
        start=_day(tracker, start),
        **changes,
    )
    say(f"Updated {habit.name}.", style="green")


@command("archive")
def archive(ctx: typer.Context, name: WHOLE_NAME) -> None:
    """Archive a habit: hidden from the checklist, reminders off, history kept.

    Example: habit archive run
    """
    tracker = state(ctx).tracker()
    habit = tracker.archive(tracker.find(name, exact=True).id)
    say(f"Archived {habit.name}. Bring it back with: habit unarchive {habit.name!r}")


@command("move")
def move(
    ctx: typer.Context,
    name: NAME,
    position: Annotated[
        str, typer.Argument(metavar="POSITION", help="Where it goes in your list: 1 is first.")
    ],
) -> None:
    """Move a habit to another place in your list (the checklist keeps due habits first).

    Example: habit move read 1
    """
    if not position.strip().isdigit() or int(position) < 1 or len(position) > 9:
        raise typer.BadParameter(
            f"a place in the list is a whole number, 1 for the first; got {position!r}.",
            param_hint="POSITION",
        )
    tracker = state(ctx).tracker()
    habit = tracker.find(name)
    order = [h.name for h in tracker.move(habit.id, int(position) - 1) if not h.archived]
    say(f"Moved {habit.name}; the order is now: {', '.join(order)}.")


@command("unarchive")
def unarchive(ctx: typer.Context, name: NAME) -> None:
    """Bring an archived habit back.

    Example: habit unarchive run
    """
    tracker = state(ctx).tracker()
    habit = tracker.unarchive(tracker.find(name, archived=True).id)
    say(f"{habit.name} is active again.", style="green")


@command("rm")
def remove(
    ctx: typer.Context,
    name: WHOLE_NAME,
    archived: ARCHIVED = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (for scripts).")] = False,
) -> None:
    """Delete a habit and all its history, for good (asks first).

    Example: habit rm run --yes
    """
    tracker = state(ctx).tracker()
    habit = tracker.find(name, archived=archived, exact=True)
    what = f"the archived habit {habit.name!r}" if habit.archived else repr(habit.name)
    if not yes:
        if not sys.stdin.isatty():
            from habitcore_cli.output import error

            error(f"Not deleting {what} without a confirmation; pass --yes to delete it.")
            raise typer.Exit(1)
        count = len(tracker.checkins(habit.id))
        typer.confirm(
            f"Delete {what} and its {count} check-ins for good?",
            abort=True,
        )
    tracker.delete_habit(habit.id)
    say(f"Deleted the archived habit {habit.name}." if habit.archived else f"Deleted {habit.name}.")
