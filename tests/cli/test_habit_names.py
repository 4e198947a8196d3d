"""How a command reaches a habit, through the installed ``habit``: a prefix only records, never
deletes, archives or renames; an active habit comes before an archived namesake, which is
reached with ``--archived`` or its ``#ID``; every refusal says what to type instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from habit_process import process_env, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path)


def names(env: dict[str, str], *flags: str) -> list[str]:
    listed = run(env, "list", "--json", *flags)
    assert listed.returncode == 0, listed.stderr
    return sorted(item["name"] for item in json.loads(listed.stdout))


def test_a_second_rm_of_a_deleted_name_does_not_delete_its_longer_namesake(
    env: dict[str, str],
) -> None:
    run(env, "add", "Tea")
    run(env, "add", "Teapot")
    assert run(env, "rm", "Tea", "-y").returncode == 0
    second = run(env, "rm", "Tea", "-y")
    assert second.returncode == 1
    assert second.stderr == (
        "Error: No habit is called exactly 'Tea'; 'Teapot' begins so, but deleting, archiving, "
        "editing and renaming need a habit's whole name or its id (#N).\n"
    )
    assert names(env) == ["Teapot"]


@pytest.mark.parametrize(
    "args",
    [["archive", "tea"], ["edit", "tea", "--name", "Green tea"], ["edit", "tea", "-s", "weekdays"]],
)
def test_archive_and_edit_need_the_whole_name(env: dict[str, str], args: list[str]) -> None:
    run(env, "add", "Teapot")
    before = run(env, "list", "--json").stdout
    refused = run(env, *args)
    assert refused.returncode == 1
    assert "'Teapot' begins so" in refused.stderr
    assert run(env, "list", "--json").stdout == before


def test_whole_names_in_any_case_and_ids_do_reach_the_habit(env: dict[str, str]) -> None:
    run(env, "add", "Teapot")
    run(env, "add", "Read")
    ident = next(
        i["id"] for i in json.loads(run(env, "list", "--json").stdout) if i["name"] == "Read"
    )
    assert run(env, "edit", "TEAPOT", "--name", "Kettle").returncode == 0
    assert run(env, "archive", f"#{ident}").stdout == (
        "Archived Read. Bring it back with: habit unarchive 'Read'\n"
    )
    assert names(env) == ["Kettle"]


def test_recording_takes_a_prefix_and_names_what_it_matched(env: dict[str, str]) -> None:
    run(env, "add", "Teapot")
    done = run(env, "done", "tea")
    assert done.returncode == 0
    assert done.stdout.startswith("Teapot: done for ")


def test_an_active_habit_comes_before_its_archived_namesake_everywhere(
    env: dict[str, str],
) -> None:
    run(env, "add", "Guitar", "--start", "-10")
    run(env, "done", "guitar", "-5")
    run(env, "archive", "Guitar")
    run(env, "add", "Guitar")
    shown = json.loads(run(env, "show", "guitar", "--json").stdout)
    assert (shown["archived"], shown["checkins"]) == (False, [])
    old = json.loads(run(env, "show", "guitar", "--archived", "--json").stdout)
    assert (old["archived"], len(old["checkins"])) == (True, 1)
    assert run(env, "done", "guitar").returncode == 0
    assert json.loads(run(env, "show", "guitar", "--json").stdout)["state"] == "done"
    # Deleting the archived one takes --archived; the active one stays.
    assert run(env, "rm", "guitar", "--archived", "-y").stdout == (
        "Deleted the archived habit Guitar.\n"
    )
    assert names(env, "--all") == ["Guitar"]


def test_an_archived_habit_is_named_as_archived_with_the_way_back(env: dict[str, str]) -> None:
    run(env, "add", "Morning run")
    run(env, "archive", "Morning run")
    for args in (["done", "morning run"], ["archive", "Morning run"], ["show", "morning run"]):
        refused = run(env, *args)
        assert refused.returncode == 1, args
        assert refused.stderr == (
            "Error: 'Morning run' is archived; `habit unarchive 'Morning run'` brings it back.\n"
        ), args
    assert run(env, "unarchive", "morning").returncode == 0
    assert run(env, "unarchive", "morning run").stderr == (
        "Error: 'Morning run' is not archived; only an archived habit comes back.\n"
    )


def test_a_duplicate_name_is_refused_without_advice_to_unarchive(env: dict[str, str]) -> None:
    run(env, "add", "Walk")
    refused = run(env, "add", "walk")
    assert refused.returncode == 1
    assert refused.stderr == (
        "Error: You already have an active habit called 'Walk'; pick another name.\n"
    )
    run(env, "archive", "Walk")
    run(env, "add", "Walk")
    clash = run(env, "unarchive", "walk")
    assert clash.returncode == 1
    assert clash.stderr == (
        "Error: An active habit is already called 'Walk'; rename one of the two before "
        "bringing the archived one back.\n"
    )
    assert names(env, "--all") == ["Walk", "Walk"]


def test_a_typo_gets_a_did_you_mean(env: dict[str, str]) -> None:
    run(env, "add", "Meditate")
    refused = run(env, "done", "meditat3")
    assert refused.returncode == 1
    assert (
        refused.stderr == "Error: There is no habit called 'meditat3'; did you mean 'Meditate'?\n"
    )
