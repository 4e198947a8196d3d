"""Long polling, one update at a time, that survives the API server going away.

The poller confirms an update (moves the offset past it) only once it was handled, backs off
while Telegram or the network is down, and on stop finishes the update in hand and no more: a
half-fetched batch is left unconfirmed, so Telegram hands it out again after a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import telebot
from telebot import types

from habitcore_telegram.faults import backoff, classify

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]


class Poller:
    def __init__(
        self,
        api: telebot.TeleBot,
        handle: Callable[[types.Update], None],
        stop: threading.Event,
        *,
        timeout: int = 25,
    ) -> None:
        self.api = api
        self.handle = handle
        self.stop = stop
        self.timeout = timeout
        self.offset: int | None = None
        self.handling = threading.Lock()  # held while an update is in hand
        self.failures = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                updates = self.api.get_updates(
                    offset=self.offset,
                    timeout=self.timeout + 10,
                    long_polling_timeout=self.timeout,
                    allowed_updates=ALLOWED_UPDATES,
                )
            except Exception as error:
                if self.stop.is_set():
                    return  # cut off by the stop (the confirming call answers 409 to this one)
                self.failures += 1
                wait = backoff(self.failures, cap=30.0)
                log.warning(
                    "getUpdates failed (%s); trying again in %.0f s",
                    classify(error).description,
                    wait,
                )
                self.stop.wait(wait)
                continue
            if self.failures:
                log.info("the Bot API answers again after %d failed attempt(s)", self.failures)
                self.failures = 0
            for update in updates:
                with self.handling:
                    if self.stop.is_set():
                        return
                    self.handle(update)
                    self.offset = update.update_id + 1

    def confirm(self) -> None:
        """Tell Telegram the handled updates are done, so a restart does not see them again."""
        if self.offset is None:
            return
        try:
            self.api.get_updates(offset=self.offset, limit=1, timeout=5, long_polling_timeout=1)
        except Exception as error:
            log.warning("could not confirm handled updates (%s)", classify(error).description)
