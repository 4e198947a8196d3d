"""Updates handled side by side: one chat's in order, a slow chat holding up no other, a failing
handler taking no worker down, the limit on expensive requests, and a clean stop.

First the worker pool alone (``workers.Lanes``) and the limit alone (``limits.Limits``), then
the real bot against the fake Bot API. Nothing here sleeps for a while or measures one: a test
holds a handler on an ``Event`` and waits, with a generous deadline, for what must happen
meanwhile, then lets it go.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telebot import types

from fake_telegram import FakeTelegram
from habitcore_telegram import polling as poller_module
from habitcore_telegram import routes
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.handlers import figures
from habitcore_telegram.limits import Limited, Limits
from habitcore_telegram.polling import Poller
from habitcore_telegram.service import Tuning
from habitcore_telegram.texts import en, ru
from habitcore_telegram.workers import Lanes, workers_from_env
from telegram_harness import FAST, BotRun, Held, button_data, start_bot

WAIT = 30.0  # seconds any condition may take on a busy machine before a test fails
HELP = "Here is what I can do:"
LETTERS = "abcdefghijklmnop"

_users = itertools.count(900_001)


def wait(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> None:
    """Until ``condition()`` is true, looking every few milliseconds, for at most ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


# == the pool alone ===========================================================================


class Recorder:
    """A run function for a pool: records what ran, checks one key never runs twice at once."""

    def __init__(self, block: dict[Any, threading.Event] | None = None) -> None:
        self.block = block or {}
        self.ran: list[tuple[str, int]] = []
        self.started: list[tuple[str, int]] = []
        self.active: set[str] = set()
        self.overlaps: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, item: tuple[str, int]) -> None:
        key, _ = item
        with self.lock:
            if key in self.active:
                self.overlaps.append(item)
            self.active.add(key)
            self.started.append(item)
        held = self.block.get(item)
        if held is not None:
            assert held.wait(WAIT), f"{item} was never released"
        with self.lock:
            self.active.discard(key)
            self.ran.append(item)


def key_of(item: tuple[str, int]) -> str:
    return item[0]


@pytest.fixture
def pools() -> Iterator[list[Lanes[Any]]]:
    """Pools a test starts; each is stopped at the end, whatever happened."""
    made: list[Lanes[Any]] = []
    yield made
    for pool in made:
        pool.stop(drain=0, hold=5)


def started(pools: list[Lanes[Any]], run: Any, **kw: Any) -> Lanes[Any]:
    pool: Lanes[Any] = Lanes(run, key_of, **kw)
    pool.start()
    pools.append(pool)
    return pool


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keys=st.lists(st.sampled_from("abcde"), min_size=1, max_size=40),
    workers=st.integers(1, 4),
    capacity=st.integers(1, 6),
)
def test_one_keys_items_run_in_order_and_never_two_at_once(
    keys: list[str], workers: int, capacity: int
) -> None:
    record = Recorder()
    pool: Lanes[tuple[str, int]] = Lanes(record, key_of, workers=workers, capacity=capacity)
    pool.start()
    try:
        counts: dict[str, int] = {}
        submitted = []
        for key in keys:
            item = (key, counts.setdefault(key, 0))
            counts[key] += 1
            submitted.append(item)
            assert pool.submit(item)  # waits while full, never drops
        assert pool.wait_idle(WAIT)
    finally:
        assert pool.stop(drain=WAIT) == []
    assert record.overlaps == []
    assert sorted(record.ran) == sorted(submitted)
    for key in counts:
        assert [i for i in record.ran if i[0] == key] == [i for i in submitted if i[0] == key]


def test_a_slow_key_holds_up_no_other(pools: list[Lanes[Any]]) -> None:
    release = threading.Event()
    record = Recorder({("a", 0): release})
    pool = started(pools, record, workers=2)
    for item in [("a", 0), ("a", 1), ("b", 0), ("c", 0), ("b", 1)]:
        assert pool.submit(item)
    wait(lambda: {("b", 0), ("b", 1), ("c", 0)} <= set(record.ran), "b and c to run")
    assert ("a", 1) not in record.started  # a's second item waits behind its first
    release.set()
    assert pool.wait_idle(WAIT)
    assert [i for i in record.ran if i[0] == "a"] == [("a", 0), ("a", 1)]


@pytest.mark.parametrize("error", [RuntimeError("a bug"), SystemExit(3), KeyboardInterrupt()])
def test_whatever_a_run_raises_no_worker_dies(
    pools: list[Lanes[Any]], error: BaseException
) -> None:
    done: list[tuple[str, int]] = []
    ran: list[tuple[str, int]] = []

    def run(item: tuple[str, int]) -> None:
        if item[1] % 2 == 0:
            raise error
        ran.append(item)

    pool = started(pools, run, workers=2)
    items = [(key, n) for key in "abc" for n in range(4)]
    for item in items:
        assert pool.submit(item, done=lambda item=item: done.append(item))
    assert pool.wait_idle(WAIT)
    assert sorted(done) == sorted(items)  # finished, failed or not
    assert sorted(ran) == sorted(i for i in items if i[1] % 2)
    assert pool.alive() == 2


def test_a_full_pool_makes_the_feeder_wait_and_drops_nothing(pools: list[Lanes[Any]]) -> None:
    release = threading.Event()
    record = Recorder({("a", 0): release})
    pool = started(pools, record, workers=1, capacity=2)
    assert pool.submit(("a", 0))
    wait(lambda: record.started == [("a", 0)], "the first item to start")
    assert pool.submit(("b", 0))
    assert pool.submit(("c", 0))
    returned = threading.Event()

    def feed() -> None:
        pool.submit(("d", 0))
        returned.set()

    feeder = threading.Thread(target=feed)
    feeder.start()
    assert pool.waiting == 2
    assert not returned.is_set()  # no room: it cannot have been taken
    release.set()
    feeder.join(WAIT)
    assert returned.is_set()
    assert pool.wait_idle(WAIT)
    assert record.ran == [("a", 0), ("b", 0), ("c", 0), ("d", 0)]


def test_handed_on_work_frees_the_lane_and_finishes_the_item_later(
    pools: list[Lanes[Any]],
) -> None:
    later: Future[None] = Future()
    finished: list[tuple[str, int]] = []
    ran: list[tuple[str, int]] = []

    def run(item: tuple[str, int]) -> Future[None] | None:
        ran.append(item)
        return later if item == ("a", 0) else None

    pool = started(pools, run, workers=1)
    for item in [("a", 0), ("a", 1)]:
        assert pool.submit(item, done=lambda item=item: finished.append(item))
    wait(lambda: ("a", 1) in finished, "a's second item, while the first's work goes on")
    assert ("a", 0) not in finished
    assert not pool.wait_idle(0)
    later.set_result(None)
    assert pool.wait_idle(WAIT)
    assert finished == [("a", 1), ("a", 0)]


def test_stop_runs_what_waits_within_the_drain(pools: list[Lanes[Any]]) -> None:
    release = threading.Event()
    record = Recorder({("a", 0): release})
    pool = started(pools, record, workers=1)
    items = [("a", 0), ("b", 0), ("a", 1), ("c", 0)]
    for item in items:
        assert pool.submit(item)
    wait(lambda: record.started == [("a", 0)], "the first item to start")
    left: list[list[Any]] = []
    stopping = threading.Thread(target=lambda: left.append(pool.stop(drain=WAIT)))
    stopping.start()
    wait(lambda: not pool.submit(("d", 0)), "the pool to refuse new items")
    release.set()
    stopping.join(WAIT)
    assert left == [[]]
    assert sorted(record.ran) == sorted(items)
    assert pool.alive() == 0


def test_stop_hands_back_what_waits_past_the_drain(pools: list[Lanes[Any]]) -> None:
    release = threading.Event()
    record = Recorder({("a", 0): release})
    pool = started(pools, record, workers=1)
    done: list[tuple[str, int]] = []
    for item in [("a", 0), ("b", 0), ("a", 1)]:
        assert pool.submit(item, done=lambda item=item: done.append(item))
    wait(lambda: record.started == [("a", 0)], "the first item to start")
    left: list[list[Any]] = []
    stopping = threading.Thread(target=lambda: left.append(pool.stop(drain=0)))
    stopping.start()
    wait(lambda: pool.waiting == 0, "the waiting items to be handed back")
    release.set()  # the item in hand still finishes
    stopping.join(WAIT)
    assert left == [[("b", 0), ("a", 1)]]
    assert record.ran == [("a", 0)]
    assert done == [("a", 0)]
    assert not pool.submit(("e", 0))


def test_the_number_of_workers_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HABITCORE_TELEGRAM_WORKERS", raising=False)
    assert workers_from_env() == 8
    assert Tuning().update_workers == 8
    monkeypatch.setenv("HABITCORE_TELEGRAM_WORKERS", "3")
    assert Tuning().update_workers == 3
    for bad in ("0", "65", "two", "-1"):
        monkeypatch.setenv("HABITCORE_TELEGRAM_WORKERS", bad)
        with pytest.raises(ValueError, match="HABITCORE_TELEGRAM_WORKERS"):
            workers_from_env()


# == the poller alone =========================================================================


class ScriptedTelegram:
    """getUpdates answering scripted batches, then nothing until the poller stops."""

    def __init__(self, *batches: list[int]) -> None:
        self.batches = list(batches)
        self.offsets: list[int | None] = []
        self.stop = threading.Event()

    def get_updates(self, token: str, offset: int | None = None, **_: Any) -> list[Any]:
        self.offsets.append(offset)
        if self.batches:
            return [{"update_id": number} for number in self.batches.pop(0)]
        self.stop.wait(WAIT)
        return []


def test_the_poller_gives_back_what_was_not_handled_and_never_what_was(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Two batches: 1 and 2 handled, 3 and 4 taken but never handled (the workers gave them
    back), 5 refused by the stopping workers, 6 never offered. 3 was confirmed by the second
    getUpdates, so it is lost (and logged); 4, 5 and 6 go back to Telegram."""
    telegram = ScriptedTelegram([1, 2, 3], [4, 5, 6])
    monkeypatch.setattr(poller_module.telebot.apihelper, "get_updates", telegram.get_updates)
    taken: dict[int, Callable[[], None]] = {}
    refused = threading.Event()
    stop = telegram.stop

    def submit(update: types.Update, *, done: Callable[[], None] | None = None) -> bool:
        if update.update_id == 5:
            stop.set()  # the bot stops while the poller hands 5 over
            refused.set()
            return False
        assert done is not None
        taken[update.update_id] = done
        return True

    poller = Poller(cast(Any, SimpleNamespace(token="t")), submit, stop, timeout=1)
    running = threading.Thread(target=poller.run)
    running.start()
    assert refused.wait(WAIT)
    running.join(WAIT)
    assert telegram.offsets == [None, 4]
    assert sorted(taken) == [1, 2, 3, 4]
    assert poller.offset == 1  # nothing handled yet
    taken[2]()
    taken[1]()
    assert poller.offset == 3
    assert poller.confirm_offset() == 4
    assert "1 update(s) taken were not handled before the stop: 3" in caplog.text


def test_the_poller_confirms_everything_taken_once_all_is_handled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    telegram = ScriptedTelegram([7, 8], [9])
    monkeypatch.setattr(poller_module.telebot.apihelper, "get_updates", telegram.get_updates)
    handled: list[int] = []

    def submit(update: types.Update, *, done: Callable[[], None] | None = None) -> bool:
        handled.append(update.update_id)
        assert done is not None
        done()
        if update.update_id == 9:
            telegram.stop.set()
        return True

    poller = Poller(cast(Any, SimpleNamespace(token="t")), submit, telegram.stop, timeout=1)
    poller.run()
    assert handled == [7, 8, 9]
    assert poller.offset == poller.confirm_offset() == 10


# == the limit alone ==========================================================================


def test_the_limit_allows_one_at_a_time_and_so_many_a_minute() -> None:
    now = [1000.0]
    limits = Limits(per_minute=2, clock=lambda: now[0])
    limits.acquire(1)
    with pytest.raises(Limited) as busy:
        limits.acquire(1)
    assert busy.value.key == "limit.busy"
    limits.acquire(2)  # someone else is not held back
    limits.release(1)
    now[0] += 15
    with limits.held(1):
        pass
    with pytest.raises(Limited) as many:
        limits.acquire(1)
    assert (many.value.key, many.value.seconds) == ("limit.minute", 45)
    now[0] += 45  # the first of the two is a minute old
    with limits.held(1):
        pass
    limits.release(2)


# == the bot ==================================================================================


@pytest.fixture
def users() -> Callable[[], int]:
    return lambda: next(_users)


def bot_with(tmp_path: Path, fake: FakeTelegram, **tuning: Any) -> BotRun:
    return start_bot(f"sqlite:///{tmp_path / 'bot.db'}", fake, tuning=replace(FAST, **tuning))


@pytest.fixture
def four(tmp_path: Path, fake_telegram: FakeTelegram) -> Iterator[BotRun]:
    """The bot with four update workers."""
    run = bot_with(tmp_path, fake_telegram, update_workers=4)
    yield run
    run.stop()


ADDED = re.compile(r"Added (Habit [a-z]):")


def texts_to(run: BotRun, user: int) -> list[str]:
    return [c.text or "" for c in run.fake.calls_of("sendMessage", user) if c.ok]


def help_sent(run: BotRun, user: int) -> bool:
    return any(text.startswith(HELP) for text in texts_to(run, user))


def test_a_slow_chat_holds_up_no_other(
    four: BotRun, users: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bob = users(), users()
    held = Held()
    monkeypatch.setitem(routes.COMMANDS, "held", held)
    four.fake.message(ann, "/held")
    after = four.fake.message(ann, "/help")
    assert held.entered.wait(WAIT)
    four.fake.message(bob, "/help")  # answered while ann's first update is still in hand
    wait(lambda: help_sent(four, bob), "bob's answer")
    assert texts_to(four, ann) == []  # ann's /help waits for ann's /held
    held.release.set()
    four.settle(after)
    said = texts_to(four, ann)
    assert said[0] == "held: done"
    assert said[1].startswith(HELP)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(order=st.lists(st.sampled_from([0, 1, 2]), min_size=2, max_size=14))
def test_one_chats_updates_keep_their_order(four: BotRun, order: list[int]) -> None:
    """Three people typing at once, interleaved every which way: each one's habits are added,
    and answered, in the order that person sent them."""
    people = [next(_users) for _ in range(3)]
    sent: dict[int, list[str]] = {person: [] for person in people}
    last = 0
    for who in order:
        person = people[who]
        name = f"Habit {LETTERS[len(sent[person])]}"
        sent[person].append(name)
        last = four.fake.message(person, f"/add {name}")
    four.settle(last)  # every update up to the last is handled, and everything sent
    for person, names in sent.items():
        added = [m.group(1) for t in texts_to(four, person) if (m := ADDED.match(t))]
        assert added == names
        assert [s.habit.name for s in four.tracker(person).habits()] == names


def test_a_failing_handler_takes_no_worker_down(
    four: BotRun, users: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(bot: Bot, person: Person, message: types.Message) -> None:
        raise RuntimeError("a bug in a handler")

    def leave(bot: Bot, person: Person, message: types.Message) -> None:
        raise SystemExit(1)  # not even this ends a worker

    monkeypatch.setitem(routes.COMMANDS, "boom", boom)
    monkeypatch.setitem(routes.COMMANDS, "leave", leave)
    people = [users() for _ in range(10)]
    last = 0
    for person in people:
        four.fake.message(person, "/boom")
        four.fake.message(person, "/leave")
        last = four.fake.message(person, "/help")
    four.settle(last)
    apology = en.MESSAGES["apology"]
    for person in people:
        said = texts_to(four, person)
        assert said[0] == apology
        assert said[1].startswith(HELP)
        assert len(said) == 2
    assert four.service.updates.alive() == 4


def test_a_second_picture_while_one_is_drawn_is_refused_and_nothing_else_waits(
    four: BotRun, users: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bob = users(), users()
    for person in (ann, bob):
        four.say(person, "/add Read")
    four.say(ann, "/add Walk")
    four.say(ann, "/stats")
    listing = four.last(ann)  # a 📊 button per habit
    drawing = threading.Event()
    release = threading.Event()
    real_draw = figures.draw

    def slow_draw(*args: Any) -> bytes:
        drawing.set()
        assert release.wait(WAIT), "the picture was never released"
        return real_draw(*args)

    monkeypatch.setattr(figures, "draw", slow_draw)
    mark = four.fake.mark()
    first = four.fake.message(ann, "/stats Read")
    assert drawing.wait(WAIT)
    # The figures went out at once; the picture is still being drawn.
    four.fake.wait_for_call("sendMessage", lambda c: c.chat_id == ann, after=mark, timeout=WAIT)
    four.fake.message(ann, "/stats Read")
    busy = en.MESSAGES["limit.busy"]
    four.fake.wait_for_call(
        "sendMessage", lambda c: c.chat_id == ann and c.text == busy, after=mark, timeout=WAIT
    )
    four.fake.tap(ann, listing, button_data(listing, "Walk"), query_id="busy-button")
    wait(lambda: four.fake.answered("busy-button") is not None, "the button's answer")
    answered = four.fake.answered("busy-button")
    assert answered is not None
    assert answered.params.get("text") == busy
    assert str(answered.params.get("show_alert")).lower() == "true"  # an alert, not a toast
    # Meanwhile text updates go on: the same person's and others'.
    today = four.fake.message(ann, "/today")
    four.fake.wait_for_call(
        "sendMessage",
        lambda c: c.chat_id == ann and (c.text or "").startswith("📋"),
        after=mark,
        timeout=WAIT,
    )
    four.fake.message(bob, "/today")
    four.fake.wait_for_call("sendMessage", lambda c: c.chat_id == bob, after=mark, timeout=WAIT)
    assert four.fake.calls_of("sendPhoto") == []
    assert four.service.poller.offset is not None
    assert four.service.poller.offset <= first  # the /stats is not finished yet
    release.set()
    four.settle(today)
    photos = [c for c in four.fake.calls_of("sendPhoto", ann) if c.ok]
    assert len(photos) == 1
    # Once it is sent, the next picture is drawn again.
    calls = four.say(ann, "/stats Read")
    assert [c.method for c in calls if c.method == "sendPhoto"] == ["sendPhoto"]


def test_too_many_exports_a_minute_are_refused_in_the_persons_language(
    four: BotRun, users: Callable[[], int]
) -> None:
    ann, bob, cat = users(), users(), users()
    four.say(ann, "/add Read")
    four.say(cat, "/start", language_code="ru")
    now = [0.0]
    four.service.bot.limits = Limits(per_minute=2, clock=lambda: now[0])
    for _ in range(2):
        calls = four.say(ann, "/export")
        assert [c.method for c in calls if c.ok] == ["sendDocument", "sendDocument"]
    calls = four.say(ann, "/export")
    assert [(c.method, c.text) for c in calls] == [
        ("sendMessage", en.MESSAGES["limit.minute"].format(seconds=60))
    ]
    calls = four.say(bob, "/export")  # someone else is not held back
    assert [c.method for c in calls if c.ok] == ["sendDocument", "sendDocument"]
    for _ in range(2):
        four.say(cat, "/export")
    now[0] = 20.0
    calls = four.say(cat, "/export")
    assert [c.text for c in calls] == [ru.MESSAGES["limit.minute"].format(seconds=40)]
    now[0] = 60.0  # a minute after the first two
    calls = four.say(ann, "/export")
    assert [c.method for c in calls if c.ok] == ["sendDocument", "sendDocument"]


def test_a_stop_handles_the_updates_taken_and_gives_back_those_not(
    tmp_path: Path, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker held, one update waiting (room for one), the next fetched but not taken:
    the stop handles the first two and leaves the rest to Telegram, which a restarted bot then
    handles once each."""
    fake = fake_telegram
    ann, bob, cat, dan, eve = (next(_users) for _ in range(5))
    held = Held()
    monkeypatch.setitem(routes.COMMANDS, "held", held)
    run = bot_with(tmp_path, fake, update_workers=1, backlog=1, update_drain=WAIT)
    try:
        fake.message(ann, "/held")
        assert held.entered.wait(WAIT)
        waiting = fake.message(bob, "/help")
        wait(lambda: run.service.updates.waiting == 1, "bob's update to wait for the worker")
        mark = fake.mark()
        fetched = fake.message(cat, "/help")
        fake.wait_for_call(
            "getUpdates",
            lambda c: any(u["update_id"] == fetched for u in c.result or []),
            after=mark,
            timeout=WAIT,
        )
        late = [fake.message(dan, "/help"), fake.message(eve, "/help")]  # not fetched: no room
        stopping = threading.Thread(target=run.stop)
        stopping.start()
        wait(lambda: run.service.stopping.is_set(), "the stop to begin")
        held.release.set()
        stopping.join(WAIT)
        assert not stopping.is_alive()
    finally:
        held.release.set()
        run.stop()
    assert texts_to(run, ann) == ["held: done"]
    assert help_sent(run, bob)  # taken, so handled before the stop
    assert not any(help_sent(run, person) for person in (cat, dan, eve))
    assert fake.confirmed == waiting == fetched - 1  # cat's and later go back to Telegram
    again = bot_with(tmp_path, fake, update_workers=2)
    try:
        again.settle(late[-1])
    finally:
        again.stop()
    for person in (bob, cat, dan, eve):
        assert len([t for t in texts_to(again, person) if t.startswith(HELP)]) == 1, person
    assert texts_to(again, ann) == ["held: done"]
