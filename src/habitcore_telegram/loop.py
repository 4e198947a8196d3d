"""The bot's own clockwork: due reminders and day starts, every few seconds, in one thread.

habitcore decides (a reminder for a habit already done, skipped, paused or met is suppressed; a
firing more than the grace period late is logged as missed) and hands each firing to one worker
under a lease, however many bot processes share the database; the loop only delivers, and asks
habitcore once more when the reminder's turn in the outbox comes. Each firing ends one way:
confirmed once Telegram answered ok (logged sent), settled as suppressed, missed or undelivered,
or given back unsent when the bot stops (due again at once, for any process). A process killed
with reminders in its queue confirms nothing: their leases pass, and another process (or this
one, restarted) sends them. While the queue holds them, the loop renews its leases.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta

import schedule

from habitcore.closing import close_due_days
from habitcore.delivery import DueReminder, claim, recheck
from habitcore.events import forget_handled
from habitcore.leases import DEFAULT_LEASE, new_worker, release, renew, settle
from habitcore.rules.reminders import Decision
from habitcore.rules.rollover import DayResult
from habitcore.tracker import user_exists
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.dialogs import USER_PREFIX
from habitcore_telegram.handlers import reminding
from habitcore_telegram.outbox import Item
from habitcore_telegram.texts import Texts

log = logging.getLogger(__name__)


def chat_of(user: str) -> int | None:
    """The Telegram chat of a ``telegram:<id>`` user; None for anything else under the prefix
    (a library user may name a user ``telegram:alice``)."""
    number = user.removeprefix(USER_PREFIX)
    return int(number) if number.isdigit() else None


FORGET_EVERY = timedelta(hours=1)


class Loop:
    def __init__(
        self,
        bot: Bot,
        stop: threading.Event,
        *,
        interval: float = 5.0,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.bot = bot
        self.stop = stop
        self.interval = interval
        self.lease = lease
        self.worker = new_worker()  # whose leases this process holds
        self.ticking = threading.Lock()
        self.scheduler = schedule.Scheduler()
        # schedule takes fractions of a second too, though its hints say int.
        self.scheduler.every(interval).seconds.do(self.tick)  # type: ignore[arg-type]
        self._renewed: datetime | None = None
        self._forgotten: datetime | None = None
        self._lock = threading.Lock()
        # What this process holds a lease on: claimed, and not yet settled or given back.
        self._held: dict[tuple[int, date], DueReminder] = {}
        self._returned: list[DueReminder] = []  # claimed, never sent: to release
        # Outcomes the database did not take when they came (it was down): tried every tick.
        # Their leases are renewed meanwhile, so no other process sends them again.
        self._owed: list[tuple[DueReminder, Decision]] = []

    def run(self) -> None:
        self.tick()  # catch up at once after a restart
        while not self.stop.wait(min(0.2, self.interval)):
            self.scheduler.run_pending()

    def tick(self) -> None:
        with self.ticking:
            for step in (self.remind, self.mornings, self.forget_handled):
                try:
                    step()
                except Exception:
                    log.exception(
                        "a reminder tick failed in %s; the next one tries again", step.__name__
                    )

    def remind(self) -> int:
        """Record what is owed and give back what was returned, renew the leases held, then
        claim what is due and queue it; how many were queued."""
        now = self.bot.clock.now()
        started = time.perf_counter()
        self.return_unsent()
        self.renew(now)
        count = 0
        batches = claim(
            self.bot.store,
            now,
            self.bot.grace,
            worker=self.worker,
            lease=self.lease,
            prefix=USER_PREFIX,
        )
        for batch in batches:
            with self._lock:
                self._held.update(((f.reminder_id, f.day), f) for f in batch)
            for firing in batch:
                try:
                    self.send_reminder(firing)
                except Exception:
                    # Claimed but not queued: hand it back rather than hold it.
                    log.exception("could not queue the reminder %s", firing.reminder_id)
                    self.give_back(firing)
            count += len(batch)
            if self.stop.is_set():
                break  # stopping: claim no more; the outbox gives back what it cannot send
        if count:
            log.info("%d reminder(s) due, found in %.3f s", count, time.perf_counter() - started)
        self.return_unsent()
        return count

    def forget_handled(self) -> int:
        """Once an hour, drop the records of updates handled more than a day ago (any worker
        may: the statement is the same whoever runs it)."""
        now = self.bot.clock.now()
        if self._forgotten is not None and now - self._forgotten < FORGET_EVERY:
            return 0
        forgotten = forget_handled(self.bot.store, now)
        self._forgotten = now
        return forgotten

    def renew(self, now: datetime) -> None:
        """Extend this process's leases once a third of the lease has passed since the last
        time, so that the queue may hold reminders for as long as it takes."""
        if self._renewed is not None and now - self._renewed < self.lease / 3:
            return
        with self._lock:
            held = [firing.reminder_id for firing in self._held.values()]
        renew(self.bot.store, self.worker, held, now + self.lease)
        self._renewed = now

    def send_reminder(self, firing: DueReminder) -> None:
        chat_id = chat_of(firing.user)
        if chat_id is None:
            self.record(firing, Decision.UNDELIVERED)
            return
        text, markup = reminding.reminder(chat_id, firing)

        def call() -> object:
            # One message: a reminder's text is far below Telegram's limit.
            return self.bot.api.send_message(chat_id, text, reply_markup=markup)

        def still_wanted() -> bool:
            # Queued behind others or retried, it may go out minutes after habitcore chose it.
            now = self.bot.clock.now()
            if recheck(self.bot.store, firing, now, self.bot.grace) is Decision.SEND:
                return True
            self._drop([firing])  # settled by the recheck, or another process holds it now
            return False

        self.bot.outbox.put(
            Item(
                chat_id,
                call,
                "sendMessage",
                bulk=True,
                on_sent=lambda: self.record(firing, Decision.SEND),
                on_dropped=lambda: self.give_back(firing),
                on_failed=lambda: self.record(firing, Decision.UNDELIVERED),
                still_wanted=still_wanted,
            )
        )

    def record(self, firing: DueReminder, decision: Decision) -> None:
        """Settle a firing's outcome (SEND: confirm it); owed until the database takes it."""
        try:
            settle(self.bot.store, [firing], decision, self.bot.clock.now())
        except Exception:
            log.exception(
                "could not record reminder %s as %s; trying again", firing.reminder_id, decision
            )
            with self._lock:
                self._owed.append((firing, decision))
            return
        self._drop([firing])

    def _drop(self, firings: list[DueReminder]) -> None:
        """No longer held by this process: nothing of theirs is renewed any more."""
        with self._lock:
            for firing in firings:
                self._held.pop((firing.reminder_id, firing.day), None)

    def give_back(self, firing: DueReminder) -> None:
        """Remember a claimed firing that was never sent; ``return_unsent`` releases them."""
        with self._lock:
            self._returned.append(firing)

    def return_unsent(self) -> None:
        """Record the outcomes owed, and release, in one transaction, the firings given back:
        they are due again at once, for this process or any other."""
        with self._lock:
            owed, self._owed = self._owed, []
            returned, self._returned = self._returned, []
        for firing, decision in owed:
            self.record(firing, decision)
        if not returned:
            return
        try:
            release(self.bot.store, returned)
        except Exception:
            # Still leased to this process: renewed until released, or passing once it ends.
            log.exception("could not give back %d unsent reminder(s)", len(returned))
            with self._lock:
                self._returned[:0] = returned
            return
        self._drop(returned)
        log.info("%d unsent reminder(s) given back, due again at once", len(returned))

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
