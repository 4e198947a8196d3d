"""Which handler answers which command, button and dialog step."""

from __future__ import annotations

from collections.abc import Callable

import telebot
from telebot import types

from habitcore import HabitArchived, HabitNotFound
from habitcore_telegram.bot import Bot, CallbackHandler, MessageHandler, Person
from habitcore_telegram.handlers import (
    account,
    adding,
    api_tokens,
    data,
    figures,
    manage,
    notes,
    reminding,
    today,
    typed,
)

COMMANDS: dict[str, MessageHandler] = {
    "start": account.start,
    "help": account.help_,
    "language": account.language,
    "add": adding.add,
    "cancel": account.cancel,
    "today": today.show,
    "list": today.show,
    "habits": manage.habits,
    "done": typed.done,
    "undo": typed.undo,
    "skip": typed.skip,
    "note": typed.note,
    "rename": typed.rename,
    "schedule": typed.schedule,
    "amount": typed.target,
    "pause": typed.pause,
    "resume": typed.resume,
    "archive": typed.archive,
    "unarchive": typed.unarchive,
    "delete": typed.delete,
    "stats": figures.stats,
    "remind": manage.remind,
    "timezone": account.timezone,
    "daystart": account.day_start,
    "morning": account.morning,
    "vacation": account.vacation,
    "export": data.export,
    "import": data.start_import,
    "token": api_tokens.token,
    "deleteme": account.delete_me,
}

# Each button action, with how many arguments follow ``action:owner`` in its data.
BUTTONS: dict[str, tuple[int, CallbackHandler]] = {
    "t": (2, today.tap),  # habit, day
    "s": (2, today.skip),  # habit, day
    "a": (3, today.amount_button),  # habit, day, amount
    "r": (4, reminding.press),  # reminder, habit, day, d|s|z
    "n": (2, notes.press),  # habit, day
    "h": (2, manage.press),  # habit, operation
    "hl": (0, manage.back_button),
    "hs": (2, manage.schedule_button),  # habit, schedule
    "hp": (2, manage.pause_button),  # habit, days
    "as": (2, adding.schedule_button),  # dialog serial, schedule
    "at": (2, adding.time_button),  # dialog serial, HHMM | none | c
    "lg": (1, account.language_button),  # language
    "vc": (1, account.vacation_button),  # days
    "ds": (1, account.day_start_button),  # HHMM
    "mo": (1, account.morning_button),  # on | off
    "dm": (1, account.delete_me_button),  # y | n
    "st": (1, figures.stats_button),  # habit
    "tk": (3, api_tokens.revoke_button),  # label's minute YYYYMMDDHHMM, its number, made (µs)
}

DialogStep = Callable[[Bot, Person, types.Message, dict[str, object]], None]

DIALOGS: dict[str, DialogStep] = {
    "add_name": adding.name_text,
    "add_schedule": adding.schedule_text,  # typed instead of a button: taken as a schedule
    "add_time": adding.time_text,  # typed instead of a button: taken as a time
    "add_schedule_text": adding.schedule_text,
    "add_time_text": adding.time_text,
    "timezone": account.timezone_text,
    "amount": today.amount_text,
    "rename": manage.rename_text,
    "schedule": manage.schedule_text,
    "remind": manage.reminders_text,
    "target": manage.target_text,
    "note": notes.note_text,
}


def command_of(message: types.Message) -> str | None:
    """``/add@habit_bot Read`` gives ``add``; plain text gives None."""
    text = (message.text or "").strip()
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:].split("@")[0].lower()


def text(bot: Bot, person: Person, message: types.Message) -> None:
    """Any text: a command, a note (a reply to a confirmation), the next step of a dialog, or
    a hint."""
    command = command_of(message)
    if command is not None:
        handler = COMMANDS.get(command)
        if handler is None:
            account.unknown_command(bot, person, message)
            return
        if command not in ("cancel",):
            bot.dialogs.end(person.telegram_id)  # a new command leaves any dialog
        handler(bot, person, message)
        return
    if notes.reply(bot, person, message):
        return
    dialog = bot.dialogs.get(person.telegram_id)
    if dialog is not None and dialog.kind in DIALOGS:
        try:
            DIALOGS[dialog.kind](bot, person, message, dialog.data)
        except (HabitNotFound, HabitArchived):
            # The habit it asks about was deleted or archived meanwhile: no answer can take.
            bot.dialogs.end(person.telegram_id)
            raise
        return
    if dialog is not None and dialog.kind == "import":
        bot.send(person.chat_id, person.tx("import.ask"))
        return
    account.other_content(bot, person, message)


def register(bot: Bot) -> None:
    api = bot.api
    bot.callbacks.update(BUTTONS)
    api.message_handler(content_types=["text"])(bot.on_message(text))
    api.message_handler(content_types=["location"])(bot.on_message(account.location))
    api.message_handler(content_types=["document"])(bot.on_message(data.document))
    # Everything else a person can send (a sticker, a photo, a story, a game …) gets a hint;
    # telebot tries handlers in order, so this one only sees what the others did not take.
    api.message_handler(func=lambda message: True, content_types=ANYTHING)(
        bot.on_message(account.other_content)
    )
    api.callback_query_handler(func=lambda call: True)(  # type: ignore[no-untyped-call]
        bot.on_button
    )


ANYTHING = sorted(set(telebot.util.content_type_media) | {"game", "story", "giveaway"})
