"""The limits a public service keeps: how large a request body may be, and how often one token
may ask.

The body cap is enforced on the bytes as they arrive, so a client that sends no length, or lies
about it, is cut off at the cap rather than read into memory. The rate limit is a token bucket
per API token, kept in the serving process: with N worker processes a token may reach N times
the rate, which docs/api.md says.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024
MAX_BODY = 64 * 1024  # a JSON request: a habit, a check-in, settings
MAX_IMPORT = 32 * MIB  # an uploaded history file (a Loop backup of years is a few MB)
IMPORT_PATH = "/v1/import"


@dataclass(frozen=True)
class Rate:
    """``per_minute`` requests a minute for each token, in bursts of up to ``burst``."""

    per_minute: float = 120.0
    burst: int = 60

    @property
    def off(self) -> bool:
        return self.per_minute <= 0


class Buckets:
    """A token bucket for each key, the least recently seen forgotten beyond ``keep`` keys."""

    def __init__(
        self, rate: Rate, *, keep: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.keep = keep
        self.clock = clock
        self._held: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when ``key`` may go ahead (and one request is counted), else the seconds to wait."""
        if self.rate.off:
            return 0.0
        per_second = self.rate.per_minute / 60
        with self._lock:
            now = self.clock()
            level, then = self._held.pop(key, (float(self.rate.burst), now))
            level = min(float(self.rate.burst), level + (now - then) * per_second)
            if level >= 1:
                self._held[key] = (level - 1, now)
                wait = 0.0
            else:
                self._held[key] = (level, now)
                wait = (1 - level) / per_second
            while len(self._held) > self.keep:
                self._held.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    """Whole seconds for a Retry-After header: never 0 while the bucket is still empty."""
    return str(max(1, math.ceil(wait)))


class BodyLimit:
    """Refuse a request body larger than its path allows with 413, before the app reads it."""

    def __init__(self, app: ASGIApp, *, body: int = MAX_BODY, upload: int = MAX_IMPORT) -> None:
        self.app = app
        self.body = body
        self.upload = upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.upload if scope["path"].rstrip("/") == IMPORT_PATH else self.body
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _too_large(send, cap)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise _TooLarge(cap)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(send, cap)


class _TooLarge(HTTPException):
    """Raised from the body as it is read; FastAPI passes an HTTPException on untouched."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, too_large_text(cap))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def size_text(size: int) -> str:
    return f"{size // MIB} MiB" if size >= MIB and size % MIB == 0 else f"{size // 1024} KiB"


def too_large_text(cap: int) -> str:
    return f"The request body is larger than this path takes ({size_text(cap)})."


async def _too_large(send: Send, cap: int) -> None:
    body = json.dumps({"detail": too_large_text(cap)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
