"""The fake Telegram server, driven by the real telebot client: it must answer as the Bot API does.

The bot's end-to-end tests are only as good as this fake, so here it is held to the documented
behaviour (https://core.telegram.org/bots/api) through the same client the bot uses.
"""

# telebot declares nearly every field of its types Optional; a missing one fails the test anyway.
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import functools
import io
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
import requests
import telebot
from telebot import apihelper, types
from telebot.apihelper import ApiHTTPException, ApiTelegramException

from fake_telegram import BOT_ID, TOKEN, FakeTelegram

USER = 4242

make_request = cast(Callable[..., Any], apihelper._make_request)  # untyped in telebot


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server
        server.assert_no_errors()


@pytest.fixture
def bot(fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> telebot.TeleBot:
    monkeypatch.setattr(apihelper, "API_URL", fake.url + "/bot{0}/{1}")
    monkeypatch.setattr(apihelper, "FILE_URL", fake.url + "/file/bot{0}/{1}")
    return telebot.TeleBot(TOKEN, threaded=False)


def keyboard(*data: str) -> types.InlineKeyboardMarkup:
    markup = types.InlineKeyboardMarkup()
    markup.add(*(types.InlineKeyboardButton(f"Button {d}", callback_data=d) for d in data))
    return markup


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def rejected(call: Callable[[], object]) -> ApiTelegramException:
    """The Bot API error that call raises."""
    with pytest.raises(ApiTelegramException) as raised:
        call()
    return raised.value


def test_get_me_is_the_test_bot(bot: telebot.TeleBot) -> None:
    me = bot.get_me()
    assert (me.id, me.is_bot, me.username) == (BOT_ID, True, "habitcore_test_bot")


def test_updates_are_confirmed_by_a_later_offset(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    first = fake.message(USER, "/start", first_name="Ann", language_code="de")
    second = fake.message(USER, "hello")

    updates = bot.get_updates()
    assert [u.update_id for u in updates] == [first, second] == [1000, 1001]
    start = updates[0].message
    assert start.text == "/start"
    assert start.from_user.language_code == "de"
    assert start.chat.type == "private"
    assert start.chat.id == USER
    assert [(e.type, e.offset, e.length) for e in start.entities] == [("bot_command", 0, 6)]
    assert fake.confirmed == 0
    assert fake.pending() == 2

    third = fake.message(USER, "again")
    again = bot.get_updates(offset=second + 1)
    assert [u.update_id for u in again] == [third]
    assert fake.confirmed == second
    assert fake.pending() == 1
    assert bot.get_updates(offset=second)[0].update_id == third  # confirmed ones never come back


def test_long_poll_returns_as_soon_as_a_message_arrives(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    threading.Timer(0.2, fake.message, args=(USER, "late")).start()
    started = time.monotonic()
    updates = bot.get_updates(long_polling_timeout=5)
    elapsed = time.monotonic() - started
    assert [u.message.text for u in updates] == ["late"]
    assert 0.15 < elapsed < 2
    assert fake.calls_of("getUpdates")[-1].params["timeout"] == "5"


def test_a_second_poller_cuts_off_the_first_with_409(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    errors: list[ApiTelegramException] = []

    def poll() -> None:
        try:
            bot.get_updates(long_polling_timeout=5)
        except ApiTelegramException as error:
            errors.append(error)

    first = threading.Thread(target=poll)
    first.start()
    fake.wait_for(lambda: fake.polling)  # the first poll is now waiting inside the fake
    threading.Timer(0.2, fake.message, args=(USER, "hi")).start()
    updates = bot.get_updates(long_polling_timeout=5)
    first.join(timeout=5)
    assert [u.message.text for u in updates] == ["hi"]
    assert len(errors) == 1
    assert errors[0].error_code == 409
    assert errors[0].description.startswith("Conflict: terminated by other getUpdates request")


def test_telebot_handlers_see_commands_and_callback_queries(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    def start(message: types.Message) -> None:
        bot.send_message(message.chat.id, "Welcome", reply_markup=keyboard("go"))

    def tapped(query: types.CallbackQuery) -> None:
        bot.answer_callback_query(query.id)
        bot.edit_message_text(f"Pressed {query.data}", query.message.chat.id, query.message.id)

    bot.register_message_handler(start, commands=["start"])
    bot.register_callback_query_handler(tapped, func=lambda query: True)

    fake.message(USER, "/start@habitcore_test_bot")
    updates = bot.get_updates()
    bot.process_new_updates(updates)
    fake.tap(USER, fake.last_sent(USER), "go")
    bot.process_new_updates(bot.get_updates(offset=updates[-1].update_id + 1))
    assert fake.last_sent(USER)["text"] == "Pressed go"
    assert fake.calls_of("answerCallbackQuery")[0].status == 200


def test_send_message_echoes_the_inline_keyboard(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    fake.message(USER, "/habits")
    sent = bot.send_message(USER, "Your habits", reply_markup=keyboard("done:1", "skip:1"))

    assert sent.message_id == 2  # one sequence per chat, the user's message took 1
    assert sent.from_user.id == BOT_ID
    assert sent.chat.first_name == "Test"
    assert [b.callback_data for row in sent.reply_markup.keyboard for b in row] == [
        "done:1",
        "skip:1",
    ]
    call = fake.wait_for_call("sendMessage")
    assert (call.chat_id, call.text) == (USER, "Your habits")
    assert [b["callback_data"] for b in call.buttons] == ["done:1", "skip:1"]
    stored = fake.last_sent(USER)
    assert stored["reply_markup"] == call.markup
    assert bot.send_message(777, "elsewhere").message_id == 1


def test_reply_keyboards_are_accepted_but_not_echoed(bot: telebot.TeleBot) -> None:
    markup = types.ReplyKeyboardMarkup(one_time_keyboard=True).add("Yes", "No")
    assert bot.send_message(USER, "Sure?", reply_markup=markup).reply_markup is None


def test_callback_data_is_limited_to_64_bytes(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    bot.send_message(USER, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes in UTF-8
    error = rejected(lambda: bot.send_message(USER, "no", reply_markup=keyboard("x" * 65)))
    assert (error.error_code, error.description) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert len(fake.sent(USER)) == 1


def test_an_inline_button_needs_an_action(bot: telebot.TeleBot) -> None:
    markup = types.InlineKeyboardMarkup([[types.InlineKeyboardButton("Just text")]])
    error = rejected(lambda: bot.send_message(USER, "x", reply_markup=markup))
    assert "Text buttons are unallowed in the inline keyboard" in error.description


def test_text_limits_count_utf16_code_units(bot: telebot.TeleBot) -> None:
    bot.send_message(USER, "x" * 4096)
    bot.send_message(USER, "😀" * 2048)
    for text in ("x" * 4097, "😀" * 2049):
        error = rejected(functools.partial(bot.send_message, USER, text))
        assert (error.error_code, error.description) == (400, "Bad Request: message is too long")
    assert rejected(lambda: bot.send_message(USER, "")).description == (
        "Bad Request: message text is empty"
    )
    assert rejected(lambda: bot.send_message(USER, " \n ")).description == (
        "Bad Request: message must be non-empty"
    )


def test_text_is_trimmed_and_html_becomes_entities(bot: telebot.TeleBot) -> None:
    sent = bot.send_message(USER, "  <b>Read</b> 3 &lt;days&gt;\n", parse_mode="HTML")
    assert sent.text == "Read 3 <days>"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4)]
    error = rejected(lambda: bot.send_message(USER, "streak <3 days", parse_mode="HTML"))
    assert error.description == (
        'Bad Request: can\'t parse entities: Unsupported start tag "3" at byte offset 7'
    )


def test_markdown_v2_reserved_characters_must_be_escaped(bot: telebot.TeleBot) -> None:
    assert bot.send_message(USER, "*Done* 3\\.", parse_mode="MarkdownV2").text == "Done 3."
    error = rejected(lambda: bot.send_message(USER, "Done 3.", parse_mode="MarkdownV2"))
    assert error.description == (
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with "
        "the preceding '\\'"
    )


def test_editing_to_the_same_content_is_not_modified(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    sent = bot.send_message(USER, "Read: 2 days", reply_markup=keyboard("done"))
    error = rejected(
        lambda: bot.edit_message_text(
            "Read: 2 days", USER, sent.message_id, reply_markup=keyboard("done")
        )
    )
    assert error.error_code == 400
    assert error.description.startswith("Bad Request: message is not modified: specified new")

    edited = bot.edit_message_text("Read: 3 days", USER, sent.message_id)
    assert isinstance(edited, types.Message)
    assert edited.edit_date
    assert fake.last_sent(USER)["text"] == "Read: 3 days"
    assert "reply_markup" not in fake.last_sent(USER)  # an edit without markup drops it

    bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("undo"))
    assert fake.last_sent(USER)["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "undo"
    missing = rejected(lambda: bot.edit_message_text("x", USER, 99))
    assert missing.description == "Bad Request: message to edit not found"

    assert bot.delete_message(USER, sent.message_id) is True
    assert fake.sent(USER) == []
    gone = rejected(lambda: bot.delete_message(USER, sent.message_id))
    assert gone.description == "Bad Request: message to delete not found"


def test_a_callback_query_can_be_answered_once(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    sent = bot.send_message(USER, "Done today?", reply_markup=keyboard("done:7"))
    bot.edit_message_text("Done today? (edited)", USER, sent.message_id, reply_markup=keyboard("a"))
    fake.tap(USER, fake.last_sent(USER), "a", query_id="q1")

    (update,) = bot.get_updates()
    query = update.callback_query
    assert (query.id, query.data, query.from_user.id) == ("q1", "a", USER)
    assert query.message.text == "Done today? (edited)"  # the message as it is now

    assert bot.answer_callback_query("q1", "Marked") is True
    answer = fake.answered("q1")
    assert answer is not None
    assert answer.params["text"] == "Marked"
    error = rejected(lambda: bot.answer_callback_query("q1"))
    assert error.description == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    assert rejected(lambda: bot.answer_callback_query("never")).error_code == 400


def test_send_document_records_the_bytes_and_file_name(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    data = b'{"habits": [1, 2, 3]}\r\n' + bytes(range(256))
    sent = bot.send_document(
        USER, io.BytesIO(data), visible_file_name='my "habits"; 2024.json', caption="Export"
    )
    call = fake.wait_for_call("sendDocument")
    assert call.files["document"] == data
    assert call.filenames["document"] == 'my "habits"; 2024.json'
    assert (call.chat_id, call.params["caption"]) == (USER, "Export")
    assert sent.document.file_name == 'my "habits"; 2024.json'
    assert sent.document.mime_type == "application/json"
    assert sent.document.file_size == len(data)
    assert sent.caption == "Export"
    # what the bot sent can be fetched back, as from Telegram
    path = bot.get_file(sent.document.file_id).file_path
    assert path is not None
    assert bot.download_file(path) == data


def test_send_photo_checks_the_image(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    sent = bot.send_photo(USER, io.BytesIO(png(400, 200)), caption="Week")
    assert [(p.width, p.height) for p in sent.photo] == [(90, 45), (320, 160), (400, 200)]
    assert fake.calls_of("sendPhoto")[0].files["photo"].startswith(b"\x89PNG")
    error = rejected(lambda: bot.send_photo(USER, io.BytesIO(b"not an image")))
    assert error.description == "Bad Request: IMAGE_PROCESS_FAILED"


def test_a_document_from_the_user_downloads_through_get_file(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    content = '{"name": "Läsa"}'.encode()
    fake.document(USER, "backup.json", content, caption="restore")
    (update,) = bot.get_updates()
    document = update.message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "backup.json",
        "application/json",
        len(content),
    )
    path = bot.get_file(document.file_id).file_path
    assert path is not None
    assert path.endswith(".json")
    assert bot.download_file(path) == content
    assert rejected(lambda: bot.get_file("nonsense")).description == (
        "Bad Request: invalid file_id"
    )
    with pytest.raises(ApiHTTPException):
        bot.download_file("documents/missing.json")


def test_429_carries_retry_after(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    fake.fail("sendMessage", code=429, retry_after=7)
    error = rejected(lambda: bot.send_message(USER, "one"))
    assert error.error_code == 429
    assert error.result_json["parameters"]["retry_after"] == 7
    assert error.description == "Too Many Requests: retry after 7"
    assert fake.sent(USER) == []  # refused, so not delivered
    bot.send_message(USER, "two")  # times=1: the next one goes through
    assert [m["text"] for m in fake.sent(USER)] == ["two"]


def test_403_when_blocked(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    fake.fail("sendMessage", code=403, when=lambda params: params["chat_id"] == str(USER))
    error = rejected(lambda: bot.send_message(USER, "hi"))
    assert (error.error_code, error.description) == (403, "Forbidden: bot was blocked by the user")
    bot.send_message(USER + 1, "others still get theirs")

    fake.block(USER)
    assert rejected(lambda: bot.send_message(USER, "hi")).error_code == 403
    fake.unblock(USER)
    bot.send_message(USER, "back")


def test_a_raw_502_is_an_http_error_not_json(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    fake.fail("getMe", code=502, raw="<html><body><h1>502 Bad Gateway</h1></body></html>")
    with pytest.raises(ApiHTTPException) as raised:
        bot.get_me()
    assert raised.value.result.status_code == 502
    assert bot.get_me().id == BOT_ID


def test_a_slow_answer_times_the_client_out_but_is_still_delivered(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    fake.delay("sendMessage", 0.4)
    with pytest.raises(requests.exceptions.ReadTimeout):
        bot.send_message(USER, "slow", timeout=cast(int, 0.1))  # a read timeout, in seconds
    fake.wait_for_call("sendMessage")
    assert [m["text"] for m in fake.sent(USER)] == ["slow"]  # why retries can duplicate


def test_stop_and_start_listening(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    url = fake.url
    fake.stop_listening()
    with pytest.raises(requests.exceptions.ConnectionError):
        bot.get_me()
    fake.start_listening()
    assert fake.url == url
    assert bot.get_me().id == BOT_ID


def test_stopping_drops_a_long_poll_in_progress(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    outcome: list[BaseException] = []

    def poll() -> None:
        try:
            bot.get_updates(long_polling_timeout=5)
        except BaseException as error:
            outcome.append(error)

    poller = threading.Thread(target=poll)
    poller.start()
    fake.wait_for(lambda: fake.polling)
    fake.stop_listening()
    poller.join(timeout=5)
    assert len(outcome) == 1
    assert isinstance(outcome[0], requests.exceptions.ConnectionError)
    fake.start_listening()


def test_a_wrong_token_is_unauthorized(fake: FakeTelegram, bot: telebot.TeleBot) -> None:
    stranger = telebot.TeleBot("987654321:AAHsomeOtherTokenNotKnownHere_abcde", threaded=False)
    error = rejected(stranger.get_me)
    assert (error.error_code, error.description) == (401, "Unauthorized")


def test_an_unknown_method_is_not_found(bot: telebot.TeleBot) -> None:
    error = rejected(lambda: make_request(TOKEN, "sendTelepathy"))
    assert (error.error_code, error.description) == (404, "Not Found")


def test_methods_are_case_insensitive(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    assert make_request(TOKEN, "GETME")["id"] == BOT_ID
    assert fake.calls_of("getMe")[0].status == 200


def test_set_my_commands_is_validated(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    commands = [types.BotCommand("today", "What is due today")]
    assert bot.set_my_commands(commands, language_code="de") is True
    assert fake.my_commands(language_code="de") == [
        {"command": "today", "description": "What is due today"}
    ]
    error = rejected(lambda: bot.set_my_commands([types.BotCommand("Today!", "x")]))
    assert error.description == "Bad Request: BOT_COMMAND_INVALID"


def test_a_crash_inside_the_fake_is_a_500_and_recorded(
    bot: telebot.TeleBot, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(params: dict[str, Any], uploads: dict[str, Any]) -> Any:
        raise KeyError("oops")

    monkeypatch.setattr(fake, "_api_get_me", broken)
    assert rejected(bot.get_me).error_code == 500
    assert len(fake.errors) == 1
    assert "KeyError" in fake.errors[0]
    fake.errors.clear()


def test_wait_for_failures_show_the_recent_calls(bot: telebot.TeleBot, fake: FakeTelegram) -> None:
    bot.send_message(USER, "the last thing the bot said")
    with pytest.raises(AssertionError, match="the last thing the bot said"):
        fake.wait_for_call("editMessageText", timeout=0.05)


def test_wait_idle_waits_for_the_updates_to_be_fetched(
    bot: telebot.TeleBot, fake: FakeTelegram
) -> None:
    fake.message(USER, "ping")
    with pytest.raises(AssertionError):
        fake.wait_idle(quiet=0.01, timeout=0.1)
    bot.get_updates()
    fake.wait_idle(quiet=0.05)
