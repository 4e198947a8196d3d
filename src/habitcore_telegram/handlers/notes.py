"""Notes on check-ins: a reply to a confirmation, its 📝 Note button, or ``/note Read``.

Every message that confirms a recorded day (``/done``, ``/skip``, a reminder's Done or Skip, a
saved amount) carries a 📝 Note button naming the habit and the day. Pressing it asks for the
note; replying to the message with text sets the note at once.

The button is also how a reply finds its check-in. Telegram hands back the replied-to message
whole, its buttons included, so the bot keeps no table of message ids: a reply works after a
restart, and there is nothing to bound or expire. Only a message the bot itself sent, with a
note button made for the person replying, is taken; a reply to anything else changes nothing.
"""

from __future__ import annotations

from datetime import date

from telebot import types

from habitcore import CheckIn, HabitArchived, HabitNotFound, InvalidDay, InvalidName
from habitcore.rules.habits import clean_note
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack, unpack
from habitcore_telegram.views import day_title

ACTION = "n"  # n:owner:habit:YYYYMMDD
REMOVE = ("-", "–", "—")  # a phone may turn a typed hyphen into a dash
SHOWN_NOTE = 500  # characters of the current note repeated in the question


def markup(person: Person, habit_id: int, day: date) -> types.InlineKeyboardMarkup:
    """The 📝 Note button for a message that confirms ``day`` of a habit."""
    return keyboard([(person.tx("note.button"), pack(ACTION, person.telegram_id, habit_id, day))])


def _when(person: Person, day: date) -> str:
    return day_title(person.tx, day, person.today())


def _recorded(person: Person, habit_id: int, day: date) -> CheckIn | None:
    for checkin in person.tracker.checkins(habit_id, since=day):
        if checkin.day == day:
            return checkin
    return None


def _nothing(person: Person, name: str, day: date) -> str:
    return person.tx("note.nothing", name=name, day=_when(person, day))


def ask(bot: Bot, person: Person, habit_id: int, day: date) -> str | None:
    """Open the note dialog for that day's check-in; why not, when nothing is recorded."""
    habit = person.tracker.habit(habit_id)
    if habit.archived:
        raise HabitArchived(habit.name)
    checkin = _recorded(person, habit.id, day)
    if checkin is None:
        return _nothing(person, habit.name, day)
    bot.dialogs.begin(person.telegram_id, "note", habit=habit.id, day=day.isoformat())
    lines = [person.tx("note.ask", name=habit.name, day=_when(person, day))]
    if checkin.note:
        shown = checkin.note if len(checkin.note) <= SHOWN_NOTE else checkin.note[:SHOWN_NOTE] + "…"
        lines.append(person.tx("note.current", note=shown))
    bot.send(person.chat_id, "\n".join(lines))
    return None


def press(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    """``n``: the 📝 Note button asks for the note of the day it names."""
    why = ask(bot, person, button.number(0), button.day(1))
    return why or person.tx("note.asked")


def save(person: Person, habit_id: int, day: date, typed: str) -> tuple[str, bool]:
    """Set (or, with ``-``, remove) the note; what to say, and whether the note was taken.

    A refused note (too long, invisible characters) is habitcore's own sentence.
    """
    tx = person.tx
    text: str | None = None if typed.strip() in REMOVE else typed
    try:
        clean_note(text)  # the library's rule and sentence, before anything is looked up
    except InvalidName as error:
        return tx("note.refused", detail=str(error)), False
    try:
        checkin = person.tracker.set_note(habit_id, day, text)
    except HabitNotFound:
        return tx("button.gone"), True
    except HabitArchived:
        return tx("button.archived"), True
    except InvalidDay:
        return _nothing(person, person.tracker.habit(habit_id).name, day), True
    name = person.tracker.habit(habit_id).name
    key = "note.saved" if checkin.note else "note.removed"
    return tx(key, name=name, day=_when(person, day)), True


def note_text(bot: Bot, person: Person, message: types.Message, data: dict[str, object]) -> None:
    """The note dialog: the next text is the note; a refused one may be sent again."""
    day = date.fromisoformat(str(data["day"]))
    said, taken = save(person, int(str(data["habit"])), day, message.text or "")
    if taken:
        bot.dialogs.end(person.telegram_id)
    bot.send(person.chat_id, said)


def target(bot: Bot, person: Person, replied: types.Message) -> tuple[int, date] | None:
    """The habit and day a replied-to message confirms, read from its own 📝 Note button.

    None unless the bot sent that message and its note button was made for this person.
    """
    sender = replied.from_user
    if sender is None or sender.id != bot.api.bot_id:
        return None
    markup = replied.reply_markup
    rows = markup.inline_keyboard if isinstance(markup, types.InlineKeyboardMarkup) else []
    for row in rows:
        for button in row:
            try:
                parsed = unpack(button.callback_data)
                if parsed.action != ACTION or parsed.owner != person.telegram_id:
                    continue
                if len(parsed.args) != 2:
                    return None
                return parsed.number(0), parsed.day(1)
            except BadButton:
                continue
    return None


def reply(bot: Bot, person: Person, message: types.Message) -> bool:
    """A text replying to a message: the note, when that message confirms a check-in.

    A reply to anything else is left to a dialog in progress (people reply to its question);
    with none, it gets a hint and changes nothing. False: not handled here.
    """
    replied = message.reply_to_message
    if replied is None:
        return False
    found = target(bot, person, replied)
    if found is None:
        if bot.dialogs.get(person.telegram_id) is not None:
            return False
        bot.send(person.chat_id, person.tx("note.not_a_checkin"))
        return True
    said, _taken = save(person, *found, message.text or "")
    bot.send(person.chat_id, said)
    return True
