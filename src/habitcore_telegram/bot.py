"""The running bot: what every handler reaches (the API, the store, the clock, the outbox) and
the two guards that turn any update into an answer, whatever goes wrong inside.

Updates of different chats are handled side by side (``workers.Lanes``), so nothing here may
belong to one update but the thread-local ``update_id`` and the work handed on for it (a
picture drawn on its own small pool).
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as time_of_day
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import telebot
from telebot import types

from habitcore import (
    HabitArchived,
    HabitcoreError,
    HabitNotFound,
    Settings,
    Store,
    StoreError,
    Tracker,
)
from habitcore.clock import Clock
from habitcore.events import handled_once
from habitcore.rules.days import habit_day
from habitcore.rules.reminders import DEFAULT_GRACE
from habitcore_telegram.buttons import BadButton, Button, unpack
from habitcore_telegram.dialogs import Dialogs
from habitcore_telegram.dialogs import external_id as external_id  # where callers look
from habitcore_telegram.faults import Kind, classify
from habitcore_telegram.lengths import MAX_ANSWER, MAX_TEXT, clip, split_text
from habitcore_telegram.limits import Limited, Limits
from habitcore_telegram.outbox import Item, Outbox
from habitcore_telegram.texts import Texts, language_of
from habitcore_telegram.workers import all_of

log = logging.getLogger(__name__)

SOURCE = "telegram"  # whose update ids habitcore.events records

Markup = types.InlineKeyboardMarkup | types.ReplyKeyboardMarkup | types.ReplyKeyboardRemove


def origin(call: types.CallbackQuery) -> types.Message:
    """The message a pressed button sits on; a button without one is treated as forged."""
    if not isinstance(call.message, types.Message):
        raise BadButton("message")
    return call.message


@dataclass
class Person:
    """The Telegram user behind an update, as habitcore sees them.

    ``settings`` are as read when the update began (None: not read); a handler that changes
    them reads them again from the tracker.
    """

    telegram_id: int
    chat_id: int
    tracker: Tracker
    tx: Texts
    settings: Settings | None = None

    def known_settings(self) -> Settings:
        """The settings in hand, or read now when there are none."""
        return self.settings if self.settings is not None else self.tracker.settings()

    def today(self) -> date:
        """The person's habit day now, from the settings in hand when there are some."""
        if self.settings is None:
            return self.tracker.today()
        zone = ZoneInfo(self.settings.timezone)
        start = time_of_day.fromisoformat(self.settings.day_start)
        return habit_day(self.tracker.now(), zone, start)


MessageHandler = Callable[["Bot", Person, types.Message], None]
CallbackHandler = Callable[["Bot", Person, Button, types.CallbackQuery], str | None]


class Bot:
    def __init__(
        self,
        api: telebot.TeleBot,
        store: Store,
        clock: Clock,
        outbox: Outbox,
        *,
        grace: timedelta = DEFAULT_GRACE,
        pictures: int = 1,
        limits: Limits | None = None,
    ) -> None:
        self.api = api
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.grace = grace
        self.dialogs = Dialogs(store, clock)
        self.limits = limits or Limits()
        self._local = threading.local()  # the update each worker thread has in hand
        self.callbacks: dict[str, tuple[int, CallbackHandler]] = {}
        # Button answers go out from threads of their own: an update worker never waits on
        # Telegram's round trip for one, so taps are handled as fast as the database allows;
        # as many as the default update workers, which may each have one to give at once.
        self._answering = ThreadPoolExecutor(max_workers=8, thread_name_prefix="answer")
        self._unanswered = 0
        self._answered = threading.Condition()
        # Pictures (a quarter of a CPU-second each) are drawn on a pool of their own, so that
        # they never hold up an update worker, and at most this many at a time.
        self._pictures = ThreadPoolExecutor(max_workers=pictures, thread_name_prefix="picture")

    @property
    def update_id(self) -> int | None:
        """The update this thread is handling, for the log; None outside one."""
        found: int | None = getattr(self._local, "update_id", None)
        return found

    # -- people --------------------------------------------------------------------------------

    def tracker(self, telegram_id: int) -> Tracker:
        return Tracker(
            self.store, user=external_id(telegram_id), clock=self.clock, reminder_grace=self.grace
        )

    def person(self, user: types.User, chat_id: int) -> Person:
        tracker = self.tracker(user.id)
        if tracker.created:
            settings = tracker.set_language(language_of(user.language_code))
        else:
            settings = tracker.kept_settings  # read as the tracker was made: no second read
        return Person(user.id, chat_id, tracker, Texts(settings.language), settings)

    # -- work handed on ------------------------------------------------------------------------

    def later(self, work: Callable[[], None], *, dropped: Callable[[], None] | None = None) -> None:
        """Run ``work`` on the picture pool once the update's changes are committed (at once
        outside an update); the update in hand is finished once it has run. ``dropped`` runs
        instead when it never will: a repeated delivery, a failed update, a bot stopping.

        The update's worker (and its chat's next update) goes on at once. ``work`` must catch
        and report its own failures; anything it lets through is logged with the update's id.
        """
        update_id = self.update_id
        handed: list[Future[None]] | None = getattr(self._local, "handed", None)
        lost: list[Callable[[], None]] | None = getattr(self._local, "dropped", None)

        def run() -> None:
            self._local.update_id = update_id
            try:
                work()
            except Exception:
                log.exception("update %s failed in work handed on", update_id)
            finally:
                self._local.update_id = None

        def submit() -> None:
            try:
                future = self._pictures.submit(run)
            except RuntimeError:  # the pool is shut down: the bot is stopping
                if dropped is not None:
                    dropped()
                return
            if handed is not None:
                handed.append(future)

        if dropped is not None and lost is not None:
            lost.append(dropped)
        self._hold_or_run(submit)

    # -- saying things -------------------------------------------------------------------------

    def _say(self, item: Item) -> None:
        self._hold_or_run(partial(self.outbox.put, item))

    def _hold_or_run(self, action: Callable[[], None]) -> None:
        """Inside an update, hold what it says until its changes are committed: nothing is
        said about a change that did not happen, or said twice for a repeated delivery."""
        held: list[Callable[[], None]] | None = getattr(self._local, "held", None)
        if held is None:
            action()
        else:
            held.append(action)

    def send(
        self,
        chat_id: int,
        text: str,
        markup: Markup | None = None,
        *,
        bulk: bool = False,
        on_dropped: Callable[[], None] | None = None,
        on_failed: Callable[[], None] | None = None,
        still_wanted: Callable[[], bool] | None = None,
        entities: list[types.MessageEntity] | None = None,
    ) -> None:
        """Queue a message; a text over Telegram's limit goes as several, buttons on the last.

        ``still_wanted`` is asked before each piece goes out; a False leaves it unsent.
        ``entities`` (a code span, say) are offsets into ``text``, so such a text must fit in
        one message; the error never quotes the text, which may hold a secret.
        """
        pieces = split_text(text)
        if entities and pieces != [text]:
            raise ValueError("a text with entities must go as one message, unchanged")
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1

            def call(piece: str = piece, last: bool = last) -> Any:
                return self.api.send_message(
                    chat_id, piece, entities=entities, reply_markup=markup if last else None
                )

            self._say(
                Item(
                    chat_id,
                    call,
                    "sendMessage",
                    bulk=bulk,
                    on_dropped=on_dropped if last else None,
                    on_failed=on_failed if last else None,
                    still_wanted=still_wanted,
                )
            )

    def edit(
        self, chat_id: int, message_id: int, text: str, markup: types.InlineKeyboardMarkup | None
    ) -> None:
        shown = clip(text, MAX_TEXT)  # an edit stays one message

        def call() -> Any:
            return self.api.edit_message_text(shown, chat_id, message_id, reply_markup=markup)

        self._say(Item(chat_id, call, "editMessageText", paced=False))

    def edit_markup(
        self, chat_id: int, message_id: int, markup: types.InlineKeyboardMarkup | None
    ) -> None:
        def call() -> Any:
            return self.api.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)

        self._say(Item(chat_id, call, "editMessageReplyMarkup", paced=False))

    def send_file(
        self,
        chat_id: int,
        data: bytes,
        name: str,
        caption: str | None = None,
        *,
        photo: bool = False,
    ) -> None:
        def call() -> Any:
            document = types.InputFile(io.BytesIO(data), file_name=name)
            if photo:
                return self.api.send_photo(chat_id, document, caption=caption)
            return self.api.send_document(chat_id, document, caption=caption)

        self._say(Item(chat_id, call, "sendPhoto" if photo else "sendDocument"))

    def answer(self, call: types.CallbackQuery, text: str | None, alert: bool = False) -> None:
        """Answer a button press at once (the spinner stops); a late answer is no error.

        Answered here rather than through the outbox: it is no message, it must come within
        seconds, and a busy outbox must not leave a spinner turning. A 429 or 5xx gets one
        more try after a short wait.
        """
        shown = clip(text or "", MAX_ANSWER) or None
        self._hold_or_run(partial(self._answer_soon, call.id, shown, alert))

    def _answer_soon(self, query_id: str, text: str | None, alert: bool) -> None:
        with self._answered:
            self._unanswered += 1
        self._answering.submit(self._answer_now, query_id, text, alert)

    def _answer_now(self, query_id: str, text: str | None, alert: bool) -> None:
        try:
            for attempt in (1, 2):
                try:
                    self.api.answer_callback_query(query_id, text, show_alert=alert)
                    return
                except Exception as error:
                    fault = classify(error)
                    if fault.kind is Kind.HARMLESS:
                        return
                    if attempt == 1 and fault.kind in (Kind.RETRY_AFTER, Kind.TRANSIENT):
                        time.sleep(min(fault.retry_after or 0.5, 2.0))
                        continue
                    log.warning("could not answer a button press: %s", fault.description)
                    return
        finally:
            with self._answered:
                self._unanswered -= 1
                self._answered.notify_all()

    def answers_settled(self, timeout: float) -> bool:
        """Wait until every button press taken so far has been answered (or given up on)."""
        with self._answered:
            return self._answered.wait_for(lambda: self._unanswered == 0, timeout)

    def close(self, wait: float = 2.0) -> None:
        """Give the button answers still due ``wait`` seconds, then drop the rest: a press not
        answered by then has stopped spinning on its own. Pictures not begun are dropped."""
        self.answers_settled(wait)
        self._answering.shutdown(wait=False, cancel_futures=True)
        self._pictures.shutdown(wait=False, cancel_futures=True)

    # -- the guards ----------------------------------------------------------------------------

    def on_message(self, handler: MessageHandler) -> Callable[[types.Message], None]:
        def run(message: types.Message) -> None:
            user = message.from_user
            if user is None or user.is_bot:
                return
            tx = Texts(language_of(user.language_code))
            if message.chat.type != "private":
                self.send(message.chat.id, tx("private_only"))
                return
            try:
                person = self.person(user, message.chat.id)
                tx = person.tx
                handler(self, person, message)
            except HabitcoreError as error:
                self.send(message.chat.id, self._refusal(tx, error))
            except Limited as limited:
                self.send(message.chat.id, tx(limited.key, seconds=limited.seconds))
            except Exception:
                log.exception("update %s failed in %s", self.update_id, handler.__name__)
                self.send(message.chat.id, tx("apology"))

        run.__name__ = handler.__name__
        return run

    def on_button(self, call: types.CallbackQuery) -> None:
        user = call.from_user
        tx = Texts(language_of(user.language_code))
        answer: str | None = None
        alert = False
        try:
            button = unpack(call.data)
            if button.owner != user.id:
                answer = tx("button.not_yours")
                return
            arity, handler = self.callbacks.get(button.action, (-1, None))
            if handler is None or len(button.args) != arity or call.message is None:
                raise BadButton(button.action)
            person = self.person(user, call.message.chat.id)
            tx = person.tx
            answer = handler(self, person, button, call)
        except BadButton:
            answer = tx("button.invalid")
        except HabitNotFound:
            answer = tx("button.gone")
        except HabitArchived:
            answer = tx("button.archived")
        except HabitcoreError as error:
            answer, alert = self._refusal(tx, error), True
        except Limited as limited:
            answer, alert = tx(limited.key, seconds=limited.seconds), True
        except Exception:
            log.exception("update %s failed on a button", self.update_id)
            answer = tx("apology")
        finally:
            self.answer(call, answer, alert)

    def _refusal(self, tx: Texts, error: HabitcoreError) -> str:
        """What to tell the person; a storage failure is also the operator's business."""
        if isinstance(error, StoreError):
            log.error("update %s: %s", self.update_id, error)
        return tx.error(error)

    def handle(self, update: types.Update) -> Future[None] | None:
        """One update, from whichever worker took it; nothing it does can stop the bot.

        Its changes and the record of its ``update_id`` commit together
        (``habitcore.events``): a delivery repeated by Telegram, or taken by two workers,
        changes nothing the second time and says nothing. What the update says goes out once
        its changes are committed. Returns a future when the update handed work on (a
        picture): the update is finished once that is done.
        """
        self._local.update_id = update.update_id
        handed: list[Future[None]] = []
        held: list[Callable[[], None]] = []
        dropped: list[Callable[[], None]] = []  # what to do instead of held work never done
        self._local.handed, self._local.held, self._local.dropped = handed, held, dropped
        try:
            with handled_once(self.store, SOURCE, update.update_id, self.clock.now()) as unit:
                self.api.process_new_updates([update])
            self._local.held = self._local.dropped = None
            if unit.duplicate:
                log.info("update %s was handled before: this delivery changes nothing", unit)
                _run_all(dropped)
            else:
                _run_all(held)
        except Exception:
            self._local.held = self._local.dropped = None
            log.exception("update %s could not be handled", update.update_id)
            _run_all(dropped)
            self._apologize(update)
        finally:
            self._local.update_id = None
            self._local.handed = self._local.held = self._local.dropped = None
        return all_of(handed)

    def _apologize(self, update: types.Update) -> None:
        """The update's changes were not saved: say so rather than what it would have said."""
        call = update.callback_query
        message = update.message or (call.message if call is not None else None)
        user = call.from_user if call is not None else getattr(message, "from_user", None)
        tx = Texts(language_of(getattr(user, "language_code", None)))
        if call is not None:
            self.answer(call, tx("apology"))
        elif isinstance(message, types.Message) and message.chat.type == "private":
            self.send(message.chat.id, tx("apology"))


def _run_all(actions: list[Callable[[], None]]) -> None:
    """Each of ``actions``; one that fails is logged and the rest still run."""
    for action in actions:
        try:
            action()
        except Exception:
            log.exception("a held reply or hand-off failed")
