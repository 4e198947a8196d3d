"""Recording a range of days at once, and putting habits in the order a person wants, through
the installed ``habit``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from habit_process import process_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path)


def checkin_days(env: dict[str, str], name: str) -> list[str]:
    shown = json.loads(run(env, "show", name, "--json").stdout)
    return [c["day"] for c in shown["checkins"]]


def test_a_range_records_every_day_and_moves_the_start_back(env: dict[str, str]) -> None:
    today = datetime.now(UTC).date()
    first, last = today - timedelta(days=14), today - timedelta(days=4)
    run(env, "add", "Read")
    done = run(env, "done", "read", f"{first}..{last}", "--note", "holiday reading")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Read: done for 11 days, {first} to {last} (streak ")
    assert checkin_days(env, "read") == [(first + timedelta(days=n)).isoformat() for n in range(11)]
    shown = json.loads(run(env, "show", "read", "--json").stdout)
    assert shown["start"] == first.isoformat()
    assert {c["note"] for c in shown["checkins"]} == {"holiday reading"}


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("-3..+2", "has not come yet"),
        ("-3..-9", "A range runs from its first day to a later last one"),
        ("-3..someday", "'someday' is not a day"),
    ],
)
def test_a_range_partly_wrong_records_nothing(env: dict[str, str], days: str, message: str) -> None:
    run(env, "add", "Read")
    refused = run(env, "done", "read", days)
    assert refused.returncode == 1
    assert message in refused.stderr
    assert checkin_days(env, "read") == []


def test_move_puts_a_habit_where_it_is_asked(env: dict[str, str]) -> None:
    for name in ("Read", "Run", "Walk"):
        run(env, "add", name)
    assert (
        run(env, "move", "walk", "1").stdout == "Moved Walk; the order is now: Walk, Read, Run.\n"
    )
    assert (
        run(env, "move", "read", "99").stdout == "Moved Read; the order is now: Walk, Run, Read.\n"
    )
    positions = {h["name"]: h["position"] for h in json.loads(run(env, "list", "--json").stdout)}
    assert positions == {"Walk": 0, "Run": 1, "Read": 2}
    refused = run(env, "move", "walk", "0")
    assert refused.returncode == 2
    assert "a place in the list is a whole number, 1 for the first; got '0'." in refused.stderr
