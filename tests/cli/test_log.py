"""``habit log`` (every habit, a column per day, sized to the terminal) and narrow terminals:
at 40 columns the log, the heatmap and the figures shrink to fit and never wrap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from habit_process import process_env, run

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = process_env(tmp_path)
    run(env, "add", "Read", "--start", "-20")
    run(env, "add", "A habit with a really long name indeed", "--start", "-20")
    run(env, "done", "read", "-3..-1")
    run(env, "skip", "read", "-5")
    return env


def rows(output: str) -> dict[str, str]:
    """The log's rows by name: the marks after the name column."""
    found = {}
    for line in output.splitlines()[1:]:
        if line.startswith(("Read", "A habit")):
            name, _, marks = line.rpartition(" ")
            found[name.strip()] = marks
    return found


def test_the_log_shows_each_day_of_each_habit_up_to_today(env: dict[str, str]) -> None:
    shown = run({**env, "COLUMNS": "60"}, "log", "--since", "-9")
    assert shown.returncode == 0, shown.stderr
    marks = rows(shown.stdout)
    # From 9 days ago: missed, the skip, missed, three done, and today still open.
    assert marks["Read"] == "xxxxsx###o"
    assert set(marks) == {"Read", "A habit with a real…"}
    assert len(marks["A habit with a real…"]) == 10
    assert "# done" in shown.stdout


def test_the_log_fits_the_terminal_and_says_what_it_left_out(env: dict[str, str]) -> None:
    shown = run({**env, "COLUMNS": "40"}, "log", "--since", "-200")
    assert shown.returncode == 0
    assert all(cell_len(line) <= 40 for line in shown.stdout.splitlines())
    assert len(rows(shown.stdout)["Read"]) == 40 - 20 - 1
    assert (
        shown.stderr == "Showing the last 19 days, as many as fit; a wider terminal shows more.\n"
    )


def test_the_log_refuses_a_day_ahead(env: dict[str, str]) -> None:
    refused = run(env, "log", "--since", "+2")
    assert refused.returncode == 2
    assert "'+2' has not come yet; the log ends today." in refused.stderr


@pytest.mark.parametrize("columns", [40, 60, 100])
@pytest.mark.parametrize("command", [["log"], ["show", "read"], ["list"], ["stats"]])
def test_nothing_is_wider_than_the_terminal(
    env: dict[str, str], columns: int, command: list[str]
) -> None:
    shown = run({**env, "COLUMNS": str(columns), "FORCE_COLOR": "1", "TERM": "xterm"}, *command)
    assert shown.returncode == 0, shown.stderr
    widest = max(cell_len(ANSI.sub("", line)) for line in shown.stdout.splitlines())
    assert widest <= columns


def test_the_heatmap_shows_fewer_weeks_when_narrow(env: dict[str, str]) -> None:
    def weeks(columns: int) -> int:
        page = run({**env, "COLUMNS": str(columns)}, "show", "read").stdout
        monday = next(line for line in page.splitlines() if line.startswith("Mo"))
        return len(monday.split()) - 1

    assert 26 <= weeks(100) <= 27  # 26 weeks, and the one they begin in
    assert 4 <= weeks(40) <= 18
