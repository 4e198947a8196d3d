"""The ``habit-telegram`` command as people run it: a real process against the fake Bot API.

Each test starts the bot with ``python -m habitcore_telegram`` (once through the installed
``habit-telegram`` script) in a private HOME and working folder, on a SQLite file of its own, and
judges it from the outside: exit codes, what it prints, and what it asked the fake Telegram.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from fake_telegram import TOKEN, Call, FakeTelegram
from habitcore_telegram.logs import RedactingFormatter, token_secrets
from habitcore_telegram.settings import check

SECRET = TOKEN.partition(":")[2]
LEAKS = (TOKEN, SECRET, quote(TOKEN, safe=""))
# Well-formed, but not the fake's: the fake answers 401 to them.
OTHER_TOKEN = "987654321:AAZotherTokenNobodyAccepts_0123456"
THIRD_TOKEN = "555555555:AAYyetAnotherTokenNobodyAccepts_99"
EXTRA_HINT = "pip install 'habitcore[telegram]'"
ANN, BEN = 201, 202

STARTED = 20.0  # seconds a bot may take to come up (imports, schema, deleteWebhook)
EXITED = 15.0  # seconds a bot may take to exit when it should


def launcher(script: bool = False) -> list[str]:
    """How to run the bot: the module under this interpreter, or the installed console script."""
    if not script:
        return [sys.executable, "-m", "habitcore_telegram"]
    folder = str(Path(sys.executable).parent)
    found = shutil.which("habit-telegram", path=folder)
    if found is None:
        pytest.fail(
            f"the habit-telegram console script is not installed beside {sys.executable} "
            "(pip install -e '.[telegram]' creates it)"
        )
    return [found]


def no_leaks(text: str, *secrets: str) -> None:
    for secret in secrets or LEAKS:
        at = text.find(secret)
        assert at < 0, f"the token leaked: …{text[max(0, at - 200) : at + 200]}…"


def ok_replies(fake: FakeTelegram, chat_id: int) -> list[Call]:
    return [call for call in fake.calls_of("sendMessage", chat_id) if call.ok]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One ``habit-telegram`` process; its stdout and stderr go to files (never a full pipe)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, logs: Path) -> None:
        self.argv = argv
        self.out_path = logs.with_suffix(".out")
        self.err_path = logs.with_suffix(".err")
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, number: int) -> float:
        self.process.send_signal(number)
        return time.monotonic()

    def wait(self, timeout: float = EXITED) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the bot did not exit within {timeout} s; it wrote:\n{self.tail()}")

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
            self.process.wait(5)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])

    def until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Poll ``predicate`` while the bot runs; fail at once if it exits meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if not self.alive():
                pytest.fail(
                    f"the bot exited ({self.process.returncode}) while waiting for {what}:\n"
                    f"{self.tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout} s waiting for {what}:\n{self.tail()}")
            time.sleep(0.02)

    def logged(self, text: str, timeout: float = 10.0) -> None:
        self.until(lambda: text in self.stderr, timeout, f"the log line {text!r}")


class Runner:
    """Starts bots in a private HOME and working folder, each on a SQLite file in tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.home = tmp_path / "bot-home"
        self.cwd = tmp_path / "cwd"
        for folder in (self.home, self.cwd):
            folder.mkdir(exist_ok=True)
        self.database_url = f"sqlite:///{tmp_path / 'bot.db'}"
        self.started: list[BotProcess] = []

    def env(self, **settings: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("HABITCORE_")}
        env.update(
            HOME=str(self.home),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            PYTHONUNBUFFERED="1",
        )
        env.update(settings)
        return env

    def argv(self, args: tuple[str, ...], script: bool, database: bool) -> list[str]:
        extra = ["--database-url", self.database_url] if database else []
        return [*launcher(script), *args, *extra]

    def start(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        script: bool = False,
        database: bool = True,
    ) -> BotProcess:
        logs = self.tmp_path / f"bot-{len(self.started)}"
        bot = BotProcess(self.argv(args, script, database), env or self.env(), self.cwd, logs)
        self.started.append(bot)
        return bot

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        script: bool = False,
        database: bool = True,
        timeout: float = 30.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run to the end (for the ways it must refuse to start)."""
        return subprocess.run(
            self.argv(args, script, database),
            env=env or self.env(),
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def running(self, fake: FakeTelegram, *args: str, **kw: Any) -> BotProcess:
        """A bot pointed at ``fake`` by flags, once it is long-polling."""
        bot = self.start("--token", TOKEN, "--api-url", fake.url, *args, **kw)
        polling(bot, fake)
        return bot

    def close(self) -> None:
        for bot in self.started:
            bot.kill()


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    made = Runner(tmp_path)
    yield made
    made.close()


def polling(bot: BotProcess, fake: FakeTelegram, timeout: float = STARTED) -> None:
    """Until this bot says it runs and a long poll is in progress."""
    bot.until(
        lambda: "habit-telegram is running" in bot.stderr and fake.polling,
        timeout,
        "the bot to long-poll the fake",
    )


def say(bot: BotProcess, fake: FakeTelegram, user: int, text: str, timeout: float = 10.0) -> Call:
    """``user`` sends ``text``; the first reply that reached them, once the bot went quiet."""
    before = len(ok_replies(fake, user))
    fake.message(user, text)
    replies = bot.until(
        lambda: ok_replies(fake, user)[before:], timeout, f"a reply to {text!r} for {user}"
    )
    fake.wait_idle()
    return replies[0]


def fetched(fake: FakeTelegram, update_id: int) -> bool:
    """A getUpdates answer handed out that update."""
    return any(
        update.get("update_id") == update_id
        for call in fake.calls_of("getUpdates")
        if call.ok
        for update in call.result
    )


def stop(bot: BotProcess, number: int = signal.SIGTERM) -> float:
    """Signal the bot and wait for exit code 0; the seconds it took."""
    sent = bot.send(number)
    code = bot.wait()
    took = time.monotonic() - sent
    assert code == 0, bot.tail()
    return took


# -- refusing to start ---------------------------------------------------------------------------


@pytest.mark.parametrize("script", [False, True], ids=["module", "console-script"])
def test_no_token_exits_2_saying_how_to_give_one(runner: Runner, script: bool) -> None:
    done = runner.run(script=script)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--token" in lines[0]
    assert "HABITCORE_TELEGRAM_TOKEN" in lines[0]
    assert ".env" in lines[0]
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("token", "given_by"),
    [
        ("not-a-token-at-all-Zq7", "flag"),
        ("123456789:AAHtooShortSecretZq7", "flag"),
        ("123456789 AAHfakeTokenForTestsOnly_abcdefghij", "flag"),  # a space for the colon
        ("123456789:AAHtooShortSecretZq7", "env"),
    ],
)
def test_malformed_token_exits_2_without_repeating_it(
    runner: Runner, token: str, given_by: str
) -> None:
    if given_by == "flag":
        done = runner.run("--token", token)
    else:
        done = runner.run(env=runner.env(HABITCORE_TELEGRAM_TOKEN=token))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "malformed" in lines[0]
    secret = token.partition(":")[2]
    no_leaks(done.stdout + done.stderr, *[part for part in (token, secret) if part])
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("--log-level", "LOUD"), "--log-level"),
        (("--api-url", "ftp://x"), "--api-url"),
    ],
    ids=["log-level", "api-url"],
)
def test_bad_setting_exits_2(runner: Runner, args: tuple[str, ...], names: str) -> None:
    done = runner.run("--token", TOKEN, *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert names in lines[0]
    no_leaks(done.stdout + done.stderr)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("sqlite://", "in-memory database: everything would be lost"),
        ("sqlite:////no/such/dir/bot.db", "'/no/such/dir' does not exist"),
    ],
    ids=["in-memory", "folder-missing"],
)
def test_a_database_that_would_lose_data_exits_2(runner: Runner, url: str, words: str) -> None:
    done = runner.run("--token", TOKEN, "--database-url", url, database=False)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert words in lines[0]
    no_leaks(done.stdout + done.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("--api-url", TOKEN),  # the two settings swapped
        ("--api-url", f"api.telegram.org/bot{TOKEN}"),  # the whole bot URL, scheme forgotten
        ("--log-level", TOKEN),
    ],
    ids=["api-url-is-the-token", "api-url-holds-the-token", "log-level-is-the-token"],
)
def test_a_token_given_as_another_setting_is_not_echoed(
    runner: Runner, args: tuple[str, ...]
) -> None:
    done = runner.run("--token", TOKEN, *args)
    assert done.returncode == 2, done.stderr
    output = done.stdout + done.stderr
    no_leaks(output)
    assert SECRET[:10].upper() not in output.upper()


@pytest.mark.parametrize("script", [False, True], ids=["module", "console-script"])
def test_help_lists_options_and_env_vars_but_not_the_token(runner: Runner, script: bool) -> None:
    env = runner.env(HABITCORE_TELEGRAM_TOKEN=TOKEN, HABITCORE_LOG_LEVEL="DEBUG")
    done = runner.run("--help", env=env, script=script, database=False)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for option, variable in [
        ("--token", "HABITCORE_TELEGRAM_TOKEN"),
        ("--api-url", "HABITCORE_TELEGRAM_API_URL"),
        ("--database-url", "HABITCORE_DATABASE_URL"),
        ("--log-level", "HABITCORE_LOG_LEVEL"),
    ]:
        assert option in text
        assert variable in text
    no_leaks(done.stdout + done.stderr)


def test_without_the_extra_it_says_what_to_install(runner: Runner) -> None:
    code = (
        "import sys\n"
        "sys.modules['telebot'] = None\n"
        "from habitcore_telegram.app import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--token", TOKEN],
        env=runner.env(),
        cwd=runner.cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert EXTRA_HINT in done.stderr
    assert "Traceback" not in done.stderr
    no_leaks(done.stdout + done.stderr)


# -- where the settings come from ----------------------------------------------------------------


def write_dotenv(folder: Path, **settings: str) -> None:
    lines = [f"{key}={value}" for key, value in settings.items()]
    (folder / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_settings_from_a_dotenv_file(runner: Runner, fake_telegram: FakeTelegram) -> None:
    write_dotenv(
        runner.cwd,
        HABITCORE_TELEGRAM_TOKEN=TOKEN,
        HABITCORE_TELEGRAM_API_URL=fake_telegram.url,
        HABITCORE_LOG_LEVEL="DEBUG",
    )
    bot = runner.start()
    polling(bot, fake_telegram)
    assert fake_telegram.calls_of("deleteWebhook")
    say(bot, fake_telegram, ANN, "/start")
    stop(bot)
    assert " DEBUG " in bot.stderr  # the level came from the file too
    no_leaks(bot.output)


def test_only_the_dotenv_in_the_current_folder_counts(runner: Runner) -> None:
    assert runner.cwd.parent == runner.tmp_path
    write_dotenv(runner.tmp_path, HABITCORE_TELEGRAM_TOKEN="1:from-a-parent-folder")
    done = runner.run()
    assert done.returncode == 2, done.stderr
    assert "No bot token" in done.stderr


def test_the_environment_wins_over_dotenv(runner: Runner, fake_telegram: FakeTelegram) -> None:
    with FakeTelegram() as loser:
        write_dotenv(
            runner.cwd, HABITCORE_TELEGRAM_TOKEN=OTHER_TOKEN, HABITCORE_TELEGRAM_API_URL=loser.url
        )
        env = runner.env(
            HABITCORE_TELEGRAM_TOKEN=TOKEN, HABITCORE_TELEGRAM_API_URL=fake_telegram.url
        )
        bot = runner.start(env=env)
        polling(bot, fake_telegram)
        delete = fake_telegram.calls_of("deleteWebhook")
        assert delete, fake_telegram.recent()
        assert all(call.ok for call in delete)  # the token was the environment's, not .env's
        stop(bot)
        assert loser.calls == []
        loser.assert_no_errors()


def test_a_flag_wins_over_both(runner: Runner, fake_telegram: FakeTelegram) -> None:
    with FakeTelegram() as from_file, FakeTelegram() as from_env:
        write_dotenv(
            runner.cwd,
            HABITCORE_TELEGRAM_TOKEN=THIRD_TOKEN,
            HABITCORE_TELEGRAM_API_URL=from_file.url,
        )
        env = runner.env(
            HABITCORE_TELEGRAM_TOKEN=OTHER_TOKEN, HABITCORE_TELEGRAM_API_URL=from_env.url
        )
        bot = runner.start("--token", TOKEN, "--api-url", fake_telegram.url, env=env)
        polling(bot, fake_telegram)
        delete = fake_telegram.calls_of("deleteWebhook")
        assert delete, fake_telegram.recent()
        assert all(call.ok for call in delete)
        stop(bot)
        assert from_file.calls == []
        assert from_env.calls == []


# -- starting ------------------------------------------------------------------------------------


def test_start_up_order_and_command_menus(runner: Runner, fake_telegram: FakeTelegram) -> None:
    waiting = fake_telegram.message(ANN, "/start")  # sent while the bot was off
    bot = runner.start("--token", TOKEN, "--api-url", fake_telegram.url)
    bot.until(lambda: ok_replies(fake_telegram, ANN), STARTED, "the reply to the waiting /start")
    calls = fake_telegram.snapshot()
    methods = [call.method for call in calls]
    assert "deleteWebhook" in methods
    first_poll = min(call.at for call in calls if call.method == "getUpdates")
    delete = fake_telegram.calls_of("deleteWebhook")
    assert delete[0].at < first_poll, fake_telegram.recent()
    # Switching to long polling must not throw away what people sent meanwhile.
    assert str(delete[0].params.get("drop_pending_updates", "false")).lower() == "false"
    assert fetched(fake_telegram, waiting)

    english = fake_telegram.my_commands()
    russian = fake_telegram.my_commands(language_code="ru")
    assert english, fake_telegram.recent()
    assert russian, fake_telegram.recent()
    assert [c["command"] for c in english] == [c["command"] for c in russian]
    assert {"add", "today", "help"} <= {c["command"] for c in english}
    assert [c["description"] for c in english] != [c["description"] for c in russian]
    stop(bot)


@pytest.mark.slow
def test_retries_with_backoff_while_the_api_is_down_at_start(
    runner: Runner, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.stop_listening()  # connection refused
    bot = runner.start("--token", TOKEN, "--api-url", fake_telegram.url)
    bot.until(lambda: bot.stderr.count("setting up failed") >= 2, STARTED, "two failed attempts")
    assert fake_telegram.calls == []
    waits = [
        float(w) for w in re.findall(r"setting up failed .*trying again in (\d+) s", bot.stderr)
    ]
    assert waits[1] > waits[0], bot.stderr  # backing off, not hammering
    assert "could not connect" in bot.stderr
    fake_telegram.start_listening()
    polling(bot, fake_telegram, timeout=15)
    assert fake_telegram.calls_of("deleteWebhook")
    say(bot, fake_telegram, ANN, "/start")
    stop(bot)
    no_leaks(bot.output)


@pytest.mark.parametrize("how", ["revoked-token", "fault"])
def test_a_token_telegram_refuses_exits_1(
    runner: Runner, fake_telegram: FakeTelegram, how: str
) -> None:
    token = OTHER_TOKEN if how == "revoked-token" else TOKEN
    if how == "fault":
        fake_telegram.fail("deleteWebhook", code=401, description="Unauthorized", times=-1)
    bot = runner.start("--token", token, "--api-url", fake_telegram.url)
    code = bot.wait(timeout=STARTED)
    assert code == 1, bot.tail()
    assert "does not accept this bot token" in bot.stderr
    assert "Traceback" not in bot.output
    no_leaks(bot.output, token, token.partition(":")[2], quote(token, safe=""))
    assert not fake_telegram.calls_of("getUpdates")


# -- stopping ------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_cleanly_and_confirms_handled_updates(
    runner: Runner, fake_telegram: FakeTelegram, number: int
) -> None:
    bot = runner.running(fake_telegram)
    update = fake_telegram.message(ANN, "/start")
    bot.until(lambda: ok_replies(fake_telegram, ANN), 10, "the reply to /start")
    fake_telegram.wait_idle()
    polling(bot, fake_telegram)  # a long poll (25 s) is in progress
    replies = len(ok_replies(fake_telegram, ANN))

    took = stop(bot, number)
    assert took < 6, f"took {took:.1f} s\n{bot.tail()}"
    assert fake_telegram.confirmed >= update, fake_telegram.recent()
    assert f"received {signal.Signals(number).name}" in bot.stderr
    assert "Traceback" not in bot.output

    again = runner.running(fake_telegram)
    say(again, fake_telegram, BEN, "/start")  # the restarted bot does answer
    assert len(ok_replies(fake_telegram, ANN)) == replies  # and not /start again
    stop(again)


def test_a_stop_with_nothing_handled_yet_is_quick(
    runner: Runner, fake_telegram: FakeTelegram
) -> None:
    bot = runner.running(fake_telegram)
    took = stop(bot)
    assert took < 6, f"took {took:.1f} s\n{bot.tail()}"


def test_a_stop_while_waiting_for_the_api_is_quick(
    runner: Runner, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.stop_listening()
    bot = runner.start("--token", TOKEN, "--api-url", fake_telegram.url)
    bot.logged("setting up failed", timeout=STARTED)
    took = stop(bot)
    assert took < 6, f"took {took:.1f} s\n{bot.tail()}"
    assert fake_telegram.calls == []


@pytest.mark.slow
def test_a_reply_in_flight_at_sigterm_still_arrives(
    runner: Runner, fake_telegram: FakeTelegram
) -> None:
    bot = runner.running(fake_telegram, "--log-level", "DEBUG")  # telebot logs each request
    fake_telegram.delay("sendMessage", 2)
    update = fake_telegram.message(ANN, "/start")
    bot.logged("/sendMessage params=")
    time.sleep(0.3)  # the reply is now on its way, held 2 s by the fake
    assert not fake_telegram.calls_of("sendMessage", ANN)

    signalled = bot.send(signal.SIGTERM)
    code = bot.wait()
    took = time.monotonic() - signalled
    assert code == 0, bot.tail()
    assert took < 6, f"took {took:.1f} s\n{bot.tail()}"
    replies = ok_replies(fake_telegram, ANN)
    assert replies, f"{fake_telegram.recent()}\n{bot.tail()}"
    assert replies[0].at < signalled  # it was in flight when the signal came
    assert fake_telegram.confirmed >= update
    no_leaks(bot.output)


@pytest.mark.slow
def test_an_update_in_hand_at_sigterm_is_finished_and_confirmed(
    runner: Runner, fake_telegram: FakeTelegram
) -> None:
    bot = runner.running(fake_telegram, "--log-level", "DEBUG")
    say(bot, fake_telegram, ANN, "/import")
    before = len(ok_replies(fake_telegram, ANN))
    fake_telegram.delay("getFile", 2)  # the handler itself waits on the Bot API
    update = fake_telegram.document(ANN, "habits.json", b"this is not JSON")
    bot.logged("/getFile params=")
    time.sleep(0.3)
    assert not fake_telegram.calls_of("getFile")  # still being answered

    signalled = bot.send(signal.SIGTERM)
    code = bot.wait()
    took = time.monotonic() - signalled
    assert code == 0, bot.tail()
    assert took < 6, f"took {took:.1f} s\n{bot.tail()}"
    replies = ok_replies(fake_telegram, ANN)[before:]
    assert replies, f"{fake_telegram.recent()}\n{bot.tail()}"
    assert "is not a format habitcore imports" in (replies[-1].text or "")
    assert fake_telegram.calls_of("getFile")[0].at < signalled
    assert fake_telegram.confirmed >= update
    no_leaks(bot.output)


@pytest.mark.slow
def test_the_console_script_runs_and_stops(runner: Runner, fake_telegram: FakeTelegram) -> None:
    bot = runner.running(fake_telegram, script=True)
    say(bot, fake_telegram, ANN, "/start")
    took = stop(bot)
    assert took < 6


# -- the token never shows -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_token_never_appears_in_any_output(runner: Runner, fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    bot = runner.running(fake, "--log-level", "DEBUG")
    say(bot, fake, ANN, "/start")
    say(bot, fake, ANN, "/add Read")
    say(bot, fake, ANN, "/today")

    # A proxy's error page that echoes the request path, token and all.
    echo = f"<html><body>502 Bad Gateway: POST /bot{TOKEN}/sendMessage</body></html>"
    fake.fail("sendMessage", code=502, raw=echo)
    say(bot, fake, 302, "/today")  # other people: no waiting for a chat's pace
    assert "sendMessage failed (sendMessage: HTTP 502)" in bot.stderr

    fake.stop_listening()  # the long poll is cut, then connections are refused
    time.sleep(2)
    fake.start_listening()
    say(bot, fake, 303, "/help", timeout=15)  # a long poll ends with this
    bot.logged("the Bot API answers again")

    fake.fail("getUpdates", code=409)
    say(bot, fake, 304, "/today")
    bot.logged("getUpdates failed (getUpdates: 409")
    say(bot, fake, 305, "/help")

    say(bot, fake, 306, "/import")
    fake.fail("getFile", code=200, raw=f"proxy error: GET /bot{TOKEN}/getFile")
    fake.document(306, "habits.json", b"{}")
    bot.logged("could not download an import: getFile: HTTP 200")  # at DEBUG, its traceback
    bot.until(
        lambda: "could not fetch" in (ok_replies(fake, 306)[-1].text or ""), 10, "the refusal"
    )

    stop(bot)
    output = bot.output
    no_leaks(output)
    # Something was logged for every fault, so the check above is not vacuous.
    assert " DEBUG " in output
    assert "<token>" in output  # lines that carried the token were written, redacted
    assert "habit-telegram is running" in output
    assert "sendMessage failed (sendMessage: HTTP 502)" in output
    assert "getUpdates failed (could not connect to the Bot API)" in output
    assert "getUpdates failed (getUpdates: 409" in output
    assert "Traceback" in output
    assert "ApiInvalidJSONException" in output
    assert "received SIGTERM" in output
    assert "stopped in" in output


def test_the_formatter_redacts_a_connection_error_with_the_token_in_its_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}/bot{TOKEN}/getUpdates?offset=1"
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(url, timeout=5)
    error = caught.value
    assert SECRET in str(error)  # the premise: requests names the URL
    record = logging.LogRecord(
        "habitcore_telegram.polling",
        logging.ERROR,
        __file__,
        1,
        "getUpdates failed: %s (also %s)",
        (error, quote(TOKEN, safe="")),
        (type(error), error, error.__traceback__),
    )
    text = RedactingFormatter(token_secrets(TOKEN)).format(record)
    assert "ConnectionError" in text
    assert "Traceback" in text
    assert "<token>" in text
    no_leaks(text)


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
