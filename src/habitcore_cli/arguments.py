"""How commands take a habit: one wording of NAME, and where a prefix is not enough."""

from __future__ import annotations

from typing import Annotated, Any

import typer

SCHEDULE_WORDS = (
    "daily",
    "weekdays",
    "weekends",
    "mon,wed,fri",
    "every 2 days",
    "3/week",
    "10/month",
    "3 in 7 days",
)


def complete_habit(ctx: typer.Context, incomplete: str) -> list[str]:
    """Habit names from the chosen database for shell completion. It creates nothing and never
    fails: a shell that asks while the database is elsewhere gets no names, not an error."""
    try:
        import habitcore
        from habitcore.tracker import habit_names

        url = habitcore.database_url(ctx.find_root().params.get("db"))
        path = habitcore.check_database(url)
        if path is not None and not path.is_file():
            return []
        store = habitcore.Store(url)
        try:
            names = habit_names(store)
        finally:
            store.close()
    except Exception:  # completion must never print into a person's prompt
        return []
    return _starting(names, incomplete)


def complete_schedule(incomplete: str) -> list[str]:
    return _starting(SCHEDULE_WORDS, incomplete)


def _starting(words: Any, incomplete: str) -> list[str]:
    key = incomplete.casefold()
    return [word for word in words if word.casefold().startswith(key)]


NAME = Annotated[
    str,
    typer.Argument(
        metavar="NAME",
        help="The habit: its name (any case), a unique prefix of it, or #ID.",
        autocompletion=complete_habit,
    ),
]
# Commands that delete or rename never guess: a prefix once deleted "Teapot" for "Tea".
WHOLE_NAME = Annotated[
    str,
    typer.Argument(
        metavar="NAME",
        help="The habit's whole name (any case) or #ID.",
        autocompletion=complete_habit,
    ),
]
ARCHIVED = Annotated[
    bool, typer.Option("--archived", help="The archived habit of that name, not an active one.")
]
