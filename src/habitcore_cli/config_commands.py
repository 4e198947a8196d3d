"""``habit config``: show or change the settings every time rule depends on."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from habitcore_cli.app import command, state
from habitcore_cli.output import print_json, say

# key → (Tracker setter, what the value looks like)
SETTINGS = {
    "timezone": ("set_timezone", "an IANA name such as Europe/Moscow"),
    "day-start": ("set_day_start", "a time such as 04:00"),
    "week-start": ("set_week_start", "a weekday such as sunday"),
    "language": ("set_language", "a language code such as en or ru"),
}
_FIELDS = {
    "timezone": "timezone",
    "day-start": "day_start",
    "week-start": "week_start",
    "language": "language",
}


def _complete_key(incomplete: str) -> list[str]:
    return [key for key in SETTINGS if key.startswith(incomplete)]


def _complete_value(ctx: typer.Context, incomplete: str) -> list[str]:
    """Values of the KEY given before: zone names, weekdays, the bot's languages."""
    key = ctx.params.get("key")
    if key == "timezone":
        from zoneinfo import available_timezones

        words = sorted(available_timezones())
    elif key == "week-start":
        from habitcore.rules.days import WEEKDAY_WORDS

        words = list(WEEKDAY_WORDS)
    elif key == "language":
        words = ["en", "ru"]
    elif key == "day-start":
        words = ["00:00", "03:00", "04:00", "05:00"]
    else:
        words = []
    return [word for word in words if word.startswith(incomplete)]


@command("config")
def config(
    ctx: typer.Context,
    key: Annotated[
        str | None,
        typer.Argument(
            metavar="KEY",
            help="timezone, day-start, week-start or language.",
            autocompletion=_complete_key,
        ),
    ] = None,
    value: Annotated[
        str | None,
        typer.Argument(metavar="VALUE", help="The new value.", autocompletion=_complete_value),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the settings, or change one.

    Example: habit config timezone Europe/Moscow; habit config day-start 04:00
    """
    if key is not None and key not in SETTINGS:
        raise typer.BadParameter(
            f"{key!r} is not a setting; use one of: {', '.join(SETTINGS)}.", param_hint="KEY"
        )
    tracker = state(ctx).tracker()
    if key is not None and value is not None:
        setter, _shape = SETTINGS[key]
        settings: Any = getattr(tracker, setter)(value)
        say(f"{key} is now {getattr(settings, _FIELDS[key])}.", style="green")
        return
    settings = tracker.settings()
    shown = {
        "timezone": settings.timezone,
        "day-start": settings.day_start,
        "week-start": settings.week_start,
        "language": settings.language,
    }
    if key is not None:
        say(shown[key])
        return
    database = _without_password(state(ctx).url)
    if json:
        print_json({**shown, "database": database})
        return
    for name, current in shown.items():
        say(f"{name:<11} {current}")
    say(f"{'database':<11} {database}")


def _without_password(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)
