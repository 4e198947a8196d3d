"""How habits look in a chat: the marks, labels and lines every screen of the bot shares."""

from __future__ import annotations

from datetime import date

from habitcore import DayState, Habit, HabitStatus, Stats
from habitcore.rules.schedule import Daily, DaysOfWeek, EveryNDays, PerPeriod, parse_schedule
from habitcore_telegram.texts import Texts

MARKS = {
    DayState.DUE: "⬜",
    DayState.DONE: "✅",
    DayState.SKIPPED: "⏭",
    DayState.PAUSED: "⏸",
    DayState.NOT_DUE: "▫️",
    DayState.OVER: "🔺",
}
SHOWN_TODAY = (DayState.DUE, DayState.DONE, DayState.SKIPPED, DayState.OVER)


AMOUNT_DECIMALS = 6  # an amount or target of 0.125 shows as it is, not as 0.12


def amount(value: float | None) -> str:
    if value is None:
        return "0"
    if value == int(value):
        return str(int(value))
    return f"{value:.{AMOUNT_DECIMALS}f}".rstrip("0").rstrip(".")


def label(status: HabitStatus) -> str:
    """A checklist button: ``⬜ Read · 🔥5``, or ``⬜ Water 3/8 · 🔥2`` when measured."""
    habit, stats = status.habit, status.stats
    text = f"{MARKS[status.state]} {habit.name}"
    if habit.target is not None:
        text += f" {amount(stats.amount_today)}/{amount(habit.target)}"
    if stats.current_streak:
        text += f" · 🔥{stats.current_streak}"
    return text


def streak_words(tx: Texts, habit: Habit, length: int) -> str:
    schedule = parse_schedule(habit.schedule)
    if isinstance(schedule, PerPeriod):
        return tx.count("n.weeks" if schedule.period == "week" else "n.months", length)
    return tx.count("n.days", length)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def schedule_words(tx: Texts, text: str) -> str:
    """A canonical schedule as a person reads it in their language: "3 times a week"."""
    schedule = parse_schedule(text)
    if isinstance(schedule, Daily):
        return tx("schedule.daily")
    if isinstance(schedule, DaysOfWeek):
        if str(schedule) == "weekdays":
            return tx("schedule.weekdays")
        names = tx.messages["weekdays"].split(",")
        return ", ".join(names[d] for d in sorted(schedule.days))
    if isinstance(schedule, EveryNDays):
        return tx.count("schedule.every", schedule.n)
    if isinstance(schedule, PerPeriod):
        key = "schedule.per_week" if schedule.period == "week" else "schedule.per_month"
        return tx.count(key, schedule.times)
    return tx("schedule.rolling", times=schedule.times, days=tx.count("n.days", schedule.window))


def goal(tx: Texts, habit: Habit) -> str:
    """ "daily", "3 times a week · at most 2 cups a day", as a person reads it."""
    text = schedule_words(tx, habit.schedule)
    if habit.target is not None:
        unit = f" {habit.unit}" if habit.unit else ""
        key = "goal.at_most" if habit.at_most else "goal.at_least"
        text += " · " + tx(key, amount=amount(habit.target), unit=unit)
    return text


def summary(tx: Texts, habit: Habit, stats: Stats) -> str:
    lines = [
        tx("stats.title", name=habit.name),
        tx(
            "stats.streak",
            current=streak_words(tx, habit, stats.current_streak),
            best=streak_words(tx, habit, stats.best_streak),
        ),
        tx("stats.score", score=percent(stats.score)),
        tx(
            "stats.completion",
            week=percent(stats.completion.get(7)),
            month=percent(stats.completion.get(30)),
            year=percent(stats.completion.get(365)),
        ),
    ]
    return "\n".join(lines)


def day_title(tx: Texts, day: date, today: date | None = None) -> str:
    """``Wed, 25 Nov``; with ``today`` given, a day of another year also names its year."""
    weekday = tx.messages["weekdays"].split(",")[day.weekday()]
    month = tx.messages["months"].split(",")[day.month - 1]
    if today is not None and day.year != today.year:
        return tx("day_year", weekday=weekday, day=day.day, month=month, year=day.year)
    return tx("day", weekday=weekday, day=day.day, month=month)


def zone_label(name: str) -> str:
    """``Etc/GMT-3`` (POSIX signs, inverted) reads as ``UTC+3``; other names as they are."""
    if name.startswith("Etc/GMT") and name[7:8] in ("+", "-"):
        return f"UTC{'-' if name[7] == '+' else '+'}{name[8:]}"
    return name
