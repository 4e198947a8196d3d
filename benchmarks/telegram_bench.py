"""Benchmark 4: the Telegram bot under a crowd, and a burst of 10,000 reminders.

The bot runs for real in this process: the poller, the update workers (8 unless
``HABITCORE_TELEGRAM_WORKERS`` says otherwise), the outbox workers and the reminder loop,
pyTelegramBotAPI over HTTP, against the fake Bot API server of the test suite
(``tests/fake_telegram.py``). Only the clock is fixed.

* **The crowd.** N users (1,000) with five daily habits and a month of history each send
  /today, all at once, and then tap the five buttons of their checklist, in five waves of N
  taps. The bot runs unpaced (``Tuning(rate=1e6, chat_interval=0)``), so what is timed is the
  bot and habitcore, not Telegram's limits. The baseline is what habitcore itself needs for the
  same updates, asked directly in the same process right after each wave:
  ``Tracker.habits()`` for /today, ``Tracker.check()`` then ``Tracker.habits()`` for a tap,
  each on a new ``Tracker`` as the bot opens one per update. The issue's measure is the p99
  latency of all 6N updates (for information against 1 s: a time, not a ratio, so it is this
  machine's). Then a steady phase sends updates at half the rate the crowd was served at (the
  latency of an update that finds no queue), a wave of taps has every Bot API call answered
  50 ms late, as from a server some way from Telegram's, and on PostgreSQL a last wave has
  every SQL statement wait 1 ms first, as for a database server on another machine: with the
  updates of different chats handled side by side, those waits overlap.
* **The burst.** 10,000 reminders due in the same minute, among 10,000 and 100,000 users (and
  100,000 of whom 90,000 belong to another frontend), plus a backlog of the ``local`` user's
  firings that the bot must leave alone. ``delivery.find_due`` and ``delivery.due_reminders``
  with ``prefix="telegram:"`` (what the bot's loop calls) are timed against fetching the same
  rows by primary key, and must not grow with the number of users; ``find_due`` both on a
  connection that has run it many times and on a new one. ``Loop.remind()`` then queues all
  10,000 into the real ``Outbox`` with a stand-in for the HTTP call: none may be lost or
  doubled. Last, a sample goes out through the bot at its own pace (25 a second, one a second
  per chat) to the fake server: the rate held, the busiest second, and the answer to a /today
  sent while the reminders queue.

Milliseconds here depend on the machine and, more than in the other benchmarks, on the fake
server, which runs in this process and shares its interpreter lock with the bot. The claims
rest on the ratios; the absolute figures (updates a second, p50 and p99 latency) are printed in
a table of their own, as this machine's.
"""

from __future__ import annotations

import gc
import logging
import math
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from harness import Backend, Row, aligned, interleaved_medians
from reminders_bench import (
    HABIT_START,
    MIDNIGHT,
    ZONES,
    Seeded,
    _insert,
    captured_sql,
    explain,
    reset,
)
from sqlmodel import col

from habitcore import Tracker, delivery
from habitcore.delivery import DueReminder
from habitcore.rules.days import day_end_instant, habit_day
from habitcore.rules.habits import Goal
from habitcore.rules.reminders import DEFAULT_GRACE, ReminderRule, next_fire
from habitcore.rules.schedule import Daily
from habitcore.storage.store import Store
from habitcore.storage.tables import (
    CheckInRow,
    HabitRow,
    ReminderLogRow,
    ReminderRow,
    UserRow,
    metadata,
)
from habitcore.testing import FakeClock
from habitcore_telegram.bot import Bot
from habitcore_telegram.dialogs import USER_PREFIX, external_id
from habitcore_telegram.loop import Loop
from habitcore_telegram.outbox import Outbox
from habitcore_telegram.service import Tuning

# The fake Bot API server and the harness that starts the bot against it live with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_telegram import Call, FakeTelegram
from telegram_harness import start_bot

# -- the crowd ----------------------------------------------------------------------------------

CROWD_START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday morning
CROWD_ZONE = "Europe/Berlin"
HABITS = ("Read", "Walk", "Water", "Stretch", "Journal")
HISTORY_DAYS = 30
SEED = 20261125
BOT_USERS = 5_000_000  # Telegram ids: the crowd is 5,000,001 …
TWIN_USERS = 6_000_000  # … the baseline's users, alike in every row, 6,000,001 …
WARM_USERS = 7_000_000  # … and the warm-up's, 7,000,001 …
WARMUP = 20
UNPACED = Tuning(tick=3600, poll_timeout=1, rate=1_000_000, chat_interval=0, workers=4, drain=1)
DONE_MARK = "✅"
ROUND_TRIP = 0.05  # seconds a Bot API call takes from a server some way from Telegram's
DB_ROUND_TRIP = 0.001  # seconds a statement waits for a PostgreSQL server on another machine
# A tap redraws the checklist's buttons; a tap on a message with text to change, its text too.
EDITS = ("editMessageReplyMarkup", "editMessageText")
FAR_METHODS = ("getUpdates", "sendMessage", *EDITS, "answerCallbackQuery")

# -- the burst ----------------------------------------------------------------------------------

FIRE = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # the minute 10,000 reminders fire
NOW = FIRE + timedelta(seconds=30)  # when the loop looks
LOCAL_FIRE = FIRE - timedelta(minutes=30)  # the local user's backlog: no `habit remind` ran
DUE = 10_000
LOCAL_HABITS = 100
CHATS = 1_000_000  # user i of the burst is Telegram user 1,000,000 + i
OTHER_PREFIX = "other:"
FIND_TARGET = 2.0  # find_due / PK fetch, as in the reminders benchmark
GROWTH_TARGET = 2.0  # ten times the users: a cost that follows the users would give ~10
PACE = Tuning().rate  # the bot's own pace: 25 new messages a second
REPLIES = 20  # /today sent while the paced reminders queue


@dataclass(frozen=True)
class Options:
    crowd: int = 1000
    baseline: int = 150  # users the direct baseline runs for (the same work for each)
    steady: int = 100  # users of the steady phase
    far: int = 60  # taps with every Bot API call ROUND_TRIP late
    remote: int = 200  # taps with every SQL statement DB_ROUND_TRIP late (PostgreSQL only)
    sizes: tuple[int, ...] = (10_000, 100_000)
    mixed: bool = True  # also 100,000 users of whom 90,000 belong to another frontend
    repeat: int = 5  # find_due rounds are repeat * 5, as in the reminders benchmark
    deliver_runs: int = 2
    paced: int = 500  # reminders sent at the bot's own pace (at 25 a second: 20 s)

    @classmethod
    def for_run(cls, *, quick: bool, crowd: int | None, repeat: int) -> Options:
        if quick:
            return cls(
                crowd=crowd or 100,
                baseline=50,
                steady=50,
                far=30,
                remote=60,
                sizes=(10_000,),
                mixed=False,
                repeat=repeat,
                deliver_runs=1,
                paced=125,
            )
        return cls(crowd=crowd or 1000, repeat=repeat)


@dataclass(frozen=True)
class Figure:
    """One of this machine's absolute figures: how many, how long, how fast, how late."""

    backend: str
    load: str
    measure: str
    count: int
    seconds: float | None = None
    per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run(backend: Backend, options: Options, show_profile: bool, pace: bool) -> Result:
    """The crowd, then the burst; ``pace``: also the paced sample (once per run is enough)."""
    result = Result()
    with _bot_log() as warnings:
        crowd(backend, options, result)
        burst(backend, options, result, show_profile, pace)
    fewer = warnings[:5]
    result.notes.append(
        f"{backend.name}: the bot logged {len(warnings)} warning(s)"
        + (": " + "; ".join(fewer) if fewer else "")
    )
    return result


# ==============================================================================================
# The crowd


def crowd(backend: Backend, options: Options, result: Result) -> None:
    n = options.crowd
    bot_users = [BOT_USERS + i for i in range(1, n + 1)]
    twins = [TWIN_USERS + i for i in range(1, options.baseline + 1)]
    warm = [WARM_USERS + i for i in range(1, WARMUP + 1)]
    clock = FakeClock(CROWD_START)
    with backend.fresh() as store:
        started = time.perf_counter()
        habit_ids = seed_crowd(store, clock, [*bot_users, *twins, *warm])
        backend.analyze(store)
        print(
            f"  [{backend.name}] telegram crowd: {n:,} users x {len(HABITS)} habits seeded in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        with FakeTelegram() as fake:
            bot = start_bot(_url(store), fake, clock=clock, tuning=UNPACED)
            try:
                player = Crowd(fake)
                # Warm-up: the first updates import handlers and fill statement caches.
                player.wave(warm, None)
                player.wave(warm, 0)
                direct(store, clock, warm[:5], habit_ids, None)
                direct(store, clock, warm[:5], habit_ids, 0)

                bot_sql, direct_sql = Statements(bot.service.store), Statements(store)
                waves: list[Wave] = []
                baseline: list[float] = []
                for tap in (None, *range(len(HABITS))):
                    with bot_sql.counting(tap is not None, len(bot_users)):
                        waves.append(player.wave(bot_users, tap))
                    with direct_sql.counting(tap is not None, len(twins)):
                        baseline.append(direct(store, clock, twins, habit_ids, tap))
                player.check_all_done(bot_users)
                workers = bot.service.tuning.update_workers
                served = sum(len(w.answers) for w in waves) / sum(w.seconds for w in waves)
                print(
                    f"    {sum(len(w.answers) for w in waves):,} updates at {served:,.0f} a second",
                    flush=True,
                )
                # Half that rate: the latency of an update that finds no queue before it.
                rate = served / 2
                steady = bot_users[: options.steady]
                calm = [player.wave(steady, None, rate=rate), player.wave(steady, 0, rate=rate)]
                # Telegram is not next door: every Bot API call answered ROUND_TRIP late.
                for method in FAR_METHODS:
                    fake.delay(method, ROUND_TRIP, times=-1)
                far = player.wave(bot_users[: options.far], 1)
                fake.clear_faults()
                # The database on another machine: every statement waits a round trip.
                remote = None
                if backend.name == "postgres":
                    with _statements_late(bot.service.store, DB_ROUND_TRIP):
                        remote = player.wave(bot_users[: options.remote], 2)
            finally:
                bot.stop()
            fake.assert_no_errors()
    _crowd_rows(backend.name, n, waves, baseline, calm, rate, far, result)
    if remote is not None:
        _remote_rows(backend.name, remote, bot_sql.per_update(True), result)
    result.notes.append(f"{backend.name}: the bot handled updates with {workers} worker(s)")
    result.notes.append(
        f"{backend.name}: SQL statements per update, the bot / habitcore alone: /today "
        f"{bot_sql.per_update(False):.1f} / {direct_sql.per_update(False):.1f}, tap "
        f"{bot_sql.per_update(True):.1f} / {direct_sql.per_update(True):.1f}"
    )


@contextmanager
def _statements_late(store: Store, seconds: float) -> Iterator[None]:
    """Every statement the store sends waits ``seconds`` first, as for a server far away
    (a sleep, which lets other threads run, as waiting on the network does)."""

    def late(*_: Any) -> None:
        time.sleep(seconds)

    sa.event.listen(store.engine, "before_cursor_execute", late)
    try:
        yield
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", late)


def _remote_rows(backend: str, remote: Wave, statements: float, result: Result) -> None:
    """Taps with every statement a round trip late: how far the workers overlap the waits."""
    trip = DB_ROUND_TRIP * 1000
    per_tap = remote.seconds / len(remote.answers) * 1000
    load = f"telegram, every SQL statement {trip:.0f} ms late"
    waited = f"{statements:.0f} statements x {trip:.0f} ms"
    case = f"tap: bot per update / {waited}"
    result.rows.append(Row(backend, load, case, per_tap, statements * trip))
    result.figures.append(
        _latency(
            backend,
            f"{len(remote.answers):,} taps at once, SQL {trip:.0f} ms late",
            "tap -> answer",
            [remote],
            "answers",
        )
    )


class Statements:
    """Counts the SQL statements a store's engine sends, per kind of update."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self.sent = {False: 0, True: 0}
        self.updates = {False: 0, True: 0}
        self._now = 0

    def _count(self, *_: Any) -> None:
        self._now += 1

    @contextmanager
    def counting(self, tap: bool, updates: int) -> Iterator[None]:
        self._now = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        try:
            yield
        finally:
            sa.event.remove(self.engine, "before_cursor_execute", self._count)
        self.sent[tap] += self._now
        self.updates[tap] += updates

    def per_update(self, tap: bool) -> float:
        return self.sent[tap] / self.updates[tap]


def seed_crowd(store: Store, clock: FakeClock, telegram_ids: Sequence[int]) -> dict[int, list[int]]:
    """Users alike in every row: one made through the Tracker, the rest copied with Core.

    The first user gets a time zone, five daily habits started a month ago, a month of
    check-ins (4 in 5 days done, 1 in 20 skipped) and the kept tallies a daily user has. Every
    other user is a copy of those rows under new ids, so the bot's users and the baseline's do
    exactly the same work. Returns each user's habit ids, in checklist order.
    """
    first, *rest = telegram_ids
    tracker = Tracker(store, user=external_id(first), clock=clock)
    tracker.set_timezone(CROWD_ZONE)
    today = tracker.today()
    start = today - timedelta(days=HISTORY_DAYS)
    made = [tracker.add_habit(name, start=start) for name in HABITS]
    rng = random.Random(SEED)
    history: list[dict[str, Any]] = []
    for back in range(HISTORY_DAYS, 0, -1):
        for habit in made:
            draw = rng.random()
            status = "done" if draw < 0.8 else "skipped" if draw < 0.85 else None
            if status is not None:
                history.append(
                    {"habit_id": habit.id, "day": today - timedelta(days=back), "status": status}
                )
    _insert(store, CheckInRow, history)
    tracker.habits()  # keeps each habit's figures as of yesterday, as a daily look would have

    users, habits, checkins, tallies = (
        metadata.tables[name] for name in ("users", "habits", "checkins", "tallies")
    )
    with store.engine.connect() as connection:
        user = dict(
            connection.execute(sa.select(users).where(users.c.external_id == external_id(first)))
            .mappings()
            .one()
        )
        habit_rows = [
            dict(row)
            for row in connection.execute(
                sa.select(habits).where(habits.c.user_id == user["id"]).order_by(habits.c.position)
            ).mappings()
        ]
        ids = [row["id"] for row in habit_rows]
        checkin_rows = [
            {key: value for key, value in row.items() if key != "id"}
            for row in connection.execute(
                sa.select(checkins).where(checkins.c.habit_id.in_(ids))
            ).mappings()
        ]
        tally_rows = [
            dict(row)
            for row in connection.execute(
                sa.select(tallies).where(tallies.c.habit_id.in_(ids))
            ).mappings()
        ]
    if len(tally_rows) != len(HABITS):
        raise AssertionError("the first user's tallies were not kept")
    habit_ids = {first: ids}
    next_user, next_habit = user["id"] + 1, max(ids) + 1
    new: dict[str, list[dict[str, Any]]] = {"u": [], "h": [], "c": [], "t": []}
    for telegram_id in rest:
        copied = {}
        for row in habit_rows:
            copied[row["id"]] = next_habit
            new["h"].append({**row, "id": next_habit, "user_id": next_user})
            next_habit += 1
        new["u"].append({**user, "id": next_user, "external_id": external_id(telegram_id)})
        new["c"] += [{**row, "habit_id": copied[row["habit_id"]]} for row in checkin_rows]
        new["t"] += [{**row, "habit_id": copied[row["habit_id"]]} for row in tally_rows]
        habit_ids[telegram_id] = [copied[i] for i in ids]
        next_user += 1
    for table, key in ((users, "u"), (habits, "h"), (checkins, "c"), (tallies, "t")):
        _insert(store, table, new[key])
    _move_sequences(store, ("users", "habits"))
    return habit_ids


def direct(
    store: Store,
    clock: FakeClock,
    users: Sequence[int],
    habit_ids: dict[int, list[int]],
    tap: int | None,
) -> float:
    """Seconds per update that habitcore alone takes for what the bot does for one update."""
    gc.collect()
    started = time.perf_counter()
    for user in users:
        tracker = Tracker(store, user=external_id(user), clock=clock)
        if tap is not None:
            tracker.check(habit_ids[user][tap])
        tracker.habits()
    return (time.perf_counter() - started) / len(users)


@dataclass
class Wave:
    """One update from each of a set of users, and when the bot answered each."""

    tap: int | None  # None: /today; else the checklist button pressed (0-based)
    pushed: dict[int, float]  # user -> time.monotonic() when the update was queued
    answers: dict[int, Call]  # user -> the checklist sent, or the button press answered
    edits: dict[int, Call]  # user -> the checklist edited after a tap
    seconds: float  # first update queued to last answer or edit received

    def latencies(self, calls: dict[int, Call]) -> list[float]:
        return [calls[user].at - at for user, at in self.pushed.items()]


class Crowd:
    """Plays many users against the fake server and reads back when the bot answered."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.checklists: dict[int, dict[str, Any]] = {}
        self.waves = 0

    def wave(self, users: Sequence[int], tap: int | None, rate: float | None = None) -> Wave:
        """Each user sends /today (``tap`` None) or taps button ``tap`` of their checklist.

        Without ``rate`` every update is queued at once, a crowd in the same instant; with it,
        one update every 1/rate seconds.
        """
        self.waves += 1
        tag = f"w{self.waves}"
        mark = self.fake.mark()
        pushed: dict[int, float] = {}
        queries: dict[str, int] = {}
        gc.collect()
        began = time.monotonic()
        for index, user in enumerate(users):
            if rate is not None:
                wait = began + index / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            if tap is None:
                pushed[user] = time.monotonic()
                self.fake.message(user, "/today")
            else:
                checklist = self.checklists[user]
                data = checklist["reply_markup"]["inline_keyboard"][tap][0]["callback_data"]
                query = f"{tag}-{user}"
                queries[query] = user
                pushed[user] = time.monotonic()
                self.fake.tap(user, checklist, data, query_id=query)
        answers, edits = self._collect(mark, set(users), tap, queries)
        if tap is None:
            for user, call in answers.items():
                self.checklists[user] = call.result
        last = max(call.at for call in [*answers.values(), *edits.values()])
        return Wave(tap, pushed, answers, edits, last - min(pushed.values()))

    def _collect(
        self, mark: int, users: set[int], tap: int | None, queries: dict[str, int]
    ) -> tuple[dict[int, Call], dict[int, Call]]:
        answers: dict[int, Call] = {}
        edits: dict[int, Call] = {}
        seen = mark
        deadline = time.monotonic() + 60 + len(users) / 20
        while len(answers) < len(users) or (tap is not None and len(edits) < len(users)):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the bot answered {len(answers):,} and edited {len(edits):,} of "
                    f"{len(users):,} updates in time\n{self.fake.recent()}"
                )
            time.sleep(0.01)
            calls = self.fake.snapshot()
            for call in calls[seen:]:
                chat = call.chat_id
                if not call.ok and call.method != "getUpdates":
                    raise AssertionError(f"the fake refused a call: {call.brief()}")
                if tap is None and call.method == "sendMessage" and chat in users:
                    answers.setdefault(chat, call)
                elif call.method == "answerCallbackQuery":
                    user = queries.get(str(call.params.get("callback_query_id")))
                    if user is not None:
                        answers[user] = call
                elif tap is not None and call.method in EDITS and chat in users:
                    edits.setdefault(chat, call)
            seen = len(calls)
        return answers, edits

    def check_all_done(self, users: Sequence[int]) -> None:
        """Every checklist, as the fake now holds it, shows every habit done."""
        for user in users:
            sent = self.checklists[user]
            stored = self.fake.stored(user, sent["message_id"]) or {}
            rows = (stored.get("reply_markup") or {}).get("inline_keyboard") or []
            if len(rows) != len(HABITS) or not all(
                row[0]["text"].startswith(DONE_MARK) for row in rows
            ):
                raise AssertionError(f"user {user}'s checklist is not all done: {stored}")


def _crowd_rows(
    backend: str,
    n: int,
    waves: list[Wave],
    baseline: list[float],
    calm: list[Wave],
    rate: float,
    far: Wave,
    result: Result,
) -> None:
    today, taps = waves[0], waves[1:]
    per = [w.seconds / len(w.answers) for w in waves]
    bot_today, direct_today = per[0] * 1000, baseline[0] * 1000
    bot_tap = statistics.median(per[1:]) * 1000
    direct_tap = statistics.median(baseline[1:]) * 1000
    updates = sum(len(w.answers) for w in waves)
    bot_all = sum(w.seconds for w in waves) / updates * 1000
    direct_all = sum(b * len(w.answers) for b, w in zip(baseline, waves, strict=True))
    direct_all = direct_all / updates * 1000
    label = f"telegram, {n:,} users x (/today + {len(taps)} taps)"
    every = [x for w in waves for x in w.latencies(w.answers)]
    result.rows += [
        Row(backend, label, "/today: bot / Tracker.habits(), per update", bot_today, direct_today),
        Row(backend, label, "tap: bot / check() + habits(), per update", bot_tap, direct_tap),
        Row(backend, label, "all updates: bot / habitcore alone", bot_all, direct_all),
        Row(backend, label, "all updates: p99 latency / 1 s", _ms(every, 99), 1000.0),
    ]
    calm_today, calm_tap = calm
    # What a person waits for at half load, against what habitcore needs for the same update.
    steady = f"telegram, steady at {rate:,.0f} updates/s"
    today_waits = calm_today.latencies(calm_today.answers)
    tap_waits = calm_tap.latencies(calm_tap.answers)
    result.rows += [
        Row(backend, steady, f"/today p{q} latency / Tracker.habits()", ms, direct_today)
        for q, ms in ((50, _ms(today_waits, 50)), (99, _ms(today_waits, 99)))
    ]
    result.rows += [
        Row(backend, steady, f"tap p{q} answer / check() + habits()", ms, direct_tap)
        for q, ms in ((50, _ms(tap_waits, 50)), (99, _ms(tap_waits, 99)))
    ]

    far_ms = far.seconds / len(far.answers) * 1000
    result.rows.append(
        Row(
            backend,
            f"telegram, every Bot API call {ROUND_TRIP * 1000:.0f} ms late",
            f"tap: bot per update / {ROUND_TRIP * 1000:.0f} ms",
            far_ms,
            ROUND_TRIP * 1000,
        )
    )

    crowd_load = f"crowd: {n:,} users at once"
    seconds = sum(w.seconds for w in waves)
    figures = [
        Figure(
            backend,
            crowd_load,
            "all updates",
            updates,
            seconds,
            updates / seconds,
            _ms(every, 50),
            _ms(every, 99),
        ),
        _latency(backend, crowd_load, "/today -> checklist", [today], "answers"),
        _latency(backend, crowd_load, "tap -> answer", taps, "answers"),
        _latency(backend, crowd_load, "tap -> checklist edited", taps, "edits"),
    ]
    calm_load = f"steady: {rate:,.0f} updates/s"
    figures += [
        _latency(backend, calm_load, "/today -> checklist", [calm_today], "answers"),
        _latency(backend, calm_load, "tap -> answer", [calm_tap], "answers"),
        _latency(backend, calm_load, "tap -> checklist edited", [calm_tap], "edits"),
        _latency(
            backend,
            f"{len(far.answers):,} taps at once, calls {ROUND_TRIP * 1000:.0f} ms late",
            "tap -> answer",
            [far],
            "answers",
        ),
    ]
    result.figures += figures


def _latency(backend: str, load: str, measure: str, waves: Sequence[Wave], kind: str) -> Figure:
    values = [x for w in waves for x in w.latencies(getattr(w, kind))]
    seconds = sum(w.seconds for w in waves)
    return Figure(
        backend,
        load,
        measure,
        len(values),
        seconds,
        len(values) / seconds,
        _percentile(values, 50) * 1000,
        _percentile(values, 99) * 1000,
    )


def _ms(values: Sequence[float], q: float) -> float:
    return _percentile(values, q) * 1000


def _percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q% of values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# ==============================================================================================
# The burst of reminders


@dataclass(frozen=True)
class Scenario:
    users: int  # Telegram users and others; DUE of the Telegram users are due
    others: int = 0  # users of another frontend (external ids "other:…"), none due

    @property
    def label(self) -> str:
        text = f"telegram reminders, {DUE:,} due of {self.users:,} users"
        return text + (f" ({self.others:,} not Telegram)" if self.others else "")


@dataclass
class Burst:
    store: Store
    seeded: Seeded  # for reminders_bench.reset: the due reminders as seeded
    chats: dict[int, int]  # due reminder id -> Telegram chat id
    local_ids: list[int]


def burst(
    backend: Backend, options: Options, result: Result, show_profile: bool, pace: bool
) -> None:
    scenarios = [Scenario(users) for users in options.sizes]
    if options.mixed:
        scenarios.append(Scenario(max(options.sizes), max(options.sizes) - DUE))
    found: dict[Scenario, tuple[float, float]] = {}  # on a used connection, on a new one
    delivered: dict[Scenario, float] = {}
    for number, scenario in enumerate(scenarios):
        with backend.fresh() as store:
            started = time.perf_counter()
            seeded = seed_burst(store, scenario)
            backend.analyze(store)
            print(
                f"  [{backend.name}] {scenario.label}: seeded in "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            found[scenario], delivered[scenario], firings = _time_finding(
                backend.name, seeded, scenario, options, result, show_profile
            )
            if number == 0:
                _remind_all(backend.name, seeded, delivered[scenario], result)
                if pace:
                    _paced(backend.name, seeded, firings, options.paced, result)
    low = scenarios[0]
    for high in scenarios[1:]:
        label = f"{high.label} vs {low.users:,}".replace(f"{DUE:,} due of ", "")
        (used, new), (used_low, new_low) = found[high], found[low]
        grown = "find_due growth, new connection"
        result.rows += [
            Row(backend.name, label, "find_due growth", used, used_low, GROWTH_TARGET),
            Row(backend.name, label, grown, new, new_low, GROWTH_TARGET),
            Row(
                backend.name,
                label,
                "due_reminders growth",
                delivered[high],
                delivered[low],
                GROWTH_TARGET,
            ),
        ]


def seed_burst(store: Store, scenario: Scenario) -> Burst:
    """Bulk-insert the users, one habit and one reminder each, and the local user's backlog.

    ``DUE`` Telegram users, chosen at random, have a reminder at ``FIRE`` in their own zone;
    everyone else's fires within the next day, at the instant habitcore computes. Nobody has
    checked in yet, so every due reminder is to be sent. The ``local`` user (the CLI's) has
    ``LOCAL_HABITS`` reminders due since half an hour: the bot must never take them.
    """
    users = scenario.users
    rng = random.Random(SEED + users + scenario.others)
    due = set(rng.sample(range(1, users + 1), DUE))
    others = set(rng.sample(sorted(set(range(1, users + 1)) - due), scenario.others))
    created = NOW - timedelta(days=100)
    goal = Goal(Daily(), HABIT_START)
    upcoming: dict[tuple[str, int], tuple[date, datetime]] = {}
    has_active_key = "active_key" in metadata.tables["habits"].c
    user_rows: list[dict[str, Any]] = []
    habit_rows: list[dict[str, Any]] = []
    reminder_rows: list[dict[str, Any]] = []
    due_state: list[dict[str, Any]] = []
    chats: dict[int, int] = {}

    def user(number: int, external: str, zone: str) -> ZoneInfo:
        tz = ZoneInfo(zone)
        user_rows.append(
            {
                "id": number,
                "external_id": external,
                "timezone": zone,
                "timezone_set": True,
                "day_start": 0,
                "week_start": 0,
                "language": "en",
                "active": True,
                "morning_summary": True,
                "created_at": created,
                # the next day start: no morning message is due while the loop runs
                "next_close": day_end_instant(NOW, tz, MIDNIGHT),
            }
        )
        return tz

    def habit(number: int, owner: int, name: str, tz: ZoneInfo, schedule: str) -> None:
        habit_rows.append(
            {
                **({"active_key": name.lower()} if has_active_key else {}),
                "id": number,
                "user_id": owner,
                "name": name,
                "name_key": name.lower(),
                "description": None,
                "schedule": schedule,
                "target": None,
                "unit": None,
                "at_most": False,
                "start": HABIT_START,
                "archived": False,
                "position": number,
                "closed_through": habit_day(NOW, tz, MIDNIGHT) - timedelta(days=1),
                "created_at": created,
            }
        )

    def reminder(number: int, fire: datetime, tz: ZoneInfo, minutes: int | None = None) -> None:
        local = fire.astimezone(tz)
        reminder_rows.append(
            {
                "id": number,
                "habit_id": number,
                "minutes": local.hour * 60 + local.minute if minutes is None else minutes,
                "weekdays": 127,
                "next_fire": fire,
                "next_day": local.date(),
                "snoozed": False,
            }
        )

    for i in range(1, users + 1):
        zone = ZONES[i % len(ZONES)]
        external = f"{OTHER_PREFIX}{i}" if i in others else f"{USER_PREFIX}{CHATS + i}"
        tz = user(i, external, zone)
        # One habit in ten counts per week: deciding those reads recent check-ins.
        habit(i, i, "Water", tz, "3/week" if i % 10 == 0 else "daily")
        if i in due:
            reminder(i, FIRE, tz)
            due_state.append({"rid": i, "fire": FIRE, "day": FIRE.astimezone(tz).date()})
            chats[i] = CHATS + i
            continue
        minutes = rng.randrange(24 * 60)
        key = (zone, minutes)
        if key not in upcoming:
            rule = ReminderRule(clock_time(minutes // 60, minutes % 60))
            following = next_fire(goal, rule, NOW, tz, MIDNIGHT)
            assert following is not None
            upcoming[key] = following
        day, fire = upcoming[key]
        reminder_rows.append(
            {
                "id": i,
                "habit_id": i,
                "minutes": minutes,
                "weekdays": 127,
                "next_fire": fire,
                "next_day": day,
                "snoozed": False,
            }
        )
    local_user = users + 1
    tz = user(local_user, "local", "Europe/Berlin")
    local_ids = list(range(users + 1, users + 1 + LOCAL_HABITS))
    for number in local_ids:
        habit(number, local_user, f"Local {number - users}", tz, "daily")
        reminder(number, LOCAL_FIRE, tz)
    _insert(store, UserRow, user_rows)
    _insert(store, HabitRow, habit_rows)
    _insert(store, ReminderRow, reminder_rows)
    _move_sequences(store, ("users", "habits", "reminders"))
    return Burst(store, Seeded(store, users, sorted(due), due_state), chats, local_ids)


def _time_finding(
    backend: str,
    burst: Burst,
    scenario: Scenario,
    options: Options,
    result: Result,
    show_profile: bool,
) -> tuple[tuple[float, float], float, list[DueReminder]]:
    """find_due and due_reminders, prefixed as the bot's loop asks, against PK fetches.

    find_due is timed twice. On a connection that has run it many times, as the loop's
    connection has after a few minutes: psycopg has prepared the statement, and PostgreSQL may
    have settled on a generic plan. And on the first use of a connection (after a start, or a
    new connection in the pool): there PostgreSQL plans for the actual values every time.
    """
    store = burst.store

    def finder(on: Store) -> Callable[[], list[delivery.Due]]:
        def find() -> list[delivery.Due]:
            with on.read() as session:
                return delivery.find_due(session, NOW, prefix=USER_PREFIX)

        return find

    find = finder(store)
    first = find()
    batch = [row.reminder_id for row in first]
    if len(first) != delivery.BATCH or not set(batch) <= burst.chats.keys():
        raise AssertionError("find_due did not return a batch of Telegram users' due reminders")
    cold = Store(_url(store))

    def new_connection() -> None:
        cold.engine.dispose()
        with cold.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    try:
        medians = interleaved_medians(
            {
                "pk": _pk_fetch(store, batch),
                "find": find,
                "pk all": _pk_fetch(store, sorted(burst.chats)),
                "pk new": _pk_fetch(cold, batch),
                "find new": finder(cold),
            },
            options.repeat * 5,
            warmup=3,
            before={"pk new": new_connection, "find new": new_connection},
        )
    finally:
        cold.close()
    if show_profile:
        # Before due_reminders writes: its claims leave dead rows that change the estimates.
        statement = captured_sql(store, find, "next_fire <=")
        print(f"\n  plan [{backend}] find_due(prefix={USER_PREFIX!r}), {scenario.label}")
        print("\n".join("    " + line for line in explain(store, statement).splitlines()))
        print()
    runs: list[float] = []
    firings: list[DueReminder] = []
    for _ in range(options.deliver_runs):
        reset(burst.seeded)
        gc.collect()
        started = time.perf_counter()
        firings = delivery.due_reminders(store, NOW, DEFAULT_GRACE, prefix=USER_PREFIX)
        runs.append(time.perf_counter() - started)
        _check_taken(burst, [f.reminder_id for f in firings])
    reset(burst.seeded)
    deliver = statistics.median(runs)
    print(
        f"    find_due {medians['find'] * 1000:.1f} ms a batch ({medians['find new'] * 1000:.1f} "
        f"ms on a new connection); due_reminders took all "
        f"{DUE:,} in {deliver:.2f} s and left the local user's {LOCAL_HABITS} alone",
        flush=True,
    )
    pk, pk_all = medians["pk"] * 1000, medians["pk all"] * 1000
    result.rows += [
        Row(
            backend,
            scenario.label,
            f"find_due(prefix), a batch of {delivery.BATCH:,} / PK fetch",
            medians["find"] * 1000,
            pk,
            FIND_TARGET,
        ),
        Row(
            backend,
            scenario.label,
            "find_due(prefix), new connection / PK fetch",
            medians["find new"] * 1000,
            medians["pk new"] * 1000,
            FIND_TARGET,
        ),
        Row(
            backend,
            scenario.label,
            f"due_reminders(prefix), all {DUE:,} / PK fetch",
            deliver * 1000,
            pk_all,
        ),
    ]
    result.figures.append(
        Figure(
            backend,
            f"{DUE:,} due of {scenario.users:,} users"
            + (f" ({scenario.others:,} not Telegram)" if scenario.others else ""),
            "due_reminders: found, claimed, decided",
            len(firings),
            deliver,
            len(firings) / deliver,
        )
    )
    return (medians["find"] * 1000, medians["find new"] * 1000), deliver * 1000, firings


def _pk_fetch(store: Store, ids: list[int]) -> Callable[[], int]:
    query = sa.select(ReminderRow).where(col(ReminderRow.id).in_(ids))

    def pk_fetch() -> int:
        with store.read() as session:
            return len(session.execute(query).all())

    return pk_fetch


def _check_taken(burst: Burst, taken: Sequence[int]) -> None:
    """Every due Telegram reminder handed out once, and not one of the local user's."""
    if len(taken) != DUE or set(taken) != burst.chats.keys():
        raise AssertionError(
            f"due_reminders handed out {len(taken):,} firings ({len(set(taken)):,} distinct) "
            f"instead of the {DUE:,} due"
        )
    with burst.store.read() as session:
        moved = session.execute(
            sa.select(sa.func.count())
            .select_from(ReminderRow)
            .where(
                col(ReminderRow.id).in_(burst.local_ids),
                col(ReminderRow.next_fire) != LOCAL_FIRE,
            )
        ).scalar_one()
        logged = session.execute(
            sa.select(sa.func.count())
            .select_from(ReminderLogRow)
            .where(col(ReminderLogRow.reminder_id).in_(burst.local_ids))
        ).scalar_one()
    if moved or logged:
        raise AssertionError(f"the bot took the local user's firings ({moved} moved, {logged})")


class StandInApi:
    """What the outbox calls on telebot for a reminder, recorded instead of sent over HTTP."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, int]] = []

    def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.sent.append((time.monotonic(), chat_id))  # list.append is atomic


def _remind_all(backend: str, burst: Burst, deliver_ms: float, result: Result) -> None:
    """The loop's turn for all 10,000: find, claim, decide, queue; the outbox unpaced."""
    api = StandInApi()
    outbox = Outbox(rate=UNPACED.rate, chat_interval=0, workers=Tuning().workers)
    bot = Bot(api, burst.store, FakeClock(NOW), outbox)
    loop = Loop(bot, threading.Event(), interval=3600)
    outbox.start()
    try:
        gc.collect()
        started = time.monotonic()
        count = loop.remind()
        queued = time.monotonic()
        if not outbox.wait_idle(120):
            raise AssertionError("the outbox did not send the reminders in two minutes")
    finally:
        outbox.stop(drain=0)
        reset(burst.seeded)
    per_chat = Counter(chat for _, chat in api.sent)
    lost = set(burst.chats.values()) - per_chat.keys()
    doubled = [chat for chat, times in per_chat.items() if times > 1]
    if count != DUE or lost or doubled or len(per_chat) != DUE:
        raise AssertionError(
            f"Loop.remind: {count:,} due, {len(lost):,} lost, {len(doubled):,} doubled"
        )
    first, last = api.sent[0][0], api.sent[-1][0]
    rate = (len(api.sent) - 1) / (last - first)
    label = f"telegram reminders, all {DUE:,} through the bot"
    result.rows += [
        Row(
            backend,
            label,
            f"Loop.remind(): {DUE:,} queued / due_reminders",
            (queued - started) * 1000,
            deliver_ms,
        ),
        Row(backend, label, "outbox unpaced: ms a message / 40 ms", 1000 / rate, 1000 / PACE),
    ]
    result.figures += [
        Figure(
            backend,
            f"{DUE:,} due, the loop's turn",
            "Loop.remind(): found, claimed, queued",
            count,
            queued - started,
            count / (queued - started),
        ),
        Figure(
            backend,
            f"{DUE:,} queued, unpaced, no HTTP",
            "outbox: handed to the API call",
            len(api.sent),
            last - first,
            rate,
        ),
    ]
    result.notes.append(
        f"{backend}: Loop.remind() queued {count:,} reminders; the outbox handed each of the "
        f"{DUE:,} chats exactly one (0 lost, 0 doubled)"
    )


def _paced(
    backend: str, burst: Burst, firings: list[DueReminder], sample: int, result: Result
) -> None:
    """A sample of the burst at the bot's own pace, to the fake server, with replies meanwhile.

    The bot runs with its default tuning (25 new messages a second, one a second per chat);
    its clock stands before the burst, so its own loop takes nothing. The sample is handed to
    ``Loop.send_reminder`` at once, as ``Loop.remind`` does. Meanwhile users who are not in the
    sample send /today, spread over the run: their answers must not wait behind the queue.
    """
    chosen = firings[:sample]
    repliers = [int(f.user.removeprefix(USER_PREFIX)) for f in firings[sample : sample + REPLIES]]
    clock = FakeClock(FIRE - timedelta(minutes=10))
    with FakeTelegram() as fake:
        bot = start_bot(_url(burst.store), fake, clock=clock, tuning=Tuning(tick=3600))
        try:
            mark = fake.mark()
            started = time.monotonic()
            for firing in chosen:
                bot.service.loop.send_reminder(firing)
            spacing = (sample / PACE - 1) / max(1, len(repliers))
            asked: dict[int, float] = {}
            for index, chat in enumerate(repliers):
                wait = started + 1 + index * spacing - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                asked[chat] = time.monotonic()
                fake.message(chat, "/today")
            wanted = {int(f.user.removeprefix(USER_PREFIX)) for f in chosen} | set(asked)
            deadline = time.monotonic() + sample / PACE + 30

            def sends() -> list[Call]:
                return [c for c in fake.snapshot()[mark:] if c.method == "sendMessage"]

            while not wanted <= {c.chat_id for c in sends()}:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the paced reminders did not all go\n{fake.recent()}")
                time.sleep(0.05)
            time.sleep(1.5)  # anything sent twice would come now
            calls = sends()
        finally:
            bot.stop()
            reset(burst.seeded)
        fake.assert_no_errors()
    reminders = Counter(c.chat_id for c in calls if c.chat_id not in asked)
    meant = {int(f.user.removeprefix(USER_PREFIX)) for f in chosen}
    lost, stray = meant - reminders.keys(), reminders.keys() - meant
    doubled = sum(1 for times in reminders.values() if times > 1)
    answers = Counter(c.chat_id for c in calls if c.chat_id in asked)
    if lost or stray or doubled or any(not c.ok for c in calls) or set(answers) != set(asked):
        raise AssertionError(
            f"paced reminders: {len(lost)} lost, {len(stray)} sent to chats not due, "
            f"{doubled} doubled; {len(answers)} of {len(asked)} /today answered"
        )
    times = sorted(c.at for c in calls)
    rate = (len(times) - 1) / (times[-1] - times[0])
    busiest = max(_in_window(times, i, 1.0) for i in range(len(times)))
    closest = min(times[i + 26] - times[i] for i in range(len(times) - 26))
    waited = [
        next(c.at for c in calls if c.chat_id == chat) - at for chat, at in sorted(asked.items())
    ]
    label = f"telegram reminders, {sample:,} of them at {PACE:.0f}/s"
    result.rows += [
        Row(backend, label, "ms between sends / 40 ms", 1000 / rate, 1000 / PACE),
        Row(backend, label, "1 s / shortest span of 27 sends", 1000, closest * 1000, 1.0),
        Row(
            backend,
            label,
            "/today answered meanwhile, p50 / 40 ms",
            _percentile(waited, 50) * 1000,
            1000 / PACE,
        ),
    ]
    load = f"{sample:,} reminders at the bot's pace"
    result.figures += [
        Figure(backend, load, "messages sent", len(times), times[-1] - times[0], rate),
        Figure(
            backend,
            load,
            "/today sent meanwhile -> checklist",
            len(waited),
            None,
            None,
            _percentile(waited, 50) * 1000,
            max(waited) * 1000,
        ),
    ]
    result.notes.append(
        f"{backend}: at the bot's pace, {len(times):,} messages ({len(chosen):,} reminders, "
        f"{len(waited)} answers to /today) went out at {rate:.2f} a second, at most {busiest} in "
        f"any one second, 0 lost, 0 doubled; all {DUE:,} would take {DUE / rate:,.0f} s "
        f"({DUE / PACE:,.0f} s at exactly {PACE:.0f} a second). The slowest /today answer "
        f"meanwhile took {max(waited) * 1000:,.0f} ms (the column p99 shows the maximum)."
    )


def _in_window(times: Sequence[float], start: int, width: float) -> int:
    """How many of the sorted ``times`` fall in [times[start], times[start] + width)."""
    end = start
    while end < len(times) and times[end] < times[start] + width:
        end += 1
    return end - start


# ==============================================================================================
# Shared


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _move_sequences(store: Store, tables: Sequence[str]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them on as a real store would."""
    if store.dialect != "postgresql":
        return
    with store.engine.begin() as connection:
        for table in tables:
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )


@contextmanager
def _bot_log() -> Iterator[list[str]]:
    """Collect what the bot logs at WARNING and above, instead of printing it among the rows."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(f"{record.name}: {record.getMessage()}")

    handler = Keep(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("habitcore_telegram", "TeleBot")]
    kept = [(logger, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield seen
    finally:
        for logger, propagate in kept:
            logger.removeHandler(handler)
            logger.propagate = propagate


def figures_table(figures: Sequence[Figure]) -> str:
    """This machine's absolute figures as a plain-text table, also valid Markdown."""
    header = ["backend", "load", "measure", "count", "seconds", "per second", "p50 ms", "p99 ms"]

    def number(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    body = [
        [
            f.backend,
            f.load,
            f.measure,
            f"{f.count:,}",
            number(f.seconds, 2),
            number(f.per_second),
            number(f.p50_ms),
            number(f.p99_ms),
        ]
        for f in figures
    ]
    return aligned(header, body, numeric={3, 4, 5, 6, 7})
