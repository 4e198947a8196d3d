"""A bounded pool of worker threads that runs work keyed by chat: one chat's updates strictly in
the order they came, different chats side by side.

Each chat has a lane (its updates waiting, in order) and is either idle, waiting its turn or in
a worker's hands; a worker takes the chat that has waited longest, runs its first update, and
puts the chat back at the end of the line if more wait, so a chat that sends a lot cannot keep
the others waiting. At most ``capacity`` updates wait in all: ``submit`` then blocks until one
is taken (backpressure on whoever feeds the pool, the poller or a webhook receiver), and never
drops one. Nothing a handler raises stops a worker.

A handler may return a ``Future`` for work it handed on (a picture drawn on its own pool): the
chat's lane is free at once, and the update counts as finished when that future is done.

``submit`` does not care where an update came from: the poller feeds it, and so could a webhook
receiver.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

WORKERS_ENV = "HABITCORE_TELEGRAM_WORKERS"
DEFAULT_WORKERS = 8
MAX_WORKERS = 64


def workers_from_env(default: int = DEFAULT_WORKERS) -> int:
    """The number of update workers: ``HABITCORE_TELEGRAM_WORKERS``, else ``default``."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
        raise ValueError(f"{WORKERS_ENV} must be a whole number from 1 to {MAX_WORKERS}")
    return int(raw)


def all_of(futures: list[Future[None]]) -> Future[None] | None:
    """A future done once every one of ``futures`` is (None for none)."""
    if not futures:
        return None
    if len(futures) == 1:
        return futures[0]
    together: Future[None] = Future()
    left = [len(futures)]
    lock = threading.Lock()

    def one_done(_: Future[None]) -> None:
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last:
            together.set_result(None)

    for future in futures:
        future.add_done_callback(one_done)
    return together


@dataclass
class _Item(Generic[T]):
    value: T
    done: Callable[[], None] | None
    number: int  # in the order submitted


class Lanes(Generic[T]):
    """Worker threads over per-key lanes: in order within a key, in parallel across keys."""

    def __init__(
        self,
        run: Callable[[T], Future[Any] | None],
        key: Callable[[T], Hashable],
        *,
        workers: int = DEFAULT_WORKERS,
        capacity: int = 256,
        name: str = "update",
    ) -> None:
        if workers < 1 or capacity < 1:
            raise ValueError("a pool needs at least one worker and room for one item")
        self.run = run
        self.key = key
        self.workers = workers
        self.capacity = capacity
        self.name = name
        self._lanes: dict[Hashable, deque[_Item[T]]] = {}  # waiting, by key; no empty lane
        self._ready: deque[Hashable] = deque()  # keys with waiting items and none in hand
        self._busy: set[Hashable] = set()  # keys with an item in a worker's hands
        self._waiting = 0  # items in lanes, not yet taken
        self._unfinished = 0  # items submitted and not finished (handed-on work included)
        self._closed = False  # no new item is taken
        self._ending = False  # workers leave once nothing is ready
        self._changed = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._numbers = itertools.count()

    # -- feeding -----------------------------------------------------------------------------

    def start(self) -> None:
        for number in range(self.workers):
            thread = threading.Thread(
                target=self._work, name=f"{self.name}-{number + 1}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def submit(self, value: T, *, done: Callable[[], None] | None = None) -> bool:
        """Queue ``value`` on its key's lane, waiting while ``capacity`` items wait already.

        ``done`` is called once it is finished (handled, or failed and logged). False, and
        ``value`` not taken, once the pool is stopping.
        """
        lane = self.key(value)
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._waiting < self.capacity)
            if self._closed:
                return False
            queue = self._lanes.get(lane)
            if queue is None:
                queue = self._lanes[lane] = deque()
                if lane not in self._busy:
                    self._ready.append(lane)
            queue.append(_Item(value, done, next(self._numbers)))
            self._waiting += 1
            self._unfinished += 1
            self._changed.notify_all()
            return True

    # -- looking on --------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        with self._changed:
            return self._waiting

    def alive(self) -> int:
        """Worker threads still running (every one, unless the pool was stopped)."""
        return sum(thread.is_alive() for thread in self._threads)

    def wait_idle(self, timeout: float) -> bool:
        """Until every item submitted so far is finished; False if ``timeout`` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._unfinished == 0, timeout)

    # -- stopping ----------------------------------------------------------------------------

    def stop(self, drain: float, hold: float = 30.0) -> list[T]:
        """Take nothing new; run what waits for up to ``drain`` seconds; hand back the rest.

        Items in a worker's hands (and work they handed on) then get up to ``hold`` seconds
        more to finish. Returns the items not started, in the order they were submitted; their
        ``done`` is not called.
        """
        deadline = time.monotonic() + drain
        with self._changed:
            self._closed = True
            self._changed.notify_all()  # a submit waiting for room gives up
            self._changed.wait_for(lambda: self._unfinished == 0, max(0.0, drain))
            waiting = sorted(
                (item for queue in self._lanes.values() for item in queue),
                key=lambda item: item.number,
            )
            left = [item.value for item in waiting]
            self._unfinished -= self._waiting
            self._lanes.clear()
            self._ready.clear()
            self._waiting = 0
            self._ending = True
            self._changed.notify_all()
            rest = max(0.0, deadline - time.monotonic()) + hold
            if not self._changed.wait_for(lambda: self._unfinished == 0, rest):
                log.warning("%d update(s) were still being handled at the stop", self._unfinished)
        for thread in self._threads:
            thread.join(timeout=1.0)
        return left

    # -- working -----------------------------------------------------------------------------

    def _take(self) -> tuple[Hashable, _Item[T]] | None:
        with self._changed:
            self._changed.wait_for(lambda: bool(self._ready) or self._ending)
            if not self._ready:
                return None
            lane = self._ready.popleft()
            queue = self._lanes[lane]
            item = queue.popleft()
            if not queue:
                del self._lanes[lane]
            self._waiting -= 1
            self._busy.add(lane)
            self._changed.notify_all()  # room for a waiting submit
            return lane, item

    def _work(self) -> None:
        while True:
            taken = self._take()
            if taken is None:
                return
            lane, item = taken
            later: Future[Any] | None = None
            try:
                later = self.run(item.value)
            except BaseException:  # nothing a handler does may take a worker down
                log.exception("a %s failed in the pool", self.name)
            with self._changed:
                self._busy.discard(lane)
                if lane in self._lanes:
                    self._ready.append(lane)  # at the back: the other chats go first
                self._changed.notify_all()
            if isinstance(later, Future):
                later.add_done_callback(partial(self._after, item))
            else:
                self._finish(item)

    def _after(self, item: _Item[T], _later: Future[Any]) -> None:
        self._finish(item)

    def _finish(self, item: _Item[T]) -> None:
        try:
            if item.done is not None:
                item.done()
        except Exception:
            log.exception("a %s's completion failed", self.name)
        finally:
            with self._changed:
                self._unfinished -= 1
                self._changed.notify_all()
