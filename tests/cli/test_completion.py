"""Shell completion through Click's own protocol (``_HABIT_COMPLETE`` with the words typed so
far), as a shell's completion script drives the installed ``habit``: commands, options,
schedule words, settings and habit names straight from the database."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from habit_process import HABIT, process_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = process_env(tmp_path)
    for name in ("Read", "Run", "Walk", "Old"):
        assert run(env, "add", name).returncode == 0
    run(env, "archive", "Old")
    return env


def complete(env: dict[str, str], typed: str) -> list[str]:
    """What ``habit`` offers for the last word of ``typed`` (bash's form of the protocol)."""
    words = typed.split(" ")
    done = subprocess.run(
        [str(HABIT)],
        env={
            **env,
            "_HABIT_COMPLETE": "complete_bash",
            "COMP_WORDS": typed,
            "COMP_CWORD": str(len(words) - 1),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    return [line for line in done.stdout.split("\n") if line]


@pytest.mark.parametrize("command", ["done", "undo", "skip", "note", "show", "rm", "edit"])
def test_habit_names_come_from_the_database(env: dict[str, str], command: str) -> None:
    assert complete(env, f"habit {command} ") == ["Read", "Run", "Walk"]
    assert complete(env, f"habit {command} R") == ["Read", "Run"]
    assert complete(env, f"habit {command} Wa") == ["Walk"]


def test_names_follow_the_db_option(env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    run({**env, "HABITCORE_DATABASE_URL": f"sqlite:///{other}"}, "add", "Swim")
    assert complete(env, f"habit --db {other} done ") == ["Swim"]


def test_completion_never_creates_a_database(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    assert complete(env, "habit done ") == []
    assert not (tmp_path / "e2e.db").exists()


def test_options_schedule_words_and_settings(env: dict[str, str]) -> None:
    assert complete(env, "habit done --") == ["--amount", "--add", "--note", "--help"]
    assert complete(env, "habit add Tea --schedule we") == ["weekdays", "weekends"]
    assert complete(env, "habit edit Read -s ev") == ["every 2 days"]
    assert complete(env, "habit config ") == ["timezone", "day-start", "week-start", "language"]
    assert "Europe/Berlin" in complete(env, "habit config timezone Europe/Be")
    assert complete(env, "habit config week-start s") == ["saturday", "sunday"]
