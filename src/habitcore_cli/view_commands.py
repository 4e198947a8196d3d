"""``habit list``, ``habit show`` and ``habit stats``: looking, never changing."""

from __future__ import annotations

from typing import Annotated

import typer

from habitcore_cli.app import command, state
from habitcore_cli.arguments import ARCHIVED, NAME
from habitcore_cli.output import print_json

JSON = Annotated[bool, typer.Option("--json", help="Print JSON for scripts (see docs/cli.md).")]
ALL = Annotated[bool, typer.Option("--all", "-a", help="Include archived habits.")]


@command("list", default=True)
def show_checklist(
    ctx: typer.Context,
    all_habits: ALL = False,
    json: JSON = False,
) -> None:
    """Today's checklist: each habit's state, streaks and score.

    Example: habit list --all
    """
    from habitcore import shapes
    from habitcore_cli import views

    tracker = state(ctx).tracker()
    statuses = tracker.habits(archived=all_habits)
    if json:
        print_json([views.habit_json(s) for s in shapes.checklist_order(statuses)])
        return
    views.checklist(statuses, statuses[0].day if statuses else tracker.today())


@command("show")
def show_habit(
    ctx: typer.Context,
    name: NAME,
    archived: ARCHIVED = False,
    json: JSON = False,
) -> None:
    """One habit: a heatmap of the last 6 months, streaks, score and its trend, completion.

    Example: habit show read
    """
    from habitcore.rules.days import WEEKDAY_WORDS
    from habitcore_cli import views

    tracker = state(ctx).tracker()
    found = tracker.find(name, archived=archived).id
    [status] = tracker.habits(only=found)
    if json:
        print_json(views.show_json(status, tracker.checkins(found)))
        return
    week_start = WEEKDAY_WORDS.index(tracker.settings().week_start)
    from habitcore_cli.output import width

    days = views.heatmap_days(width())  # as many weeks as fit: a narrow terminal never wraps
    calendar = tracker.calendar(found, days=days, today=status.day)
    views.habit_page(status, calendar, tracker.explain_score(found), week_start)


@command("log")
def log(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DAY", help="The first day to show. Default: as many as fit."
        ),
    ] = None,
    all_habits: ALL = False,
) -> None:
    """Every habit at once: a row each, a column per day up to today, sized to the terminal.

    Example: habit log; habit log --since 2026-11-01
    """
    from datetime import timedelta

    from habitcore.rules.days import parse_day
    from habitcore_cli import views
    from habitcore_cli.output import note, say, width

    tracker = state(ctx).tracker()
    today = tracker.today()
    statuses = tracker.habits(archived=all_habits)
    if not statuses:
        say("No habits yet. Add one: habit add Read --remind 21:00")
        return
    fits = max(1, width() - views.log_label([s.name for s in statuses]) - 1)
    first = parse_day(since, today) if since else today - timedelta(days=fits - 1)
    if first > today:
        raise typer.BadParameter(f"{since!r} has not come yet; the log ends today.")
    if (today - first).days >= fits:
        first = today - timedelta(days=fits - 1)
        note(f"Showing the last {fits} days, as many as fit; a wider terminal shows more.")
    days = (today - first).days + 1
    rows = [(s.name, tracker.calendar(s.habit.id, days=days, today=today)) for s in statuses]
    views.log_grid(rows, first, today)


@command("stats")
def show_stats(
    ctx: typer.Context,
    all_habits: ALL = False,
    json: JSON = False,
) -> None:
    """Every habit on one screen: streaks, score, completion over 7, 30 and 365 days.

    Example: habit stats --json
    """
    from habitcore_cli import views

    statuses = state(ctx).tracker().habits(archived=all_habits)
    if json:
        print_json([views.stats_json(s) for s in statuses])
        return
    views.statistics(statuses)
