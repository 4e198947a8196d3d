"""How the checklist, one habit and the statistics look, in the terminal and as JSON.

The JSON shapes are a contract for scripts (docs/cli.md): keys are only ever added.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from habitcore import CheckIn, DayState, HabitStatus, Outcome, ScoreStep, Streak, shapes
from habitcore.rules.habits import format_amount
from habitcore_cli.output import Cell, bar, fancy, say, show, table, width

STATE_LABELS = {
    DayState.DONE: ("done", "✔ done", "green"),
    DayState.SKIPPED: ("skipped", "↷ skipped", "blue"),
    DayState.DUE: ("due", "○ due", "yellow"),
    DayState.NOT_DUE: ("not due today", "· not due", "dim"),
    DayState.PAUSED: ("paused", "‖ paused", "cyan"),
    DayState.OVER: ("over", "▲ over", "magenta"),
}
# Heatmap cells: (plain character, fancy character, style). Each state has its own glyph as well
# as its own colour, so the map reads without colour (NO_COLOR) and for colour-blind people.
CELLS = {
    Outcome.DONE: ("#", "■", "green"),
    Outcome.PARTIAL: ("+", "◧", "yellow"),
    Outcome.SKIPPED: ("s", "»", "blue"),
    Outcome.PAUSED: ("p", "‖", "cyan"),
    Outcome.MISSED: ("x", "✕", "red"),
    Outcome.OVER: ("!", "▲", "magenta"),
    Outcome.OPEN: ("o", "□", "white"),
    Outcome.NOT_DUE: (".", "·", "bright_black"),
}
LEGEND_NAMES = {
    Outcome.DONE: "done",
    Outcome.PARTIAL: "partly",
    Outcome.SKIPPED: "skipped",
    Outcome.PAUSED: "paused",
    Outcome.MISSED: "missed",
    Outcome.OVER: "over",
    Outcome.OPEN: "open",
    Outcome.NOT_DUE: "not due",
}


def _target(status: HabitStatus) -> str:
    habit = status.habit
    if habit.target is None:
        return habit.schedule
    ceiling = "≤" if fancy() else "<="
    amount = f"{ceiling if habit.at_most else ''}{format_amount(habit.target)} {habit.unit or ''}"
    amount = amount.strip()
    return f"{habit.schedule}, {amount}"


def _state(status: HabitStatus) -> Cell:
    plain, pretty, style = STATE_LABELS[status.state]
    text = pretty if fancy() else plain
    if status.habit.archived:
        text += " (archived)"
    today = status.stats.amount_today
    shows_amount = status.state in (DayState.DUE, DayState.OVER)
    if status.habit.target is not None and today is not None and shows_amount:
        text += f" {format_amount(today)}/{format_amount(status.habit.target)}"
    return (text, style)


def checklist(statuses: Sequence[HabitStatus], day: date) -> None:
    if not statuses:
        say("No habits yet. Add one: habit add Read --remind 21:00")
        return
    rows = [
        [
            status.name,
            _target(status),
            _state(status),
            str(status.stats.current_streak),
            str(status.stats.best_streak),
            bar(status.stats.score),
        ]
        for status in shapes.checklist_order(statuses)
    ]
    table(
        ("Habit", "Schedule", "Today", "Streak", "Best", "Score"),
        rows,
        right=frozenset({3, 4}),
        title=f"{day:%A %d %B %Y}" if fancy() else None,
    )


def statistics(statuses: Sequence[HabitStatus]) -> None:
    if not statuses:
        say("No habits yet. Add one: habit add Read")
        return
    rows = []
    for status in statuses:
        completion = status.stats.completion
        rows.append(
            [
                status.name,
                str(status.stats.current_streak),
                str(status.stats.best_streak),
                bar(status.stats.score),
                *(_rate(completion.get(days)) for days in (7, 30, 365)),
            ]
        )
    table(
        ("Habit", "Streak", "Best", "Score", "7d", "30d", "365d"),
        rows,
        right=frozenset({1, 2, 4, 5, 6}),
    )


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _streak(streak: Streak | None) -> str:
    if streak is None:
        return "none"
    return f"{streak.length} ({streak.start.isoformat()} to {streak.end.isoformat()})"


def heatmap(calendar: Sequence[tuple[date, Outcome]], week_start: int) -> list[tuple[str, str]]:
    """Weeks as columns, weekdays as rows, like a contribution graph: (text, style) pieces."""
    if not calendar:
        return []
    first = calendar[0][0]
    first -= timedelta(days=(first.weekday() - week_start) % 7)
    cells = dict(calendar)
    last = calendar[-1][0]
    weeks = (last - first).days // 7 + 1
    pretty = fancy()
    months = [" "] * (3 + 2 * weeks + 2)
    for week in range(weeks):
        week_first = first + timedelta(days=week * 7)
        if week_first.day <= 7:  # a column where a month begins
            column = 3 + 2 * week
            label = f"{week_first:%b}"
            if all(c == " " for c in months[max(0, column - 1) : column + len(label)]):
                months[column : column + len(label)] = label
    pieces = [("".join(months).rstrip() + "\n", "")]
    names = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
    for row in range(7):
        weekday = (week_start + row) % 7
        pieces.append((names[weekday] + " ", ""))
        for week in range(weeks):
            outcome = cells.get(first + timedelta(days=week * 7 + row))
            if outcome is None:
                pieces.append(("  ", ""))
                continue
            plain, fancy_char, style = CELLS[outcome]
            pieces.append(((fancy_char if pretty else plain) + " ", style))
        pieces.append(("\n", ""))
    pieces.extend(legend(pretty, width()))
    return pieces


def legend(pretty: bool, columns: int) -> list[tuple[str, str]]:
    """The marks and what they mean, on as many lines as the width needs."""
    pieces: list[tuple[str, str]] = [("   ", "")]
    used = 3
    for outcome, name in LEGEND_NAMES.items():
        plain, fancy_char, style = CELLS[outcome]
        entry = len(name) + 4
        if used + entry > columns and used > 3:
            pieces.append(("\n   ", ""))
            used = 3
        pieces.append((fancy_char if pretty else plain, style))
        pieces.append((f" {name}  ", ""))
        used += entry
    return pieces


def show_pieces(pieces: Sequence[tuple[str, str]]) -> None:
    """Styled (text, style) pieces: coloured on a terminal, else plain lines without trailing
    blanks."""
    if fancy():
        from rich.text import Text

        show(Text.assemble(*pieces))
    else:
        text = "".join(piece for piece, _style in pieces)
        say("\n".join(line.rstrip() for line in text.splitlines()))


def heatmap_days(columns: int) -> int:
    """How many days fit across ``columns`` as weeks: up to 26, at least 4. A row is the
    weekday's name and two cells a week, one week more than asked when the days begin
    mid-week."""
    return 7 * max(4, min(26, (columns - 5) // 2))


def log_grid(
    rows: Sequence[tuple[str, Sequence[tuple[date, Outcome]]]], first: date, last: date
) -> None:
    """``habit log``: a row per habit, a column per day from ``first`` to ``last``."""
    pretty = fancy()
    days = (last - first).days + 1
    label = log_label([name for name, _ in rows])
    header = ""
    for column in range(days):
        day = first + timedelta(days=column)
        month = column == 0 or day.day == 1
        if (month or day.weekday() == 0) and len(header) < column:
            header = header.ljust(column) + (f"{day:%b} {day.day}" if month else str(day.day))
        elif column == 0:
            header = f"{day:%b} {day.day}"
    say((" " * (label + 1) + header)[: label + 1 + days].rstrip())
    for name, calendar in rows:
        shown = _fit(name, label)
        cells = [CELLS[outcome] for day, outcome in calendar if first <= day <= last]
        if pretty:
            from rich.text import Text

            line = Text(shown + " ")
            for _plain, glyph, style in cells:
                line.append(glyph, style=style)
            show(line)
        else:
            say(shown + " " + "".join(plain for plain, _glyph, _style in cells))
    say("")
    show_pieces(legend(pretty, width()))


def log_label(names: Sequence[str]) -> int:
    """The width of ``habit log``'s name column: the longest name, at most 20 cells."""
    from rich.cells import cell_len

    return min(20, max((cell_len(name) for name in names), default=1))


def _fit(name: str, columns: int) -> str:
    """``name`` cut (with …) or padded to exactly ``columns`` display cells."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(name) <= columns:
        return name + " " * (columns - cell_len(name))
    return set_cell_size(name, columns - 1) + "…"


def habit_page(
    status: HabitStatus,
    calendar: Sequence[tuple[date, Outcome]],
    steps: Sequence[ScoreStep],
    week_start: int,
) -> None:
    habit, stats = status.habit, status.stats
    say(habit.name, style="bold")
    if habit.description:
        say(habit.description)
    archived = " · archived" if habit.archived else ""
    details = f"#{habit.id}{archived} · {_target(status)} · since {habit.start.isoformat()}"
    if habit.reminders:
        details += " · reminders " + ", ".join(habit.reminders)
    say(details if fancy() else details.replace("·", "-"))
    say("")
    show_pieces(heatmap(calendar, week_start))
    say("")
    trend = score_trend(steps)
    lines = [
        f"Today:          {STATE_LABELS[status.state][0]}",
        f"Current streak: {_streak(stats.current)}",
        f"Best streak:    {_streak(stats.best)}",
        f"Score:          {bar(stats.score)}  {trend}",
        "Completion:     "
        + "  ".join(f"{days}d {_rate(stats.completion.get(days))}" for days in (7, 30, 365)),
    ]
    import textwrap

    columns = width()
    for line in lines:
        # A narrow terminal gets the value on more lines, under itself, never a wrapped label.
        for part in textwrap.wrap(line, columns, subsequent_indent=" " * 16) or [""]:
            say(part)


def score_trend(steps: Sequence[ScoreStep]) -> str:
    """The score's change over the last 7 and 30 days, as +/- percentage points."""
    counted = [s.score for s in steps if s.counted]
    if not counted:
        return ""
    now = counted[-1]
    parts = []
    for days in (7, 30):
        if len(counted) > days:
            change = (now - counted[-1 - days]) * 100
            parts.append(f"{change:+.0f} pts in {days}d")
    return "(" + ", ".join(parts) + ")" if parts else ""


# -- JSON --------------------------------------------------------------------------------------


def habit_json(status: HabitStatus) -> dict[str, Any]:
    return shapes.habit(status).data()


def show_json(status: HabitStatus, checkins: Sequence[CheckIn]) -> dict[str, Any]:
    return shapes.detail(status, checkins).data()


def stats_json(status: HabitStatus) -> dict[str, Any]:
    return shapes.stats(status).data()
