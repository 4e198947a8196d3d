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
    from habitcore_cli import views

    tracker = state(ctx).tracker()
    statuses = tracker.habits(archived=all_habits)
    if json:
        print_json([views.habit_json(s) for s in views.checklist_order(statuses)])
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
    status = next(s for s in tracker.habits(archived=True) if s.habit.id == found)
    if json:
        print_json(views.show_json(status, tracker.checkins(found)))
        return
    week_start = WEEKDAY_WORDS.index(tracker.settings().week_start)
    views.habit_page(
        status, tracker.calendar(found, today=status.day), tracker.explain_score(found), week_start
    )


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
