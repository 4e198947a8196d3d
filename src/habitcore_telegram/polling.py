"""Long polling, one update at a time, that survives the API server going away.

The poller confirms an update (moves the offset past it) only once it was handled, backs off
while Telegram or the network is down, and on stop finishes the update in hand and no more: a
half-fetched batch is left unconfirmed, so Telegram hands it out again after a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

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
                raw: list[dict[str, Any]] = telebot.apihelper.get_updates(  # type: ignore[no-untyped-call]
                    self.api.token,
                    offset=self.offset,
                    timeout=self.timeout + 10,
                    allowed_updates=ALLOWED_UPDATES,
                    long_polling_timeout=self.timeout,
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
            for data in raw:
                with self.handling:
                    if self.stop.is_set():
                        return
                    update = self.read(data)
                    if update is not None:
                        self.handle(update)
                    self.offset = int(data["update_id"]) + 1

    def read(self, data: dict[str, Any]) -> types.Update | None:
        """One update as telebot's object; None (logged, then skipped) if telebot cannot read it.

        Parsed one by one, so one update of a shape this telebot does not know (a newer Bot API
        field, say) is passed over instead of failing every poll after it for good.
        """
        try:
            update: types.Update = types.Update.de_json(data)  # type: ignore[no-untyped-call]
            return update
        except Exception:
            log.exception("update %s could not be read; it is skipped", data.get("update_id"))
            return None

    def confirm(self) -> None:
        """Tell Telegram the handled updates are done, so a restart does not see them again."""
        if self.offset is None:
            return
        try:
            self.api.get_updates(offset=self.offset, limit=1, timeout=5, long_polling_timeout=1)
        except Exception as error:
            log.warning("could not confirm handled updates (%s)", classify(error).description)
