"""Who may do what: every route refuses a missing, wrong or revoked token with 401, and a
habit or pause of another person is a 404 word for word as one that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from api_client import Api, served_routes
from habitcore import tokens
from habitcore_api import create_app

# Each /v1 route with a body that would succeed: the walk below must name every route.
CALLS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/v1/habits"): {},
    ("POST", "/v1/habits"): {"json": {"name": "Stretch"}},
    ("GET", "/v1/habits/{habit_id}"): {},
    ("PATCH", "/v1/habits/{habit_id}"): {"json": {"description": "ten minutes"}},
    ("DELETE", "/v1/habits/{habit_id}"): {},
    ("POST", "/v1/habits/{habit_id}/archive"): {},
    ("POST", "/v1/habits/{habit_id}/unarchive"): {},
    ("GET", "/v1/habits/{habit_id}/stats"): {},
    ("POST", "/v1/habits/{habit_id}/done"): {"json": {"note": "ok"}},
    ("POST", "/v1/habits/{habit_id}/skip"): {"json": {}},
    ("POST", "/v1/habits/{habit_id}/undo"): {"json": {}},
    ("PUT", "/v1/habits/{habit_id}/note"): {"json": {"note": "second thoughts"}},
    ("GET", "/v1/habits/{habit_id}/checkins"): {},
    ("GET", "/v1/stats"): {},
    ("GET", "/v1/today"): {},
    ("GET", "/v1/pauses"): {"params": {"habit_id": "{habit_id}"}},
    ("POST", "/v1/pauses"): {"json": {"habit_id": "{habit_id}", "end": "+2"}},
    ("DELETE", "/v1/pauses/{pause_id}"): {},
    ("POST", "/v1/resume"): {"json": {"habit_id": "{habit_id}"}},
    ("GET", "/v1/settings"): {},
    ("PATCH", "/v1/settings"): {"json": {"language": "de"}},
    ("GET", "/v1/export"): {},
    ("POST", "/v1/import"): {"files": {"file": ("h.json", b'{"format": "habitcore"}')}},
}
PERSONAL = [key for key in CALLS if "{habit_id}" in key[1] or "{pause_id}" in key[1]]
PERSONAL += [("GET", "/v1/pauses"), ("POST", "/v1/pauses"), ("POST", "/v1/resume")]


def _filled(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    return value


def call(api: Api, key: tuple[str, str], ids: dict[str, int], token: str | None) -> Any:
    method, template = key
    options = _filled(CALLS[key], ids)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return api.client.request(method, template.format(**ids), headers=headers, **options)


def test_the_table_names_every_route_the_application_serves(api: Api) -> None:
    assert served_routes(create_app(api.store)) == set(CALLS)


def _ids(api: Api) -> dict[str, int]:
    habit = api.ann.add_habit("Gym").id
    api.ann.check(habit, note="first")
    api.ann.pause(habit, start=api.ann.today(), end=None)
    return {"habit_id": habit, "pause_id": api.ann.pause_list()[0].id}


@pytest.mark.parametrize("key", list(CALLS), ids=" ".join)
def test_no_token_a_wrong_one_or_a_revoked_one_is_401_and_changes_nothing(
    api: Api, key: tuple[str, str]
) -> None:
    ids = _ids(api)
    before = api.ann.export()
    revoked = tokens.create(api.store, "ann", api.clock.now(), "old")
    tokens.revoke(api.store, "ann", "old")
    for token in (None, "", "hc_" + "x" * 43, api.token[:-2], revoked, "Basic abc"):
        answer = call(api, key, ids, token)
        assert answer.status_code == 401, (token, answer.text)
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["detail"].startswith("This request needs a valid token")
    assert {k: v for k, v in api.ann.export().items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"
    }


@pytest.mark.parametrize("key", PERSONAL, ids=" ".join)
def test_another_persons_habit_or_pause_is_404_exactly_as_one_that_does_not_exist(
    api: Api, key: tuple[str, str]
) -> None:
    ids = _ids(api)
    before = api.ann.export()
    theirs = call(api, key, ids, api.bob_token)
    missing = {k: v + 1000 for k, v in ids.items()}
    nowhere = call(api, key, missing, api.bob_token)
    assert theirs.status_code == 404, theirs.text
    assert nowhere.status_code == 404
    detail = theirs.json()["detail"]
    assert detail == nowhere.json()["detail"].replace(
        str(missing["habit_id"]), str(ids["habit_id"])
    ).replace(str(missing["pause_id"]), str(ids["pause_id"]))
    assert "Gym" not in detail
    assert {k: v for k, v in api.ann.export().items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"
    }
    if key[1].endswith("/unarchive"):
        api.ann.archive(ids["habit_id"])
    assert call(api, key, ids, api.token).status_code < 400  # and the owner may


def test_a_token_sees_only_its_owners_habits(api: Api) -> None:
    api.ann.add_habit("Gym")
    api.bob.add_habit("Chess")
    assert [h["name"] for h in api.call("GET", "/v1/habits").json()] == ["Gym"]
    assert [h["name"] for h in api.call("GET", "/v1/habits", token=api.bob_token).json()] == [
        "Chess"
    ]
    made = api.call("POST", "/v1/habits", token=api.bob_token, json={"name": "Gym"})
    assert made.status_code == 201  # the same name is Bob's own habit, not a duplicate
    assert [s.habit.name for s in api.ann.habits()] == ["Gym"]
