"""The installed ``habit`` executable in real processes: a pseudo-terminal for the table and the
confirmation prompt, and a real SIGINT for the reminder loop."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from habit_process import HABIT, process_env, run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path, TERM="xterm-256color", LINES="40")


def in_terminal(env: dict[str, str], args: list[str], answer: str | None = None) -> tuple[int, str]:
    """Run ``habit`` with a pseudo-terminal as stdin/stdout; type ``answer`` at a prompt."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(HABIT), *args], env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    output = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if answer is not None and not answered and b"[y/N]" in output:
                os.write(leader, answer.encode())
                answered = True
        elif process.poll() is not None:
            break
    code = process.wait(timeout=10)
    os.close(leader)
    return code, output.decode("utf-8", "replace")


def test_the_table_renders_with_colour_and_unicode_on_a_terminal(env: dict[str, str]) -> None:
    assert run(env, "add", "Read").returncode == 0
    assert run(env, "done", "read").returncode == 0
    code, screen = in_terminal(env, ["list"])
    assert code == 0
    assert "Read" in screen
    assert "\x1b[" in screen  # colour
    assert "✔ done" in screen
    assert "█" in screen
    code, page = in_terminal(env, ["show", "read"])
    assert code == 0
    assert "■" in page
    assert "done" in page
    assert "Current streak: 1" in page
    code, figures = in_terminal(env, ["stats"])
    assert code == 0
    assert "Read" in figures
    assert "█" in figures
    piped = run(env, "list")
    assert "\x1b[" not in piped.stdout
    assert "█" not in piped.stdout


def test_rm_asks_on_a_terminal(env: dict[str, str]) -> None:
    run(env, "add", "Read")
    code, screen = in_terminal(env, ["rm", "read"], answer="n\n")
    assert code == 1
    assert "Delete 'Read' and its 0 check-ins for good? [y/N]" in screen
    assert run(env, "list", "--json").stdout.count('"name": "Read"') == 1
    code, screen = in_terminal(env, ["rm", "read"], answer="y\n")
    assert code == 0
    assert "Deleted Read." in screen
    assert run(env, "list", "--json").stdout.strip() == "[]"


def test_resume_asks_on_a_terminal_before_cancelling_a_planned_vacation(
    env: dict[str, str],
) -> None:
    run(env, "add", "Read")
    run(env, "pause", "--from", "2999-01-01", "--to", "2999-01-05")
    code, screen = in_terminal(env, ["resume"], answer="n\n")
    assert code == 0
    assert "Also cancel pause #1 of every habit (2999-01-01 to 2999-01-05)? [y/N]" in screen
    assert "Kept pause #1" in screen
    assert '"id": 1' in run(env, "pauses", "--json").stdout
    code, screen = in_terminal(env, ["resume"], answer="y\n")
    assert code == 0
    assert "Cancelled pause #1 of every habit" in screen
    assert run(env, "pauses", "--json").stdout.strip() == "[]"


def test_python_dash_m_works_too(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "habitcore_cli", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("habit (habitcore) ")


def test_ctrl_c_stops_habit_remind_at_once(env: dict[str, str]) -> None:
    run(env, "add", "Read", "--remind", "21:00")
    process = subprocess.Popen(
        [str(HABIT), "remind", "--interval", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("Watching for reminders every 1 s")
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    assert time.monotonic() - started < 3
    assert process.returncode == 0
    assert out == "Stopped reminders.\n"
    assert "Traceback" not in err


def test_shell_completion_offers_every_command(env: dict[str, str]) -> None:
    # Click's completion protocol, as a shell's completion script drives it.
    from habitcore_cli.commands import COMMANDS

    completing = {
        **env,
        "_HABIT_COMPLETE": "complete_bash",
        "COMP_WORDS": "habit ",
        "COMP_CWORD": "1",
    }
    done = subprocess.run([str(HABIT)], env=completing, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == set(COMMANDS)
