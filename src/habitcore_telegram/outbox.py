"""The one sender every outgoing call goes through, paced to Telegram's limits.

Telegram allows a bot about 30 messages a second in all and one a second to a chat, with short
bursts tolerated; past that it answers 429. The outbox keeps one queue per chat and a few
workers: a new message (``paced``) waits for the global slot (``rate`` a second) and for its
chat. Bulk traffic (reminders, morning messages) goes to a chat at most once per
``chat_interval``; a reply to what a person just did may use a burst of ``chat_burst`` (the
reply to /stats is a text and a picture) that refills at the same pace. Edits are not new
messages and wait only for what is queued before them in their chat. Replies go before bulk
traffic, so 10,000 queued reminders never hold up an answer to a tap.

A reminder may wait minutes for its turn; its ``still_wanted`` is asked just before each attempt,
and one no longer wanted (the habit was done meanwhile) is withdrawn without using its slot. Its
``on_sent`` runs once Telegram answered ok, still in the item's turn (a worker that waits for the
outbox to be idle sees it done).

A call that fails is sorted by ``faults.classify``: after a 429 the chat waits ``retry_after``
(everyone else a second, or the whole wait when a second chat is told to wait too) and the same
call is sent once more; a 5xx, timeout or refused connection
backs off and retries the same call; a 403 drops the chat's queue and reports the chat as
blocked; other refusals are logged and dropped. Nothing is sent twice by the outbox itself.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from habitcore_telegram.faults import Fault, Kind, backoff, classify

log = logging.getLogger(__name__)

URGENT, BULK = 0, 1
GIVE_UP = 600.0  # seconds a call may keep failing (5xx, timeouts) before it is dropped


@dataclass
class Item:
    chat_id: int
    call: Callable[[], Any]
    what: str  # for the log: the method, never the text
    paced: bool = True
    bulk: bool = False
    # Telegram answered ok. What it does cannot make the call count as failed: it was sent.
    on_sent: Callable[[], None] | None = None
    on_dropped: Callable[[], None] | None = None  # never sent (shutdown): give it back
    on_failed: Callable[[], None] | None = None  # refused for good (403, 400), or given up on
    # Asked just before each attempt: a reminder held back by the pace or by retries may no
    # longer be wanted by then (the habit was done meanwhile).
    still_wanted: Callable[[], bool] | None = None
    attempts: int = 0
    first_failed: float | None = None
    slot: float | None = None  # the global send slot it was given, while it has one


@dataclass
class _Chat:
    queues: tuple[deque[Item], deque[Item]] = field(default_factory=lambda: (deque(), deque()))
    in_flight: bool = False
    last_send: float = float("-inf")
    credit: float = 0.0  # the reply burst left, as of ``credited``
    credited: float = float("-inf")
    paused_until: float = 0.0  # after a 429 for this chat
    listed: list[bool] = field(default_factory=lambda: [False, False])  # in each heap


@dataclass
class Counters:
    sent: int = 0
    retried: int = 0
    dropped: int = 0
    blocked: int = 0
    withdrawn: int = 0  # no longer wanted when their turn came
    first_sent: float | None = None
    last_sent: float | None = None


class Outbox:
    def __init__(
        self,
        *,
        rate: float = 25.0,
        chat_interval: float = 1.0,
        chat_burst: int = 3,
        workers: int = 4,
        on_blocked: Callable[[int], None] = lambda chat_id: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.chat_interval = chat_interval
        self.chat_burst = chat_burst
        self.on_blocked = on_blocked
        self.clock = clock
        self.counters = Counters()
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._lock = threading.Condition()
        self._chats: dict[int, _Chat] = {}
        self._heaps: tuple[list[tuple[float, int, int]], list[tuple[float, int, int]]] = ([], [])
        self._seq = itertools.count()
        self._next_global = 0.0
        self._paused_until = 0.0  # the whole outbox, after a 429 or while the server is down
        self._flooded: tuple[int | None, float] = (None, 0.0)  # the last chat told to wait
        self._last_call = float("-inf")  # when the last new message's call started
        self._stopping = False
        self._busy = 0

    # -- putting things in ---------------------------------------------------------------------

    def put(self, item: Item) -> None:
        with self._lock:
            if self._stopping:
                if item.on_dropped is not None:
                    item.on_dropped()
                else:
                    log.warning(
                        "not sent, the bot is stopping: %s to chat %s", item.what, item.chat_id
                    )
                return
            chat = self._chats.setdefault(item.chat_id, _Chat())
            level = BULK if item.bulk else URGENT
            chat.queues[level].append(item)
            self._list(item.chat_id, chat, level)
            self._lock.notify()

    def pending(self) -> int:
        with self._lock:
            return sum(len(q) for c in self._chats.values() for q in c.queues) + self._busy

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        for number in range(self._workers):
            thread = threading.Thread(target=self._work, name=f"outbox-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, drain: float = 3.0, join: float = 5.0) -> int:
        """Send what fits in ``drain`` seconds, then give the rest back; how many were given back.

        Urgent replies usually fit; queued reminders that do not are handed to their
        ``on_dropped`` (the bot gives them back, due again for whichever process sends next).
        A call in flight is waited for up to ``join`` seconds; if it fails, it is given back too.
        """
        deadline = time.monotonic() + drain
        while time.monotonic() < deadline and self.pending():
            time.sleep(0.02)
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(timeout=join)
        with self._lock:
            left = [
                item for chat in self._chats.values() for queue in chat.queues for item in queue
            ]
            for chat in self._chats.values():
                for queue in chat.queues:
                    queue.clear()
        for item in left:
            if item.on_dropped is not None:
                try:
                    item.on_dropped()
                except Exception:
                    log.exception("could not give back an unsent %s", item.what)
        replies = sum(1 for item in left if not item.bulk)
        given_back = sum(1 for item in left if item.bulk and item.on_dropped is not None)
        if left:
            log.warning(
                "stopped with %d message(s) unsent: %d repl(ies) dropped, %d reminder(s) "
                "given back to be sent by the next to ask, %d other(s) dropped",
                len(left),
                replies,
                given_back,
                len(left) - replies - given_back,
            )
        return len(left)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pending():
                return True
            time.sleep(0.01)
        return False

    # -- inside --------------------------------------------------------------------------------

    def _list(self, chat_id: int, chat: _Chat, level: int) -> None:
        if chat.listed[level] or chat.in_flight or not chat.queues[level]:
            return
        chat.listed[level] = True
        heapq.heappush(self._heaps[level], (self._ready_at(chat, level), next(self._seq), chat_id))

    def _ready_at(self, chat: _Chat, level: int) -> float:
        """When the chat's next item may go, as far as the chat itself is concerned.

        This is the heap's key. What holds every chat alike (the global send slot, a pause of the
        whole outbox) is checked apart in ``_take``: were it part of the key, each slot taken would
        make every listed chat's key stale, and re-keying 10,000 queued chats at every send cost
        more than sending.
        """
        item = chat.queues[level][0]
        ready = chat.paused_until
        if item.paced:
            if item.bulk:
                ready = max(ready, chat.last_send + self.chat_interval)
            elif chat.credit < 1 and self.chat_interval > 0:
                ready = max(ready, chat.credited + (1 - chat.credit) * self.chat_interval)
        return ready

    def _gate(self, item: Item) -> float:
        """When the outbox as a whole lets ``item`` go: its pause, and for a new message the
        global slot."""
        return max(self._paused_until, self._next_global) if item.paced else self._paused_until

    def _spend(self, chat: _Chat, now: float) -> None:
        """A new message went to ``chat`` at ``now``: one credit of its reply burst is used."""
        if self.chat_interval > 0:
            gained = (now - chat.credited) / self.chat_interval
            chat.credit = min(float(self.chat_burst), chat.credit + gained)
        else:
            chat.credit = float(self.chat_burst)
        chat.credit -= 1
        chat.credited = now
        chat.last_send = now

    def _take(self) -> Item | None:
        with self._lock:
            while True:
                if self._stopping:
                    return None
                now = self.clock()
                soonest: float | None = None
                for level, heap in enumerate(self._heaps):
                    while heap:
                        key, _seq, chat_id = heap[0]
                        found = self._chats.get(chat_id)
                        if found is None:
                            heapq.heappop(heap)
                            continue
                        chat = found
                        if chat.in_flight or not chat.queues[level]:
                            heapq.heappop(heap)
                            chat.listed[level] = False
                            continue
                        ready = self._ready_at(chat, level)
                        if ready > key:
                            heapq.heapreplace(heap, (ready, next(self._seq), chat_id))
                            continue
                        ready = max(ready, self._gate(chat.queues[level][0]))
                        if ready > now:
                            soonest = ready if soonest is None else min(soonest, ready)
                            break
                        heapq.heappop(heap)
                        chat.listed[level] = False
                        item = chat.queues[level].popleft()
                        chat.in_flight = True
                        self._busy += 1
                        if item.paced:
                            item.slot = max(now, self._next_global)
                            self._next_global = item.slot + self.interval
                            self._spend(chat, now)
                        return item
                self._lock.wait(None if soonest is None else max(0.001, soonest - now))

    def _work(self) -> None:
        while True:
            item = self._take()
            if item is None:
                return
            try:
                self._deliver(item)
            except Exception:  # a worker must outlive any one message
                log.exception("sending %s to chat %s failed unexpectedly", item.what, item.chat_id)
            finally:
                with self._lock:
                    self._busy -= 1
                    chat = self._chats[item.chat_id]
                    chat.in_flight = False
                    # An idle chat is forgotten once its pace no longer matters.
                    quiet = self.clock() - chat.last_send > self.chat_interval * self.chat_burst
                    if not any(chat.queues) and not any(chat.listed) and quiet:
                        self._chats.pop(item.chat_id, None)
                    else:
                        self._list(item.chat_id, chat, URGENT)
                        self._list(item.chat_id, chat, BULK)
                    self._lock.notify_all()

    def _deliver(self, item: Item) -> None:
        if not _wanted(item):
            with self._lock:
                self.counters.withdrawn += 1
                # Its send slot was not used: the next message may have it, unless it is
                # already handed on, so the spacing between messages sent never shrinks.
                if item.slot is not None and self._next_global == item.slot + self.interval:
                    self._next_global = item.slot
            log.debug("%s to chat %s is no longer wanted", item.what, item.chat_id)
            return
        self._space(item)
        try:
            item.call()
        except Exception as error:
            self._failed(item, error)
            return
        now = self.clock()
        counters = self.counters
        with self._lock:
            counters.sent += 1
            counters.first_sent = counters.first_sent if counters.first_sent is not None else now
            counters.last_sent = now
        if item.on_sent is not None:
            try:
                item.on_sent()
            except Exception:
                log.exception("could not record that a %s was sent", item.what)

    def _space(self, item: Item) -> None:
        """Start a new message's call at least one slot after the last one started.

        Slots are handed out when an item is taken; what a worker does before the call (asking
        ``still_wanted``, a database read of varying length) would otherwise bunch the calls
        themselves, and 27 could start within one second at 25 a second.
        """
        if not item.paced or self.interval <= 0:
            return
        with self._lock:
            now = self.clock()
            at = max(now, self._last_call + self.interval)
            self._last_call = at
        if at > now:
            time.sleep(at - now)

    def _failed(self, item: Item, error: Exception) -> None:
        fault = classify(error)
        now = self.clock()
        if fault.kind is Kind.HARMLESS:
            log.debug("ignored: %s", fault.description)
            return
        if fault.kind is Kind.BLOCKED:
            with self._lock:
                chat = self._chats[item.chat_id]
                dropped = [each for queue in chat.queues for each in queue]
                for queue in chat.queues:
                    queue.clear()
                self.counters.blocked += 1
            log.info(
                "chat %s cannot be reached (%s); %d queued dropped",
                item.chat_id,
                fault.description,
                len(dropped),
            )
            for each in [item, *dropped]:
                _report(each)
            try:
                self.on_blocked(item.chat_id)
            except Exception:
                log.exception("could not mark chat %s inactive", item.chat_id)
            return
        item.first_failed = now if item.first_failed is None else item.first_failed
        retry = fault.kind in (Kind.RETRY_AFTER, Kind.TRANSIENT)
        if retry and now - item.first_failed < GIVE_UP:
            item.attempts += 1
            wait = fault.retry_after if fault.kind is Kind.RETRY_AFTER else backoff(item.attempts)
            log.warning(
                "%s failed (%s); sending it again in %.0f s", item.what, fault.description, wait
            )
            with self._lock:
                chat = self._chats[item.chat_id]
                chat.queues[BULK if item.bulk else URGENT].appendleft(item)
                chat.paused_until = max(chat.paused_until, now + wait)
                held = self._hold_all(item.chat_id, fault, wait, now)
                self._paused_until = max(self._paused_until, now + held)
                self.counters.retried += 1
            return
        with self._lock:
            self.counters.dropped += 1
        log.warning("dropped %s to chat %s: %s", item.what, item.chat_id, fault.description)
        _report(item)

    def _hold_all(self, chat_id: int, fault: Fault, wait: float, now: float) -> float:
        """How long every chat waits after ``fault`` told ``chat_id`` to wait (lock held).

        An unreachable server holds everyone back for the whole wait. A 5xx or a timeout
        holds back only its chat, so one bad chat cannot stall the rest. A 429 is most often
        one chat's flood limit (a person tapping fast draws one on edits): that chat waits the
        whole ``retry_after``, the rest a second, Telegram's own window. A 429 for a second
        chat while another still waits means the bot as a whole is over its limit, and
        everyone waits.
        """
        if fault.everyone:
            return wait
        if fault.kind is not Kind.RETRY_AFTER:
            return 0.0
        flooded, until = self._flooded
        others_wait = flooded is not None and flooded != chat_id and until > now
        self._flooded = (chat_id, now + wait)
        return wait if others_wait else min(wait, 1.0)


def _wanted(item: Item) -> bool:
    """Whether to send ``item`` now; when the question cannot be answered, it is sent."""
    if item.still_wanted is None:
        return True
    try:
        return item.still_wanted()
    except Exception:
        log.exception("could not tell whether %s is still wanted; sending it", item.what)
        return True


def _report(item: Item) -> None:
    if item.on_failed is not None:
        try:
            item.on_failed()
        except Exception:
            log.exception("could not record that a %s failed", item.what)
