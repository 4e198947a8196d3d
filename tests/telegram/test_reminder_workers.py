"""Several bots on one database: each reminder sent once, whoever claims it and whoever dies.

First in this process, on each backend, with the clock in the test's hand: a worker that dies
with reminders queued, a tick that outlives the stop, a slow queue whose leases are renewed, a
stalled worker whose leases pass, a confirmation the database did not take. Then the real
thing: three bot processes on PostgreSQL, 5,000 reminders due within one minute, one process
killed with SIGKILL while it holds some, judged by what the fake Bot API received.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import telebot

from fake_telegram import TOKEN, FakeTelegram
from habitcore.storage.store import Store
from habitcore.storage.tables import HabitRow, ReminderLogRow, ReminderRow, UserRow
from habitcore.testing import FakeClock
from habitcore_telegram import loop as loop_module
from habitcore_telegram.bot import Bot
from habitcore_telegram.loop import Loop
from habitcore_telegram.outbox import Outbox
from habitcore_telegram.service import Tuning
from telegram_harness import BotRun, start_bot

USERS = [801, 802, 803, 804]
# A slow queue: one reminder leaves every two seconds, through one worker.
SLOW = Tuning(tick=3600, poll_timeout=1, rate=0.5, chat_interval=1, workers=1, drain=0)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, second, tzinfo=UTC)


def reminded(fake: FakeTelegram, users: list[int]) -> Counter[int]:
    """How many reminders each of ``users`` received (as Telegram kept them)."""
    return Counter(
        {user: sum("⏰" in (m.get("text") or "") for m in fake.sent(user)) for user in users}
    )


def decisions(store: Store) -> Counter[str]:
    with store.read() as session:
        return Counter(session.execute(sa.select(ReminderLogRow.decision)).scalars())


def sends(calls: list[Any]) -> list[int]:
    return sorted(c.chat_id for c in calls if c.method == "sendMessage" and c.ok)


def until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return value


@pytest.fixture
def live(db_url: str, fake_telegram: FakeTelegram) -> Iterator[BotRun]:
    """A bot on either backend, its clock before 21:00, with four people reminded at 21:00."""
    run = start_bot(db_url, fake_telegram, clock=FakeClock(at(9)))
    for user in USERS:
        run.tracker(user).add_habit("Read", reminders=["21:00"])
    yield run
    run.stop()


def dead_worker(url: str, clock: FakeClock) -> tuple[Loop, Store]:
    """A worker whose outbox never sends nor gives back: what a process killed with SIGKILL
    leaves of the reminders it had claimed and queued."""
    store = Store(url)
    bot = Bot(telebot.TeleBot(TOKEN, threaded=False), store, clock, Outbox())
    return Loop(bot, threading.Event(), interval=3600), store


def test_reminders_queued_in_a_worker_that_dies_go_out_once_from_another(
    live: BotRun, fake_telegram: FakeTelegram, db_url: str
) -> None:
    doomed, store = dead_worker(db_url, live.clock)
    try:
        live.clock.set(at(21))
        assert doomed.remind() == 4  # claimed and queued; then the process is gone
    finally:
        store.close()

    assert sends(live.tick()) == []  # its leases hold them
    live.clock.set(at(21) + doomed.lease - timedelta(seconds=1))
    assert sends(live.tick()) == []
    live.clock.set(at(21) + doomed.lease)
    assert sends(live.tick()) == USERS
    assert sends(live.tick()) == []
    assert reminded(fake_telegram, USERS) == dict.fromkeys(USERS, 1)
    assert decisions(live.service.store) == {"sent": 4}


def test_a_tick_that_outlives_the_stop_leaves_its_reminders_to_be_sent(
    db_url: str, fake_telegram: FakeTelegram
) -> None:
    """The stop waits 30 s for a tick in progress, then stops the outbox and gives back what it
    holds without it. A tick that claims only after that queues into a stopped outbox: what it
    claimed is given back (or, were the database gone, leased until the lease passes), never
    logged sent."""
    clock = FakeClock(at(9))
    first = start_bot(db_url, fake_telegram, clock=clock, tuning=SLOW)
    try:
        for user in USERS:
            first.tracker(user).add_habit("Read", reminders=["21:00"])
        clock.set(at(21))
        service = first.service
        # What Service.stop does once the tick in progress has had its 30 seconds ...
        service.stopping.set()
        service.bot.outbox.stop(drain=0)
        service.loop.return_unsent()
        # ... and the tick, still running, claims only now.
        assert service.loop.remind() == 4
        assert decisions(service.store) == {}
    finally:
        first.stop()
    assert reminded(fake_telegram, USERS) == dict.fromkeys(USERS, 0)

    second = start_bot(db_url, fake_telegram, clock=clock)
    try:
        assert sends(second.tick()) == USERS
        assert sends(second.tick()) == []
        assert decisions(second.service.store) == {"sent": 4}
    finally:
        second.stop()


@pytest.mark.slow
def test_a_slow_queue_renews_its_leases_so_no_other_worker_sends_them(
    live: BotRun, db_url: str, fake_telegram: FakeTelegram
) -> None:
    slow = start_bot(db_url, fake_telegram, clock=live.clock, tuning=SLOW)
    try:
        lease = slow.service.loop.lease
        live.clock.set(at(21))
        slow.service.loop.tick()  # claims all four; they leave one every two seconds
        live.clock.set(at(21) + lease * 2 / 3)
        slow.service.loop.tick()  # a third of the lease has passed: renewed
        live.clock.set(at(21) + lease + timedelta(seconds=1))
        assert live.service.loop.remind() == 0  # still held, by a live worker
        assert slow.service.bot.outbox.wait_idle(30)
    finally:
        slow.stop()
    assert reminded(fake_telegram, USERS) == dict.fromkeys(USERS, 1)
    assert decisions(live.service.store) == {"sent": 4}


@pytest.mark.slow
def test_a_stalled_worker_withdraws_what_another_took_over_once_its_leases_passed(
    live: BotRun, db_url: str, fake_telegram: FakeTelegram
) -> None:
    # Slower still: five seconds between sends, so the take-over comes while three wait.
    stalling = Tuning(tick=3600, poll_timeout=1, rate=0.2, chat_interval=1, workers=1, drain=0)
    slow = start_bot(db_url, fake_telegram, clock=live.clock, tuning=stalling)
    try:
        live.clock.set(at(21))
        slow.service.loop.tick()
        until(lambda: sum(reminded(fake_telegram, USERS).values()), 10, "the first reminder")
        # The slow worker stalls (no tick renews its leases) until they have passed.
        live.clock.set(at(21) + slow.service.loop.lease)
        taken_over = live.service.loop.remind()
        live.drain()
        assert slow.service.bot.outbox.wait_idle(60)
    finally:
        slow.stop()
    received = reminded(fake_telegram, USERS)
    assert set(received) == set(USERS)
    assert min(received.values()) == 1
    # At most the one the stalled worker had in flight as its lease passed went out twice.
    assert sum(received.values()) - len(USERS) <= stalling.workers
    assert taken_over >= 2
    assert slow.service.bot.outbox.counters.withdrawn >= 1
    assert decisions(live.service.store) == {"sent": 4}  # one entry each, however often sent


def test_a_confirmation_the_database_refused_is_kept_leased_and_made_later(
    live: BotRun, db_url: str, monkeypatch: pytest.MonkeyPatch, fake_telegram: FakeTelegram
) -> None:
    """A reminder went out but the database would not take its confirmation, for a while (a
    tick tries again as it begins and as it ends): the worker keeps renewing its lease
    meanwhile, so no other worker sends it again, and records it once the database answers."""
    real = loop_module.settle
    refused: list[int] = []  # the one reminder whose confirmation is refused, three times

    def down_for_a_while(store: Store, firings: Any, *args: Any) -> int:
        if not refused or (firings[0].reminder_id == refused[0] and len(refused) < 3):
            refused.append(firings[0].reminder_id)
            raise ConnectionError("the database is gone for a moment")
        return real(store, firings, *args)

    monkeypatch.setattr(loop_module, "settle", down_for_a_while)
    lease = live.service.loop.lease
    live.clock.set(at(21))
    assert sends(live.tick()) == USERS
    assert decisions(live.service.store) == {"sent": 3}  # one went out, not yet recorded
    live.clock.set(at(21) + lease * 2 / 3)
    assert sends(live.tick()) == []  # refused again; the lease is renewed all the same
    assert decisions(live.service.store) == {"sent": 3}
    other = start_bot(db_url, fake_telegram, clock=live.clock)
    try:
        live.clock.set(at(21) + lease + timedelta(seconds=1))
        assert other.service.loop.remind() == 0  # its first lease has passed, not the renewed
    finally:
        other.stop()
    assert sends(live.tick()) == []
    assert decisions(live.service.store) == {"sent": 4}
    assert reminded(fake_telegram, USERS) == dict.fromkeys(USERS, 1)


# -- three processes on PostgreSQL -------------------------------------------------------------

PEOPLE = 5000
WORKERS = 3
LEASE_SECONDS = 6  # short, so the killed worker's reminders come back soon
WORKER = """
import signal, sys, threading
from datetime import timedelta
from habitcore_telegram import logs
from habitcore_telegram.service import Service, Tuning
from habitcore_telegram.settings import check

token, api_url, database_url, lease = sys.argv[1:5]
settings = check(token, api_url, database_url, "INFO")
logs.configure(settings.log_level, settings.token)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
tuning = Tuning(tick=0.5, poll_timeout=1, rate=150, chat_interval=0, workers=4, drain=1)
service = Service(settings, tuning=tuning, stop=stop)
service.loop.lease = timedelta(seconds=float(lease))
if service.start():
    stop.wait()
    service.stop()
"""


class Worker:
    """One bot process; its output goes to a file (a full pipe would stall it)."""

    def __init__(self, url: str, fake: FakeTelegram, logs: Path) -> None:
        self.log = logs
        with logs.open("wb") as out:
            argv = [sys.executable, "-c", WORKER, TOKEN, fake.url, url, str(LEASE_SECONDS)]
            self.process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"a worker exited ({self.process.returncode}):\n{self.output[-3000:]}")
        return "habit-telegram is running" in self.output


def seed(url: str, first_fire: datetime, spread: timedelta) -> dict[int, int]:
    """``PEOPLE`` people with one reminder each, firing one after another within ``spread``
    from ``first_fire``: reminder id -> chat id."""
    rows: dict[str, list[dict[str, Any]]] = {"users": [], "habits": [], "reminders": []}
    made = first_fire - timedelta(days=1)
    for n in range(1, PEOPLE + 1):
        fire = first_fire + spread * (n - 1) / PEOPLE
        rows["users"].append(
            {"id": n, "external_id": f"telegram:{700_000 + n}", "timezone": "UTC",
             "timezone_set": True, "day_start": 0, "week_start": 0, "language": "en",
             "active": True, "morning_summary": True, "next_close": None, "created_at": made}
        )  # fmt: skip
        rows["habits"].append(
            {"id": n, "user_id": n, "name": "Read", "name_key": "read", "active_key": "read",
             "schedule": "daily", "start": date(2026, 1, 1), "archived": False, "position": 0,
             "revision": 0, "at_most": False, "created_at": made}
        )  # fmt: skip
        rows["reminders"].append(
            {"id": n, "habit_id": n, "minutes": fire.hour * 60 + fire.minute, "weekdays": 127,
             "next_fire": fire, "next_day": fire.date(), "snoozed": False}
        )  # fmt: skip
    store = Store(url)
    try:
        with store.engine.begin() as connection:
            for table, model in (("users", UserRow), ("habits", HabitRow)):
                connection.execute(sa.insert(model), rows[table])
            connection.execute(sa.insert(ReminderRow), rows["reminders"])
    finally:
        store.close()
    return {n: 700_000 + n for n in range(1, PEOPLE + 1)}


def held_by(url: str, pid: int) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.select(sa.func.count()).where(ReminderRow.claimed_by.like(f"%:{pid}:%"))
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def settled(url: str) -> bool:
    """Every reminder confirmed sent and none held."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            logged = connection.execute(
                sa.select(sa.func.count(sa.distinct(ReminderLogRow.reminder_id))).where(
                    ReminderLogRow.decision == "sent"
                )
            ).scalar_one()
            held = connection.execute(
                sa.select(sa.func.count()).where(ReminderRow.claimed_by.is_not(None))
            ).scalar_one()
        return logged == PEOPLE and held == 0
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_three_workers_send_5000_reminders_once_though_one_is_killed(
    postgres_url: str, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    workers = [Worker(postgres_url, fake_telegram, tmp_path / f"worker-{n}.log") for n in range(3)]
    try:
        for worker in workers:
            until(worker.running, 60, "the workers to start")
        # Due within one minute, from a few seconds on: all three workers share them out.
        chats = seed(postgres_url, datetime.now(UTC) + timedelta(seconds=2), timedelta(seconds=20))
        victim = random.Random(PEOPLE).choice(workers)
        pid = victim.process.pid

        def victim_busy() -> int:
            sent = sum(1 for c in fake_telegram.snapshot() if c.method == "sendMessage")
            return held_by(postgres_url, pid) if sent >= 200 else 0

        holding = until(victim_busy, 60, "the victim to hold reminders mid-run")
        os.kill(pid, signal.SIGKILL)
        assert victim.process.wait(30) == -signal.SIGKILL

        until(lambda: settled(postgres_url), 90, "every reminder to be confirmed sent")
        fake_telegram.wait_idle(timeout=30)
        for worker in workers:
            if worker is not victim:
                worker.process.send_signal(signal.SIGTERM)
        for worker in workers:
            if worker is not victim:
                assert worker.process.wait(60) == 0, worker.output[-3000:]
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(10)

    received = reminded(fake_telegram, sorted(chats.values()))
    assert min(received.values()) == 1, "a reminder was lost"
    twice = [chat for chat, times in received.items() if times > 1]
    # Only what the killed worker had in flight (sent, not yet confirmed) may have gone twice:
    # at most one a sending thread.
    assert max(received.values()) <= 2
    assert len(twice) <= 4, twice
    assert holding > 0
    store = Store(postgres_url)
    try:
        assert decisions(store) == {"sent": PEOPLE}
    finally:
        store.close()
    assert "Traceback" not in "".join(w.output for w in workers if w is not victim)
