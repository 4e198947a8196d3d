"""A Telegram update takes effect once however often it arrives, and a dialog outlives the process
that began it: what several bot workers behind one webhook need (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from telebot import types

from fake_telegram import FakeTelegram
from habitcore.testing import FakeClock
from telegram_harness import START, BotRun, button_data, start_bot

ANN = 501


@pytest.fixture
def bot(db_url: str, fake_telegram: FakeTelegram) -> Iterator[BotRun]:
    run = start_bot(db_url, fake_telegram)
    yield run
    run.stop()


def deliver_again(run: BotRun, update_id: int) -> None:
    """The same update once more, as a webhook retry or a second worker would get it."""
    update = types.Update.de_json(run.fake.update(update_id))
    assert update is not None
    run.service.bot.handle(update)
    run.drain()


def checked(run: BotRun, name: str) -> int:
    return len(run.tracker(ANN).checkins(name))


def tapped(run: BotRun, message: dict[str, Any], label: str) -> int:
    update_id = run.fake.tap(ANN, message, button_data(message, label))
    run.settle(update_id)
    return update_id


def test_a_tap_delivered_twice_checks_the_habit_once_and_says_nothing_more(bot: BotRun) -> None:
    bot.tracker(ANN).add_habit("Read")
    bot.say(ANN, "/today")
    update_id = tapped(bot, bot.last(ANN), "Read")
    assert checked(bot, "Read") == 1
    mark = bot.fake.mark()
    deliver_again(bot, update_id)
    # A toggle applied twice would have undone the check: it stands, and nothing was said.
    assert checked(bot, "Read") == 1
    assert bot.since(mark) == []


def test_a_message_delivered_twice_adds_the_habit_once(bot: BotRun) -> None:
    update_id = bot.fake.message(ANN, "/add Walk | daily")
    bot.settle(update_id)
    said = len(bot.texts(ANN))
    deliver_again(bot, update_id)
    assert [h.habit.name for h in bot.tracker(ANN).habits()] == ["Walk"]
    assert len(bot.texts(ANN)) == said  # no "you already have Walk" for a retry


def test_an_add_dialog_goes_on_after_the_process_that_began_it_stopped(
    db_url: str, fake_telegram: FakeTelegram
) -> None:
    clock = FakeClock(START)
    first = start_bot(db_url, fake_telegram, clock=clock)
    try:
        first.say(ANN, "/add")
        first.say(ANN, "Read")
        question = first.last(ANN)
        assert question["text"] == "How often do you want to do Read?"
    finally:
        first.stop()
    second = start_bot(db_url, fake_telegram, clock=clock)
    try:
        second.press(ANN, question, button_data(question, "Every day"))
        asked = second.last(ANN)
        assert asked["text"] == "When should I remind you?"
        second.press(ANN, asked, button_data(asked, "No reminder"))
        assert second.last(ANN)["text"].startswith("Added Read: daily; reminders: none.")
        assert [h.habit.name for h in second.tracker(ANN).habits()] == ["Read"]
    finally:
        second.stop()


def test_a_picture_button_delivered_twice_draws_one_picture(bot: BotRun) -> None:
    tracker = bot.tracker(ANN)
    tracker.add_habit("Read")
    tracker.add_habit("Walk")
    bot.say(ANN, "/stats")
    menu = bot.last(ANN)
    update_id = bot.fake.tap(ANN, menu, button_data(menu, "Read"))
    bot.fake.wait_for_call("sendPhoto", lambda c: c.chat_id == ANN and c.ok, timeout=60)
    bot.drain()
    mark = bot.fake.mark()
    update = types.Update.de_json(bot.fake.update(update_id))
    assert update is not None
    handed = bot.service.bot.handle(update)
    if handed is not None:  # whatever a repeat handed on must be done before looking
        handed.result(60)
    bot.drain()
    assert [c.method for c in bot.since(mark)] == []
    # The repeat gave back its place in the person's picture limit: a new tap draws at once.
    again = bot.fake.tap(ANN, menu, button_data(menu, "Walk"))
    bot.fake.wait_for_call("sendPhoto", lambda c: c.chat_id == ANN and c.ok, after=mark, timeout=60)
    bot.settle(again)
