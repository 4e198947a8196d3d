"""One-line commands for what the checklist and a habit's card do with buttons, for those who
would rather type: ``/done Water | 3``, ``/skip Run | yesterday``, ``/rename Read | Books``,
``/pause Read 7`` …

The habit is named as in the ``habit`` command: its full name in any case, or a prefix only it
has. Each command is one habitcore call, so a refusal is habitcore's own sentence and changes
nothing.
"""

from __future__ import annotations

import re
from datetime import date

from telebot import types

from habitcore import HabitArchived, HabitNotFound, Kind
from habitcore.rules.days import parse_day
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.handlers import notes
from habitcore_telegram.handlers.account import MAX_VACATION, argument, pause_days
from habitcore_telegram.handlers.manage import delete_question, set_target
from habitcore_telegram.handlers.today import record_amount
from habitcore_telegram.views import day_title, goal

NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def _parts(message: types.Message) -> list[str] | None:
    """The ``|``-separated parts after the command; None when there is nothing."""
    typed = argument(message)
    if not typed:
        return None
    return [part.strip() for part in typed.split("|")]


def _usage(bot: Bot, person: Person, command: str) -> None:
    bot.send(person.chat_id, person.tx(f"typed.usage.{command}", most=MAX_VACATION))


def _name_and_rest(person: Person, parts: list[str]) -> tuple[str, str]:
    """Without ``|``, the last word may be the argument: ``/pause Read 7``, ``/done Water 3``.

    The whole text is tried as a name first, so a habit called "Day 2" stays itself.
    """
    if len(parts) > 1:
        return person.tracker.resolve(parts[0]), " | ".join(parts[1:])
    words = parts[0].rsplit(maxsplit=1)
    try:
        return person.tracker.resolve(parts[0]), ""
    except HabitNotFound:
        if len(words) < 2:
            raise
        return person.tracker.resolve(words[0]), words[1]


def _marking(
    person: Person, message: types.Message, *, amounts: bool
) -> tuple[str, date, float | None] | None:
    """The habit, day and amount of /done, /undo or /skip; None when nothing follows.

    After the name come a day (``yesterday``, ``-2``, ``2026-11-20``, ``mon``; default today)
    and, for /done, an amount, in either order.
    """
    parts = _parts(message)
    if parts is None:
        return None
    name, rest = _name_and_rest(person, parts)
    today = person.today()
    day, value = today, None
    for part in parts[1:] if len(parts) > 1 else [rest]:
        if amounts and NUMBER.fullmatch(part):
            value = float(part.replace(",", "."))
        elif part:
            day = parse_day(person.tx.understood(part), today)
    return name, day, value


def _on(person: Person, keys: tuple[str, str], name: str, day: date) -> str:
    """``✅ Read: done``, or ``✅ Read: done for Tue, 24 Nov`` about another day."""
    today = person.today()
    if day == today:
        return person.tx(keys[0], name=name)
    return person.tx(keys[1], name=name, day=day_title(person.tx, day, today))


def done(bot: Bot, person: Person, message: types.Message) -> None:
    """``/done Read``, ``/done Water | 3``, ``/done Read | yesterday``.

    The confirmation carries the 📝 Note button; a reply to it is that day's note.
    """
    marking = _marking(person, message, amounts=True)
    if marking is None:
        return _usage(bot, person, "done")
    name, day, value = marking
    habit = person.tracker.habit(name)
    if value is not None and habit.kind is Kind.MEASURABLE:
        said = record_amount(person, habit.id, day, value)
    else:
        person.tracker.check(habit.id, day, amount=value)
        said = _on(person, ("today.done", "today.done_on"), habit.name, day)
    bot.send(person.chat_id, said, notes.markup(person, habit.id, day))


def undo(bot: Bot, person: Person, message: types.Message) -> None:
    """``/undo Read``: today's (or that day's) done or skip is taken back."""
    marking = _marking(person, message, amounts=False)
    if marking is None:
        return _usage(bot, person, "undo")
    name, day, _ = marking
    if person.tracker.uncheck(name, day):
        said = _on(person, ("today.unmarked", "today.unmarked_on"), name, day)
    else:
        said = person.tx("typed.nothing_marked", name=name, day=day_title(person.tx, day))
    bot.send(person.chat_id, said)


def skip(bot: Bot, person: Person, message: types.Message) -> None:
    """``/skip Run``, ``/skip Run | yesterday``: neither breaks nor extends the streak."""
    marking = _marking(person, message, amounts=False)
    if marking is None:
        return _usage(bot, person, "skip")
    name, day, _ = marking
    skipped = person.tracker.habit(name)
    person.tracker.skip(skipped.id, day)
    said = _on(person, ("today.skipped", "today.skipped_on"), skipped.name, day)
    bot.send(person.chat_id, said, notes.markup(person, skipped.id, day))


def note(bot: Bot, person: Person, message: types.Message) -> None:
    """``/note Read``, ``/note Read | yesterday``: asks for the note of that day's check-in.

    The note itself comes in the next message, never in this line: a note is free text, and
    ``|``, days and numbers in it would read as the command's own parts.
    """
    marking = _marking(person, message, amounts=False)
    if marking is None:
        return _usage(bot, person, "note")
    name, day, _ = marking
    why = notes.ask(bot, person, person.tracker.habit(name).id, day)
    if why is not None:
        bot.send(person.chat_id, why)


def rename(bot: Bot, person: Person, message: types.Message) -> None:
    """``/rename Read | Books``."""
    parts = _parts(message)
    if parts is None or len(parts) != 2:
        return _usage(bot, person, "rename")
    # Renaming never guesses from a prefix: the whole name (any case) or nothing.
    habit = person.tracker.edit_habit(
        person.tracker.find(parts[0], exact=True).id, new_name=parts[1]
    )
    bot.send(person.chat_id, person.tx("card.renamed", name=habit.name))


def schedule(bot: Bot, person: Person, message: types.Message) -> None:
    """``/schedule Run | 3/week``."""
    parts = _parts(message)
    if parts is None or len(parts) != 2:
        return _usage(bot, person, "schedule")
    name = person.tracker.resolve(parts[0])
    habit = person.tracker.edit_habit(name, schedule=person.tx.understood(parts[1]))
    bot.send(
        person.chat_id, person.tx("card.schedule_set", name=habit.name, goal=goal(person.tx, habit))
    )


def target(bot: Bot, person: Person, message: types.Message) -> None:
    """``/amount Water | 8 glasses``, ``/amount Coffee | at most 2``, ``/amount Water | off``."""
    parts = _parts(message)
    if parts is None or len(parts) != 2:
        return _usage(bot, person, "amount")
    typed = " ".join(parts[1].split())
    habit = set_target(person, person.tracker.resolve(parts[0]), typed)
    if habit is None:
        bot.send(person.chat_id, person.tx("card.bad_target", text=typed[:40]))
        return
    bot.send(
        person.chat_id, person.tx("card.schedule_set", name=habit.name, goal=goal(person.tx, habit))
    )


def pause(bot: Bot, person: Person, message: types.Message) -> None:
    """``/pause Read 7``: that habit is paused for 7 days from today (streaks freeze)."""
    parts = _parts(message)
    if parts is None:
        return _usage(bot, person, "pause")
    name, rest = _name_and_rest(person, parts)
    days = rest.strip()
    if not days.isdigit() or not 1 <= int(days) <= MAX_VACATION:
        return _usage(bot, person, "pause")
    last = pause_days(person, name, int(days))
    bot.send(person.chat_id, person.tx("card.paused_until", name=name, end=last.isoformat()))


def resume(bot: Bot, person: Person, message: types.Message) -> None:
    """``/resume Read``: its pauses end today."""
    parts = _parts(message)
    if parts is None or len(parts) != 1:
        return _usage(bot, person, "resume")
    name = person.tracker.resolve(parts[0])
    person.tracker.resume(name)
    bot.send(person.chat_id, person.tx("card.resumed", name=name))


def archive(bot: Bot, person: Person, message: types.Message) -> None:
    parts = _parts(message)
    if parts is None or len(parts) != 1:
        return _usage(bot, person, "archive")
    habit = person.tracker.archive(person.tracker.find(parts[0], exact=True).id)
    bot.send(person.chat_id, person.tx("card.archived", name=habit.name))


def unarchive(bot: Bot, person: Person, message: types.Message) -> None:
    parts = _parts(message)
    if parts is None or len(parts) != 1:
        return _usage(bot, person, "unarchive")
    habit = person.tracker.unarchive(person.tracker.resolve(parts[0], archived=True))
    bot.send(person.chat_id, person.tx("card.unarchived", name=habit.name))


def delete(bot: Bot, person: Person, message: types.Message) -> None:
    """``/delete Read`` asks first, with the card's own yes and no buttons."""
    parts = _parts(message)
    if parts is None or len(parts) != 1:
        return _usage(bot, person, "delete")
    try:
        habit = person.tracker.find(parts[0])
    except HabitArchived:  # an archived habit may be deleted too: the question names it
        habit = person.tracker.find(parts[0], archived=True)
    question, answers = delete_question(person, habit)
    bot.send(person.chat_id, question, answers)
