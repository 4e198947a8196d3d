"""The bot running in this process against the fake Bot API, for tests that play its users.

The real ``habitcore_telegram`` service runs (poller, loop, outbox threads, telebot over HTTP);
only the clock is a ``FakeClock``, so a test can move to a reminder's minute or the next day start.
``say`` and ``press`` return once the bot has handled the update and sent everything it queued,
so a test reads what the bot did without sleeping.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from telebot import types

from fake_telegram import TOKEN, Call, FakeTelegram
from habitcore import Tracker
from habitcore.testing import FakeClock
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.service import Service, Tuning
from habitcore_telegram.settings import check

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday
TABLES = ("users", "habits", "checkins", "pauses", "reminders", "reminder_log")
FAST = Tuning(tick=3600, poll_timeout=1, rate=1000, chat_interval=0, workers=2, drain=1)


@dataclass
class BotRun:
    fake: FakeTelegram
    service: Service
    clock: FakeClock
    url: str
    timeout: float = 10.0
    _stopped: bool = field(default=False, init=False)

    # -- playing users ------------------------------------------------------------------------

    def say(self, user: int, text: str, **fields: Any) -> list[Call]:
        """``user`` sends ``text``; the calls the bot made while handling it."""
        mark = self.fake.mark()
        self.settle(self.fake.message(user, text, **fields))
        return self.since(mark)

    def press(self, user: int, message: dict[str, Any], data: str, **kw: Any) -> list[Call]:
        """``user`` taps the button with ``data`` under ``message`` (as the bot sent it)."""
        mark = self.fake.mark()
        self.settle(self.fake.tap(user, message, data, **kw))
        return self.since(mark)

    def press_label(self, user: int, message: dict[str, Any], text: str) -> list[Call]:
        """Tap the button of ``message`` whose label contains ``text``."""
        return self.press(user, message, button_data(message, text))

    def location(self, user: int, latitude: float, longitude: float) -> list[Call]:
        mark = self.fake.mark()
        self.settle(self.fake.location(user, latitude, longitude))
        return self.since(mark)

    def document(self, user: int, name: str, content: bytes, **kw: Any) -> list[Call]:
        mark = self.fake.mark()
        self.settle(self.fake.document(user, name, content, **kw))
        return self.since(mark)

    def tick(self) -> list[Call]:
        """One turn of the reminder and day-start loop, and everything it sent."""
        mark = self.fake.mark()
        self.service.loop.tick()
        self.drain()
        return self.since(mark)

    # -- reading what happened -----------------------------------------------------------------

    def last(self, user: int) -> dict[str, Any]:
        return self.fake.last_sent(user)

    def texts(self, user: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.fake.sent(user)]

    def since(self, mark: int) -> list[Call]:
        return [c for c in self.fake.snapshot()[mark:] if c.method != "getUpdates"]

    def tracker(self, user: int) -> Tracker:
        return self.service.bot.tracker(user)

    # -- waiting -------------------------------------------------------------------------------

    def settle(self, update_id: int) -> None:
        """Until the bot handled ``update_id`` and its outbox is empty."""
        poller = self.service.poller
        deadline = time.monotonic() + self.timeout
        while (poller.offset or 0) <= update_id:
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update_id} was not handled\n{self.fake.recent()}")
            time.sleep(0.005)
        self.drain()

    def drain(self) -> None:
        if not self.service.bot.answers_settled(self.timeout):
            raise AssertionError(f"button presses were not answered\n{self.fake.recent()}")
        if not self.service.bot.outbox.wait_idle(self.timeout):
            raise AssertionError(f"the outbox did not empty\n{self.fake.recent()}")

    def stop(self) -> float:
        if self._stopped:
            return 0.0
        self._stopped = True
        return self.service.stop()


class Held:
    """A command (``/held``) whose handler waits until released, then says so: an update kept
    in a worker's hands for as long as a test needs."""

    def __init__(self, wait: float = 30.0) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.wait = wait

    def __call__(self, bot: Bot, person: Person, message: types.Message) -> None:
        self.entered.set()
        assert self.release.wait(self.wait), "the held handler was never released"
        bot.send(person.chat_id, "held: done")


_queries = itertools.count(1)


def press(run: BotRun, user: int, message: dict[str, Any], data: str) -> tuple[list[Call], str]:
    """``user`` taps ``data`` under ``message``; the calls made and the answer's text.

    Fails unless that callback query was answered exactly once, successfully.
    """
    query_id = f"q{next(_queries)}"
    calls = run.press(user, message, data, query_id=query_id)
    answers = [
        c
        for c in run.fake.snapshot()
        if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query_id
    ]
    assert len(answers) == 1, [a.brief() for a in answers]
    assert answers[0].ok, answers[0].brief()
    assert run.fake.answered(query_id) is not None
    return calls, str(answers[0].params.get("text") or "")


def every_row(run: BotRun) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the bot keeps about anyone (the tally cache aside), to compare before/after."""
    with run.service.store.engine.connect() as connection:
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(sa.text(f"SELECT * FROM {table}"))),
                key=repr,
            )
            for table in TABLES
        }


def labels(message: dict[str, Any] | None) -> list[str]:
    """The labels of ``message``'s inline buttons, row by row."""
    assert message is not None
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["text"] for row in keyboard for b in row]


def button_data(message: dict[str, Any], text: str) -> str:
    """The callback_data of the button in ``message`` whose label contains ``text``."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for button in row:
            if text in button.get("text", ""):
                return str(button["callback_data"])
    labels = [b.get("text") for row in rows for b in row]
    raise AssertionError(f"no button with {text!r} among {labels}")


def start_bot(
    url: str,
    fake: FakeTelegram,
    *,
    clock: FakeClock | None = None,
    tuning: Tuning = FAST,
) -> BotRun:
    clock = clock or FakeClock(START)
    settings = check(TOKEN, fake.url, url, "DEBUG")
    service = Service(settings, clock=clock, tuning=tuning)
    if not service.start():
        raise AssertionError("the bot did not start")
    return BotRun(fake, service, clock, url)


def module_bot(factory: pytest.TempPathFactory, name: str) -> Iterator[BotRun]:
    """One bot for a whole test module, on its own SQLite file (a module-scoped fixture yields
    from it); the fake server must have made no error of its own by the end."""
    with FakeTelegram() as fake:
        run = start_bot(f"sqlite:///{factory.mktemp(name) / 'bot.db'}", fake)
        try:
            yield run
        finally:
            run.stop()
        fake.assert_no_errors()


def said(calls: list[Call]) -> list[str]:
    """The texts of the messages sent among ``calls``."""
    return [c.text or "" for c in calls if c.method == "sendMessage"]
