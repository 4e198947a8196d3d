"""``habit ask`` at a real pseudo-terminal: one keypress a habit (an amount and Enter for a
measurable one), yesterday's unrecorded habits first, and a clear refusal when piped."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import termios
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from habit_process import HABIT, process_env, run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


class Terminal:
    """``habit`` on a pseudo-terminal: wait for text, then type, as a person would."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.leader, follower = pty.openpty()
        self.process = subprocess.Popen(
            [str(HABIT), *args], env=env, stdin=follower, stdout=follower, stderr=follower
        )
        os.close(follower)
        self.screen = ""

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + 60
        while text not in self.screen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.leader, 4096)
                except OSError:
                    break
                self.screen += chunk.decode("utf-8", "replace")
        assert text in self.screen, self.screen

    def type(self, keys: str) -> None:
        os.write(self.leader, keys.encode())

    def press(self, key: str) -> None:
        """Type one key once habit reads keys one by one (the terminal is out of line mode):
        typed before that, the terminal would hold it back for a whole line."""
        deadline = time.monotonic() + 60
        while termios.tcgetattr(self.leader)[3] & termios.ICANON:
            assert time.monotonic() < deadline, "habit never asked for a single key"
            time.sleep(0.01)
        self.type(key)

    def finish(self) -> int:
        deadline = time.monotonic() + 60
        while self.process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.leader], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.leader, 4096).decode("utf-8", "replace")
                except OSError:
                    break
        code = self.process.wait(timeout=10)
        os.close(self.leader)
        return code


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = process_env(tmp_path, TERM="xterm")
    run(env, "add", "Read", "--start", "-5")
    run(env, "add", "Walk", "--start", "-5")
    run(env, "add", "Pages", "--target", "20", "--unit", "pages", "--start", "-5")
    run(env, "done", "walk", "-1")
    return env


def days_of(env: dict[str, str], name: str) -> dict[str, tuple[str, float | None]]:
    shown = json.loads(run(env, "show", name, "--json").stdout)
    return {c["day"]: (c["status"], c["amount"]) for c in shown["checkins"]}


def test_ask_goes_through_yesterday_then_today_one_key_each(env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    yesterday = (today - timedelta(days=1)).isoformat()
    asking = Terminal(env, "ask")
    asking.wait_for(f"Read ({yesterday})? [y/n/s/q, Enter to leave it]")
    asking.press("y")
    asking.wait_for(f"Pages ({yesterday}): how much of 20 pages?")
    asking.type("oops\r")
    asking.wait_for("'oops' is not an amount")
    asking.type("12\r")
    asking.wait_for("Read (today)?")  # Walk was done yesterday: not asked
    asking.press("s")
    asking.wait_for("Walk (today)?")
    asking.press("\r")
    asking.wait_for("Pages (today): how much of 20 pages?")
    asking.type("n\r")
    assert asking.finish() == 0
    assert "Recorded 3 of 5." in asking.screen
    assert days_of(env, "read") == {yesterday: ("done", None), today.isoformat(): ("skipped", None)}
    assert days_of(env, "pages") == {yesterday: ("done", 12.0)}
    assert today.isoformat() not in days_of(env, "walk")


def test_q_stops_and_keeps_what_was_answered(env: dict[str, str]) -> None:
    asking = Terminal(env, "ask", "today")
    asking.wait_for("Read (today)?")
    asking.press("y")
    asking.wait_for("Walk (today)?")
    asking.press("q")
    assert asking.finish() == 0
    assert "Recorded 1 of 2." in asking.screen
    assert list(days_of(env, "read").values()) == [("done", None)]


def test_ask_when_piped_refuses_and_changes_nothing(env: dict[str, str]) -> None:
    refused = run(env, "ask", stdin="y\n")
    assert refused.returncode == 1
    assert refused.stderr == (
        "Error: habit ask asks on a terminal; in a script use habit done, skip or undo.\n"
    )
    assert days_of(env, "read") == {}
