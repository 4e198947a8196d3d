"""``/token``: a habit-api token for the person's own habits, shown once with a Revoke button;
``/token list`` and ``/token revoke LABEL``, as ``habit token list`` and ``habit token revoke``.

The token is made for the user the bot acts as (``telegram:<id>``), so a program holding it sees
exactly the habits the person sees here. habitcore keeps only its digest, so the message is the
one place it is ever shown: no other text, button, error or log line holds it (logs.py takes it
out of telebot's DEBUG lines, which quote message texts).

The label is the minute it was made on the person's clock, ``telegram 2026-12-07 14:05``, with
`` (2)``, `` (3)`` … when that minute already has one. The Revoke button carries the label in
short form and the instant the token was made, to the microsecond: a label is free again once
its token is revoked, and the instant tells the token the button was made for from a later one
that took the same label. A button whose token is gone changes nothing.
"""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telebot import types

from habitcore import InvalidSetting, tokens
from habitcore_telegram.bot import Bot, Person, origin
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack
from habitcore_telegram.handlers.account import argument
from habitcore_telegram.lengths import clip, size

ACTION = "tk"  # tk:owner:YYYYMMDDHHMM:n:made (microseconds since 1970, UTC)
STAMP = "%Y%m%d%H%M"
_STAMP = re.compile(r"[0-9]{12}")
SHOWN = "%Y-%m-%d %H:%M"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def label_of(stamp: str, number: int) -> str:
    """``telegram 2026-12-07 14:05`` for the stamp ``202612071405``, and `` (n)`` after it
    from the second token of that minute on."""
    label = f"telegram {stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[8:10]}:{stamp[10:12]}"
    return label if number == 1 else f"{label} ({number})"


def micros(moment: datetime) -> int:
    """An instant as whole microseconds since 1970: exact, and short enough for a button."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def _zone(person: Person) -> ZoneInfo:
    return ZoneInfo(person.known_settings().timezone)


def token(bot: Bot, person: Person, message: types.Message) -> None:
    """``/token`` makes one; ``/token list`` and ``/token revoke LABEL`` as the CLI has them."""
    words = argument(message).split(maxsplit=1)
    asked = words[0].lower() if words else ""
    if not words:
        _make(bot, person)
    elif asked == "list" and len(words) == 1:
        _list(bot, person)
    elif asked == "revoke" and len(words) == 2:
        _revoke(bot, person, words[1])
    else:
        bot.send(person.chat_id, person.tx("token.usage"))


def _make(bot: Bot, person: Person) -> None:
    tracker, tx = person.tracker, person.tx
    now = tracker.now()
    stamp = now.astimezone(_zone(person)).strftime(STAMP)
    taken = {t.label for t in tokens.listed(tracker.store, tracker.user)}
    number = next(n for n in itertools.count(1) if label_of(stamp, n) not in taken)
    label = label_of(stamp, number)
    secret = tokens.create(tracker.store, tracker.user, now, label)
    # The instant as stored, read back: that is what the button is checked against.
    made = next(t for t in tokens.listed(tracker.store, tracker.user) if t.label == label)
    data = pack(ACTION, person.telegram_id, stamp, number, micros(made.created_at))
    text = tx("token.made", label=label, token=secret)
    code = types.MessageEntity("code", size(text[: text.index(secret)]), size(secret))
    markup = keyboard([(tx("token.revoke_button"), data)])
    bot.send(person.chat_id, text, markup, entities=[code])


def _list(bot: Bot, person: Person) -> None:
    tracker, tx = person.tracker, person.tx
    found = tokens.listed(tracker.store, tracker.user)
    if not found:
        bot.send(person.chat_id, tx("token.none"))
        return
    zone = _zone(person)

    def shown(moment: datetime) -> str:
        return moment.astimezone(zone).strftime(SHOWN)

    lines = [tx("token.listed")]
    for each in found:
        used = tx("token.used", when=shown(each.last_used_at)) if each.last_used_at else None
        lines.append(
            tx("token.line", label=each.label, made=shown(each.created_at))
            + ", "
            + (used or tx("token.unused"))
        )
    bot.send(person.chat_id, "\n".join(lines))


def _revoke(bot: Bot, person: Person, typed: str) -> None:
    tracker, tx = person.tracker, person.tx
    try:
        gone = tokens.revoke(tracker.store, tracker.user, typed)
    except InvalidSetting:  # no such label, or one no label could be
        bot.send(person.chat_id, tx("token.unknown", label=clip(typed.strip(), tokens.MAX_LABEL)))
        return
    bot.send(person.chat_id, tx("token.revoked", label=gone.label))


def _stamp(text: str) -> str:
    """A button's minute, as the bot writes it: twelve digits that are a real date and time."""
    if not _STAMP.fullmatch(text):
        raise BadButton(ACTION)
    try:
        parsed = time.strptime(text, STAMP)
    except ValueError:
        raise BadButton(ACTION) from None
    if time.strftime(STAMP, parsed) != text:
        raise BadButton(ACTION)
    return text


def revoke_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    """``tk``: revoke the token the message shows, and take the token out of the message."""
    tracker, tx = person.tracker, person.tx
    stamp, number, made = _stamp(button.text(0)), button.number(1), button.number(2)
    if number < 1:
        raise BadButton(ACTION)
    label = label_of(stamp, number)
    current = tokens.listed(tracker.store, tracker.user)
    if not any(t.label == label and micros(t.created_at) == made for t in current):
        return tx("token.stale")  # revoked already, or its label now names a newer token
    tokens.revoke(tracker.store, tracker.user, label)
    text = tx("token.revoked", label=label)
    bot.edit(person.chat_id, origin(call).message_id, text, None)
    return text
