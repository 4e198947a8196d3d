"""``/habits``: each habit's card, with rename, schedule, reminders, pause, archive and delete;
and ``/remind`` for setting reminders in one line."""

from __future__ import annotations

import re

from telebot import types

from habitcore import Habit, HabitArchived
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack
from habitcore_telegram.handlers.account import argument, pause_days
from habitcore_telegram.handlers.adding import SCHEDULES
from habitcore_telegram.views import goal, percent, streak_words

PAUSES = (3, 7, 14, 30)
ARCHIVED_OPS = ("o", "u", "d", "D")  # what an archived habit's card offers: open, unarchive, delete
PAGE = 90  # habit buttons to a message (Telegram allows 100)


def habits(bot: Bot, person: Person, message: types.Message) -> None:
    for text, markup in overview(person):
        bot.send(person.chat_id, text, markup)


def overview(person: Person) -> list[tuple[str, types.InlineKeyboardMarkup | None]]:
    """Every habit as a button, active first, archived marked 🗄; 90 to a message."""
    tx, owner = person.tx, person.telegram_id
    statuses = person.tracker.habits(archived=True)
    if not statuses:
        return [(tx("habits.none"), None)]
    active = [s.habit for s in statuses if not s.habit.archived]
    archived = [s.habit for s in statuses if s.habit.archived]
    rows = [[(f"{h.name} · {goal(tx, h)}", pack("h", owner, h.id, "o"))] for h in active]
    rows += [[(f"🗄 {h.name}", pack("h", owner, h.id, "o"))] for h in archived]
    title = tx("habits.title", active=len(active), archived=len(archived))
    return [(title, keyboard(*rows[i : i + PAGE])) for i in range(0, len(rows), PAGE)]


def card(person: Person, habit: Habit) -> tuple[str, types.InlineKeyboardMarkup]:
    tx, owner, tracker = person.tx, person.telegram_id, person.tracker
    lines = [f"{'🗄 ' if habit.archived else ''}{habit.name}", goal(tx, habit)]
    lines.append(
        tx("card.reminders", times=", ".join(habit.reminders))
        if habit.reminders
        else tx("card.no_reminders")
    )
    markup = types.InlineKeyboardMarkup()

    def button(key: str, op: str) -> types.InlineKeyboardButton:
        return types.InlineKeyboardButton(tx(key), callback_data=pack("h", owner, habit.id, op))

    if habit.archived:
        markup.row(button("card.unarchive", "u"), button("card.delete", "d"))
    else:
        stats = tracker.stats(habit.id)
        lines.append(
            tx(
                "card.figures",
                streak=streak_words(tx, habit, stats.current_streak),
                best=streak_words(tx, habit, stats.best_streak),
                score=percent(stats.score),
            )
        )
        today = person.today()
        for pause in tracker.pauses(habit.id):
            if pause.end >= today:
                lines.append(
                    tx("card.paused", start=pause.start.isoformat(), end=pause.end.isoformat())
                )
        markup.row(button("card.rename", "r"), button("card.schedule", "s"))
        markup.row(button("card.reminders_button", "m"), button("card.target", "g"))
        markup.row(button("card.pause", "p"), button("card.archive", "a"))
        markup.row(button("card.delete", "d"))
    markup.row(types.InlineKeyboardButton(tx("card.back"), callback_data=pack("hl", owner)))
    return "\n".join(lines), markup


def back_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    text, markup = overview(person)[0]
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, text, markup)
    return None


def press(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    """``h``: a card button. Every write here is one habitcore call."""
    habit_id, op = button.number(0), button.text(1)
    tracker, tx, owner = person.tracker, person.tx, person.telegram_id
    habit = tracker.habit(habit_id)
    if op not in ARCHIVED_OPS:
        _active(habit)
    message_id = call.message.message_id if call.message is not None else None
    answer: str | None = None
    if op == "o":
        pass
    elif op == "r":
        bot.dialogs.begin(owner, "rename", habit=habit_id, card=message_id)
        bot.send(person.chat_id, tx("card.ask_name", name=habit.name))
        return tx("card.rename")
    elif op == "s":
        choices = [(tx(f"add.schedule.{k}"), pack("hs", owner, habit_id, k)) for k in SCHEDULES]
        custom = [(tx("add.schedule.custom"), pack("hs", owner, habit_id, "c"))]
        _ask(bot, person, message_id, tx("card.ask_schedule", name=habit.name), choices, custom)
        return None
    elif op == "m":
        bot.dialogs.begin(owner, "remind", habit=habit_id, card=message_id)
        bot.send(person.chat_id, tx("card.ask_reminders", name=habit.name))
        return tx("card.reminders_button")
    elif op == "g":
        bot.dialogs.begin(owner, "target", habit=habit_id, card=message_id)
        bot.send(person.chat_id, tx("card.ask_target", name=habit.name))
        return tx("card.target")
    elif op == "p":
        choices = [(tx.count("n.days", n), pack("hp", owner, habit_id, n)) for n in PAUSES]
        resume = [(tx("card.resume"), pack("hp", owner, habit_id, 0))]
        _ask(bot, person, message_id, tx("card.ask_pause", name=habit.name), choices, resume)
        return None
    elif op == "a":
        habit = tracker.archive(habit_id)
        answer = tx("card.archived", name=habit.name)
    elif op == "u":
        habit = tracker.unarchive(habit_id)
        answer = tx("card.unarchived", name=habit.name)
    elif op == "d":
        question, answers = delete_question(person, habit)
        if message_id is not None:
            bot.edit(person.chat_id, message_id, question, answers)
        return None
    elif op == "D":
        tracker.delete_habit(habit_id)
        text, overview_markup = overview(person)[0]
        if message_id is not None:
            bot.edit(person.chat_id, message_id, text, overview_markup)
        return tx("card.deleted", name=habit.name)
    else:
        raise BadButton(op)
    text, markup = card(person, habit)
    if message_id is not None:
        bot.edit(person.chat_id, message_id, text, markup)
    return answer


def delete_question(person: Person, habit: Habit) -> tuple[str, types.InlineKeyboardMarkup]:
    """Delete with all its history? Yes deletes (``D``); no opens the card again (``o``)."""
    tx, owner = person.tx, person.telegram_id
    answers = keyboard(
        [
            (tx("card.delete_yes"), pack("h", owner, habit.id, "D")),
            (tx("card.delete_no"), pack("h", owner, habit.id, "o")),
        ]
    )
    return tx("card.ask_delete", name=habit.name), answers


def _active(habit: Habit) -> None:
    """Refuse a change to an archived habit from a card drawn before it was archived: the
    dialog it would start could never end well."""
    if habit.archived:
        raise HabitArchived(habit.name)


def _ask(
    bot: Bot, person: Person, message_id: int | None, text: str, *rows: list[tuple[str, str]]
) -> None:
    """Turn the card into a question with these rows of answers."""
    if message_id is not None:
        bot.edit(person.chat_id, message_id, text, keyboard(*rows))


def schedule_button(
    bot: Bot, person: Person, button: Button, call: types.CallbackQuery
) -> str | None:
    """``hs``: a new schedule from the card."""
    habit_id, choice = button.number(0), button.text(1)
    tx = person.tx
    _active(person.tracker.habit(habit_id))
    if choice == "c":
        card = call.message.message_id if call.message is not None else None
        bot.dialogs.begin(person.telegram_id, "schedule", habit=habit_id, card=card)
        bot.send(person.chat_id, tx("add.ask_custom"))
        return None
    if choice not in SCHEDULES:
        raise BadButton(choice)
    habit = person.tracker.edit_habit(habit_id, schedule=SCHEDULES[choice])
    _redraw(bot, person, call, habit)
    return tx("card.schedule_set", name=habit.name, goal=goal(tx, habit))


def pause_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    """``hp``: pause the habit N days from today, or (0) end its pauses."""
    habit_id, days = button.number(0), button.number(1)
    tracker, tx = person.tracker, person.tx
    if days > 365:
        raise BadButton("days")
    habit = tracker.habit(habit_id)
    _active(habit)
    if days == 0:
        tracker.resume(habit_id)
        answer = tx("card.resumed", name=habit.name)
    else:
        last = pause_days(person, habit_id, days)
        answer = tx("card.paused_until", name=habit.name, end=last.isoformat())
    _redraw(bot, person, call, tracker.habit(habit_id))
    return answer


def _redraw(bot: Bot, person: Person, call: types.CallbackQuery, habit: Habit) -> None:
    if call.message is not None:
        text, markup = card(person, habit)
        bot.edit(person.chat_id, call.message.message_id, text, markup)


def rename_text(bot: Bot, person: Person, message: types.Message, data: dict[str, object]) -> None:
    habit = person.tracker.edit_habit(int(str(data["habit"])), new_name=message.text or "")
    _typed_done(bot, person, data, habit, person.tx("card.renamed", name=habit.name))


def schedule_text(
    bot: Bot, person: Person, message: types.Message, data: dict[str, object]
) -> None:
    typed = person.tx.understood(message.text or "")
    habit = person.tracker.edit_habit(int(str(data["habit"])), schedule=typed)
    said = person.tx("card.schedule_set", name=habit.name, goal=goal(person.tx, habit))
    _typed_done(bot, person, data, habit, said)


def reminders_text(
    bot: Bot, person: Person, message: types.Message, data: dict[str, object]
) -> None:
    habit = _set_reminders(person, int(str(data["habit"])), message.text or "")
    _typed_done(bot, person, data, habit, _reminders_said(person, habit))


def _typed_done(bot: Bot, person: Person, data: dict[str, object], habit: Habit, said: str) -> None:
    """A typed answer took: end the dialog, say so, and bring the card it came from up to date."""
    bot.dialogs.end(person.telegram_id)
    bot.send(person.chat_id, said)
    card_id = data.get("card")
    if isinstance(card_id, int):
        text, markup = card(person, habit)
        bot.edit(person.chat_id, card_id, text, markup)


TARGET = re.compile(
    r"(?P<most>at most|max|не больше|максимум)?\s*(?P<n>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>.*)",
    re.IGNORECASE,
)


def target_text(bot: Bot, person: Person, message: types.Message, data: dict[str, object]) -> None:
    """``8 glasses``, ``at most 2 coffees`` or ``off``: the habit's daily amount, in one edit."""
    typed = " ".join((message.text or "").split())
    habit = set_target(person, int(str(data["habit"])), typed)
    if habit is None:
        bot.send(person.chat_id, person.tx("card.bad_target", text=typed[:40]))
        return
    said = person.tx("card.schedule_set", name=habit.name, goal=goal(person.tx, habit))
    _typed_done(bot, person, data, habit, said)


def set_target(person: Person, habit: int | str, typed: str) -> Habit | None:
    """The daily amount from ``8 glasses``, ``at most 2 coffees`` or ``off``; None when the
    text is no amount."""
    if person.tx.understood(typed).lower() in ("off", "none"):
        return person.tracker.edit_habit(habit, target=None, at_most=False)
    found = TARGET.fullmatch(typed)
    if found is None:
        return None
    return person.tracker.edit_habit(
        habit,
        target=float(found["n"].replace(",", ".")),
        unit=found["unit"].strip() or None,
        at_most=bool(found["most"]),
    )


def _set_reminders(person: Person, habit: int | str, typed: str) -> Habit:
    """``off``, or one or more ``HH:MM [days]`` separated by ``;``: the habit's reminders now."""
    cleaned = person.tx.understood(typed.strip())
    off = cleaned.lower() in ("off", "none")
    rules = [] if off else [p.strip() for p in cleaned.split(";") if p.strip()]
    if not off and not rules:
        rules = [cleaned]  # empty: let habitcore say what a reminder looks like
    return person.tracker.edit_habit(habit, reminders=rules)


def _reminders_said(person: Person, habit: Habit) -> str:
    if habit.reminders:
        return person.tx("remind.set", name=habit.name, times=", ".join(habit.reminders))
    return person.tx("remind.off", name=habit.name)


def remind(bot: Bot, person: Person, message: types.Message) -> None:
    """``/remind Read 08:00 mon,wed,fri``, ``/remind Read 08:00; 21:00``, ``/remind Read off``."""
    typed = argument(message)
    words = typed.split()
    tx = person.tx
    if not words:
        lines = [tx("remind.usage")]
        for status in person.tracker.habits():
            times = ", ".join(status.habit.reminders) or "—"
            lines.append(f"• {status.habit.name}: {times}")
        bot.send(person.chat_id, "\n".join(lines))
        return
    at = next(
        (
            i
            for i, w in enumerate(words)
            if _looks_like_time(w) or tx.understood(w).lower() == "off"
        ),
        None,
    )
    if at is None or at == 0:
        bot.send(person.chat_id, tx("remind.usage"))
        return
    name = person.tracker.resolve(" ".join(words[:at]))
    habit = _set_reminders(person, name, " ".join(words[at:]))
    bot.send(person.chat_id, _reminders_said(person, habit))


def _looks_like_time(word: str) -> bool:
    head = word.rstrip(";")
    return (
        any(sep in head for sep in ":.h")
        and head.replace(":", "").replace(".", "").replace("h", "").isdigit()
    )
