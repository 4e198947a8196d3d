"""Defects a review of the bot found, each pinned by the behaviour a person or operator sees."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from telebot.apihelper import ApiTelegramException

from fake_telegram import TOKEN, FakeTelegram
from habitcore import Tracker
from habitcore.storage.tables import ReminderLogRow
from habitcore_telegram.outbox import Item, Outbox
from habitcore_telegram.settings import check
from telegram_harness import BotRun, button_data

ANN, BOB = 301, 302


class _Answer:
    def __init__(self, code: int, description: str) -> None:
        self.status_code = code
        self.reason = description
        self.text = description


def telegram_error(code: int, description: str) -> ApiTelegramException:
    body = {"ok": False, "error_code": code, "description": description}
    return ApiTelegramException("sendMessage", _Answer(code, description), body)


@pytest.fixture
def outbox() -> Any:
    made = Outbox(rate=1000, chat_interval=0, workers=2)
    made.start()
    yield made
    made.stop(drain=0, join=1)


# -- the outbox --------------------------------------------------------------------------------


def test_a_403_with_bulk_queued_for_that_chat_kills_no_worker(outbox: Outbox) -> None:
    """A reply in flight gets 403 while a reminder for the same chat waits in the other queue:
    the chat's stale heap entry must not crash a worker, and everyone else is still served."""
    sent: list[int] = []
    release = threading.Event()

    def blocked() -> None:
        release.wait(2)
        raise telegram_error(403, "Forbidden: bot was blocked by the user")

    outbox.put(Item(42, blocked, "editMessageText", paced=False))
    time.sleep(0.05)  # the edit is in flight
    outbox.put(Item(42, lambda: sent.append(42), "sendMessage", bulk=True))
    release.set()
    time.sleep(0.1)
    for chat in range(100):
        outbox.put(Item(chat + 1000, lambda chat=chat: sent.append(chat), "sendMessage"))
    assert outbox.wait_idle(10)
    assert sorted(sent) == list(range(100))  # the blocked chat's reminder was dropped
    assert outbox.counters.blocked == 1


def test_one_failing_chat_does_not_hold_up_the_others(outbox: Outbox) -> None:
    """Every send to chat B answers 500; a reply to chat A still goes out at once, again and
    again, while B's message backs off on its own."""
    attempts_b: list[float] = []

    def failing() -> None:
        attempts_b.append(time.monotonic())
        raise telegram_error(500, "Internal Server Error")

    outbox.put(Item(2, failing, "sendMessage"))
    delays = []
    for _ in range(3):
        time.sleep(0.3)
        done = threading.Event()
        asked = time.monotonic()
        outbox.put(Item(1, done.set, "sendMessage"))
        assert done.wait(5)
        delays.append(time.monotonic() - asked)
    assert max(delays) < 0.3
    deadline = time.monotonic() + 5
    while len(attempts_b) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(attempts_b) >= 2  # B is retried, with its own backoff


def test_a_call_failing_for_long_is_given_up_and_reported(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from habitcore_telegram import outbox as module

    monkeypatch.setattr(module, "GIVE_UP", 0.5)
    failed: list[str] = []

    def failing() -> None:
        raise telegram_error(502, "Bad Gateway")

    outbox.put(Item(3, failing, "sendMessage", on_failed=lambda: failed.append("gave up")))
    deadline = time.monotonic() + 6
    while not failed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert failed == ["gave up"]
    assert outbox.counters.dropped == 1


# -- the loop ----------------------------------------------------------------------------------


def _log(run: BotRun) -> list[str]:
    from sqlmodel import select

    with run.service.store.read() as session:
        return sorted(row.decision for row in session.exec(select(ReminderLogRow)))


def test_a_bad_user_in_a_tick_does_not_cost_the_others_their_reminders(telegram: BotRun) -> None:
    """A library user named ``telegram:alice`` has a reminder due first; Bob's still arrives,
    and Alice's firing is recorded as undelivered instead of being lost silently."""
    telegram.say(BOB, "/timezone UTC")
    telegram.say(BOB, "/add Read | daily | 09:05")
    alice = Tracker(telegram.service.store, user="telegram:alice", clock=telegram.clock)
    alice.set_timezone("UTC")
    alice.add_habit("Walk", reminders=["09:04"])
    telegram.clock.set(datetime(2026, 11, 25, 9, 6, tzinfo=UTC))
    calls = telegram.tick()
    assert [c.text for c in calls if c.method == "sendMessage"] == ["⏰ Time for Read (09:05)"]
    assert _log(telegram) == ["sent", "undelivered"]


# -- handlers ----------------------------------------------------------------------------------


def test_a_button_from_an_earlier_add_does_not_act_on_the_current_one(telegram: BotRun) -> None:
    telegram.say(ANN, "/add")
    telegram.say(ANN, "Read")
    first = telegram.last(ANN)
    telegram.say(ANN, "/add")
    telegram.say(ANN, "Write")
    calls = telegram.press(ANN, first, button_data(first, "Weekdays"))
    answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert answers == ["That question is over; start again with /add."]
    current = telegram.last(ANN)
    telegram.press(ANN, current, button_data(current, "Every day"))
    telegram.press(ANN, telegram.last(ANN), button_data(telegram.last(ANN), "No reminder"))
    habits = [(s.habit.name, s.habit.schedule) for s in telegram.tracker(ANN).habits()]
    assert habits == [("Write", "daily")]


@pytest.mark.parametrize("name", ["Budget $\\x$", "Save $_$", "Save $5 a day, spend $0"])
def test_stats_draws_names_with_dollar_signs(telegram: BotRun, name: str) -> None:
    telegram.say(ANN, f"/add {name}")
    calls = telegram.say(ANN, f"/stats {name}")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    assert photos[0].ok
    assert photos[0].files["photo"].startswith(b"\x89PNG")


def test_a_tap_on_the_morning_message_keeps_the_morning_summary(telegram: BotRun) -> None:
    telegram.say(ANN, "/timezone UTC")
    telegram.say(ANN, "/add Read")
    telegram.tracker(ANN).check("Read")
    telegram.clock.set(datetime(2026, 11, 26, 0, 1, tzinfo=UTC))
    telegram.tick()
    morning = telegram.last(ANN)
    assert morning["text"].startswith("☀️ Good morning! Yesterday:\n✅ Read: streak 1")
    telegram.press(ANN, morning, button_data(morning, "Read"))
    now = telegram.fake.stored(ANN, morning["message_id"])
    assert now is not None
    assert now["text"] == morning["text"]
    labels = [b["text"] for row in now["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "✅ Read · 🔥2"


PHOTO = [{"file_id": "p", "file_unique_id": "u", "width": 90, "height": 90}]


@pytest.mark.parametrize(
    "content",
    [
        {"story": {"chat": {"id": 1, "type": "channel", "title": "News"}, "id": 7}},
        {"game": {"title": "Chess", "description": "A game", "photo": PHOTO}},
    ],
)
def test_content_the_bot_has_no_handler_for_still_gets_a_hint(
    telegram: BotRun, content: dict[str, Any]
) -> None:
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": ANN, "type": "private", "first_name": "Ann"},
        "from": {"id": ANN, "is_bot": False, "first_name": "Ann", "language_code": "en"},
        **content,
    }
    mark = telegram.fake.mark()
    telegram.settle(telegram.fake.push({"message": message}))
    texts = [c.text for c in telegram.since(mark) if c.method == "sendMessage"]
    assert texts == [
        "I did not expect that. /today shows your checklist, /add adds a habit, /help lists "
        "everything."
    ]


def test_an_update_telebot_cannot_read_is_skipped_and_the_next_handled(
    telegram: BotRun, caplog: pytest.LogCaptureFixture
) -> None:
    """An update of a shape this telebot does not know must not block every poll after it."""
    broken = {"message": {"message_id": 1, "chat": "not a chat"}}
    poison = telegram.fake.push(broken)
    calls = telegram.say(ANN, "/help")
    assert telegram.service.poller.offset is not None
    assert telegram.service.poller.offset > poison
    assert [c.text.split("\n")[0] for c in calls if c.method == "sendMessage" and c.text] == [
        "Here is what I can do:"
    ]
    assert f"update {poison} could not be read; it is skipped" in caplog.text


# -- the API address ---------------------------------------------------------------------------


def test_an_api_address_with_a_password_is_never_logged(
    fake_telegram: FakeTelegram, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from habitcore_telegram.service import Service, Tuning

    secret_url = fake_telegram.url.replace("http://", "http://operator:hunter2@")
    settings = check(TOKEN, secret_url, f"sqlite:///{tmp_path / 'bot.db'}", "INFO")
    assert "hunter2" not in repr(settings)
    caplog.set_level(logging.INFO)
    service = Service(settings, tuning=Tuning(poll_timeout=1, tick=3600))
    assert service.start()
    service.stop()
    assert "hunter2" not in caplog.text
    assert "running (API http://127.0.0.1" in caplog.text
