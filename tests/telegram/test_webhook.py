"""Webhook mode: the real bot behind a real listener on 127.0.0.1, fed by HTTP posts the way
Telegram posts them, talking to the fake Bot API for everything it sends.

The listener binds port 0 (a free port). A test plays Telegram: it posts an update with or
without the secret header and reads the answer, which comes once the update was handled. Nothing
sleeps for a while or measures one: a handler held on an ``Event`` shows what happens meanwhile.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from fake_telegram import TOKEN, FakeTelegram
from habitcore.testing import FakeClock
from habitcore.tracker import user_exists
from habitcore_telegram import routes
from habitcore_telegram.app import app as command
from habitcore_telegram.bot import external_id
from habitcore_telegram.logs import RedactingFormatter, token_secrets
from habitcore_telegram.service import Service
from habitcore_telegram.settings import Settings, SettingsError, check
from habitcore_telegram.webhook import MAX_BODY, SECRET_HEADER
from telegram_harness import FAST, START, Held

WAIT = 30.0  # seconds any condition may take on a busy machine before a test fails
SECRET = "s3cret-Webhook_token-0123456789abcdef"
URL = "https://bot.example.test/telegram/hook"
PATH = "/telegram/hook"
HELP = "Here is what I can do:"
ADDED = re.compile(r"Added (Habit [a-z]):")
LEAKS = (TOKEN, TOKEN.partition(":")[2], SECRET)

_users = itertools.count(700_001)


def wait(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)
    return value


def webhook_settings(fake: FakeTelegram, database_url: str, **kw: Any) -> Settings:
    settings = check(TOKEN, fake.url, database_url, "DEBUG", webhook_url=URL, secret_token=SECRET)
    assert settings.webhook is not None
    return replace(settings, webhook=replace(settings.webhook, port=0, **kw))


class Hook:
    """A running bot in webhook mode, and a client that posts to it as Telegram would."""

    def __init__(self, service: Service, fake: FakeTelegram) -> None:
        assert service.listener is not None
        self.service = service
        self.fake = fake
        self.base = f"http://127.0.0.1:{service.listener.port}"
        self.client = httpx.Client(base_url=self.base, timeout=120)
        self._posts = ThreadPoolExecutor(8, thread_name_prefix="telegram-posts")

    def post(
        self, body: bytes | dict[str, Any] | list[Any], secret: str | None = SECRET
    ) -> httpx.Response:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if isinstance(body, bytes):
            return self.client.post(PATH, content=body, headers=headers)
        return self.client.post(PATH, json=body, headers=headers)

    def say(self, user: int, text: str) -> httpx.Response:
        """``user`` sends ``text``; Telegram's post of it, answered."""
        return self.post(self.fake.update(self.fake.message(user, text)))

    def say_later(self, user: int, text: str) -> Future[httpx.Response]:
        return self.post_later(self.fake.update(self.fake.message(user, text)))

    def post_later(self, update: dict[str, Any]) -> Future[httpx.Response]:
        return self._posts.submit(self.post, update)

    def texts(self, user: int) -> list[str]:
        return [c.text or "" for c in self.fake.calls_of("sendMessage", user) if c.ok]

    def close(self) -> None:
        self._posts.shutdown(wait=True)
        self.client.close()


def start_hook(database: Path | str, fake: FakeTelegram, **tuning: Any) -> Hook:
    """The bot on ``database`` (a folder for a SQLite file, or a URL)."""
    url = database if isinstance(database, str) else f"sqlite:///{database / 'bot.db'}"
    settings = webhook_settings(fake, url)
    service = Service(settings, clock=FakeClock(START), tuning=replace(FAST, **tuning))
    assert service.start(), "the bot did not start"
    return Hook(service, fake)


@pytest.fixture
def hook(
    tmp_path: Path, fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> Iterator[Hook]:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="TeleBot")
    running = start_hook(tmp_path, fake_telegram, update_workers=4)
    yield running
    running.service.stop()
    running.close()


@pytest.fixture
def pg_hook(postgres_url: str, fake_telegram: FakeTelegram) -> Iterator[Hook]:
    running = start_hook(postgres_url, fake_telegram, update_workers=4)
    yield running
    running.service.stop()
    running.close()


# -- setting up with Telegram --------------------------------------------------------------------


def test_start_sets_the_webhook_with_the_url_and_the_secret(hook: Hook) -> None:
    (call,) = hook.fake.calls_of("setWebhook")
    assert call.ok
    assert call.params["url"] == URL
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query"]
    assert call.params["drop_pending_updates"] == "false"
    assert hook.fake.calls_of("deleteWebhook") == []
    assert hook.fake.webhook_url == URL
    assert hook.fake.calls_of("setMyCommands")  # the menu as when polling


def test_the_stop_leaves_the_webhook_set(tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    running = start_hook(tmp_path, fake_telegram)
    running.service.stop()
    running.close()
    assert fake_telegram.calls_of("deleteWebhook") == []
    assert fake_telegram.webhook_url == URL
    with pytest.raises(httpx.TransportError):  # the listener is gone
        httpx.get(running.base + "/healthz", timeout=10)


def test_a_refused_webhook_is_a_start_error_without_the_secret(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    from habitcore_telegram.service import StartError

    fake_telegram.fail(
        "setWebhook", code=400, description="Bad Request: bad webhook: Failed to resolve host"
    )
    settings = webhook_settings(fake_telegram, f"sqlite:///{tmp_path / 'bot.db'}")
    service = Service(settings, clock=FakeClock(START), tuning=FAST)
    with pytest.raises(StartError, match="bad webhook") as raised:
        service.start()
    assert SECRET not in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert service.listener is not None
    port = service.listener.port
    with pytest.raises(httpx.TransportError):  # nothing is left listening
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)


def test_a_port_in_use_is_a_start_error(tmp_path: Path, fake_telegram: FakeTelegram) -> None:
    from habitcore_telegram.service import StartError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = webhook_settings(fake_telegram, f"sqlite:///{tmp_path / 'bot.db'}")
        assert settings.webhook is not None
        settings = replace(settings, webhook=replace(settings.webhook, port=taken.getsockname()[1]))
        with pytest.raises(StartError, match=r"cannot listen on 127\.0\.0\.1"):
            Service(settings, clock=FakeClock(START), tuning=FAST).start()
    assert fake_telegram.calls_of("setWebhook") == []


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET.upper(), SECRET + "x", SECRET[:-1]],
    ids=["missing", "empty", "wrong", "other-case", "longer", "shorter"],
)
def test_without_the_right_secret_403_and_nothing_handled(hook: Hook, secret: str | None) -> None:
    user = next(_users)
    answer = hook.post(hook.fake.update(hook.fake.message(user, "/start")), secret=secret)
    assert answer.status_code == 403
    assert answer.content == b""
    # 403 is answered before anything is taken: had it been, a reply would be due by now.
    assert hook.say(next(_users), "/help").status_code == 200
    assert hook.fake.calls_of("sendMessage", user) == []
    assert not hook.service.bot.tracker(user).habits()


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"\xff\xfe{",
        b"[1, 2, 3]",
        b'"an update"',
        b'{"message": {"text": "/start"}}',
        b'{"update_id": "1001"}',
        b'{"update_id": true}',
        b'{"update_id": 1.5}',
        b"[" * 100_000,
    ],
    ids=["text", "bytes", "list", "string", "no-id", "id-text", "id-bool", "id-float", "deep"],
)
def test_a_body_that_is_no_update_is_400(hook: Hook, body: bytes) -> None:
    assert hook.post(body).status_code == 400
    assert hook.post(b"{}", secret=None).status_code == 403  # the secret is checked first


def test_a_body_over_the_cap_is_413(hook: Hook) -> None:
    big = b'{"update_id": 1, "padding": "' + b"x" * MAX_BODY + b'"}'
    assert hook.post(big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield big[: MAX_BODY // 2]
        yield big[MAX_BODY // 2 :]

    streamed = hook.client.post(PATH, content=chunks(), headers={SECRET_HEADER: SECRET})
    assert streamed.status_code == 413
    assert hook.say(next(_users), "/help").status_code == 200  # and it still serves


def test_other_methods_and_paths(hook: Hook) -> None:
    assert hook.client.get(PATH).status_code == 405
    assert hook.client.put(PATH, headers={SECRET_HEADER: SECRET}).status_code == 405
    assert hook.client.post("/elsewhere", headers={SECRET_HEADER: SECRET}).status_code == 404
    assert hook.client.get("/").status_code == 404


def test_healthz_answers_200_while_the_database_does(hook: Hook) -> None:
    answer = hook.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_an_unexpected_failure_is_a_logged_500_without_secrets(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    assert hook.service.receiver is not None

    def broken(value: Any, *, done: Any = None) -> bool:
        raise RuntimeError(f"boom with {SECRET} and {TOKEN} in it")

    hook.service.receiver.submit = broken
    answer = hook.say(next(_users), "/help")
    assert answer.status_code == 500
    assert answer.content == b""
    assert "a webhook request failed" in caplog.text
    for secret in LEAKS:
        assert secret not in answer.text
    assert SECRET not in caplog.text


# -- handling --------------------------------------------------------------------------------------


def test_start_and_today_are_answered_after_handling(hook: Hook) -> None:
    user = next(_users)
    assert hook.say(user, "/start").status_code == 200
    assert user_exists(hook.service.store, external_id(user))  # handled before the 200
    wait(lambda: hook.texts(user), "the reply to /start")
    assert hook.say(user, "/add Habit a").status_code == 200
    assert [s.habit.name for s in hook.service.bot.tracker(user).habits()] == ["Habit a"]
    mark = hook.fake.mark()
    assert hook.say(user, "/today").status_code == 200
    checklist = hook.fake.wait_for_call(
        "sendMessage", lambda c: c.chat_id == user and c.ok, after=mark, timeout=WAIT
    )
    assert any("Habit a" in button["text"] for button in checklist.buttons)


@pytest.mark.postgres
def test_one_chats_updates_are_handled_in_order_and_hold_up_no_other(
    pg_hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = pg_hook
    ann, bob = next(_users), next(_users)
    held = Held()
    monkeypatch.setitem(routes.COMMANDS, "held", held)
    first = hook.say_later(ann, "/held")
    assert held.entered.wait(WAIT)
    later: list[Future[httpx.Response]] = []
    for number, letter in enumerate("abc", start=1):
        later.append(hook.say_later(ann, f"/add Habit {letter}"))
        wait(lambda n=number: hook.service.updates.waiting == n, f"ann's update {number} taken")
    assert hook.say(bob, "/help").status_code == 200  # answered while ann's first is in hand
    wait(lambda: any(t.startswith(HELP) for t in hook.texts(bob)), "bob's answer")
    assert not first.done()
    assert not any(f.done() for f in later)
    assert hook.texts(ann) == []
    held.release.set()
    assert [f.result(WAIT).status_code for f in (first, *later)] == [200] * 4
    habits = [s.habit.name for s in hook.service.bot.tracker(ann).habits()]
    assert habits == ["Habit a", "Habit b", "Habit c"]
    wait(lambda: len(hook.texts(ann)) == 4, "ann's four answers")
    said = hook.texts(ann)
    assert said[0] == "held: done"
    assert [m.group(1) for t in said[1:] if (m := ADDED.match(t))] == habits


def test_a_repeated_post_of_one_update_changes_nothing_twice(hook: Hook) -> None:
    user = next(_users)
    assert hook.say(user, "/start").status_code == 200
    update = hook.fake.update(hook.fake.message(user, "/add Habit a"))
    assert hook.post(update).status_code == 200
    assert hook.post(update).status_code == 200  # Telegram did not see the first 200
    assert [s.habit.name for s in hook.service.bot.tracker(user).habits()] == ["Habit a"]


def test_a_slow_update_is_answered_200_anyway(
    tmp_path: Path, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = start_hook(tmp_path, fake_telegram, webhook_answer=0.5)
    held = Held()
    monkeypatch.setitem(routes.COMMANDS, "held", held)
    try:
        user = next(_users)
        answer = running.say_later(user, "/held")
        assert answer.result(WAIT).status_code == 200
        assert held.entered.is_set()
        assert running.texts(user) == []
        held.release.set()
        wait(lambda: running.texts(user) == ["held: done"], "the held answer")
    finally:
        held.release.set()
        running.service.stop()
        running.close()


def test_an_update_still_waiting_for_a_worker_when_time_is_up_is_posted_again(
    tmp_path: Path, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A late 200 for an update no worker has begun could be lost at a stop: 503 instead."""
    running = start_hook(tmp_path, fake_telegram, webhook_answer=0.5, update_workers=1)
    held = Held()
    monkeypatch.setitem(routes.COMMANDS, "held", held)
    try:
        ann, bob = next(_users), next(_users)
        first = running.say_later(ann, "/held")
        assert held.entered.wait(WAIT)
        update = running.fake.update(running.fake.message(bob, "/add Habit b"))
        waiting = running.post_later(update)
        assert waiting.result(WAIT).status_code == 503
        assert first.result(WAIT).status_code == 200  # begun: it will be handled
        held.release.set()
        # The copy that waited is still handled once a worker is free; Telegram's repeat of
        # it then changes nothing and says nothing.
        wait(lambda: bool(running.texts(bob)), "the waiting update handled")
        said = running.texts(bob)
        assert running.post(update).status_code == 200
        assert [s.habit.name for s in running.service.bot.tracker(bob).habits()] == ["Habit b"]
        assert running.texts(bob) == said
    finally:
        held.release.set()
        running.service.stop()
        running.close()


@pytest.mark.postgres
def test_a_stop_finishes_what_is_in_hand_and_gives_back_what_waits(
    postgres_url: str, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = start_hook(postgres_url, fake_telegram, update_workers=1, update_drain=0.2)
    held = Held()
    monkeypatch.setitem(routes.COMMANDS, "held", held)
    ann = next(_users)
    try:
        in_hand = running.say_later(ann, "/held")
        assert held.entered.wait(WAIT)
        waiting = running.say_later(ann, "/add Habit a")
        wait(lambda: running.service.updates.waiting == 1, "the second update taken")
        stopping = threading.Thread(target=running.service.stop, name="stop")
        stopping.start()
        # After its drain the pool takes the waiting update back, while the first is in hand.
        wait(lambda: running.service.updates.waiting == 0, "the waiting update given back")
        assert not waiting.done()
        assert not in_hand.done()
        held.release.set()
        assert in_hand.result(WAIT).status_code == 200
        assert waiting.result(WAIT).status_code == 503  # given back: Telegram posts it again
        stopping.join(WAIT)
        assert not stopping.is_alive()
    finally:
        held.release.set()
        running.close()
    assert running.texts(ann) == ["held: done"]
    assert fake_telegram.calls_of("deleteWebhook") == []


def test_neither_the_token_nor_the_secret_is_logged(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    hook.say(next(_users), "/start")
    hook.post(b"[]")
    hook.post(b"{}", secret="wrong")
    hook.post(b"{}", secret=SECRET[:-1] + "?")
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    assert any("setWebhook" in r.getMessage() for r in records)  # telebot's DEBUG request line
    shown = RedactingFormatter(token_secrets(TOKEN))  # the token: taken out where it is shown
    for record in records:
        assert SECRET not in record.getMessage() + (record.exc_text or "")  # never there at all
        for secret in LEAKS:
            assert secret not in shown.format(record)
    assert SECRET not in repr(hook.service.settings)
    assert SECRET not in repr(hook.service.receiver)


# -- settings --------------------------------------------------------------------------------------


def test_webhook_settings_and_their_defaults() -> None:
    settings = check(TOKEN, None, None, None, webhook_url=URL, secret_token=SECRET)
    assert settings.webhook is not None
    assert (settings.webhook.listen, settings.webhook.port) == ("127.0.0.1", 8443)
    assert settings.webhook.path == PATH
    assert SECRET not in repr(settings)
    assert TOKEN not in repr(settings)
    polling = check(TOKEN, None, None, None, secret_token=SECRET, port="8080", workers="3")
    assert polling.webhook is None
    assert polling.workers == 3


@pytest.mark.parametrize(
    ("flags", "names"),
    [
        (["--webhook-url", "http://bot.example.test/hook"], "--webhook-url"),
        (["--webhook-url", "bot.example.test/hook"], "--webhook-url"),
        (["--webhook-url", "https://bot.example.test:8080/hook"], "--webhook-url"),
        (["--webhook-url", "https://bot.example.test/healthz"], "--webhook-url"),
        (["--webhook-url", URL, "--secret-token", ""], "--secret-token"),
        (["--webhook-url", URL], "--secret-token"),
        (["--webhook-url", URL, "--secret-token", "has space"], "--secret-token"),
        (["--webhook-url", URL, "--secret-token", "päss"], "--secret-token"),
        (["--webhook-url", URL, "--secret-token", "x" * 257], "--secret-token"),
        (["--port", "0"], "--port"),
        (["--port", "65536"], "--port"),
        (["--port", "https"], "--port"),
        (["--listen", "a b"], "--listen"),
        (["--workers", "0"], "--workers"),
        (["--workers", "65"], "--workers"),
        (["--workers", "many"], "--workers"),
    ],
)
def test_bad_flags_exit_2_with_one_sentence(
    flags: list[str], names: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("HABITCORE_TELEGRAM_"):
            monkeypatch.delenv(name)
    done = CliRunner().invoke(command, ["--token", TOKEN, *flags])
    assert done.exit_code == 2, done.output
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ")
    assert names in lines[0]
    for secret in (*LEAKS, "has space", "päss"):
        assert secret not in done.stderr


def test_a_bad_workers_variable_exits_2_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HABITCORE_TELEGRAM_WORKERS", "lots")
    done = CliRunner().invoke(command, ["--token", TOKEN])
    assert done.exit_code == 2
    assert "--workers" in done.stderr


def test_the_workers_flag_wins_over_the_variable(
    tmp_path: Path, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HABITCORE_TELEGRAM_WORKERS", "2")
    settings = check(TOKEN, fake_telegram.url, f"sqlite:///{tmp_path / 'b.db'}", None, workers=5)
    service = Service(settings, clock=FakeClock(START), tuning=replace(FAST, update_workers=3))
    try:
        assert service.tuning.update_workers == 5
        assert service.updates.workers == 5
        assert Service(replace(settings, workers=None), tuning=None).tuning.update_workers == 2
    finally:
        service.store.close()


def test_settings_errors_never_repeat_the_secret() -> None:
    for secret in ("bad secret " + SECRET, SECRET + "!"):
        with pytest.raises(SettingsError) as raised:
            check(TOKEN, None, None, None, webhook_url=URL, secret_token=secret)
        assert SECRET not in str(raised.value)


# -- the installed command -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_installed_command_serves_a_webhook(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    script = shutil.which("habit-telegram", path=str(Path(sys.executable).parent))
    assert script is not None, "pip install -e '.[telegram]' installs habit-telegram"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HABITCORE_")}
    env.update(
        HOME=str(tmp_path),
        PYTHONUNBUFFERED="1",
        HABITCORE_TELEGRAM_TOKEN=TOKEN,
        HABITCORE_TELEGRAM_SECRET_TOKEN=SECRET,
        HABITCORE_TELEGRAM_PORT=str(port),
    )
    argv = [
        script,
        "--api-url",
        fake_telegram.url,
        "--database-url",
        f"sqlite:///{tmp_path / 'bot.db'}",
        "--webhook-url",
        URL,
        "--listen",
        "127.0.0.1",
        "--log-level",
        "DEBUG",
    ]
    err = tmp_path / "bot.err"
    with err.open("wb") as stderr:
        bot = subprocess.Popen(
            argv, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
        )
    try:

        def running() -> bool:
            assert bot.poll() is None, err.read_text()
            return "habit-telegram is running with a webhook" in err.read_text()

        wait(running, "the bot to listen", timeout=60)
        assert fake_telegram.calls_of("setWebhook")[0].params["secret_token"] == SECRET
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/healthz", timeout=30).status_code == 200
        user = next(_users)
        update = fake_telegram.update(fake_telegram.message(user, "/start"))
        assert httpx.post(base + PATH, json=update, timeout=60).status_code == 403
        posted = httpx.post(base + PATH, json=update, headers={SECRET_HEADER: SECRET}, timeout=60)
        assert posted.status_code == 200
        wait(lambda: fake_telegram.calls_of("sendMessage", user), "the reply to /start")
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(60) == 0, err.read_text()
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait(10)
    output = err.read_text()
    assert "Traceback" not in output
    for secret in LEAKS:
        assert secret not in output
    assert fake_telegram.calls_of("deleteWebhook") == []
