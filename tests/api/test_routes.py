"""Every /v1 route, as a client uses it, on SQLite and on PostgreSQL: what it answers and what it
leaves stored (read back through the library, not through the API itself)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from api_client import Api
from habitcore import shapes

TODAY = date(2026, 1, 10)


def test_a_habit_is_created_listed_read_changed_archived_and_deleted(api: Api) -> None:
    made = api.call("POST", "/v1/habits", json={"name": "Pages", "target": 20, "unit": "pages"})
    assert made.status_code == 201
    habit = made.json()
    assert (habit["name"], habit["kind"], habit["target"], habit["unit"]) == (
        "Pages",
        "measurable",
        20.0,
        "pages",
    )
    ident = habit["id"]
    assert [h["id"] for h in api.call("GET", "/v1/habits").json()] == [ident]
    assert api.ann.find(ident).name == "Pages"

    changed = api.call(
        "PATCH", f"/v1/habits/{ident}", json={"name": "Reading", "schedule": "3/week"}
    )
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["schedule"]) == ("Reading", "3/week")
    assert api.ann.find(ident).schedule == "3/week"
    cleared = api.call("PATCH", f"/v1/habits/{ident}", json={"target": None})
    assert (cleared.json()["kind"], cleared.json()["target"], cleared.json()["unit"]) == (
        "yes_no",
        None,
        None,
    )

    archived = api.call("POST", f"/v1/habits/{ident}/archive")
    assert archived.json()["archived"] is True
    assert api.call("GET", "/v1/habits").json() == []
    assert [h["name"] for h in api.call("GET", "/v1/habits?all=true").json()] == ["Reading"]
    assert api.call("POST", f"/v1/habits/{ident}/unarchive").json()["archived"] is False

    assert api.call("DELETE", f"/v1/habits/{ident}").status_code == 204
    assert api.ann.habits(archived=True) == []
    assert api.call("GET", f"/v1/habits/{ident}").status_code == 404


def test_check_ins_done_skip_undo_with_amount_note_and_past_days(api: Api) -> None:
    ident = api.ann.add_habit("Pages", target=20, unit="pages").id
    first = api.call(
        "POST", f"/v1/habits/{ident}/done", json={"amount": 12, "note": "on the train"}
    )
    assert first.status_code == 200
    assert first.json()["checkin"] == {
        "day": "2026-01-10",
        "status": "done",
        "amount": 12.0,
        "note": "on the train",
    }
    assert first.json()["habit"]["amount_today"] == 12.0
    more = api.call("POST", f"/v1/habits/{ident}/done", json={"amount": 8, "add": True})
    assert more.json()["checkin"]["amount"] == 20.0
    assert more.json()["habit"]["state"] == "done"
    api.call("POST", f"/v1/habits/{ident}/done", json={"day": "yesterday"})
    api.call("POST", f"/v1/habits/{ident}/skip", json={"day": "2026-01-08", "note": "ill"})
    days = {c.day: (c.status.value, c.amount, c.note) for c in api.ann.checkins(ident)}
    assert days == {
        TODAY: ("done", 20.0, "on the train"),
        TODAY - timedelta(days=1): ("done", 20.0, None),
        TODAY - timedelta(days=2): ("skipped", None, "ill"),
    }
    listed = api.call("GET", f"/v1/habits/{ident}/checkins?since=2026-01-09").json()
    assert [c["day"] for c in listed] == ["2026-01-09", "2026-01-10"]

    undone = api.call("POST", f"/v1/habits/{ident}/undo", json={"day": "-1"})
    assert (undone.json()["removed"], undone.json()["day"]) == (True, "2026-01-09")
    again = api.call("POST", f"/v1/habits/{ident}/undo", json={"day": "-1"})
    assert again.json()["removed"] is False
    assert TODAY - timedelta(days=1) not in {c.day for c in api.ann.checkins(ident)}
    bare = api.call("POST", f"/v1/habits/{api.ann.add_habit('Read').id}/done")
    assert bare.json()["checkin"]["day"] == "2026-01-10"


def test_today_stats_and_one_habit_read_as_the_cli_prints_them(api: Api) -> None:
    read = api.ann.add_habit("Read").id
    api.ann.add_habit("Walk")
    api.ann.check(read)
    api.ann.check(read, TODAY - timedelta(days=1))
    statuses = api.ann.habits()
    today = api.call("GET", "/v1/today").json()
    assert today == [shapes.habit(s).data() for s in shapes.checklist_order(statuses)]
    assert [h["name"] for h in today] == ["Walk", "Read"]  # due first
    stats = api.call("GET", "/v1/stats").json()
    assert stats == [shapes.stats(s).data() for s in statuses]
    assert stats[0]["current_streak"] == 2
    one = api.call("GET", f"/v1/habits/{read}/stats").json()
    assert one == stats[0]
    shown = api.call("GET", f"/v1/habits/{read}").json()
    assert [c["day"] for c in shown["checkins"]] == ["2026-01-09", "2026-01-10"]
    assert shown["best"] == {"length": 2, "start": "2026-01-09", "end": "2026-01-10"}


def test_pauses_are_made_listed_resumed_and_removed(api: Api) -> None:
    gym = api.ann.add_habit("Gym").id
    made = api.call("POST", "/v1/pauses", json={"habit_id": gym, "end": "+3"})
    assert made.status_code == 201
    pause = made.json()
    assert (pause["habit_id"], pause["start"], pause["end"], pause["state"]) == (
        gym,
        "2026-01-10",
        "2026-01-13",
        "now",
    )
    vacation = api.call(
        "POST", "/v1/pauses", json={"start": "2026-02-01", "end": "2026-02-14"}
    ).json()
    assert (vacation["habit_id"], vacation["state"]) == (None, "planned")
    assert [p["id"] for p in api.call("GET", "/v1/pauses").json()] == [pause["id"], vacation["id"]]
    assert [p["id"] for p in api.call("GET", f"/v1/pauses?habit_id={gym}").json()] == [
        pause["id"],
        vacation["id"],
    ]
    assert api.call("GET", "/v1/today").json()[0]["state"] == "paused"

    resumed = api.call("POST", "/v1/resume", json={"habit_id": gym}).json()
    assert [p["id"] for p in resumed["ended"]] == [pause["id"]]
    assert api.call("GET", "/v1/today").json()[0]["state"] == "due"
    removed = api.call("DELETE", f"/v1/pauses/{vacation['id']}")
    assert removed.json()["id"] == vacation["id"]
    assert [p.id for p in api.ann.pause_list()] == []  # the resumed one began today: dropped
    assert api.call("DELETE", f"/v1/pauses/{vacation['id']}").status_code == 404


def test_settings_are_read_and_changed_all_or_none(api: Api) -> None:
    assert api.call("GET", "/v1/settings").json() == {
        "timezone": "UTC",
        "day-start": "00:00",
        "week-start": "monday",
        "language": "en",
    }
    changed = api.call(
        "PATCH", "/v1/settings", json={"timezone": "Europe/Berlin", "day-start": "04:00"}
    )
    assert changed.json()["timezone"] == "Europe/Berlin"
    assert api.ann.settings().day_start == "04:00"
    bad = api.call("PATCH", "/v1/settings", json={"timezone": "Asia/Tokyo", "week-start": "funday"})
    assert bad.status_code == 422
    assert "funday" in bad.json()["detail"]
    assert api.ann.settings().timezone == "Europe/Berlin"  # the good half was not stored either


def test_an_export_imports_back_and_a_dry_run_changes_nothing(api: Api) -> None:
    read = api.ann.add_habit("Read").id
    api.ann.check(read)
    exported = api.call("GET", "/v1/export")
    assert exported.status_code == 200
    document = exported.json()
    assert [h["name"] for h in document["habits"]] == ["Read"]
    upload = {"file": ("habits.json", json.dumps(document).encode(), "application/json")}
    dry = api.call("POST", "/v1/import?dry_run=true", token=api.bob_token, files=upload)
    assert dry.status_code == 200
    assert (dry.json()["dry_run"], dry.json()["habits_added"], dry.json()["checkins_added"]) == (
        True,
        ["Read"],
        1,
    )
    assert api.bob.habits() == []
    done = api.call("POST", "/v1/import", token=api.bob_token, files=upload).json()
    assert done["format"] == "json"
    assert [s.habit.name for s in api.bob.habits()] == ["Read"]
    assert [c.day for c in api.bob.checkins("Read")] == [TODAY]


def test_an_import_of_something_else_is_refused_whole(api: Api) -> None:
    picture = {"file": ("cat.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")}
    refused = api.call("POST", "/v1/import", files=picture)
    assert refused.status_code == 422
    assert refused.json() == {"detail": "cat.png is a PNG image, not a file habitcore can import."}
    wrong_kind = api.call("POST", "/v1/import?format=loop", files=picture)
    assert wrong_kind.status_code == 422
    assert api.ann.habits() == []


def test_health_answers_without_a_token_and_names_the_backend(api: Api) -> None:
    answer = api.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": api.store.dialect}


def test_the_contract_and_its_pages_are_served(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "/v1/habits/{habit_id}/done" in schema["paths"]
    assert api.client.get("/docs").status_code == 200


def test_a_days_note_is_written_changed_and_removed_alone(api: Api) -> None:
    ident = api.ann.add_habit("Pages", target=20, unit="pages").id
    api.call("POST", f"/v1/habits/{ident}/done", json={"amount": 12, "day": "yesterday"})
    written = api.call(
        "PUT", f"/v1/habits/{ident}/note", json={"day": "yesterday", "note": "on the train"}
    )
    assert written.status_code == 200
    assert written.json()["checkin"] == {
        "day": "2026-01-09",
        "status": "done",
        "amount": 12.0,
        "note": "on the train",
    }
    removed = api.call("PUT", f"/v1/habits/{ident}/note", json={"day": "2026-01-09", "note": None})
    assert removed.json()["checkin"]["note"] is None
    stored = api.ann.checkins(ident)
    assert [(c.day, c.amount, c.note) for c in stored] == [(TODAY - timedelta(days=1), 12.0, None)]

    nothing = api.call("PUT", f"/v1/habits/{ident}/note", json={"note": "ghost"})
    assert nothing.status_code == 422
    assert nothing.json()["detail"] == (
        "Nothing is recorded for 'Pages' on 2026-01-10; a note goes with a check-in, so record "
        "the day first."
    )
    assert api.ann.checkins(ident) == stored
