"""An at-most habit (a ceiling, such as at most 2 cups) through the installed command: within
the ceiling it is done, past it it reads ``over`` in the checklist, the JSON and the heatmap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from habit_process import process_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = process_env(tmp_path)
    run(env, "add", "Coffee", "--target", "2", "--unit", "cups", "--at-most")
    return env


def state(env: dict[str, str]) -> str:
    value: str = json.loads(run(env, "show", "coffee", "--json").stdout)["state"]
    return value


def test_three_of_two_cups_is_over_not_due(env: dict[str, str]) -> None:
    assert state(env) == "due"  # nothing logged yet today: still open
    run(env, "done", "coffee", "--amount", "1")
    assert state(env) == "done"
    run(env, "done", "coffee", "--amount", "2", "--add")
    assert state(env) == "over"
    listed = run(env, "list").stdout
    assert "over 3/2" in listed
    assert "due" not in listed
    page = run(env, "show", "coffee").stdout
    assert "Today:          over" in page
    assert "! over" in page  # the heatmap's legend names the mark
    assert heatmap_marks(page) == {"!": 1}


def heatmap_marks(page: str) -> dict[str, int]:
    """How often each mark other than 'not due' shows in the heatmap's weekday rows."""
    rows = [line[3:] for line in page.splitlines() if line[:2] in WEEKDAYS]
    marks = [mark for row in rows for mark in row.split() if mark != "."]
    return {mark: marks.count(mark) for mark in sorted(set(marks))}


WEEKDAYS = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}


def test_past_days_over_the_ceiling_keep_their_own_mark(env: dict[str, str]) -> None:
    run(env, "done", "coffee", "-1", "--amount", "5")
    run(env, "done", "coffee", "-2", "--amount", "1")
    page = run(env, "show", "coffee").stdout
    assert heatmap_marks(page) == {"!": 1, "#": 1, "o": 1}  # today, nothing logged, is open
