"""The day's checklist: one button per habit due, edited in place as it is tapped."""

from __future__ import annotations

import math
import re
from datetime import date

from telebot import types

from habitcore import HabitStatus, Status
from habitcore.rules.habits import clean_amount
from habitcore.tracker import Toggled
from habitcore_telegram.bot import Bot, Person, origin
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack, unpack
from habitcore_telegram.handlers import notes
from habitcore_telegram.views import AMOUNT_DECIMALS, SHOWN_TODAY, amount, day_title, label

# As amount() writes them, up to habitcore's largest amount (1,000,000,000).
AMOUNT = re.compile(r"(0|[1-9][0-9]{0,9})(\.[0-9]{1,6})?")
PAGE = 40  # habits per message: two buttons each stays well inside Telegram's 100


def pages(
    person: Person, only: list[int] | None = None
) -> list[tuple[str, types.InlineKeyboardMarkup | None]]:
    """The checklist as messages: all habits due today, or just ``only`` (one message's own)."""
    tracker, tx = person.tracker, person.tx
    statuses = tracker.habits()
    day = statuses[0].day if statuses else person.today()
    if only is not None:
        by_id = {s.habit.id: s for s in statuses}
        shown = [by_id[i] for i in only if i in by_id]
    else:
        shown = [s for s in statuses if s.state in SHOWN_TODAY]
    header = tx("today.title", day=day_title(tx, day))
    notes: list[str] = []
    if only is None:
        waiting = [s.habit.name for s in statuses if s.state not in SHOWN_TODAY]
        if waiting:
            notes.append(tx("today.not_due", names=", ".join(waiting)))
        settings = person.settings or tracker.settings()  # read once per update
        if not settings.timezone_set:
            notes.append(tx("today.utc"))
    if not shown:
        if statuses or only is not None:
            empty = tx("today.none")
        elif tracker.habits(archived=True):
            empty = tx("today.only_archived")
        else:
            empty = tx("today.no_habits")
        return [("\n".join([header, empty, *notes]), None)]
    result: list[tuple[str, types.InlineKeyboardMarkup | None]] = []
    chunks = [shown[i : i + PAGE] for i in range(0, len(shown), PAGE)]
    for number, chunk in enumerate(chunks, 1):
        title = f"{header} ({number}/{len(chunks)})" if len(chunks) > 1 else header
        lines = [title, tx("today.hint"), *(notes if number == 1 else [])]
        result.append(("\n".join(lines), checklist(person.telegram_id, day, chunk)))
    return result


def checklist(owner: int, day: date, statuses: list[HabitStatus]) -> types.InlineKeyboardMarkup:
    return keyboard(
        *(
            [
                (label(s), pack("t", owner, s.habit.id, day)),
                ("⏭", pack("s", owner, s.habit.id, day)),
            ]
            for s in statuses
        )
    )


def show(bot: Bot, person: Person, message: types.Message) -> None:
    for text, markup in pages(person):
        bot.send(person.chat_id, text, markup)


def listed(message: types.Message | None) -> list[int]:
    """The habits a checklist message lists, read back from its own buttons."""
    ids: list[int] = []
    markup = message.reply_markup if message is not None else None
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            try:
                parsed = unpack(button.callback_data)
            except BadButton:
                continue
            if parsed.action == "t":
                ids.append(parsed.number(0))
    return ids


def refresh(bot: Bot, person: Person, message_id: int, ids: list[int]) -> None:
    """Redraw the buttons of a checklist message, for the habits it already lists.

    Only the buttons: the text above them (a morning summary, a page number) stays as it was.
    """
    _text, markup = pages(person, ids)[0]
    bot.edit_markup(person.chat_id, message_id, markup)


def stale(person: Person, day: date) -> str | None:
    """Why something made for habit day ``day`` no longer applies (that day is over), or None."""
    if day != person.today():
        return person.tx("button.old_day", day=day_title(person.tx, day))
    return None


def _current_day(person: Person, button: Button, index: int) -> date | str:
    day = button.day(index)
    return stale(person, day) or day


def tap(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    """``t``: toggle done; a measurable habit asks how much instead."""
    day = _current_day(person, button, 1)
    if isinstance(day, str):
        return day
    done = person.tracker.toggle(button.number(0), day)  # HabitNotFound when it is gone
    if done.asks_amount:
        ask_amount(bot, person, done, origin(call))
        return person.tx("amount.asked")
    said = "today.done" if done.status is Status.DONE else "today.unmarked"
    refresh(bot, person, origin(call).message_id, listed(origin(call)))
    return person.tx(said, name=done.name)


def skip(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    """``s``: skip (a skip neither breaks nor extends a streak); tapped again, unskip."""
    day = _current_day(person, button, 1)
    if isinstance(day, str):
        return day
    done = person.tracker.toggle(button.number(0), day, skip=True)
    said = "today.skipped" if done.status is Status.SKIPPED else "today.unmarked"
    refresh(bot, person, origin(call).message_id, listed(origin(call)))
    return person.tx(said, name=done.name)


def ask_amount(bot: Bot, person: Person, habit: Toggled, checklist: types.Message | None) -> None:
    tx, day = person.tx, habit.day
    target = habit.target or 1.0
    # The target's button carries it rounded up, so that tapping it always meets the target.
    whole = math.ceil(target * 10**AMOUNT_DECIMALS) / 10**AMOUNT_DECIMALS
    choices = sorted({v for v in (1.0, round(target / 2), whole) if 0 < v <= whole})
    owner = person.telegram_id
    markup = keyboard(
        [(amount(v), pack("a", owner, habit.habit_id, day, amount(v))) for v in choices]
    )
    bot.dialogs.begin(
        person.telegram_id,
        "amount",
        habit=habit.habit_id,
        day=day.isoformat(),
        checklist=checklist.message_id if checklist else None,
        listed=listed(checklist),
    )
    unit = f" {habit.unit}" if habit.unit else ""
    bot.send(
        person.chat_id,
        tx(
            "amount.question",
            name=habit.name,
            now=amount(habit.amount),
            target=amount(target),
            unit=unit,
        ),
        markup,
    )


def record_amount(person: Person, habit_id: int, day: date, value: float) -> str:
    """Set the day's total; the one write an amount makes."""
    clean_amount(value)
    checkin = person.tracker.check(habit_id, day, amount=value)
    habit = person.tracker.habit(habit_id)
    unit = f" {habit.unit}" if habit.unit else ""
    return person.tx(
        "amount.saved",
        name=habit.name,
        now=amount(checkin.amount),
        target=amount(habit.target),
        unit=unit,
    )


def amount_button(
    bot: Bot, person: Person, button: Button, call: types.CallbackQuery
) -> str | None:
    """``a``: a quick amount from the question's buttons."""
    day = _current_day(person, button, 1)
    if isinstance(day, str):
        return day
    text = button.text(2)
    if not AMOUNT.fullmatch(text):
        raise BadButton("amount")
    value = float(text)
    habit_id = button.number(0)
    text = record_amount(person, habit_id, day, value)
    dialog = bot.dialogs.get(person.telegram_id)
    if dialog is not None and dialog.kind == "amount" and dialog.data["habit"] == habit_id:
        bot.dialogs.end(person.telegram_id)
        _redraw_checklist(bot, person, dialog.data)
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, text, notes.markup(person, habit_id, day))
    return text


def amount_text(bot: Bot, person: Person, message: types.Message, data: dict[str, object]) -> None:
    """The amount dialog: a typed number such as ``2.5``."""
    text = (message.text or "").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        bot.send(person.chat_id, person.tx("amount.not_a_number", text=text[:40]))
        return
    day = date.fromisoformat(str(data["day"]))
    why = stale(person, day)
    if why is not None:
        bot.dialogs.end(person.telegram_id)
        bot.send(person.chat_id, why)
        return
    habit_id = int(str(data["habit"]))
    reply = record_amount(person, habit_id, day, value)
    bot.dialogs.end(person.telegram_id)
    bot.send(person.chat_id, reply, notes.markup(person, habit_id, day))
    _redraw_checklist(bot, person, data)


def _redraw_checklist(bot: Bot, person: Person, data: dict[str, object]) -> None:
    message_id, ids = data.get("checklist"), data.get("listed")
    if isinstance(message_id, int) and isinstance(ids, list) and ids:
        refresh(bot, person, message_id, [int(i) for i in ids])
