"""habit-api, the HTTP frontend, served by the real ``habit-api`` process.

Ten people, each with 100 habits of mixed schedules and four months of history (their figures
kept as of yesterday, as after a daily look), and a token each. ``habit-api`` runs as it ships,
a separate process on a free port of 127.0.0.1 (uvicorn, access log on), with ``--workers 1``
and then ``--workers 2``, and ``HABITCORE_API_RATE=0`` so the per-token limit does not refuse
the load.

* **Load** (this machine's absolute figures): a fixed number of client threads here, each with
  its own keep-alive connection, send a bounded number of requests (and stop at a time bound),
  spread over the ten people: ``GET /v1/today`` (the checklist), then ``POST
  /v1/habits/{id}/done`` (today, each request a habit of a person not yet done today, so every
  one writes; today's check-ins are removed between phases). Requests a second over the
  answered ones, p50 and p99 latency. An answer other than 2xx, or a broken connection, is a
  failure: counted and reported, never among the latencies. The client threads share the
  machine's CPUs with the server: on a small machine they take part of what the server could
  have used.
* **Overhead**: one request at a time (one connection) to the one-worker server, against the
  same call made straight on the library in this process, in interleaved rounds: for the
  checklist a new ``Tracker`` and ``[shapes.habit(s) for s in
  shapes.checklist_order(tracker.habits())]``, as the route does; for a check-in
  ``tracker.today()``, ``tracker.check()`` and ``tracker.habits(only=...)`` with both shapes
  built. The ms the API adds at p50 must stay within ``GOAL_MS``. The same rounds also time the
  application called in this process as uvicorn calls it (no server, socket or HTTP parsing).
  Where the added time goes is measured on the cheapest route, ``GET /v1/settings`` (one small
  read), where it is not lost in the noise of a 20 ms checklist: the library call alone, then
  preceded by the token lookup (``tokens.user_of``), the app with its sync work run inline
  instead of through FastAPI's thread pool, the app as served, and over HTTP.
  ``--profile`` adds cProfile summaries of the app in this process against the library calls.

The server's log (uvicorn's access log included, one line a request) goes to a temporary file,
shown if the server fails to start.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import http.client
import json
import math
import os
import pstats
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from unittest.mock import patch

import sqlalchemy as sa
from harness import Backend, Row, aligned, free_port, interleaved_medians
from sqlmodel import col
from stats_bench import MIX

from habitcore import Tracker, shapes, tokens
from habitcore.storage.store import Store
from habitcore.storage.tables import CheckInRow, HabitRow, UserRow

USERS = 10
HISTORY_DAYS = 120
CONNECTIONS = 8
GOAL_MS = 2.0  # the goal: the API adds at most this much per request at p50
SEED = 20261207
HABIT_API = str(Path(sys.executable).with_name("habit-api"))
START_DEADLINE = 60.0  # seconds for habit-api to answer /healthz
STOP_DEADLINE = 30.0
TODAY_ROUTE, DONE_ROUTE = "GET /v1/today", "POST /v1/habits/{id}/done"
RESTING = {"weekdays": (5, 6), "mon,wed,fri": (1, 3, 5, 6)}  # weekdays a schedule is not due


@dataclass(frozen=True)
class Options:
    get_requests: int = 4000  # per load phase, at most
    post_requests: int = USERS * 100  # at most one per habit and person: each one writes
    seconds: float = 12.0  # and at most this long
    rounds: int = 120  # interleaved rounds of the overhead comparison
    workers: tuple[int, ...] = (1, 2)

    @classmethod
    def for_run(cls, *, quick: bool) -> Options:
        if quick:
            return cls(get_requests=1000, post_requests=400, seconds=4.0, rounds=40)
        return cls()


@dataclass(frozen=True)
class Figure:
    """One load phase on this machine: how many answered, how fast, how late."""

    backend: str
    workers: int
    route: str
    answered: int
    failed: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Seeded:
    store: Store
    url: str
    users: list[str]
    tokens: dict[str, str]  # user -> token
    habits: dict[str, list[int]]  # user -> habit ids, in the user's order


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str
    body: bytes = b""


def run(backend: Backend, options: Options, show_profile: bool) -> Result:
    result = Result()
    with backend.fresh() as store:
        started = time.perf_counter()
        seeded = seed(store)
        backend.analyze(store)
        checkins = _count(store, sa.select(sa.func.count()).select_from(CheckInRow))
        print(
            f"  [{backend.name}] api: {USERS} people x 100 habits, {checkins:,} check-ins over "
            f"{HISTORY_DAYS} days, seeded in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        failed = 0
        for workers in options.workers:
            with serve(seeded.url, workers) as server:
                _warm(server, seeded)
                if workers == 1:
                    _overhead(backend.name, seeded, server, options, result)
                    if show_profile:
                        _profile(backend.name, seeded)
                gets = _gets(seeded, options.get_requests)
                _reset_today(seeded)
                posts = _posts(seeded, options.post_requests)
                for route, requests in ((TODAY_ROUTE, gets), (DONE_ROUTE, posts)):
                    loaded = load(server.port, requests, CONNECTIONS, options.seconds)
                    result.figures.append(loaded.figure(backend.name, workers, route))
                    if loaded.failures:
                        failed += loaded.failed
                        result.notes.append(
                            f"{backend.name}, {workers} worker(s), {route}: {loaded.failed} "
                            f"failed ({_failure_text(loaded.failures)})"
                        )
                    print(f"    {_figure_line(result.figures[-1])}", flush=True)
                _reset_today(seeded)
    if not failed:
        result.notes.append(f"{backend.name}: every request of the load phases was answered 2xx")
    return result


# ==============================================================================================
# Seeding


def seed(store: Store) -> Seeded:
    """USERS people alike: the same habits, the same history, figures kept, one token each.

    Habits go in through the ``Tracker`` (about 2 ms each); the check-ins as bulk Core inserts.
    The server runs on the system clock, so the history ends yesterday, as the machine sees it.
    """
    users = [f"api-bench-{n:02d}" for n in range(1, USERS + 1)]
    tokens_of: dict[str, str] = {}
    habits: dict[str, list[int]] = {}
    for user in users:
        tracker = Tracker(store, user=user)
        tracker.set_timezone("UTC")
        today = tracker.today()
        start = today - timedelta(days=HISTORY_DAYS)
        number = 0
        for kind in MIX:
            for n in range(1, kind.count + 1):
                tracker.add_habit(
                    f"{kind.prefix} {n:02d}",
                    kind.schedule,
                    target=kind.target,
                    unit=kind.unit,
                    start=start,
                    reminders=["21:00"] if number % 3 == 0 else [],
                )
                number += 1
        with store.read() as session:
            rows = list(
                session.execute(
                    sa.select(col(HabitRow.id), col(HabitRow.schedule), col(HabitRow.target))
                    .join(UserRow, col(UserRow.id) == col(HabitRow.user_id))
                    .where(col(UserRow.external_id) == user)
                    .order_by(col(HabitRow.position))
                )
            )
        habits[user] = [row.id for row in rows]
        rng = random.Random(SEED)  # every person keeps their habits alike
        history = [
            checkin
            for row in rows
            for checkin in _history(rng, row.id, row.schedule, row.target, start, today)
        ]
        with store.engine.begin() as connection:
            for first in range(0, len(history), 10_000):
                connection.execute(sa.insert(CheckInRow), history[first : first + 10_000])
        tracker.habits()  # keeps each habit's figures as of yesterday, as a daily look would
        tokens_of[user] = tokens.create(store, user, tracker.now(), "bench")
    url = store.engine.url.render_as_string(hide_password=False)
    return Seeded(store, url, users, tokens_of, habits)


def _history(
    rng: random.Random, habit_id: int, schedule: str, target: float | None, start: date, end: date
) -> Iterator[dict[str, Any]]:
    """About 80% of due days done and 5% skipped (period habits: half of all days)."""
    day = start
    while day < end:
        roll = rng.random()
        if "/" in schedule or " in " in schedule:
            status = "done" if roll < 0.5 else None
        elif day.weekday() in RESTING.get(schedule, ()):
            status = None
        else:
            status = "done" if roll < 0.8 else "skipped" if roll < 0.85 else None
        if status is not None:
            amount = float(rng.choice((5, 10, 20, 25))) if target and status == "done" else None
            yield {"habit_id": habit_id, "day": day, "status": status, "amount": amount}
        day += timedelta(days=1)


def _count(store: Store, query: sa.Select[Any]) -> int:
    with store.read() as session:
        return int(session.execute(query).scalar_one())


def _reset_today(seeded: Seeded) -> None:
    """Remove today's check-ins (untimed), so every check-in of the next phase writes one."""
    today = Tracker(seeded.store, user=seeded.users[0]).today()
    ids = [habit for user in seeded.users for habit in seeded.habits[user]]
    with seeded.store.engine.begin() as connection:
        connection.execute(
            sa.delete(CheckInRow).where(
                col(CheckInRow.day) == today, col(CheckInRow.habit_id).in_(ids)
            )
        )


# ==============================================================================================
# The server


class Server:
    """``habit-api`` in a process of its own (see ``serve``)."""

    def __init__(self, workers: int, port: int, process: subprocess.Popen[bytes], log: IO[bytes]):
        self.workers = workers
        self.port = port
        self.process = process
        self._log = log

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def wait_ready(self, deadline: float) -> None:
        """Until /healthz answers 200 and every worker has said its startup is complete."""
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"habit-api exited ({self.process.returncode}):\n{self.log()}")
            started = self.log().count("Application startup complete")
            if self._healthy() and started >= self.workers:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"habit-api did not answer /healthz in time:\n{self.log()}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()


@contextmanager
def serve(url: str, workers: int) -> Iterator[Server]:
    """``habit-api`` on a free port of 127.0.0.1 until the block ends, then SIGTERM (and a
    kill if it has not stopped within ``STOP_DEADLINE``), on success and on error alike."""
    port = free_port()
    env = {**os.environ, "HABITCORE_DATABASE_URL": url, "HABITCORE_API_RATE": "0"}
    command = [HABIT_API, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        try:
            server = Server(workers, port, process, log)
            server.wait_ready(started + START_DEADLINE)
            print(
                f"    habit-api, {workers} worker(s), ready in {time.monotonic() - started:.1f} s",
                flush=True,
            )
            yield server
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(STOP_DEADLINE)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# ==============================================================================================
# Load


def _gets(seeded: Seeded, count: int) -> list[Request]:
    users = seeded.users
    return [Request("GET", "/v1/today", seeded.tokens[users[i % len(users)]]) for i in range(count)]


def _posts(seeded: Seeded, count: int) -> list[Request]:
    """Done for today, habit by habit, the people taking turns: each request writes."""
    pairs = [(user, habit) for habit in range(100) for user in seeded.users][:count]
    return [
        Request(
            "POST",
            f"/v1/habits/{seeded.habits[user][habit]}/done",
            seeded.tokens[user],
            b"{}",
        )
        for user, habit in pairs
    ]


@dataclass
class Loaded:
    latencies: list[float]  # seconds, of the 2xx answers
    failures: Counter[str]
    seconds: float

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def figure(self, backend: str, workers: int, route: str) -> Figure:
        answered = len(self.latencies)
        return Figure(
            backend,
            workers,
            route,
            answered,
            self.failed,
            self.seconds,
            answered / self.seconds,
            percentile(self.latencies, 50) * 1000 if answered else math.nan,
            percentile(self.latencies, 99) * 1000 if answered else math.nan,
        )


def load(port: int, requests: Sequence[Request], connections: int, seconds: float) -> Loaded:
    """``requests`` in order, from ``connections`` threads with a keep-alive connection each,
    until they are all sent or ``seconds`` have passed."""
    lock = threading.Lock()
    taken = 0
    start = threading.Barrier(connections + 1)
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    deadline = math.inf

    def client() -> None:
        nonlocal taken
        # Connected by the first request (to localhost, a fraction of a ms), so that a refused
        # connection is a counted failure rather than a thread that never reaches the start.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed: Counter[str] = Counter()
        start.wait()
        try:
            while True:
                with lock:
                    index = taken
                    taken += 1
                if index >= len(requests) or time.perf_counter() > deadline:
                    break
                status, took = _send(connection, requests[index])
                if 200 <= status < 300:
                    mine.append(took)
                else:
                    failed["connection" if status == 0 else str(status)] += 1
                    if status == 0:
                        connection.close()
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                failures.update(failed)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    gc.collect()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return Loaded(latencies, failures, time.perf_counter() - began)


def _send(connection: http.client.HTTPConnection, request: Request) -> tuple[int, float]:
    """The status (0: the connection broke) and the seconds to the end of the answer."""
    headers = {"Authorization": f"Bearer {request.token}"}
    if request.body:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    try:
        connection.request(request.method, request.path, body=request.body or None, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return 0, time.perf_counter() - started
    return response.status, time.perf_counter() - started


def _warm(server: Server, seeded: Seeded) -> None:
    """Every worker's first requests import and prepare what later ones reuse: not timed.

    The check-in route is warmed with ``/undo`` of today (nothing recorded yet, so nothing
    changes), which goes through the same token, day and habit lookups.
    """
    requests = [*_gets(seeded, 40)]
    for user in seeded.users:
        habit = seeded.habits[user][0]
        requests.append(Request("POST", f"/v1/habits/{habit}/undo", seeded.tokens[user], b"{}"))
    loaded = load(server.port, requests * 2, CONNECTIONS, 60)
    if loaded.failures:
        raise AssertionError(f"warm-up: {_failure_text(loaded.failures)}\n{server.log()[-2000:]}")


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q% of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _failure_text(failures: Counter[str]) -> str:
    return ", ".join(f"{status} x {n}" for status, n in failures.most_common())


# ==============================================================================================
# Overhead: one request at a time, against the library in this process


class InProcess:
    """The application called as uvicorn calls it, in this process: no server, socket or HTTP."""

    def __init__(self, store: Store) -> None:
        from habitcore_api import create_app
        from habitcore_api.limits import Rate

        self.app = create_app(store, rate=Rate(per_minute=0, burst=1))
        self.loop = asyncio.new_event_loop()

    def close(self) -> None:
        self.loop.close()

    def send(self, request: Request) -> tuple[int, bytes]:
        headers = [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {request.token}".encode()),
        ]
        if request.body:
            headers.append((b"content-type", b"application/json"))
            headers.append((b"content-length", str(len(request.body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": "http",
            "path": request.path,
            "raw_path": request.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        status = 0
        body: list[bytes] = []
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if asked:
                return {"type": "http.disconnect"}
            asked = True
            return {"type": "http.request", "body": request.body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        self.loop.run_until_complete(self.app(scope, receive, send))
        return status, b"".join(body)


def _overhead(
    backend: str, seeded: Seeded, server: Server, options: Options, result: Result
) -> None:
    store, user = seeded.store, seeded.users[0]
    token, habits = seeded.tokens[user], seeded.habits[user]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    inside = InProcess(store)
    turn = {"habit": 0}

    def habit() -> int:
        return habits[turn["habit"] % len(habits)]

    def done_request() -> Request:
        return Request("POST", f"/v1/habits/{habit()}/done", token, b"{}")

    def over_http(request: Callable[[], Request]) -> Callable[[], None]:
        def call() -> None:
            status, _ = _send(connection, request())
            if status != 200:
                raise AssertionError(f"{request().method} {request().path} answered {status}")

        return call

    def in_process(request: Callable[[], Request], inline: bool = False) -> Callable[[], None]:
        def call() -> None:
            if inline:
                with _inline_threadpool():
                    status, answer = inside.send(request())
            else:
                status, answer = inside.send(request())
            if status != 200:
                raise AssertionError(f"{request().path} answered {status} in process: {answer!r}")

        return call

    def library_today() -> list[shapes.HabitShape]:
        tracker = Tracker(store, user=user)
        return [shapes.habit(s) for s in shapes.checklist_order(tracker.habits())]

    def library_done() -> tuple[shapes.CheckInShape, shapes.HabitShape]:
        tracker = Tracker(store, user=user)
        checkin = tracker.check(habit(), tracker.today())
        [status] = tracker.habits(only=habit())
        return shapes.checkin(checkin), shapes.habit(status)

    def library_settings() -> shapes.SettingsShape:
        return shapes.settings(Tracker(store, user=user).settings())

    def lookup_then_settings() -> None:
        if tokens.user_of(store, token, datetime.now(UTC)) != user:
            raise AssertionError("the token did not name its person")
        library_settings()

    def undo() -> None:
        """Before each timed check-in: the habit has nothing today (untimed)."""
        Tracker(store, user=user).uncheck(habit())

    def next_habit() -> None:
        turn["habit"] += 1
        undo()

    # The library's checklist and the API's hold the same habits with the same figures.
    inside_status, inside_body = inside.send(Request("GET", "/v1/today", token))
    if inside_status != 200 or json.loads(inside_body) != [s.data() for s in library_today()]:
        raise AssertionError("GET /v1/today and the library's checklist differ")
    today = Request("GET", "/v1/today", token)
    settings = Request("GET", "/v1/settings", token)
    # The harness collects garbage before every timed call; with FastAPI, pydantic and
    # SQLAlchemy loaded that walks some 10^5 objects (tens of ms here) and leaves the CPU caches
    # cold for the call. Frozen, the objects this process holds by now are skipped by that
    # collection; collections during a call still happen as in any process.
    gc.freeze()
    try:
        medians = interleaved_medians(
            {
                "http today": over_http(lambda: today),
                "app today": in_process(lambda: today),
                "library today": library_today,
                "http done": over_http(done_request),
                "app done": in_process(done_request),
                "library done": library_done,
                "http settings": over_http(lambda: settings),
                "app settings": in_process(lambda: settings),
                "inline settings": in_process(lambda: settings, inline=True),
                "token settings": lookup_then_settings,
                "library settings": library_settings,
            },
            options.rounds,
            warmup=3,
            before={"http done": next_habit, "app done": undo, "library done": undo},
        )
    finally:
        gc.unfreeze()
        connection.close()
        inside.close()
        _reset_today(seeded)
    ms = {name: value * 1000 for name, value in medians.items()}
    label = "habit-api, 100 habits, one request at a time"
    for route, name in ((TODAY_ROUTE, "today"), (DONE_ROUTE, "done")):
        http_ms, app_ms, library_ms = ms[f"http {name}"], ms[f"app {name}"], ms[f"library {name}"]
        result.rows += [
            Row(backend, label, f"{route} over HTTP / the library call", http_ms, library_ms),
            Row(backend, label, f"{route}, the app in process / library call", app_ms, library_ms),
            Row(
                backend,
                label,
                f"{route}: ms the API adds at p50 / {GOAL_MS:.0f} ms",
                http_ms - library_ms,
                GOAL_MS,
                1.0,
            ),
        ]
        result.notes.append(
            f"{backend}, {route}, p50 of {options.rounds} rounds: the library call "
            f"{library_ms:.2f} ms, the app in this process {app_ms:.2f} ms, over HTTP "
            f"{http_ms:.2f} ms: the API adds {http_ms - library_ms:.2f} ms "
            f"({app_ms - library_ms:.2f} in the app, {http_ms - app_ms:.2f} in uvicorn, HTTP and "
            "the client)"
        )
    http_ms, library_ms = ms["http settings"], ms["library settings"]
    token_ms = ms["token settings"] - library_ms
    framework_ms = ms["inline settings"] - ms["token settings"]
    handoff_ms = ms["app settings"] - ms["inline settings"]
    result.rows.append(
        Row(backend, label, "GET /v1/settings over HTTP / the library call", http_ms, library_ms)
    )
    result.notes.append(
        f"{backend}, where it goes, on the cheapest route (GET /v1/settings, the library call "
        f"{library_ms:.2f} ms, over HTTP {http_ms:.2f} ms): the API adds "
        f"{http_ms - library_ms:.2f} ms: the token lookup (one more transaction) {token_ms:.2f}, "
        f"FastAPI's routing, dependencies, checks and JSON {framework_ms:.2f}, the "
        f"hand-off to the thread pool {handoff_ms:.2f}, uvicorn, HTTP and the client "
        f"{http_ms - ms['app settings']:.2f} (differences of medians)"
    )
    print(
        f"    overhead: GET {ms['http today']:.2f} ms over HTTP vs {ms['library today']:.2f} ms "
        f"library; done {ms['http done']:.2f} vs {ms['library done']:.2f} ms; settings "
        f"{http_ms:.2f} vs {library_ms:.2f} ms",
        flush=True,
    )


@contextmanager
def _inline_threadpool() -> Iterator[None]:
    """Run the routes' work on the calling thread instead of the thread pool.

    The server hands each request's work to a thread pool once (``habitcore_api.routing``, and
    FastAPI for anything left sync); inline, what that costs shows apart, and cProfile, which
    follows one thread, sees all the work.
    """
    import fastapi.dependencies.utils
    import fastapi.routing

    import habitcore_api.routing

    async def inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    with (
        patch.object(fastapi.routing, "run_in_threadpool", inline),
        patch.object(fastapi.dependencies.utils, "run_in_threadpool", inline),
        patch.object(habitcore_api.routing, "run_in_threadpool", inline),
    ):
        yield


def _profile(backend: str, seeded: Seeded) -> None:
    """cProfile of 50 checklists and 50 check-ins through the app in this process, against the
    library calls they make, in interleaved chunks, by package; then the app's own costs."""
    user = seeded.users[1]
    token, habits = seeded.tokens[user], seeded.habits[user]
    store = seeded.store
    inside = InProcess(store)
    today = Request("GET", "/v1/today", token)

    def library_today(_: int) -> None:
        tracker = Tracker(store, user=user)
        [shapes.habit(s) for s in shapes.checklist_order(tracker.habits())]

    def app_done(index: int) -> None:
        inside.send(Request("POST", f"/v1/habits/{habits[index]}/done", token, b"{}"))

    def library_done(index: int) -> None:
        habit = habits[PROFILED + index]  # another habit, of the same kind, with nothing today
        tracker = Tracker(store, user=user)
        checkin = tracker.check(habit, tracker.today())
        [status] = tracker.habits(only=habit)
        shapes.checkin(checkin), shapes.habit(status)

    cases: tuple[tuple[str, Callable[[int], Any], Callable[[int], Any]], ...] = (
        (TODAY_ROUTE, lambda _: inside.send(today), library_today),
        (DONE_ROUTE, app_done, library_done),
    )
    try:
        with _inline_threadpool():
            for _ in range(5):
                inside.send(today)
                library_today(0)
            for route, app, library in cases:
                measured = _profiled({"app": app, "library": library})
                print(
                    f"\n  profile [{backend}] {PROFILED} x {route}: the app in process (sync work "
                    "on the calling thread) and the library calls it makes, own ms a request"
                )
                print(_indent(_by_package(measured, PROFILED)))
                print(f"\n  the app's {PROFILED} x {route} outside habitcore and SQL, by own time")
                print(_indent(_outside_library(measured["app"])))
            print()
    finally:
        inside.close()
        _reset_today(seeded)


PROFILED = 50  # requests (and library calls) profiled, in chunks of PROFILED_CHUNK
PROFILED_CHUNK = 5
LIBRARY = re.compile(r"habitcore/|sqlalchemy/|sqlmodel/|psycopg|sqlite3|json/")


def _profiled(actions: dict[str, Callable[[int], Any]]) -> dict[str, pstats.Stats]:
    """One profile per action, each called PROFILED times (with 0, 1, ...), in alternating chunks
    so that a change in the machine's load falls on both alike."""
    profilers = {name: cProfile.Profile() for name in actions}
    for first in range(0, PROFILED, PROFILED_CHUNK):
        for name, action in actions.items():
            gc.collect()
            profilers[name].enable()
            for index in range(first, first + PROFILED_CHUNK):
                action(index)
            profilers[name].disable()
    return {name: pstats.Stats(profiler) for name, profiler in profilers.items()}


def _package(file: str, function: str) -> str:
    """Where a profiled function lives: a package, the standard library's module, or C."""
    if file == "~":  # a C function: name it by its type's module where it says one
        for name in ("sqlite3", "psycopg", "pydantic_core", "_json", "select", "socket"):
            if name in function:
                return f"{name} (C)"
        return "other C functions"
    parts = Path(file).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    for part in parts:
        if part.startswith("habitcore"):
            return part
    if file.startswith("<"):
        return "generated code (SQLAlchemy's, dataclasses')"
    if parts and parts[-2:-1] == ("benchmarks",):
        return "this benchmark's calls"
    folder = Path(file).parent.name
    return folder if not folder.startswith("python3") else f"stdlib {Path(file).stem}"


def _by_package(measured: dict[str, pstats.Stats], calls: int) -> str:
    totals: dict[str, Counter[str]] = {}
    for side, stats in measured.items():
        own: Counter[str] = Counter()
        for (file, _line, function), entry in stats.stats.items():  # type: ignore[attr-defined]
            own[_package(file, function)] += entry[2]
        totals[side] = own
    names = sorted(
        set(totals["app"]) | set(totals["library"]),
        key=lambda name: -(totals["app"][name] - totals["library"][name]),
    )
    body = [
        [
            name,
            f"{totals['app'][name] * 1000 / calls:.3f}",
            f"{totals['library'][name] * 1000 / calls:.3f}",
            f"{(totals['app'][name] - totals['library'][name]) * 1000 / calls:+.3f}",
        ]
        for name in names
        if max(totals["app"][name], totals["library"][name]) * 1000 / calls >= 0.02
    ]
    app, library = (sum(totals[side].values()) * 1000 / calls for side in ("app", "library"))
    body.append(
        [
            "all (cProfile slows small calls most)",
            f"{app:.3f}",
            f"{library:.3f}",
            f"{app - library:+.3f}",
        ]
    )
    return aligned(["package", "app ms", "library ms", "app - library"], body, numeric={1, 2, 3})


def _outside_library(stats: pstats.Stats, limit: int = 15) -> str:
    """The Python functions of the framework, the server side and the stdlib, by own time (C
    functions are left out: they are called from everywhere, the library included)."""
    rows = [
        (entry[2], entry[3], entry[1], _where(file, line, function))
        for (file, line, function), entry in stats.stats.items()  # type: ignore[attr-defined]
        if file != "~" and not LIBRARY.search(file) and not file.startswith("<")
    ]
    rows.sort(reverse=True)
    return "\n".join(
        f"{calls:6d} calls, own {own * 1000:6.1f} ms, with callees {total * 1000:7.1f} ms: {where}"
        for own, total, calls, where in rows[:limit]
    )


def _where(file: str, line: int, function: str) -> str:
    return f"{_package(file, function)} {Path(file).name}:{line}({function})"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# ==============================================================================================
# Reporting


def _figure_line(figure: Figure) -> str:
    return (
        f"{figure.workers} worker(s), {figure.route}: {figure.answered:,} answered "
        f"({figure.failed} failed) in {figure.seconds:.1f} s, {figure.per_second:,.0f}/s, "
        f"p50 {figure.p50_ms:.1f} ms, p99 {figure.p99_ms:.1f} ms"
    )


def figures_table(figures: Sequence[Figure]) -> str:
    """This machine's absolute figures as a plain-text table, also valid Markdown."""
    header = ["backend", "workers", "request", "answered", "failed", "seconds", "per second"]
    header += ["p50 ms", "p99 ms"]
    body = [
        [
            f.backend,
            str(f.workers),
            f.route,
            f"{f.answered:,}",
            f"{f.failed:,}",
            f"{f.seconds:.1f}",
            f"{f.per_second:,.0f}",
            f"{f.p50_ms:,.1f}",
            f"{f.p99_ms:,.1f}",
        ]
        for f in figures
    ]
    return aligned(header, body, numeric={1, 3, 4, 5, 6, 7, 8})
