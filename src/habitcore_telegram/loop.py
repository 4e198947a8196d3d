"""The bot's own clockwork: due reminders and day starts, every few seconds, in one thread.

habitcore decides (a reminder for a habit already done, skipped, paused or met is suppressed; a
firing more than the grace period late is logged as missed; each firing is handed out once,
however many processes ask); the loop only delivers. A reminder the outbox could not send before
a shutdown is snoozed by a minute, so it goes out after the restart instead of being lost.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import timedelta

import schedule

from habitcore.closing import close_due_days
from habitcore.delivery import DueReminder, due_reminders, mark_undelivered
from habitcore.errors import HabitcoreError
from habitcore.tracker import user_exists
from habitcore_telegram.bot import USER_PREFIX, Bot, Person
from habitcore_telegram.handlers import reminding
from habitcore_telegram.texts import Texts

log = logging.getLogger(__name__)


class Loop:
    def __init__(self, bot: Bot, stop: threading.Event, *, interval: float = 5.0) -> None:
        self.bot = bot
        self.stop = stop
        self.interval = interval
        self.ticking = threading.Lock()
        self.scheduler = schedule.Scheduler()
        # schedule takes fractions of a second too, though its hints say int.
        self.scheduler.every(interval).seconds.do(self.tick)  # type: ignore[arg-type]

    def run(self) -> None:
        self.tick()  # catch up at once after a restart
        while not self.stop.wait(min(0.2, self.interval)):
            self.scheduler.run_pending()

    def tick(self) -> None:
        with self.ticking:
            try:
                self.remind()
                self.mornings()
            except Exception:
                log.exception("a reminder tick failed; the next one tries again")

    def remind(self) -> int:
        now = self.bot.clock.now()
        started = time.perf_counter()
        due = due_reminders(self.bot.store, now, self.bot.grace, prefix=USER_PREFIX)
        for firing in due:
            self.send_reminder(firing)
        if due:
            log.info("%d reminder(s) due, found in %.3f s", len(due), time.perf_counter() - started)
        return len(due)

    def send_reminder(self, firing: DueReminder) -> None:
        chat_id = int(firing.user.removeprefix(USER_PREFIX))
        text, markup = reminding.reminder(chat_id, firing)

        def give_back() -> None:
            if not user_exists(self.bot.store, firing.user):
                return  # they erased their data meanwhile
            # The habit may have gone meanwhile: then there is nothing to remind of.
            with contextlib.suppress(HabitcoreError):
                self.bot.tracker(chat_id).snooze(
                    firing.reminder_id, firing.day, timedelta(minutes=1)
                )

        def undelivered() -> None:
            mark_undelivered(self.bot.store, firing.reminder_id, firing.day)

        self.bot.send(chat_id, text, markup, bulk=True, on_dropped=give_back, on_failed=undelivered)

    def mornings(self) -> int:
        closed = close_due_days(self.bot.store, self.bot.clock.now(), prefix=USER_PREFIX)
        sent = 0
        for user, results in closed.items():
            chat_id = int(user.removeprefix(USER_PREFIX))
            tracker = self.bot.tracker(chat_id)
            settings = tracker.settings()
            if not settings.active or not settings.morning_summary:
                continue
            if not results and not tracker.habits():
                continue  # nothing to say to someone with no habits
            person = Person(chat_id, chat_id, tracker, Texts(settings.language))
            for text, markup in reminding.morning(person, results):
                self.bot.send(chat_id, text, markup, bulk=True)
            sent += 1
        return sent
