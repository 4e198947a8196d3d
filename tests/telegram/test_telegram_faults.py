"""Telegram misbehaving, through the fake Bot API: 429, 403, harmless 400s, 5xx, timeouts, the
API server gone, and the bot's own handlers failing. Nothing is lost, nothing is sent twice,
nothing is half-written, and every button press is answered once.
"""

# The fake hands back loosely typed dicts; a missing key fails the test anyway.
# mypy: disable-error-code="union-attr,index,operator,type-var,no-untyped-call"

from __future__ import annotations

import itertools
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any, NoReturn

import pytest
import sqlalchemy as sa
from telebot import apihelper

import habitcore.tracker
from fake_telegram import Call
from habitcore_telegram import routes
from telegram_harness import BotRun, button_data, every_row, labels

ANN, BOB, CAT = 101, 202, 303
HELP = "Here is what I can do:"
HINT = "I did not expect that."
APOLOGY = "Sorry, something went wrong on my side and nothing was changed. Please try again."
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def sent_to(run: BotRun, user: int, starting: str, since: int = 0) -> list[Call]:
    """The sendMessage calls to ``user`` whose text starts so, after call number ``since``."""
    return [
        c
        for c in run.fake.snapshot()[since:]
        if c.method == "sendMessage" and c.chat_id == user and (c.text or "").startswith(starting)
    ]


def delivered(run: BotRun, user: int, starting: str) -> int:
    """How many messages starting so the user's chat holds (what the person sees)."""
    return sum(1 for m in run.fake.sent(user) if (m.get("text") or "").startswith(starting))


def loud(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= 30]


def start(run: BotRun, user: int, *adds: str) -> None:
    run.say(user, "/start")
    run.say(user, "/timezone UTC")
    for line in adds:
        run.say(user, f"/add {line}")


def decisions(run: BotRun) -> dict[int, list[str]]:
    """The reminder log by Telegram user: what became of each firing."""
    query = sa.text(
        "SELECT u.external_id, l.decision FROM reminder_log l "
        "JOIN reminders r ON r.id = l.reminder_id JOIN habits h ON h.id = r.habit_id "
        "JOIN users u ON u.id = h.user_id ORDER BY l.fire_at, l.id"
    )
    found: dict[int, list[str]] = {}
    with run.service.store.engine.connect() as connection:
        for user, decision in connection.execute(query):
            found.setdefault(int(user.removeprefix("telegram:")), []).append(decision)
    return found


def wait_handled(run: BotRun, update_id: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while (run.service.poller.offset or 0) <= update_id:
        assert time.monotonic() < deadline, f"update {update_id} not handled\n{run.fake.recent()}"
        time.sleep(0.01)
    assert run.service.bot.answers_settled(timeout), run.fake.recent()  # answers have a pool
    assert run.service.bot.outbox.wait_idle(timeout), run.fake.recent()


def boom(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError("a bug in a handler")


# -- 429 ---------------------------------------------------------------------------------------


def test_429_waits_retry_after_and_sends_once(telegram: BotRun) -> None:
    for user in (ANN, BOB, CAT):
        start(telegram, user)
    mark = telegram.fake.mark()
    telegram.fake.fail("sendMessage", code=429, retry_after=1)
    last = 0
    for user in (ANN, BOB, CAT):
        last = telegram.fake.message(user, "/help")
    wait_handled(telegram, last)

    attempts = [c for c in telegram.fake.snapshot()[mark:] if c.method == "sendMessage"]
    refused = [c for c in attempts if c.status == 429]
    assert len(refused) == 1
    again = [c for c in attempts if c.ok and c.chat_id == refused[0].chat_id]
    assert len(again) == 1
    assert again[0].text == refused[0].text
    assert again[0].at - refused[0].at >= 0.95  # waited as told
    for user in (ANN, BOB, CAT):  # nothing lost, nothing doubled
        assert len([c for c in sent_to(telegram, user, HELP, mark) if c.ok]) == 1
        assert delivered(telegram, user, HELP) == 1


def test_one_chats_flood_limit_does_not_hold_up_the_others(telegram: BotRun) -> None:
    """A person tapping fast draws a 429 on their edits; everyone else is answered at once."""
    start(telegram, ANN, "Read")
    start(telegram, BOB)
    telegram.say(ANN, "/today")
    checklist = telegram.last(ANN)
    telegram.fake.fail("editMessageReplyMarkup", code=429, retry_after=4)
    mark = telegram.fake.mark()

    tapped = telegram.fake.tap(ANN, checklist, button_data(checklist, "Read"))
    telegram.fake.wait_for_call("editMessageReplyMarkup", lambda c: c.status == 429, timeout=5)
    asked = time.monotonic()
    helped = telegram.fake.message(BOB, "/help")
    answer = telegram.fake.wait_for_call(
        "sendMessage", lambda c: c.chat_id == BOB and (c.text or "").startswith(HELP), timeout=10
    )
    assert answer.ok
    assert answer.at - asked < 2.5  # a second's hold at most, not Ann's four
    wait_handled(telegram, max(tapped, helped))

    edits = [c for c in telegram.fake.snapshot()[mark:] if c.method == "editMessageReplyMarkup"]
    assert [c.status for c in edits] == [429, 200]  # Ann's edit, once more after her wait
    assert edits[1].at - edits[0].at >= 3.95
    assert "✅ Read" in labels(telegram.fake.stored(ANN, checklist["message_id"]))[0]


# -- 403 ---------------------------------------------------------------------------------------


def test_a_blocked_user_is_made_inactive_until_start(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    start(telegram, BOB, "Read | daily | 21:00")
    telegram.fake.block(ANN)
    telegram.clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    calls = telegram.tick()
    reminders = [c for c in calls if c.method == "sendMessage"]
    assert sorted((c.chat_id, c.status) for c in reminders) == [(ANN, 403), (BOB, 200)]
    # The bot records the outcome: Ann's reminder never reached her.
    assert decisions(telegram) == {ANN: ["undelivered"], BOB: ["sent"]}
    assert telegram.tracker(ANN).settings().active is False
    assert telegram.tracker(BOB).settings().active is True

    # The next day: nothing is even tried for Ann (no morning message, no reminder); Bob as ever.
    telegram.clock.set(datetime(2026, 11, 26, 21, 0, tzinfo=UTC))
    mark = telegram.fake.mark()
    telegram.tick()
    assert [c for c in telegram.since(mark) if c.method == "sendMessage" and c.chat_id == ANN] == []
    assert len(sent_to(telegram, BOB, "⏰ Time for Read", mark)) == 1

    # Ann unblocks the bot and says /start: she is back, and so are her reminders.
    telegram.fake.unblock(ANN)
    calls = telegram.say(ANN, "/start")
    assert any("Welcome back" in (c.text or "") for c in calls)
    assert telegram.tracker(ANN).settings().active is True
    telegram.clock.set(datetime(2026, 11, 27, 21, 0, tzinfo=UTC))
    mark = telegram.fake.mark()
    telegram.tick()
    assert len(sent_to(telegram, ANN, "⏰ Time for Read", mark)) == 1
    assert len(sent_to(telegram, BOB, "⏰ Time for Read", mark)) == 1


def test_a_deactivated_account_is_made_inactive_and_its_reminder_undelivered(
    telegram: BotRun,
) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    start(telegram, BOB, "Read | daily | 21:00")
    telegram.fake.fail(
        "sendMessage",
        code=403,
        description="Forbidden: user is deactivated",
        times=-1,
        when=lambda params: params.get("chat_id") == str(ANN),
    )
    telegram.clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    telegram.tick()
    assert telegram.tracker(ANN).settings().active is False
    assert telegram.tracker(BOB).settings().active is True
    assert decisions(telegram) == {ANN: ["undelivered"], BOB: ["sent"]}


def test_403_on_a_reply_marks_the_user_inactive(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    start(telegram, BOB, "Read | daily | 21:00")
    telegram.fake.fail(
        "sendMessage", code=403, when=lambda params: params.get("chat_id") == str(ANN)
    )
    calls = telegram.say(ANN, "/help")
    assert [c.status for c in calls if c.method == "sendMessage"] == [403]
    assert telegram.tracker(ANN).settings().active is False
    telegram.clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    calls = telegram.tick()
    assert [c.chat_id for c in calls if c.method == "sendMessage"] == [BOB]
    telegram.say(ANN, "/start")
    assert telegram.tracker(ANN).settings().active is True


# -- harmless 400s -----------------------------------------------------------------------------


def test_message_not_modified_is_ignored(
    telegram: BotRun, caplog: pytest.LogCaptureFixture
) -> None:
    start(telegram, ANN, "Read", "Run")
    telegram.say(ANN, "/today")
    checklist = telegram.last(ANN)
    caplog.clear()
    # Telegram says the edit changed nothing (a double tap from two devices, say).
    telegram.fake.fail("editMessageReplyMarkup", code=400, description=NOT_MODIFIED)
    calls = telegram.press(ANN, checklist, button_data(checklist, "Read"))
    edits = [c for c in calls if c.method == "editMessageReplyMarkup"]
    assert [c.status for c in edits] == [400]
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
        "✅ Read: done"
    ]
    # An edit that really changes nothing, as Telegram itself refuses it: a card shown again.
    telegram.say(ANN, "/habits")
    overview = telegram.last(ANN)
    telegram.press(ANN, overview, button_data(overview, "Run"))
    habit_id = telegram.tracker(ANN).habit("Run").id
    calls = telegram.press(ANN, overview, f"h:{ANN}:{habit_id}:o")
    assert [c.description for c in calls if c.method == "editMessageText"] == [NOT_MODIFIED]
    assert loud(caplog) == []
    # The bot goes on.
    calls = telegram.press(ANN, checklist, button_data(checklist, "Run"))
    assert [c.status for c in calls if c.method == "editMessageReplyMarkup"] == [200]
    assert telegram.tracker(ANN).stats("Run").current_streak == 1


def test_query_too_old_is_ignored(telegram: BotRun, caplog: pytest.LogCaptureFixture) -> None:
    start(telegram, ANN, "Read", "Run")
    telegram.say(ANN, "/today")
    checklist = telegram.last(ANN)
    caplog.clear()
    telegram.fake.fail("answerCallbackQuery", code=400, description=TOO_OLD)
    calls = telegram.press(ANN, checklist, button_data(checklist, "Read"))
    assert [c.status for c in calls if c.method == "answerCallbackQuery"] == [400]
    assert [c.status for c in calls if c.method == "editMessageReplyMarkup"] == [200]
    assert telegram.tracker(ANN).stats("Read").current_streak == 1  # the tap itself counted
    assert loud(caplog) == []
    calls = telegram.press(ANN, checklist, button_data(checklist, "Run"), query_id="next")
    assert telegram.fake.answered("next") is not None
    assert telegram.fake.answered("next").ok


# -- 5xx and timeouts --------------------------------------------------------------------------


def test_5xx_is_retried_with_backoff_and_delivered_once(telegram: BotRun) -> None:
    start(telegram, ANN)
    # An nginx error page instead of the Bot API's JSON …
    mark = telegram.fake.mark()
    telegram.fake.fail(
        "sendMessage", code=502, raw="<html><body><h1>502 Bad Gateway</h1></body></html>"
    )
    telegram.say(ANN, "/help")
    attempts = sent_to(telegram, ANN, HELP, mark)
    assert [c.status for c in attempts] == [502, 200]
    assert attempts[1].at - attempts[0].at >= 0.95  # backed off
    assert delivered(telegram, ANN, HELP) == 1
    # … and the Bot API's own 500, twice: the wait grows.
    mark = telegram.fake.mark()
    telegram.fake.fail("sendMessage", code=500, times=2)
    telegram.say(ANN, "/cancel")
    attempts = sent_to(telegram, ANN, "There was nothing to cancel.", mark)
    assert [c.status for c in attempts] == [500, 500, 200]
    assert attempts[0].response["description"] == "Internal Server Error"
    assert attempts[1].at - attempts[0].at >= 0.95
    assert attempts[2].at - attempts[1].at >= 1.9  # 1 s, then 2 s
    assert delivered(telegram, ANN, "There was nothing to cancel.") == 1
    # A picture is uploaded again whole (not from a spent stream).
    telegram.say(ANN, "/add Read")
    mark = telegram.fake.mark()
    telegram.fake.fail("sendPhoto", code=502, raw="<html>502</html>")
    telegram.say(ANN, "/stats Read")
    photos = [c for c in telegram.since(mark) if c.method == "sendPhoto"]
    assert [c.status for c in photos] == [502, 200]
    assert photos[1].files["photo"].startswith(b"\x89PNG")
    assert photos[1].files["photo"] == photos[0].files["photo"]
    assert len([m for m in telegram.fake.sent(ANN) if "photo" in m]) == 1


def test_a_timeout_is_retried_and_delivered_once(
    telegram: BotRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request times out before Telegram took it (the server was stuck, then failed)."""
    start(telegram, ANN)
    monkeypatch.setattr(apihelper, "READ_TIMEOUT", 0.4)
    mark = telegram.fake.mark()
    telegram.fake.delay("sendMessage", 1.2)
    telegram.fake.fail("sendMessage", code=502, raw="<html>502</html>", times=2)
    telegram.say(ANN, "/help")
    attempts = sent_to(telegram, ANN, HELP, mark)
    assert [c.status for c in attempts] == [502, 502, 200]
    assert delivered(telegram, ANN, HELP) == 1


def test_a_late_answer_is_delivered_at_least_once(
    telegram: BotRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram took the message but answered after the read timeout: the bot cannot tell that
    from a message never taken, and sends it again rather than risk losing it (documented in
    docs/telegram.md). The person gets it once or twice, never not at all."""
    start(telegram, ANN)
    monkeypatch.setattr(apihelper, "READ_TIMEOUT", 0.4)
    telegram.fake.delay("sendMessage", 0.8)
    telegram.say(ANN, "/help")
    telegram.fake.wait_idle(quiet=0.5)
    assert 1 <= delivered(telegram, ANN, HELP) <= 2


def test_a_5xx_on_answering_a_press_is_retried(telegram: BotRun) -> None:
    start(telegram, ANN, "Read")
    telegram.say(ANN, "/today")
    checklist = telegram.last(ANN)
    telegram.fake.fail("answerCallbackQuery", code=502, raw="<html>502</html>")
    update = telegram.fake.tap(ANN, checklist, button_data(checklist, "Read"), query_id="q-5xx")
    wait_handled(telegram, update)
    telegram.fake.wait_for(lambda: telegram.fake.answered("q-5xx"), timeout=2.5)
    assert telegram.fake.answered("q-5xx").params.get("text") == "✅ Read: done"


# -- the API server unreachable ----------------------------------------------------------------


def test_getupdates_connection_refused_catches_up_once(telegram: BotRun) -> None:
    start(telegram, ANN)
    start(telegram, BOB)
    mark = telegram.fake.mark()
    telegram.fake.stop_listening()
    pushed = []
    for number in range(6):  # ~3 s of outage (the poller's third try finds it back), people
        pushed.append(telegram.fake.message(ANN if number % 2 else BOB, f"note {number}"))
        time.sleep(0.42)  # writing all along
    assert telegram.service.poller.failures >= 1
    telegram.fake.start_listening()
    wait_handled(telegram, pushed[-1], timeout=30)

    replies = [c for c in sent_to(telegram, ANN, HINT, mark) + sent_to(telegram, BOB, HINT, mark)]
    assert len(replies) == len(pushed)  # each update handled exactly once
    assert all(c.ok for c in replies)
    assert delivered(telegram, ANN, HINT) + delivered(telegram, BOB, HINT) == len(pushed)
    # Still running.
    calls = telegram.say(ANN, "/help")
    assert [c.text.startswith(HELP) for c in calls if c.method == "sendMessage"] == [True]
    assert telegram.service.poller.failures == 0


def test_getupdates_backs_off_while_the_server_fails(telegram: BotRun) -> None:
    """1, 2, 4 … seconds between tries: a server that is down is not hammered."""
    start(telegram, ANN)
    mark = telegram.fake.mark()
    telegram.fake.fail("getUpdates", code=502, description="Bad Gateway", times=3)
    telegram.fake.wait_for_call("getUpdates", lambda c: c.status == 502, timeout=5)
    pushed = telegram.fake.message(ANN, "/help")  # waits for the server to come back
    wait_handled(telegram, pushed, timeout=30)
    polls = [c for c in telegram.fake.snapshot()[mark:] if c.method == "getUpdates"]
    failed = [i for i, c in enumerate(polls) if c.status == 502]
    assert len(failed) == 3
    tries = [polls[i] for i in failed] + [polls[failed[-1] + 1]]
    gaps = [b.at - a.at for a, b in itertools.pairwise(tries)]
    assert gaps[0] >= 0.95
    assert gaps[1] >= 1.9
    assert gaps[2] >= 3.8
    assert len(sent_to(telegram, ANN, HELP, mark)) == 1


def test_sending_while_the_server_is_down_is_retried(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    telegram.clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    telegram.fake.stop_listening()
    back = threading.Timer(0.5, telegram.fake.start_listening)
    back.start()
    try:
        telegram.service.loop.tick()  # the reminder goes to the outbox while Telegram is away
        assert telegram.service.bot.outbox.wait_idle(20)
    finally:
        back.join()
    assert delivered(telegram, ANN, "⏰ Time for Read") == 1
    assert len(sent_to(telegram, ANN, "⏰ Time for Read")) == 1


# -- the bot's own failures --------------------------------------------------------------------


def test_a_failing_handler_apologises_and_the_next_update_goes_on(
    telegram: BotRun, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    start(telegram, ANN, "Read")
    monkeypatch.setitem(routes.COMMANDS, "help", boom)
    before = every_row(telegram)
    mark = telegram.fake.mark()
    failing = telegram.fake.message(ANN, "/help")
    following = telegram.fake.message(ANN, "/today")
    wait_handled(telegram, following)
    calls = [c for c in telegram.since(mark) if c.method == "sendMessage"]
    assert next(c.text for c in calls) == APOLOGY
    assert calls[1].text.startswith("📋")
    assert calls[1].at - calls[0].at < 1.0  # at once
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert str(failing) in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert errors[0].exc_info[0] is RuntimeError
    assert every_row(telegram) == before


def test_a_failing_write_leaves_nothing_half_done(
    telegram: BotRun, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    start(telegram, ANN)
    before = every_row(telegram)
    monkeypatch.setattr(habitcore.tracker, "set_reminders", boom)
    calls = telegram.say(ANN, "/add Read | daily | 21:00")
    assert [c.text for c in calls if c.method == "sendMessage"] == [APOLOGY]
    assert telegram.tracker(ANN).habits() == []
    assert every_row(telegram) == before  # the habit row written before the failure was rolled back
    assert any(r.levelno >= logging.ERROR for r in caplog.records)
    monkeypatch.undo()
    calls = telegram.say(ANN, "/add Read | daily | 21:00")
    assert next(c.text for c in calls if c.method == "sendMessage").startswith("Added Read")
    assert [h.habit.name for h in telegram.tracker(ANN).habits()] == ["Read"]


def test_a_failing_button_handler_still_answers_once(
    telegram: BotRun, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    start(telegram, ANN, "Read")
    telegram.say(ANN, "/today")
    checklist = telegram.last(ANN)
    arity, _tap = telegram.service.bot.callbacks["t"]
    monkeypatch.setitem(telegram.service.bot.callbacks, "t", (arity, boom))  # fails inside
    before = every_row(telegram)
    update = telegram.fake.tap(ANN, checklist, button_data(checklist, "Read"), query_id="q-boom")
    wait_handled(telegram, update)
    answers = [
        c
        for c in telegram.fake.snapshot()
        if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == "q-boom"
    ]
    assert len(answers) == 1
    assert answers[0].ok
    assert answers[0].params.get("text") == APOLOGY[:200]
    assert telegram.fake.answered("q-boom") is answers[0]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert str(update) in errors[0].getMessage()
    assert every_row(telegram) == before
    # A write failing inside a button (after the handler began) rolls back too.
    monkeypatch.undo()
    monkeypatch.setattr(habitcore.tracker.Tracker, "_put_checkin", boom)
    calls = telegram.press(ANN, checklist, button_data(checklist, "Read"), query_id="q-write")
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
        APOLOGY[:200]
    ]
    assert every_row(telegram)["checkins"] == []


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
