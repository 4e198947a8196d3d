"""/token through the fake Bot API, checked against habit-api itself: the token the message shows
opens the person's own habits and no one else's, its Revoke button shuts it (and takes it out of
the message), forged and stale buttons change nothing, and no log line ever holds it.

One bot serves the module (as in test_telegram_notes.py), and each test plays fresh users. The
clock stands on Wednesday 2026-11-25, 09:00 UTC; a test that moves it is put back after.
"""

# The fake hands back loosely typed dicts; a missing key fails the test anyway.
# mypy: disable-error-code="union-attr,index,operator,type-var,no-untyped-call"

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from fake_telegram import MAX_CALLBACK_DATA_BYTES
from habitcore import tokens
from habitcore_api import create_app
from habitcore_api.limits import Rate
from habitcore_telegram.buttons import pack
from habitcore_telegram.handlers.api_tokens import micros
from habitcore_telegram.logs import ApiTokenFilter, RedactingFormatter
from telegram_harness import START, BotRun, button_data, labels, module_bot, press, said

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # as in api_client.py
    from fastapi.testclient import TestClient

TOKEN = re.compile(r"hc_[A-Za-z0-9_-]{43}")
REVOKE = "🚫 Revoke"
INVALID = "This button no longer works; send the command again."
NOT_YOURS = "This button belongs to someone else's message."
STALE = "That token is already revoked; nothing changed."

_ids = itertools.count(60_001)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotRun]:
    yield from module_bot(tmp_path_factory, "token")


@pytest.fixture(scope="module")
def api(bot: BotRun) -> Iterator[TestClient]:
    """habit-api on the bot's own database and clock."""
    app = create_app(bot.service.store, clock=bot.clock, rate=Rate(per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(autouse=True)
def _fake_stays_healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "bot" in request.fixturenames:
        run: BotRun = request.getfixturevalue("bot")
        run.clock.set(START)
        run.fake.assert_no_errors()


@pytest.fixture
def ann() -> int:
    return next(_ids)


@pytest.fixture
def bob() -> int:
    return next(_ids)


def begin(bot: BotRun, user: int, *names: str, zone: str = "UTC", language: str = "en") -> None:
    bot.say(user, f"/timezone {zone}", language_code=language)
    for name in names:
        bot.say(user, f"/add {name}", language_code=language)


def make(bot: BotRun, user: int, **kw: Any) -> tuple[dict[str, Any], str]:
    """``/token``: the one message it sends, and the token in it."""
    calls = bot.say(user, "/token", **kw)
    assert len(said(calls)) == 1, said(calls)
    message = bot.last(user)
    found = TOKEN.findall(message["text"])
    assert len(found) == 1, message["text"]
    return message, found[0]


def habits(api: TestClient, token: str) -> tuple[int, list[str]]:
    """GET /v1/habits with ``token``: the status and the names of the habits it sees."""
    answer = api.get("/v1/habits", headers={"Authorization": f"Bearer {token}"})
    names = [h["name"] for h in answer.json()] if answer.status_code == 200 else []
    return answer.status_code, names


def listed(bot: BotRun, user: int) -> list[tokens.TokenInfo]:
    return tokens.listed(bot.service.store, bot.tracker(user).user)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- /token --------------------------------------------------------------------------------------


def test_the_token_opens_the_persons_own_habits_and_no_one_elses(
    bot: BotRun, api: TestClient, ann: int, bob: int
) -> None:
    begin(bot, ann, "Read", "Run", zone="Europe/Moscow")
    begin(bot, bob, "Walk")
    message, token = make(bot, ann)

    label = "telegram 2026-11-25 12:00"  # 09:00 UTC on Ann's clock in Moscow
    assert message["text"] == (
        f"🔑 Your token “{label}”, for your own habits. It is shown only this once; tap it to "
        f"copy:\n{token}\nA program sends it to habit-api in the header Authorization: Bearer "
        "TOKEN."
    )
    # A code span over exactly the token, so a tap copies it; and one Revoke button.
    start = message["text"].index(token)
    spans = [(e["type"], e["offset"], e["length"]) for e in message["entities"]]
    assert spans == [("code", utf16(message["text"][:start]), len(token))]
    assert labels(message) == [REVOKE]
    data = button_data(message, "Revoke")
    assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES

    assert habits(api, token) == (200, ["Read", "Run"])
    bobs = tokens.create(bot.service.store, bot.tracker(bob).user, bot.clock.now())
    assert habits(api, bobs) == (200, ["Walk"])
    assert [t.label for t in listed(bot, ann)] == [label]


def test_two_tokens_in_one_minute_get_their_own_labels(
    bot: BotRun, api: TestClient, ann: int
) -> None:
    begin(bot, ann, "Read")
    first, one = make(bot, ann)
    second, two = make(bot, ann)
    assert one != two
    assert "“telegram 2026-11-25 09:00”" in first["text"]
    assert "“telegram 2026-11-25 09:00 (2)”" in second["text"]
    assert [t.label for t in listed(bot, ann)] == [
        "telegram 2026-11-25 09:00",
        "telegram 2026-11-25 09:00 (2)",
    ]
    assert habits(api, one) == habits(api, two) == (200, ["Read"])


def test_russian_speakers_get_the_message_in_russian(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Чтение", language="ru")
    message, _token = make(bot, ann, language_code="ru")
    assert message["text"].startswith("🔑 Ваш токен «telegram 2026-11-25 09:00»")
    assert "Authorization: Bearer" in message["text"]
    assert labels(message) == ["🚫 Отозвать"]
    _calls, answer = press(bot, ann, message, button_data(message, "Отозвать"))
    assert answer == "🔒 Токен «telegram 2026-11-25 09:00» отозван: habit-api больше его не примет."
    assert bot.fake.stored(ann, message["message_id"])["text"] == answer


# -- the Revoke button ---------------------------------------------------------------------------


def test_revoke_shuts_exactly_that_token_and_takes_it_out_of_the_message(
    bot: BotRun, api: TestClient, ann: int
) -> None:
    begin(bot, ann, "Read")
    message, token = make(bot, ann)
    other_message, other = make(bot, ann)
    assert habits(api, token) == (200, ["Read"])

    calls, answer = press(bot, ann, message, button_data(message, "Revoke"))
    revoked = (
        "🔒 The token “telegram 2026-11-25 09:00” is revoked: habit-api refuses it from now on."
    )
    assert answer == revoked
    edits = [c for c in calls if c.method == "editMessageText"]
    assert [c.text for c in edits] == [revoked]
    now = bot.fake.stored(ann, message["message_id"])
    assert now["text"] == revoked
    assert token not in str(now)  # no text, entity or button holds it any more
    assert not labels(now)
    assert not said(calls)

    assert habits(api, token)[0] == 401
    assert habits(api, other) == (200, ["Read"])  # the other token, and its message, stay
    assert bot.fake.stored(ann, other_message["message_id"])["text"] == other_message["text"]
    assert [t.label for t in listed(bot, ann)] == ["telegram 2026-11-25 09:00 (2)"]

    # A second press (a stale button) says so and changes nothing.
    before = listed(bot, ann)
    calls, answer = press(bot, ann, message, button_data(message, "Revoke"))
    assert (answer, [c.method for c in calls]) == (STALE, ["answerCallbackQuery"])
    assert listed(bot, ann) == before
    assert habits(api, other) == (200, ["Read"])


def test_an_old_button_spares_a_newer_token_that_took_its_label(
    bot: BotRun, api: TestClient, ann: int
) -> None:
    """A revoked token's label is free again: the next token of that minute may take it."""
    begin(bot, ann, "Read")
    old_message, old = make(bot, ann)
    label = listed(bot, ann)[0].label
    assert said(bot.say(ann, f"/token revoke {label}")) == [
        f"🔒 The token “{label}” is revoked: habit-api refuses it from now on."
    ]
    assert habits(api, old)[0] == 401
    bot.clock.advance(seconds=20)  # the same minute, a later instant
    _message, new = make(bot, ann)
    assert [t.label for t in listed(bot, ann)] == [label]

    before = listed(bot, ann)
    calls, answer = press(bot, ann, old_message, button_data(old_message, "Revoke"))
    assert (answer, [c.method for c in calls]) == (STALE, ["answerCallbackQuery"])
    assert listed(bot, ann) == before
    assert habits(api, new) == (200, ["Read"])


def test_forged_buttons_change_nothing(bot: BotRun, api: TestClient, ann: int, bob: int) -> None:
    begin(bot, ann, "Read")
    begin(bot, bob, "Walk", zone="Europe/Moscow")
    message, token = make(bot, ann)
    bot.clock.advance(seconds=5)
    bobs_message, bobs = make(bot, bob)  # telegram 2026-11-25 12:00, five seconds later
    data = button_data(message, "Revoke")
    bobs_data = button_data(bobs_message, "Revoke")
    _, _, stamp, number, made = data.split(":")
    assert (stamp, number) == ("202611250900", "1")
    assert int(made) == micros(listed(bot, ann)[0].created_at)
    _, _, bob_stamp, bob_number, bob_made = bobs_data.split(":")
    before = (listed(bot, ann), listed(bot, bob))

    cases = [
        (bob, message, data, NOT_YOURS),  # Bob presses Ann's button
        (ann, message, bobs_data, NOT_YOURS),  # Bob's button, forged onto Ann's message
        (ann, message, f"tk:{ann}:{bob_stamp}:{bob_number}:{bob_made}", STALE),  # Bob's token
        (ann, message, f"tk:{ann}:{stamp}:{number}:{int(made) + 1}", STALE),  # another instant
        (ann, message, f"tk:{ann}:{stamp}:2:{made}", STALE),  # a label she has not
        (ann, message, f"tk:{ann}:{stamp}:{number}", INVALID),
        (ann, message, f"tk:{ann}:{stamp}:{number}:{made}:x", INVALID),
        (ann, message, f"tk:{ann}:{stamp}:0:{made}", INVALID),
        (ann, message, f"tk:{ann}:{stamp}:01:{made}", INVALID),
        (ann, message, f"tk:{ann}:{stamp}:+1:{made}", INVALID),
        (ann, message, f"tk:{ann}:202613250900:{number}:{made}", INVALID),  # month 13
        (ann, message, f"tk:{ann}:202611252460:{number}:{made}", INVALID),  # 24:60
        (ann, message, f"tk:{ann}:2026112509:{number}:{made}", INVALID),
        (ann, message, f"tk:{ann}:{stamp}:{number}:-{made}", INVALID),
        (ann, message, "tk:garbage", INVALID),
        (ann, message, "☃" * 30, INVALID),
        (ann, message, "x" * 65, INVALID),
    ]
    for user, on, forged, expected in cases:
        calls, answer = press(bot, user, on, forged)
        assert answer == expected, (forged, answer)
        assert [c.method for c in calls] == ["answerCallbackQuery"], forged
    assert (listed(bot, ann), listed(bot, bob)) == before
    assert habits(api, token) == (200, ["Read"])
    assert habits(api, bobs) == (200, ["Walk"])
    assert bot.fake.stored(ann, message["message_id"])["text"] == message["text"]


def test_the_button_fits_telegrams_64_bytes_at_its_longest() -> None:
    """The largest user id Telegram may give (52 bits), a minute's 99th token, the year 2200."""
    made = micros(datetime(2200, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC))
    data = pack("tk", 2**52, "220012312359", 99, made)
    assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES


# -- /token list, /token revoke ------------------------------------------------------------------


def test_list_and_revoke_by_label_mirror_the_command_line(
    bot: BotRun, api: TestClient, ann: int
) -> None:
    begin(bot, ann, "Read", zone="Europe/Moscow")
    assert said(bot.say(ann, "/token list")) == [
        "You have no tokens for habit-api. /token makes one."
    ]
    _message, token = make(bot, ann)
    bot.clock.advance(minutes=5)
    make(bot, ann)
    assert habits(api, token)[0] == 200  # used at 09:05 UTC, 12:05 in Moscow
    assert said(bot.say(ann, "/token list")) == [
        "🔑 Your tokens for habit-api (/token revoke LABEL revokes one):\n"
        "• telegram 2026-11-25 12:00: made 2026-11-25 12:00, last used 2026-11-25 12:05\n"
        "• telegram 2026-11-25 12:05: made 2026-11-25 12:05, never used"
    ]

    before = listed(bot, ann)
    assert said(bot.say(ann, "/token revoke phone")) == [
        "No token is labelled “phone”; /token list shows the labels."
    ]
    assert said(bot.say(ann, "/token revoke \u202e")) == [
        "No token is labelled “\u202e”; /token list shows the labels."
    ]
    assert listed(bot, ann) == before
    assert said(bot.say(ann, "/token revoke telegram 2026-11-25 12:00")) == [
        "🔒 The token “telegram 2026-11-25 12:00” is revoked: habit-api refuses it from now on."
    ]
    assert habits(api, token)[0] == 401
    assert [t.label for t in listed(bot, ann)] == ["telegram 2026-11-25 12:05"]


@pytest.mark.parametrize("typed", ["/token new", "/token list all", "/token revoke", "/token x y"])
def test_other_arguments_get_the_usage_and_make_nothing(bot: BotRun, ann: int, typed: str) -> None:
    begin(bot, ann)
    assert said(bot.say(ann, typed)) == [
        "Use /token for a new token for habit-api, /token list to see yours, or /token revoke "
        "LABEL."
    ]
    assert listed(bot, ann) == []


# -- never in a log ------------------------------------------------------------------------------


def test_the_token_never_reaches_a_log_line(
    bot: BotRun,
    api: TestClient,
    ann: int,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """At DEBUG telebot logs every request's parameters and every answer: the token goes out
    in sendMessage, and comes back in the update of a press on its Revoke button."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="TeleBot")
    begin(bot, ann, "Read")
    # A token whose message Telegram refuses: dropped, and logged without its text.
    bot.fake.fail("sendMessage", code=400, description="Bad Request: chat not found")
    bot.say(ann, "/token")
    assert len(listed(bot, ann)) == 1
    message, token = make(bot, ann)
    assert habits(api, token)[0] == 200
    bot.say(ann, "thanks", reply_to=message["message_id"])  # a reply quotes the message
    press(bot, ann, message, button_data(message, "Revoke"))
    assert habits(api, token)[0] == 401

    lines = [r.getMessage() for r in caplog.records]
    assert not any(token in line for line in lines)
    assert not TOKEN.search(caplog.text)
    assert not TOKEN.search(capfd.readouterr().err)
    # Not vacuous: the lines that carried it were logged, redacted.
    assert any("sendMessage" in line and "<api token>" in line for line in lines)
    assert any("callback_query" in line and "<api token>" in line for line in lines)
    assert any("dropped sendMessage" in line for line in lines)


def test_the_filter_and_the_formatter_take_a_token_out_of_messages_and_tracebacks() -> None:
    """What the bot's own stderr gets (the formatter) and what any handler gets (the filter on
    telebot's logger), for a token in the message, its arguments and an exception's text."""
    token = "hc_" + "aB3-_x" * 7 + "z"
    try:
        raise ValueError(f"could not send {token}")
    except ValueError as error:
        caught = (type(error), error, error.__traceback__)

    def record() -> logging.LogRecord:
        return logging.LogRecord(
            "TeleBot", logging.DEBUG, __file__, 1, "params=%s", ({"text": token},), caught
        )

    written = RedactingFormatter([]).format(record())
    filtered = record()
    assert ApiTokenFilter().filter(filtered)
    handled = logging.Formatter().format(filtered)
    for text in (written, handled):
        assert token not in text
        assert "params={'text': '<api token>'}" in text
        assert "ValueError: could not send <api token>" in text
