"""What ``habit`` says, through the installed command: help that reads as English, numbers as
people write them, a "did you mean" where a near miss is likely, the day and schedule forms
people type, and no command that claims success for doing nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from habit_process import process_env, run
from habitcore_cli.commands import COMMANDS


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path)


@pytest.mark.parametrize("command", [*sorted(COMMANDS), "db path", "db backup"])
def test_help_shows_names_not_type_syntax(env: dict[str, str], command: str) -> None:
    shown = run(env, *command.split(), "--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Usage: habit {command} ")
    for syntax in ("{", "<str>", "<list", "<int", "<float", "<bool>", "<path>", " range>"):
        assert syntax not in shown.stdout, (command, syntax)


def test_amounts_and_targets_read_as_people_write_them(env: dict[str, str]) -> None:
    assert run(env, "add", "Pages", "--target", "20", "--unit", "pages").stdout == (
        "Added Pages (daily, 20 pages).\n"
    )
    assert run(env, "add", "Coffee", "-t", "2.5", "-u", "cups", "--at-most").stdout == (
        "Added Coffee (daily, at most 2.5 cups).\n"
    )
    done = run(env, "done", "pages", "--amount", "1000000000")
    assert done.stdout.startswith("Pages: 1,000,000,000 of 20 pages for ")
    assert "e+" not in run(env, "list").stdout


def test_a_bad_choice_is_our_sentence_not_a_validation_library_s(env: dict[str, str]) -> None:
    refused = run(env, "export", "-f", "xml")
    assert refused.returncode == 2
    assert "'xml' is not a format habit knows; use json, csv, loop-csv or harsh." in refused.stderr
    assert "Value error" not in refused.stderr


def test_near_misses_get_a_did_you_mean(env: dict[str, str]) -> None:
    run(env, "add", "Meditate")
    assert "Did you mean 'done'?" in run(env, "donee", "meditate").stderr
    assert run(env, "config", "timezone", "berlin").stderr == (
        "Error: 'berlin' is not a time zone; did you mean Europe/Berlin?\n"
    )
    assert "did you mean 'Meditate'?" in run(env, "show", "medtate").stderr


def test_the_day_forms_people_type(env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    run(env, "add", "Read", "--start", "-10")
    back = today - timedelta(days=3)
    typed = f"{back.year}-{back.month}-{back.day}"
    assert run(env, "done", "read", typed).returncode == 0
    ahead = run(env, "done", "read", "+1")
    assert ahead.returncode == 1
    assert "has not come yet" in ahead.stderr
    days = [c["day"] for c in json.loads(run(env, "show", "read", "--json").stdout)["checkins"]]
    assert days == [back.isoformat()]
    assert run(env, "pause", "read", "--to", "+2").stdout == (
        f"Paused Read from {today} to {today + timedelta(days=2)}.\n"
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("weekly", "1/week"),
        ("monthly", "1/month"),
        ("every 2 weeks", "1 in 14 days"),
        ("3/7", "3 in 7 days"),
    ],
)
def test_schedule_words_from_other_trackers(env: dict[str, str], typed: str, shown: str) -> None:
    assert run(env, "add", "Walk", "-s", typed).stdout == f"Added Walk ({shown}).\n"


def test_commands_that_would_do_nothing_say_so(env: dict[str, str]) -> None:
    run(env, "add", "Read")
    before = run(env, "export").stdout
    edit = run(env, "edit", "read")
    assert edit.returncode == 2
    assert "nothing to change" in edit.stderr
    assert "Updated" not in edit.stdout
    language = run(env, "config", "language", "klingon")
    assert language.returncode == 1
    assert "'klingon' is not a language code" in language.stderr
    after = run(env, "export").stdout
    assert re.sub(r'"exported_at": "[^"]*"', "", after) == re.sub(
        r'"exported_at": "[^"]*"', "", before
    )
