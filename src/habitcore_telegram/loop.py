"""The bot's own clockwork: due reminders and day starts, every few seconds, in one thread.

habitcore decides (a reminder for a habit already done, skipped, paused or met is suppressed; a
firing more than the grace period late is logged as missed; each firing is handed out once,
however many processes ask); the loop only delivers, and asks habitcore once more when the
reminder's turn in the outbox comes. A reminder the outbox could not send before
a shutdown is snoozed by a minute, so it goes out after the restart instead of being lost.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta

import schedule

from habitcore.closing import close_due_days
from habitcore.delivery import DueReminder, due_reminders, mark_undelivered, rearm, recheck
from habitcore.rules.reminders import Decision
from habitcore.rules.rollover import DayResult
from habitcore.tracker import user_exists
from habitcore_telegram.bot import USER_PREFIX, Bot, Person
from habitcore_telegram.handlers import reminding
from habitcore_telegram.texts import Texts

log = logging.getLogger(__name__)


def chat_of(user: str) -> int | None:
    """The Telegram chat of a ``telegram:<id>`` user; None for anything else under the prefix
    (a library user may name a user ``telegram:alice``)."""
    number = user.removeprefix(USER_PREFIX)
    return int(number) if number.isdigit() else None


class Loop:
    def __init__(self, bot: Bot, stop: threading.Event, *, interval: float = 5.0) -> None:
        self.bot = bot
        self.stop = stop
        self.interval = interval
        self.ticking = threading.Lock()
        self.scheduler = schedule.Scheduler()
        # schedule takes fractions of a second too, though its hints say int.
        self.scheduler.every(interval).seconds.do(self.tick)  # type: ignore[arg-type]
        self._returned: list[tuple[int, date]] = []  # claimed firings never sent
        self._returned_lock = threading.Lock()

    def run(self) -> None:
        self.tick()  # catch up at once after a restart
        while not self.stop.wait(min(0.2, self.interval)):
            self.scheduler.run_pending()

    def tick(self) -> None:
        with self.ticking:
            for step in (self.remind, self.mornings):
                try:
                    step()
                except Exception:
                    log.exception(
                        "a reminder tick failed in %s; the next one tries again", step.__name__
                    )

    def remind(self) -> int:
        now = self.bot.clock.now()
        started = time.perf_counter()
        due = due_reminders(self.bot.store, now, self.bot.grace, prefix=USER_PREFIX)
        for firing in due:
            try:
                self.send_reminder(firing)
            except Exception:
                # Claimed but not queued: hand it back rather than lose it.
                log.exception("could not queue the reminder %s", firing.reminder_id)
                self.give_back(firing)
        if due:
            log.info("%d reminder(s) due, found in %.3f s", len(due), time.perf_counter() - started)
        self.return_unsent()
        return len(due)

    def send_reminder(self, firing: DueReminder) -> None:
        chat_id = chat_of(firing.user)
        if chat_id is None:
            mark_undelivered(self.bot.store, firing.reminder_id, firing.day)
            return
        text, markup = reminding.reminder(chat_id, firing)

        def undelivered() -> None:
            mark_undelivered(self.bot.store, firing.reminder_id, firing.day)

        def still_wanted() -> bool:
            # Queued behind others or retried, it may go out minutes after habitcore chose it.
            now = self.bot.clock.now()
            return recheck(self.bot.store, firing, now, self.bot.grace) is Decision.SEND

        self.bot.send(
            chat_id,
            text,
            markup,
            bulk=True,
            on_dropped=lambda: self.give_back(firing),
            on_failed=undelivered,
            still_wanted=still_wanted,
        )

    def give_back(self, firing: DueReminder) -> None:
        """Remember a claimed firing that was never sent; ``return_unsent`` re-arms them."""
        with self._returned_lock:
            self._returned.append((firing.reminder_id, firing.day))

    def return_unsent(self) -> None:
        """Re-arm, in one transaction, the firings given back: they fire a minute from now."""
        with self._returned_lock:
            returned, self._returned = self._returned, []
        if returned:
            rearm(self.bot.store, returned, self.bot.clock.now() + timedelta(minutes=1))
            log.info("%d unsent reminder(s) re-armed for a minute from now", len(returned))

    def mornings(self) -> int:
        closed = close_due_days(self.bot.store, self.bot.clock.now(), prefix=USER_PREFIX)
        sent = skipped = 0
        for user, results in closed.items():
            chat_id = chat_of(user)
            if chat_id is None:
                continue
            if self.stop.is_set():
                skipped += 1  # their days are closed; only the message is left out
                continue
            try:
                sent += self.morning(chat_id, user, results)
            except Exception:
                log.exception("could not prepare the morning message for chat %s", chat_id)
        if skipped:
            log.warning("stopping: %d morning message(s) left out", skipped)
        return sent

    def morning(self, chat_id: int, user: str, results: list[DayResult]) -> int:
        if not user_exists(self.bot.store, user):
            return 0  # erased their data a moment ago: opening a tracker would bring them back
        tracker = self.bot.tracker(chat_id)
        settings = tracker.settings()
        if not settings.active or not settings.morning_summary:
            return 0
        if not results and not tracker.habits():
            return 0  # nothing to say to someone with no habits
        person = Person(chat_id, chat_id, tracker, Texts(settings.language))
        for text, markup in reminding.morning(person, results):
            self.bot.send(chat_id, text, markup, bulk=True)
        return 1
