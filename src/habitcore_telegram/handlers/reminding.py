"""Reminder messages with Done / Skip / Snooze buttons, and the morning message."""

from __future__ import annotations

from datetime import timedelta

from telebot import types

from habitcore import DayResult, Outcome
from habitcore.delivery import DueReminder
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack
from habitcore_telegram.handlers import notes, today
from habitcore_telegram.texts import Texts

SNOOZE = timedelta(hours=1)


def reminder(owner: int, due: DueReminder) -> tuple[str, types.InlineKeyboardMarkup]:
    tx = Texts(due.language)
    args = (due.reminder_id, due.habit_id, due.day)
    markup = keyboard(
        [
            (tx("reminder.done"), pack("r", owner, *args, "d")),
            (tx("reminder.skip"), pack("r", owner, *args, "s")),
            (tx("reminder.snooze"), pack("r", owner, *args, "z")),
        ]
    )
    # The same words after a snooze: a reminder re-armed at a restart is snoozed too.
    return tx("reminder.text", name=due.habit, time=due.time), markup


def press(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    """``r``: what a reminder's buttons do, for the habit day the reminder was for."""
    reminder_id, habit_id, day, op = (
        button.number(0),
        button.number(1),
        button.day(2),
        button.text(3),
    )
    tracker, tx = person.tracker, person.tx
    name = tracker.habit(habit_id).name
    why = today.stale(person, day)
    if why is not None:
        return why
    markup: types.InlineKeyboardMarkup | None = None
    if op == "z":
        tracker.snooze(reminder_id, day, SNOOZE)
        done = tx("reminder.snoozed", name=name)
    elif op == "d":
        tracker.check(habit_id, day)
        done = tx("today.done", name=name)
        markup = notes.markup(person, habit_id, day)  # a reply to it, or the button: a note
    elif op == "s":
        tracker.skip(habit_id, day)
        done = tx("today.skipped", name=name)
        markup = notes.markup(person, habit_id, day)
    else:
        raise BadButton(op)
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, done, markup)
    return done


def morning(
    person: Person, results: list[DayResult]
) -> list[tuple[str, types.InlineKeyboardMarkup | None]]:
    """Yesterday in a few lines, then today's checklist under it."""
    tx = person.tx
    lines: list[str] = []
    last_day = max((r.day for r in results), default=None)
    for result in results:
        if result.day != last_day:
            continue  # after downtime, only the last ended day is news; streaks say the rest
        if result.outcome is Outcome.DONE:
            line = tx("morning.kept", name=result.habit, streak=result.streak)
            if result.record:
                line += " " + tx("morning.record")
        elif result.broken:
            line = tx("morning.broken", name=result.habit, length=result.broken)
        elif result.outcome in (Outcome.MISSED, Outcome.PARTIAL):
            line = tx("morning.missed", name=result.habit)
        elif result.outcome is Outcome.OVER:
            line = tx("morning.over", name=result.habit)
        else:
            continue
        lines.append(line)
    header = tx("morning.hello")
    if lines:
        header += " " + tx("morning.yesterday") + "\n" + "\n".join(lines)
    messages = today.pages(person)
    text, markup = messages[0]
    messages[0] = (header + "\n\n" + text, markup)
    return messages
