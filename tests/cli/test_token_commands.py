"""``habit token create``, ``list`` and ``revoke`` through the installed command: the token
alone on stdout (so ``TOKEN=$(habit token create)`` works), never shown again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import habitcore
from habit_process import process_env, run
from habitcore import tokens


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path)


def test_create_prints_the_token_alone_and_it_names_the_user(
    env: dict[str, str], tmp_path: Path
) -> None:
    made = run(env, "token", "create", "--label", "phone")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n"
    assert token.startswith("hc_")
    store = habitcore.Store(env["HABITCORE_DATABASE_URL"])
    try:
        assert tokens.user_of(store, token, habitcore.SystemClock().now()) == "local"
    finally:
        store.close()
    listed = json.loads(run(env, "token", "list", "--json").stdout)
    assert [t["label"] for t in listed] == ["phone"]
    assert listed[0]["last_used"] is not None
    assert token not in run(env, "token", "list").stdout


def test_another_users_token_and_revoke(env: dict[str, str]) -> None:
    bot = run(env, "token", "create", "--user", "telegram:42").stdout.strip()
    store = habitcore.Store(env["HABITCORE_DATABASE_URL"])
    try:
        assert tokens.user_of(store, bot, habitcore.SystemClock().now()) == "telegram:42"
    finally:
        store.close()
    assert json.loads(run(env, "token", "list", "--json").stdout) == []
    revoked = run(env, "token", "revoke", "token 1", "--user", "telegram:42")
    assert revoked.stdout == (
        "Revoked the token 'token 1'; requests with it are refused from now on.\n"
    )
    again = run(env, "token", "revoke", "token 1", "--user", "telegram:42")
    assert again.returncode == 1
    assert "No token is labelled 'token 1'" in again.stderr


def test_a_label_twice_is_refused_and_prints_no_token(env: dict[str, str]) -> None:
    run(env, "token", "create", "--label", "phone")
    twice = run(env, "token", "create", "--label", "phone")
    assert (twice.returncode, twice.stdout) == (1, "")
    assert twice.stderr == "Error: A token is already labelled 'phone'; pick another label.\n"
