"""What a public service refuses, on SQLite and on PostgreSQL: bad input gets the CLI's own
sentence and changes nothing; a body over the cap is 413 however it is sent; a token that asks
too often gets 429 with Retry-After, and other tokens go on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api_client import Api, make_api
from habitcore import Store
from habitcore.testing import FakeClock
from habitcore_api.limits import MAX_BODY, Rate


def stored(api: Api) -> tuple[list[str], str]:
    """Ann's habit names (archived included) and her time zone: what a refusal must not move."""
    return [h.name for h in api.ann.habits(archived=None)], api.ann.settings().timezone


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ({"name": "x" * 10_000}, "A habit name can be at most 100 characters; this one has 10000."),
        ({"name": ""}, "A habit needs a name of 1 to 100 characters."),
        ({"name": "   "}, "A habit needs a name of 1 to 100 characters."),
        (
            {"name": "Read", "reminders": ["25:61"]},
            "'25:61' is not a time of day: hours go from 00 to 23 and minutes from 00 to 59, "
            "for example 21:45.",
        ),
        ({"name": "Read", "schedule": "sometimes"}, None),
        ({"name": "Read", "target": -1}, None),
    ],
    ids=["10000-characters", "empty", "blank", "25:61", "schedule", "negative-target"],
)
def test_a_habit_the_library_refuses_is_422_with_its_sentence_and_nothing_is_made(
    api: Api, body: dict[str, object], sentence: str | None
) -> None:
    before = stored(api)
    answer = api.call("POST", "/v1/habits", json=body)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    if sentence is not None:
        assert detail == sentence
    assert detail.endswith(".")
    assert "Value error" not in detail
    assert stored(api) == before


def test_a_time_zone_that_does_not_exist_changes_no_setting(api: Api) -> None:
    before = api.ann.settings()
    answer = api.call(
        "PATCH", "/v1/settings", json={"day_start": "04:00", "timezone": "Mars/Olympus"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("'Mars/Olympus' is not a time zone;")
    assert api.ann.settings() == before  # the good day start was not stored either


def test_a_day_ahead_and_a_note_too_long_are_refused_and_record_nothing(api: Api) -> None:
    ident = api.ann.add_habit("Read").id
    ahead = api.call("POST", f"/v1/habits/{ident}/done", json={"day": "tomorrow"})
    assert ahead.status_code == 422
    long_note = api.call("POST", f"/v1/habits/{ident}/done", json={"note": "n" * 2001})
    assert long_note.status_code == 422
    assert "2000" in long_note.json()["detail"]
    assert api.ann.checkins(ident) == []


def test_a_body_over_the_cap_is_413_whether_its_length_is_declared_or_not(api: Api) -> None:
    big = b'{"name": "' + b"x" * MAX_BODY + b'"}'
    headers = {**api.auth(), "Content-Type": "application/json"}
    declared = api.client.post("/v1/habits", content=big, headers=headers)
    assert declared.status_code == 413
    assert declared.json() == {
        "detail": "The request body is larger than this path takes (64 KiB)."
    }

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap is counted as bytes arrive
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = api.client.post("/v1/habits", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert api.ann.habits(archived=None) == []


@pytest.fixture
def small_imports(store: Store, clock: FakeClock) -> Iterator[Api]:
    yield from make_api(store, clock, max_import=4096)


def test_an_upload_over_the_import_cap_is_413_and_imports_nothing(small_imports: Api) -> None:
    api = small_imports
    api.ann.add_habit("Read")
    export = api.call("GET", "/v1/export").content
    padded = export.rstrip()[:-1] + b', "padding": "' + b" " * 8192 + b'"}'
    answer = api.call("POST", "/v1/import", files={"file": ("habits.json", padded)})
    assert answer.status_code == 413
    assert answer.json()["detail"] == "The request body is larger than this path takes (4 KiB)."
    assert [h.name for h in api.ann.habits()] == ["Read"]


@pytest.fixture
def limited(store: Store, clock: FakeClock) -> Iterator[Api]:
    """Two requests a token at once, then one a minute: a third in a row is surely too soon."""
    yield from make_api(store, clock, rate=Rate(per_minute=1, burst=2))


def test_a_token_past_its_rate_gets_429_with_retry_after_and_others_go_on(limited: Api) -> None:
    api = limited
    assert [api.call("GET", "/v1/habits").status_code for _ in range(2)] == [200, 200]
    refused = api.call("POST", "/v1/habits", json={"name": "Read"})
    assert refused.status_code == 429
    assert refused.json()["detail"] == (
        "Too many requests with this token; wait a little and try again."
    )
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api.ann.habits() == []  # the refused request changed nothing
    assert api.call("GET", "/v1/habits", token=api.bob_token).status_code == 200
