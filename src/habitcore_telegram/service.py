"""Starting and stopping the bot: the threads, their order, and a clean stop.

Start: remove any webhook (long polling and a webhook exclude each other), register the command
menu in every language, then run the threads: the poller (fetches updates), the update workers
(handle them, different chats side by side, one chat's in order), the loop (reminders and day
starts) and the outbox workers (everything sent). Stop (SIGINT, SIGTERM): take no new update,
handle those taken (for a moment; the rest are given back), let a reminder tick in progress
end, give the outbox a moment to send what is queued and re-arm the reminders it could not,
tell Telegram which updates were handled.

In webhook mode (``Settings.webhook``) the listener takes the poller's place: it is up before
setWebhook points Telegram at it, and the stop leaves the webhook set (other workers behind
the same proxy keep taking updates; what this one gave back Telegram posts again).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import timedelta

import telebot
from telebot import types

from habitcore import HabitcoreError, Store, default_url
from habitcore.clock import Clock, SystemClock
from habitcore.rules.reminders import DEFAULT_GRACE
from habitcore.tracker import user_exists
from habitcore_telegram import logs, transport
from habitcore_telegram.bot import Bot, external_id
from habitcore_telegram.faults import Kind, backoff, classify
from habitcore_telegram.loop import Loop
from habitcore_telegram.outbox import Outbox
from habitcore_telegram.polling import Poller
from habitcore_telegram.routes import register
from habitcore_telegram.settings import Settings, Webhook
from habitcore_telegram.texts import LANGUAGES, commands
from habitcore_telegram.webhook import ANSWER_WITHIN, Listener, Receiver, hide_secret, set_webhook
from habitcore_telegram.workers import Lanes, workers_from_env

log = logging.getLogger(__name__)


class StartError(Exception):
    """The bot cannot start; the message says why (and never shows the token)."""


@dataclass(frozen=True)
class Tuning:
    """Knobs with sensible defaults; tests and benchmarks turn them, people need not."""

    tick: float = 5.0  # seconds between reminder and day-start checks
    poll_timeout: int = 25  # long-polling wait, seconds
    rate: float = 25.0  # new messages per second, in all
    chat_interval: float = 1.0  # seconds between new messages to one chat
    workers: int = 4  # outbox workers
    drain: float = 3.0  # seconds the outbox may keep sending after a stop
    grace: timedelta = DEFAULT_GRACE
    # Update workers: HABITCORE_TELEGRAM_WORKERS, else 8. Different chats' updates are handled
    # side by side, at most this many at once; one chat's always in order.
    update_workers: int = field(default_factory=workers_from_env)
    backlog: int = 256  # updates waiting for a worker before the poller waits
    update_drain: float = 2.0  # seconds the updates taken may still be handled after a stop
    pictures: int = 1  # /stats pictures drawn at once, on threads of their own
    webhook_answer: float = ANSWER_WITHIN  # seconds a webhook update may take before its 200


def point_at(api_url: str) -> None:
    """Make telebot call ``{api_url}/bot{token}/{method}`` (a self-hosted Bot API server too)."""
    telebot.apihelper.API_URL = api_url + "/bot{0}/{1}"  # type: ignore[assignment]
    telebot.apihelper.FILE_URL = api_url + "/file/bot{0}/{1}"  # type: ignore[assignment]
    telebot.apihelper.CUSTOM_REQUEST_SENDER = transport.send  # type: ignore[assignment]


def build(settings: Settings, store: Store, clock: Clock, tuning: Tuning) -> Bot:
    point_at(settings.api_url)
    logs.guard_api_tokens()  # /token sends habit-api tokens, which telebot logs at DEBUG
    api = telebot.TeleBot(settings.token, threaded=False, parse_mode=None)
    bot_ref: list[Bot] = []

    def blocked(chat_id: int) -> None:
        if user_exists(store, external_id(chat_id)):
            bot_ref[0].tracker(chat_id).set_active(False)
            log.info("chat %s blocked the bot; their reminders are off until /start", chat_id)

    outbox = Outbox(
        rate=tuning.rate,
        chat_interval=tuning.chat_interval,
        workers=tuning.workers,
        on_blocked=blocked,
    )
    bot = Bot(api, store, clock, outbox, grace=tuning.grace, pictures=tuning.pictures)
    bot_ref.append(bot)
    register(bot)
    return bot


def prepare(api: telebot.TeleBot, stop: threading.Event, webhook: Webhook | None = None) -> bool:
    """The webhook set (or, to poll, removed) and the command menu set, retrying while the API
    is unreachable."""
    attempt = 0
    while not stop.is_set():
        try:
            if webhook is None:
                api.delete_webhook(drop_pending_updates=False)
            else:
                set_webhook(api, webhook)
            for language in LANGUAGES:
                menu = [types.BotCommand(name, text) for name, text in commands(language).items()]
                api.set_my_commands(menu, language_code=None if language == "en" else language)
            return True
        except Exception as error:
            fault = classify(error)
            code = getattr(error, "error_code", None)
            if code in (401, 404):
                raise StartError(
                    "Telegram does not accept this bot token (it may have been revoked); "
                    "check it with @BotFather."
                ) from None
            if fault.kind is not Kind.TRANSIENT and fault.kind is not Kind.RETRY_AFTER:
                said = fault.description
                if webhook is not None:  # Telegram's words never hold it; make sure
                    said = said.replace(webhook.secret_token, "<secret token>")
                raise StartError(f"Telegram refused to set the bot up: {said}") from None
            attempt += 1
            wait = fault.retry_after if fault.kind is Kind.RETRY_AFTER else backoff(attempt, 30)
            log.warning("setting up failed (%s); trying again in %.0f s", fault.description, wait)
            stop.wait(wait)
    return False


class Service:
    """The bot's threads, started and stopped in the right order."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        tuning: Tuning | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        try:
            if settings.workers is not None:  # --workers wins over HABITCORE_TELEGRAM_WORKERS
                chosen = tuning or Tuning(update_workers=settings.workers)
                self.tuning = replace(chosen, update_workers=settings.workers)
            else:
                self.tuning = tuning or Tuning()
        except ValueError as error:  # HABITCORE_TELEGRAM_WORKERS out of range
            raise StartError(str(error)) from None
        self.stopping = stop or threading.Event()
        self.store = Store(settings.database_url or default_url())
        try:
            self.bot = build(settings, self.store, clock or SystemClock(), self.tuning)
        except BaseException:
            self.store.close()
            raise
        self.loop = Loop(self.bot, self.stopping, interval=self.tuning.tick)
        # Fed by the poller here; a webhook receiver would feed the same ``submit``.
        self.updates: Lanes[types.Update] = Lanes(
            self._handle,
            chat_of,
            workers=self.tuning.update_workers,
            capacity=self.tuning.backlog,
            name="update",
        )
        self.poller = Poller(
            self.bot.api, self.updates.submit, self.stopping, timeout=self.tuning.poll_timeout
        )
        self.receiver: Receiver | None = None
        self.listener: Listener | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> bool:
        """Set up with Telegram and start; False if stopped before Telegram could be reached."""
        webhook = self.settings.webhook
        if webhook is not None:
            return self._start_webhook(webhook)
        if not prepare(self.bot.api, self.stopping):
            self.store.close()
            return False
        self.bot.outbox.start()
        self.updates.start()
        self._threads = [
            threading.Thread(target=self.loop.run, name="loop", daemon=True),
            threading.Thread(target=self.poller.run, name="poller", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        log.info("habit-telegram is running (API %s)", self.settings.api_host)
        return True

    def _handle(self, update: types.Update) -> Future[None] | None:
        if self.receiver is not None:
            self.receiver.taken(update.update_id)
        return self.bot.handle(update)

    def _start_webhook(self, webhook: Webhook) -> bool:
        """Listen first, then tell Telegram where: no update is posted to a closed port."""
        hide_secret(webhook.secret_token)
        self.receiver = Receiver(
            webhook.secret_token,
            self.updates.submit,
            self._database_answers,
            answer_within=self.tuning.webhook_answer,
        )
        try:
            self.listener = Listener(
                self.receiver.app(webhook.path),
                webhook,
                graceful=self.tuning.update_drain + 35.0,  # the pool's drain and hold, and some
            )
        except OSError as error:
            self.store.close()
            raise StartError(
                f"cannot listen on {webhook.listen}:{webhook.port} ({error.strerror or error})"
            ) from None
        self.bot.outbox.start()
        self.updates.start()
        try:
            try:
                self.listener.start()
            except OSError as error:
                raise StartError(str(error)) from None
            ready = prepare(self.bot.api, self.stopping, webhook)
        except BaseException:
            self._halt()
            raise
        if not ready:
            self._halt()
            return False
        self._threads = [threading.Thread(target=self.loop.run, name="loop", daemon=True)]
        self._threads[0].start()
        log.info(
            "habit-telegram is running with a webhook (API %s, listening on %s:%s)",
            self.settings.api_host,
            webhook.listen,
            self.listener.port,
        )
        return True

    def _database_answers(self) -> bool:
        try:
            self.store.ping()
        except HabitcoreError:
            return False
        return True

    def _halt(self) -> None:
        """Undo a webhook start that failed half way: nothing was handled yet."""
        self.stopping.set()
        if self.receiver is not None:
            self.receiver.closing = True
        if self.listener is not None:
            self.listener.begin_stop()
        self.updates.stop(drain=0.0, hold=5.0)
        if self.receiver is not None:
            self.receiver.abandon()
        if self.listener is not None:
            self.listener.join(10.0)
        self.bot.close()
        self.bot.outbox.stop(drain=0.0)
        self.store.close()

    def stop(self) -> float:
        """Finish the updates taken and the tick in progress, drain, confirm; seconds taken."""
        started = time.monotonic()
        log.info("stopping: finishing the updates taken")
        self.stopping.set()  # the poller takes no new update
        if self.receiver is not None and self.listener is not None:
            self.receiver.closing = True  # the webhook neither: 503, Telegram posts it again
            self.listener.begin_stop()
        left = self.updates.stop(drain=self.tuning.update_drain)
        if left:
            log.warning("%d update(s) were not handled in time for the stop", len(left))
        if self.receiver is not None and self.listener is not None:
            self.receiver.abandon()  # those given back are answered 503 now
            self.listener.join(timeout=self.tuning.update_drain + 40.0)
        self.bot.close()
        # A tick in progress ends (mornings stop between people; 10,000 reminders take seconds).
        if self.loop.ticking.acquire(timeout=30):
            self.loop.ticking.release()
        else:
            log.warning("the reminder tick did not end in 30 s; stopping without it")
        self.bot.outbox.stop(drain=self.tuning.drain)
        self.loop.return_unsent()
        if self.settings.webhook is None:
            self.poller.confirm()
        self.store.close()
        took = time.monotonic() - started
        log.info("stopped in %.1f s", took)
        return took


def chat_of(update: types.Update) -> int | str:
    """Whose turn an update waits for: its chat's (a button's message's chat), else its own."""
    if update.message is not None:
        return int(update.message.chat.id)
    call = update.callback_query
    if call is not None:
        chat = getattr(call.message, "chat", None)  # a Message, or an InaccessibleMessage
        return int(chat.id) if chat is not None else int(call.from_user.id)
    return f"update {update.update_id}"


def serve(settings: Settings, stop: threading.Event, *, tuning: Tuning | None = None) -> None:
    """Run until ``stop`` is set (the signal handlers set it); return once all has stopped."""
    service = Service(settings, tuning=tuning, stop=stop)
    if service.start():
        stop.wait()
        service.stop()
