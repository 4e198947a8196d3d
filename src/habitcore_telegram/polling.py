"""Long polling that survives the API server going away, feeding the update workers.

The poller reads each update and hands it to the worker pool (``workers.Lanes``), which handles
different chats' updates side by side and one chat's in order; when the pool is full, the
poller waits. It fetches the next batch once the last is handed over, which tells Telegram the
last batch arrived. ``offset`` is how far the bot has handled without a gap: every update below
it is done. On stop, the rest of a half-handed batch is not taken, and ``confirm`` gives back to
Telegram what was not handled when it can do so without handing out a handled update again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

import telebot
from telebot import types

from habitcore_telegram.faults import backoff, classify

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]


class Submit(Protocol):
    """Hands an update to the workers (``Lanes.submit``), with a callback for when it is done;
    False once the workers are stopping (the update was not taken)."""

    def __call__(self, value: types.Update, *, done: Callable[[], None] | None = ...) -> bool: ...


def read_update(data: dict[str, Any]) -> types.Update | None:
    """One update as telebot's object; None (logged, then skipped) if telebot cannot read it.

    Parsed one by one, so one update of a shape this telebot does not know (a newer Bot API
    field, say) is passed over instead of failing every poll, or every post, after it.
    """
    try:
        update: types.Update = types.Update.de_json(data)  # type: ignore[no-untyped-call]
        return update
    except Exception:
        log.exception("update %s could not be read; it is skipped", data.get("update_id"))
        return None


class Poller:
    def __init__(
        self,
        api: telebot.TeleBot,
        submit: Submit,
        stop: threading.Event,
        *,
        timeout: int = 25,
    ) -> None:
        self.api = api
        self.submit = submit
        self.stop = stop
        self.timeout = timeout
        self.failures = 0
        self._lock = threading.Lock()
        self._next: int | None = None  # the offset of the next getUpdates: after the last taken
        self._asked: int | None = None  # the offset of the last getUpdates: below it, confirmed
        self._open: set[int] = set()  # taken from Telegram, not handled yet
        self._highest_done = -1

    @property
    def offset(self) -> int | None:
        """Every update below this one has been handled (None: none taken yet)."""
        with self._lock:
            return min(self._open) if self._open else self._next

    def run(self) -> None:
        while not self.stop.is_set():
            with self._lock:
                self._asked = self._next
            try:
                raw: list[dict[str, Any]] = telebot.apihelper.get_updates(  # type: ignore[no-untyped-call]
                    self.api.token,
                    offset=self._asked,
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
            if not raw:
                continue
            ids = [int(data["update_id"]) for data in raw]
            with self._lock:
                self._open.update(ids)
                self._next = max(ids) + 1
            for update_id, data in zip(ids, raw, strict=True):
                if self.stop.is_set():
                    return
                update = read_update(data)
                if update is None:
                    self._done(update_id)
                elif not self.submit(update, done=partial(self._done, update_id)):
                    return  # the workers are stopping

    def _done(self, update_id: int) -> None:
        with self._lock:
            self._open.discard(update_id)
            self._highest_done = max(self._highest_done, update_id)

    def confirm_offset(self) -> int | None:
        """Where Telegram should resume after a stop.

        Updates not handled are given back (Telegram hands them out again) from the first one
        that was not confirmed yet (by a later getUpdates) and comes after every handled one;
        those before it cannot be, and are logged. Nothing handled is ever handed out again.
        """
        with self._lock:
            asked = self._asked if self._asked is not None else -1
            back = [i for i in self._open if i >= asked and i > self._highest_done]
            offset = min(back) if back else self._next
            lost = sorted(i for i in self._open if offset is None or i < offset)
        if lost:
            log.warning(
                "%d update(s) taken were not handled before the stop: %s",
                len(lost),
                ", ".join(map(str, lost[:20])),
            )
        return offset

    def confirm(self) -> None:
        """Tell Telegram the handled updates are done, so a restart does not see them again."""
        offset = self.confirm_offset()
        if offset is None:
            return
        try:
            self.api.get_updates(offset=offset, limit=1, timeout=5, long_polling_timeout=1)
        except Exception as error:
            log.warning("could not confirm handled updates (%s)", classify(error).description)
