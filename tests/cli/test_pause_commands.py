"""``habit pause``, ``pauses``, ``unpause`` and ``resume`` through the installed command: every
pause can be seen and taken back, and resume says what it ended and what it kept or cancelled."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from habit_process import process_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path)


def today() -> date:
    return datetime.now(UTC).date()


def listed(env: dict[str, str], *args: str) -> list[dict[str, object]]:
    found = run(env, "pauses", "--json", *args)
    assert found.returncode == 0, found.stderr
    result: list[dict[str, object]] = json.loads(found.stdout)
    return result


def streak(env: dict[str, str], name: str) -> int:
    value: int = json.loads(run(env, "show", name, "--json").stdout)["current_streak"]
    return value


def test_a_mistyped_pause_is_seen_and_taken_back_after_resume(env: dict[str, str]) -> None:
    run(env, "add", "Gym", "--start", "-40")
    for back in range(40, 0, -1):
        run(env, "done", "gym", f"-{back}")
    assert streak(env, "gym") == 40
    first = (today() - timedelta(days=30)).isoformat()
    assert run(env, "pause", "gym", "--from", first, "--to", "+400").returncode == 0
    resumed = run(env, "resume", "gym")
    assert resumed.returncode == 0
    [entry] = listed(env)
    ident = entry["id"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert resumed.stdout == (
        f"Ended pause #{ident} of Gym ({first} to {(today() + timedelta(days=400)).isoformat()}); "
        f"it now ends {yesterday}. If it was a mistake, habit unpause {ident} removes it "
        "altogether.\n"
    )
    assert entry == {
        "id": ident,
        "habit_id": entry["habit_id"],
        "habit": "Gym",
        "start": first,
        "end": yesterday,
        "state": "past",
    }
    assert isinstance(entry["habit_id"], int)
    removed = run(env, "unpause", str(ident))
    assert removed.returncode == 0
    assert removed.stdout.startswith(f"Removed pause #{ident} of Gym ({first} to {yesterday})")
    assert listed(env) == []
    assert streak(env, "gym") == 40


def test_pause_without_an_end_lasts_until_resume(env: dict[str, str]) -> None:
    run(env, "add", "Gym")
    paused = run(env, "pause", "gym")
    assert paused.stdout == f"Paused Gym from {today().isoformat()} until you resume it.\n"
    [entry] = listed(env, "gym")
    assert (entry["end"], entry["state"]) == (None, "now")
    table = run(env, "pauses").stdout
    assert "until resumed" in table
    assert f"#{entry['id']}" in table
    assert json.loads(run(env, "show", "gym", "--json").stdout)["state"] == "paused"
    run(env, "resume", "gym")
    assert listed(env) == []  # it began today, so it is gone
    assert json.loads(run(env, "show", "gym", "--json").stdout)["state"] == "due"


def test_resume_off_a_terminal_keeps_a_planned_vacation_and_says_so(env: dict[str, str]) -> None:
    run(env, "add", "Read")
    start, end = (
        (today() + timedelta(days=10)).isoformat(),
        (today() + timedelta(days=20)).isoformat(),
    )
    run(env, "pause", "--from", start, "--to", end)
    [entry] = listed(env)
    kept = run(env, "resume")
    assert kept.stdout == (
        f"Kept pause #{entry['id']} of every habit ({start} to {end}); "
        f"habit unpause {entry['id']} cancels it.\n"
    )
    assert listed(env) == [entry]
    cancelled = run(env, "resume", "--yes")
    assert (
        cancelled.stdout == f"Cancelled pause #{entry['id']} of every habit ({start} to {end}).\n"
    )
    assert listed(env) == []
    assert run(env, "resume").stdout == "Every habit had no pause to end; nothing changed.\n"


@pytest.mark.parametrize(
    ("ident", "code", "message"),
    [
        ("999", 1, "Error: There is no pause #999; list the pauses to see their ids.\n"),
        ("#999", 1, "Error: There is no pause #999; list the pauses to see their ids.\n"),
        ("gym", 2, "'gym' is not a pause id; habit pauses lists them."),
    ],
)
def test_unpause_refuses_what_is_not_a_pause(
    env: dict[str, str], ident: str, code: int, message: str
) -> None:
    run(env, "add", "Gym")
    run(env, "pause", "gym", "--to", "+3")
    before = listed(env)
    refused = run(env, "unpause", ident)
    assert refused.returncode == code
    assert refused.stdout == ""
    assert message in refused.stderr
    assert listed(env) == before
