"""``/stats``: the figures in a few lines, and for one habit a picture of the last six months."""

from __future__ import annotations

import logging

from telebot import types

from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.buttons import Button, keyboard, pack
from habitcore_telegram.handlers.account import argument
from habitcore_telegram.picture import LEGEND, Words, draw
from habitcore_telegram.views import percent, streak_words, summary

log = logging.getLogger(__name__)

DAYS = 182


def stats(bot: Bot, person: Person, message: types.Message) -> None:
    typed = argument(message)
    if typed:
        send_one(bot, person, person.tracker.resolve(typed))
        return
    tx, owner = person.tx, person.telegram_id
    statuses = person.tracker.habits()
    if not statuses:
        bot.send(person.chat_id, tx("habits.none"))
        return
    if len(statuses) == 1:
        send_one(bot, person, statuses[0].habit.id)
        return
    lines = [tx("stats.all")]
    for status in statuses:
        s, habit = status.stats, status.habit
        lines.append(
            tx(
                "stats.line",
                name=habit.name,
                streak=streak_words(tx, habit, s.current_streak),
                best=s.best_streak,
                score=percent(s.score),
                month=percent(s.completion.get(30)),
            )
        )
    # A picture button for each habit, as many as one message holds; /stats NAME reaches all.
    pictures = [[(f"📊 {s.habit.name}", pack("st", owner, s.habit.id))] for s in statuses[:90]]
    bot.send(person.chat_id, "\n".join(lines), keyboard(*pictures))


def send_one(bot: Bot, person: Person, habit: int | str) -> None:
    """The habit's figures at once, and its picture once drawn.

    The figures are read here, in the update's worker; the picture (about a quarter of a
    CPU-second) is drawn on the bot's picture pool, so no one's updates wait for it. One
    picture in progress per person, and a few a minute (``bot.limits``).
    """
    tracker, tx = person.tracker, person.tx
    (status,) = tracker.habits(only=habit)  # the habit with its figures, in one read
    found = status.habit
    text = summary(tx, found, status.stats)
    bot.limits.acquire(person.telegram_id)  # Limited: the person is told why, and when
    try:
        days, steps = tracker.calendar_and_score(found.id, DAYS, status.day)
        steps = steps[-DAYS:]
    except BaseException:
        bot.limits.release(person.telegram_id)
        raise
    bot.send(person.chat_id, text)
    words = Words(
        title=tx("stats.picture_title"),
        weekdays=tx("weekdays").split(","),
        months=tx("stats.months").split(","),
        score=tx("stats.score_axis"),
        legend={outcome: tx(f"stats.legend.{outcome.value}") for outcome in LEGEND},
    )
    caption = tx("stats.caption", name=found.name)[:1024]

    def picture() -> None:
        try:
            png = draw(days, steps, words)
            bot.send_file(person.chat_id, png, "stats.png", caption, photo=True)
        except Exception:
            log.exception("update %s: the picture could not be drawn", bot.update_id)
            bot.send(person.chat_id, tx("apology"))
        finally:
            bot.limits.release(person.telegram_id)

    bot.later(picture, dropped=lambda: bot.limits.release(person.telegram_id))


def stats_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str | None:
    send_one(bot, person, button.number(0))
    return None
