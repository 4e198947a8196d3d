"""Adding a habit: ``/add Read | 3/week | 21:00`` at once, or a short dialog with buttons.

The dialog only collects answers (each checked as it comes, so a mistake is caught at the step
that made it); the habit is written once, at the end, in one transaction.
"""

from __future__ import annotations

from telebot import types

from habitcore import DuplicateHabit, HabitNotFound
from habitcore.rules.days import format_time_of_day, parse_time_of_day
from habitcore.rules.habits import clean_name
from habitcore.rules.reminders import parse_reminder
from habitcore.rules.schedule import parse_schedule
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack
from habitcore_telegram.handlers.account import argument
from habitcore_telegram.views import goal

SCHEDULES = {"daily": "daily", "weekdays": "weekdays", "3w": "3/week"}
TIMES = ("08:00", "12:00", "21:00")


def add(bot: Bot, person: Person, message: types.Message) -> None:
    typed = argument(message)
    if typed:
        parts = [p.strip() for p in typed.split("|")]
        if len(parts) > 3:
            bot.send(person.chat_id, person.tx("add.usage"))
            return
        name, tx = parts[0], person.tx
        schedule = tx.understood(parts[1]) if len(parts) > 1 and parts[1] else "daily"
        typed_times = tx.understood(parts[2]) if len(parts) > 2 else ""
        reminders = [r.strip() for r in typed_times.split(";") if r.strip()]
        _create(bot, person, name, schedule, reminders)
        return
    bot.dialogs.begin(person.telegram_id, "add_name")
    bot.send(person.chat_id, person.tx("add.ask_name"))


def _create(bot: Bot, person: Person, name: str, schedule: str, reminders: list[str]) -> None:
    habit = person.tracker.add_habit(name, schedule, reminders=reminders)
    bot.dialogs.end(person.telegram_id)
    tx = person.tx
    when = ", ".join(habit.reminders) if habit.reminders else tx("add.no_reminder")
    bot.send(
        person.chat_id,
        tx("add.done", name=habit.name, goal=goal(tx, habit), reminders=when)
        + "\n"
        + tx("add.next"),
    )


def name_text(bot: Bot, person: Person, message: types.Message, data: dict[str, object]) -> None:
    name = clean_name(message.text or "")
    try:
        existing = person.tracker.habit(name)
    except HabitNotFound:
        existing = None
    if existing is not None and not existing.archived:
        raise DuplicateHabit(existing.name)
    serial = bot.dialogs.begin(person.telegram_id, "add_schedule", name=name).serial
    owner, tx = person.telegram_id, person.tx
    markup = keyboard(
        [(tx(f"add.schedule.{key}"), pack("as", owner, serial, key)) for key in SCHEDULES],
        [(tx("add.schedule.custom"), pack("as", owner, serial, "c"))],
    )
    bot.send(person.chat_id, person.tx("add.ask_schedule", name=name), markup)


def schedule_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    dialog = bot.dialogs.get(person.telegram_id)
    if dialog is None or dialog.kind != "add_schedule" or dialog.serial != button.number(0):
        return person.tx("dialog.over")
    choice = button.text(1)
    if choice == "c":
        bot.dialogs.begin(person.telegram_id, "add_schedule_text", **dialog.data)
        bot.send(person.chat_id, person.tx("add.ask_custom"))
        return person.tx("add.schedule.custom")
    if choice not in SCHEDULES:
        raise BadButton(choice)
    _ask_time(bot, person, str(dialog.data["name"]), SCHEDULES[choice])
    return person.tx(f"add.schedule.{choice}")


def schedule_text(
    bot: Bot, person: Person, message: types.Message, data: dict[str, object]
) -> None:
    schedule = str(parse_schedule(person.tx.understood(message.text or "")))
    _ask_time(bot, person, str(data["name"]), schedule)


def _ask_time(bot: Bot, person: Person, name: str, schedule: str) -> None:
    serial = bot.dialogs.begin(person.telegram_id, "add_time", name=name, schedule=schedule).serial
    owner, tx = person.telegram_id, person.tx
    markup = keyboard(
        [(t, pack("at", owner, serial, t.replace(":", ""))) for t in TIMES],
        [
            (tx("add.time.none"), pack("at", owner, serial, "none")),
            (tx("add.time.other"), pack("at", owner, serial, "c")),
        ],
    )
    bot.send(person.chat_id, person.tx("add.ask_time"), markup)


def time_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    dialog = bot.dialogs.get(person.telegram_id)
    if dialog is None or dialog.kind != "add_time" or dialog.serial != button.number(0):
        return person.tx("dialog.over")
    choice = button.text(1)
    name, schedule = str(dialog.data["name"]), str(dialog.data["schedule"])
    if choice == "c":
        bot.dialogs.begin(person.telegram_id, "add_time_text", **dialog.data)
        bot.send(person.chat_id, person.tx("add.ask_custom_time"))
        return person.tx("add.time.other")
    if choice == "none":
        _create(bot, person, name, schedule, [])
        return person.tx("add.time.none")
    if len(choice) != 4 or not choice.isdigit():
        raise BadButton(choice)
    at = format_time_of_day(parse_time_of_day(f"{choice[:2]}:{choice[2:]}"))
    _create(bot, person, name, schedule, [at])
    return at


def time_text(bot: Bot, person: Person, message: types.Message, data: dict[str, object]) -> None:
    typed = person.tx.understood((message.text or "").strip())
    reminders = (
        []
        if typed.lower() in ("none", "no", "-", "off")
        else [str(parse_reminder(part)) for part in typed.split(";") if part.strip()]
    )
    _create(bot, person, str(data["name"]), str(data["schedule"]), reminders)
