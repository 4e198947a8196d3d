"""A limit per person on the requests that cost the bot real work: a /stats picture (about a
quarter of a CPU-second), an /export, an /import.

Each person may have one such request in progress and start at most ``per_minute`` of them in
any 60 seconds. Over the limit, the request is refused with a sentence saying why and when to
try again; nothing else the person does is held back, and nobody else is affected. The counts
live in memory: they are about the last minute, which a restart may forget.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

PER_MINUTE = 10
WINDOW = 60.0
SWEEP_ABOVE = 10_000  # people remembered before the ones with nothing recent are forgotten


class Limited(Exception):
    """Refused by the limit; ``key`` is the catalog's sentence, ``seconds`` when to try again."""

    def __init__(self, key: str, seconds: int = 0) -> None:
        super().__init__(key)
        self.key = key
        self.seconds = seconds


class Limits:
    def __init__(
        self,
        per_minute: int = PER_MINUTE,
        *,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._started: dict[int, deque[float]] = {}  # person -> when each recent one began
        self._busy: set[int] = set()  # people with one in progress
        self._lock = threading.Lock()

    def acquire(self, person: int) -> None:
        """Begin an expensive request for ``person``, or raise ``Limited``; ``release`` ends it."""
        now = self.clock()
        with self._lock:
            if person in self._busy:
                raise Limited("limit.busy")
            recent = self._recent(person, now)
            if len(recent) >= self.per_minute:
                wait = recent[0] + self.window - now
                raise Limited("limit.minute", max(1, math.ceil(wait)))
            recent.append(now)
            self._busy.add(person)
            if len(self._started) > SWEEP_ABOVE:
                self._sweep(now)

    def release(self, person: int) -> None:
        with self._lock:
            self._busy.discard(person)

    @contextmanager
    def held(self, person: int) -> Iterator[None]:
        self.acquire(person)
        try:
            yield
        finally:
            self.release(person)

    def _recent(self, person: int, now: float) -> deque[float]:
        recent = self._started.setdefault(person, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent

    def _sweep(self, now: float) -> None:
        for person in list(self._started):
            if person not in self._busy and not self._recent(person, now):
                del self._started[person]
