"""Webhook mode: Telegram posts each update to us, and the answer says whether it was handled.

Plain HTTP on ``--listen``/``--port``, behind a proxy that ends TLS (Telegram posts only over
HTTPS, to port 443, 80, 88 or 8443), on the same ASGI stack as habit-api: a small Starlette
app served by a ``uvicorn.Server`` in a thread of the Service. That thread installs no signal
handlers (uvicorn installs them only on the main thread); the Service's stop sets
``should_exit``.

Why not telebot's own webhook listener: it answers 200 as soon as a body arrives, whatever it
holds and whether or not it was handled, and hands the update to its own threads. We need the
answer to mean something and the load to be ours to shape:

* 403 without the right ``X-Telegram-Bot-Api-Secret-Token`` (compared in constant time), so
  nobody who found the address can play a user; 400 for a body that is no Update; 413 past
  ``MAX_BODY`` (counted as it arrives, never read whole first).
* The update goes into the same per-chat worker pool the poller feeds (``Lanes.submit``): one
  chat's updates in order, a full backlog blocking the feeder. ``submit`` blocks, so it runs on a
  thread of its own, never on the event loop; Telegram then waits, which is the backpressure.
* 200 once the update was handled (the pool's ``done``), so an update in the hands of a process
  that dies is posted again by Telegram, to this or another worker. An update a worker has been
  handling for longer than ``Tuning.webhook_answer`` (~50 s, short of Telegram's own patience)
  is answered 200 anyway; one still waiting for a worker then, or given back at a stop, 503, so
  Telegram posts it again (a copy handled meanwhile makes the repeat change nothing).
* The 200 has an empty body: Telegram would run a method call found in it.

Nothing a request does escapes as a traceback to the client: anything unexpected is a logged
500, and the secret token is kept out of every log line (``hide_secret``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import telebot
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telebot import types

from habitcore_telegram.polling import ALLOWED_UPDATES, Submit, read_update
from habitcore_telegram.settings import HEALTH_PATH, Webhook

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an Update is a few kilobytes; a document's content is never in it
ANSWER_WITHIN = 50.0  # seconds; under a minute, since Telegram does not wait for ever
FEEDERS = 32  # threads that may wait at once for room in the pool's backlog

# Loggers that could see the secret token: telebot logs each request's parameters at DEBUG,
# and the rest log what goes wrong around a request.
_LOGGERS = ("TeleBot", "urllib3.connectionpool", __name__, "habitcore_telegram.service")


class HideSecret(logging.Filter):
    """Takes the webhook's secret token out of a record before any handler sees it."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format fails later, where it always did
            return True
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<secret token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "<secret token>")
        return True


def hide_secret(secret: str, *, everywhere: bool = False) -> None:
    """Filter ``secret`` out of the loggers that could see it (once each); ``everywhere``: out
    of the root logger's handlers too, which every record of the process passes through."""
    targets: list[logging.Logger | logging.Handler] = [logging.getLogger(n) for n in _LOGGERS]
    if everywhere:
        targets += logging.getLogger().handlers
    for target in targets:
        if not any(isinstance(f, HideSecret) and f.secret == secret for f in target.filters):
            target.addFilter(HideSecret(secret))


def set_webhook(api: telebot.TeleBot, webhook: Webhook) -> None:
    """setWebhook with the URL, the secret and the updates polling asks for.

    Sent as a form body (telebot's ``set_webhook`` puts every parameter in the query string,
    where proxies and request logs keep the secret). Pending updates are kept: they are owed.
    """
    telebot.apihelper._make_request(  # type: ignore[no-untyped-call]
        api.token,
        "setWebhook",
        method="post",
        params={
            "url": webhook.url,
            "secret_token": webhook.secret_token,
            "allowed_updates": json.dumps(ALLOWED_UPDATES),
            "drop_pending_updates": "false",
        },
    )


def plain(status: int) -> Response:
    return Response(status_code=status)


class Receiver:
    """The webhook's requests: checked, handed to the pool, answered once handled."""

    def __init__(
        self,
        secret_token: str,
        submit: Submit,
        healthy: Callable[[], bool],
        *,
        answer_within: float = ANSWER_WITHIN,
        max_body: int = MAX_BODY,
    ) -> None:
        self._secret = secret_token.encode("ascii")
        self.submit = submit
        self.healthy = healthy  # whether the database answers
        self.answer_within = answer_within
        self.max_body = max_body
        self.closing = False  # set at the stop: new updates are refused with 503
        self._lock = threading.Lock()
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[bool]]] = set()
        self._taken: set[int] = set()  # update ids a worker has begun (see ``taken``)
        self._feeders = ThreadPoolExecutor(FEEDERS, thread_name_prefix="webhook-feed")

    def __repr__(self) -> str:
        return f"Receiver(secret_token='<hidden>', closing={self.closing})"

    def app(self, path: str) -> Starlette:
        return Starlette(
            routes=[
                Route(path, self.receive, methods=["POST"]),
                Route(HEALTH_PATH, self.health, methods=["GET"]),
            ]
        )

    def taken(self, update_id: int) -> None:
        """A worker began this update: it will be handled whatever a stop does, so a late 200
        for it is safe, where one for an update still waiting could lose it."""
        with self._lock:
            self._taken.add(update_id)

    # -- requests ----------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        """200 while this process takes updates and reaches its database, for load balancers."""
        if self.closing:
            return JSONResponse({"status": "stopping"}, status_code=503)
        try:
            ok = await run_in_threadpool(self.healthy)
        except Exception:
            log.exception("the health check failed")
            ok = False
        if not ok:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def receive(self, request: Request) -> Response:
        try:
            return await self._receive(request)
        except Exception:
            log.exception("a webhook request failed")
            return plain(500)

    async def _receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            log.info("refused a webhook request without the right secret token (403)")
            return plain(403)
        if self.closing:
            return plain(503)  # Telegram posts it again, to this or another worker
        body = await self._body(request)
        if body is None:
            log.warning("refused a webhook body over %d bytes (413)", self.max_body)
            return plain(413)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            data = None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("refused a webhook body that is not a Telegram Update (400)")
            return plain(400)
        assert isinstance(data, dict)
        update = read_update(data)
        if update is None:
            return plain(200)  # posted again it would fail again; polling skips it too
        return await self._deliver(update)

    async def _body(self, request: Request) -> bytes | None:
        """The body, or None once it is longer than ``max_body`` (not read any further)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body:
                return None
        return bytes(body)

    async def _deliver(self, update: types.Update) -> Response:
        loop = asyncio.get_running_loop()
        handled: asyncio.Future[bool] = loop.create_future()
        entry = (loop, handled)
        with self._lock:
            self._waiting.add(entry)

        def done() -> None:  # on a worker thread, once the update was handled
            settle(loop, handled, True)

        async def taken_and_handled() -> bool:
            feed = partial(self.submit, update, done=done)
            if not await loop.run_in_executor(self._feeders, feed):
                return False  # the pool is stopping: not taken
            return await asyncio.shield(handled)

        try:
            ok = await asyncio.wait_for(taken_and_handled(), self.answer_within)
        except TimeoutError:
            with self._lock:
                began = update.update_id in self._taken
            if not began:
                # Still waiting for a worker: a stop could give it back after a 200 and lose
                # it. Telegram posts it again; the first copy, if handled meanwhile, makes the
                # second change nothing (its update id is recorded with its changes).
                log.warning(
                    "update %s waited %.0f s for a worker; answered 503 so Telegram posts it again",
                    update.update_id,
                    self.answer_within,
                )
                return plain(503)
            log.warning(
                "update %s is still being handled after %.0f s; answered 200 so Telegram "
                "does not post it again",
                update.update_id,
                self.answer_within,
            )
            return plain(200)
        finally:
            with self._lock:
                self._waiting.discard(entry)
                self._taken.discard(update.update_id)
        return plain(200 if ok else 503)

    # -- stopping ----------------------------------------------------------------------------

    def abandon(self) -> None:
        """Answer 503 to every update still waiting (the pool gave it back): Telegram posts
        it again."""
        with self._lock:
            waiting = list(self._waiting)
        for loop, handled in waiting:
            settle(loop, handled, False)
        self._feeders.shutdown(wait=False)  # a feed still queued finds the pool closed


def settle(loop: asyncio.AbstractEventLoop, handled: asyncio.Future[bool], ok: bool) -> None:
    """Resolve ``handled`` on its own loop, from any thread; nothing if it is over already."""

    def resolve() -> None:
        if not handled.done():
            handled.set_result(ok)

    with contextlib.suppress(RuntimeError):  # the loop has closed: the request is long over
        loop.call_soon_threadsafe(resolve)


class Listener:
    """The uvicorn server on its own thread, on a socket bound before it starts (so a port in
    use is a start error, and port 0 a free port)."""

    def __init__(self, app: Starlette, webhook: Webhook, *, graceful: float = 60.0) -> None:
        family = socket.AF_INET6 if ":" in webhook.listen else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((webhook.listen, webhook.port))
        except BaseException:
            self.socket.close()
            raise
        self.host = webhook.listen
        self.port: int = self.socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,  # through the bot's own (redacting) handler
            access_log=False,  # a line per update is noise; refusals are logged by the app
            server_header=False,
            lifespan="off",
            timeout_graceful_shutdown=math.ceil(graceful),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="webhook", daemon=True
        )

    def start(self, timeout: float = 30.0) -> None:
        """Serve; OSError if the server did not come up within ``timeout`` seconds."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.server.should_exit = True
                self.socket.close()
                raise OSError(f"the webhook listener on {self.host}:{self.port} did not start")
            time.sleep(0.01)
        log.info("taking webhook updates on http://%s:%s", self.host, self.port)

    def begin_stop(self) -> None:
        """Take no new connection; requests in progress are still answered."""
        self.server.should_exit = True

    def join(self, timeout: float) -> None:
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.warning("the webhook listener did not stop within %.0f s", timeout)
            self.server.force_exit = True
            self.thread.join(5.0)
        self.socket.close()
