"""Export and import: a full round trip, validation before writing, merging, CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import habitcore
from habitcore import exchange
from habitcore.testing import FakeClock, memory_tracker
from habitcore.tracker import Tracker

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
START = date(2025, 10, 1)

names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)
habit_specs = st.fixed_dictionaries(
    {
        "name": names,
        "schedule": st.sampled_from(
            ["daily", "weekdays", "mon,thu", "every 3 days", "2/week", "5/month", "3 in 10 days"]
        ),
        "target": st.none() | st.integers(1, 50),
        "reminders": st.lists(st.sampled_from(["07:00", "21:30", "08:15 mon,fri"]), max_size=2),
        "archived": st.booleans(),
        "days": st.lists(
            st.tuples(
                st.integers(0, 100), st.sampled_from(["done", "skipped"]), st.integers(0, 40)
            ),
            max_size=30,
        ),
        "pause": st.none() | st.tuples(st.integers(0, 100), st.integers(0, 10)),
    }
)
settings_specs = st.fixed_dictionaries(
    {
        "timezone": st.sampled_from(["UTC", "Europe/Moscow", "America/New_York", "Asia/Kolkata"]),
        "day_start": st.sampled_from(["00:00", "04:00", "03:30"]),
        "week_start": st.sampled_from(["monday", "sunday", "saturday"]),
        "vacation": st.none() | st.tuples(st.integers(0, 100), st.integers(0, 10)),
    }
)


def build(tracker: Tracker, settings: dict[str, Any], habits: list[dict[str, Any]]) -> None:
    tracker.set_timezone(settings["timezone"])
    tracker.set_day_start(settings["day_start"])
    tracker.set_week_start(settings["week_start"])
    if settings["vacation"]:
        first, length = settings["vacation"]
        start = START + timedelta(days=first)
        tracker.pause(start=start, end=start + timedelta(days=length))
    seen: set[str] = set()
    for spec in habits:
        key = " ".join(spec["name"].split()).casefold()
        if not key or key in seen:
            continue
        seen.add(key)
        name = tracker.add_habit(
            spec["name"],
            spec["schedule"],
            target=spec["target"],
            unit="units" if spec["target"] else None,
            reminders=spec["reminders"],
            start=START,
        ).name
        for offset, status, amount in spec["days"]:
            day = START + timedelta(days=offset)
            if status == "skipped":
                tracker.skip(name, day=day)
            else:
                tracker.check(name, day=day, amount=amount if spec["target"] else None)
        if spec["pause"]:
            first, length = spec["pause"]
            start = START + timedelta(days=first)
            tracker.pause(name, start=start, end=start + timedelta(days=length))
        if spec["archived"]:
            tracker.archive(name)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    copy.pop("exported_at")
    return copy


@given(settings=settings_specs, habits=st.lists(habit_specs, max_size=4))
def test_export_then_import_into_an_empty_store_gives_the_same_store(
    settings: dict[str, Any], habits: list[dict[str, Any]]
) -> None:
    source = memory_tracker(clock=FakeClock(NOW))
    build(source, settings, habits)
    exported = source.export()
    target = memory_tracker(clock=FakeClock(NOW))
    target.import_data(json.loads(json.dumps(exported)))  # through real JSON text
    assert comparable(target.export()) == comparable(exported)
    # And the figures agree, not just the rows.
    for before, after in zip(
        source.habits(archived=True), target.habits(archived=True), strict=True
    ):
        assert before == after


@given(settings=settings_specs, habits=st.lists(habit_specs, max_size=4))
def test_importing_an_export_twice_equals_importing_it_once(
    settings: dict[str, Any], habits: list[dict[str, Any]]
) -> None:
    source = memory_tracker(clock=FakeClock(NOW))
    build(source, settings, habits)
    text = exchange.write(source.export(), "json")
    target = memory_tracker(clock=FakeClock(NOW))
    target.import_document(exchange.read(exchange.Source.of_bytes("export.json", text)))
    once = comparable(target.export())
    again = target.import_document(exchange.read(exchange.Source.of_bytes("export.json", text)))
    assert again.habits_added == []
    assert again.checkins_added == again.checkins_updated == again.pauses_added == 0
    assert comparable(target.export()) == once


@given(settings=settings_specs, habits=st.lists(habit_specs, max_size=4))
def test_importing_a_csv_twice_equals_importing_it_once(
    settings: dict[str, Any], habits: list[dict[str, Any]]
) -> None:
    source = memory_tracker(clock=FakeClock(NOW))
    build(source, settings, habits)
    data = source.export_csv().encode()
    target = memory_tracker(clock=FakeClock(NOW))
    first = target.import_document(exchange.read(exchange.Source.of_bytes("days.csv", data)))
    once = comparable(target.export())
    again = target.import_document(exchange.read(exchange.Source.of_bytes("days.csv", data)))
    assert again.habits_added == []
    assert again.checkins_added == again.checkins_updated == 0
    assert again.checkins_unchanged == first.checkins_added + first.checkins_unchanged
    assert comparable(target.export()) == once


def test_import_twice_changes_nothing_the_second_time(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1), reminders=["21:00"])
    tracker.check("Read", day=date(2026, 1, 2))
    document = tracker.export()
    summary = tracker.import_data(document)
    assert summary.habits_merged == ["Read"]
    assert (summary.checkins_added, summary.checkins_updated, summary.checkins_unchanged) == (
        0,
        0,
        1,
    )
    assert comparable(tracker.export()) == comparable(document)


def test_import_merges_day_by_day_and_the_file_wins(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    tracker.check("Read", day=date(2026, 1, 2))
    document = tracker.export()
    document["habits"][0]["checkins"] = [
        {"day": "2026-01-02", "status": "skipped", "amount": None},
        {"day": "2026-01-03", "status": "done", "amount": None},
    ]
    document["habits"].append(
        {"name": "Run", "schedule": "3/week", "start": "2026-01-01", "checkins": []}
    )
    summary = tracker.import_data(document)
    assert summary.habits_added == ["Run"]
    assert (summary.checkins_added, summary.checkins_updated) == (1, 1)
    assert [(c.day.day, c.status.value) for c in tracker.checkins("Read")] == [
        (2, "skipped"),
        (3, "done"),
    ]


def test_dry_run_reports_and_writes_nothing(tracker: Tracker) -> None:
    other = memory_tracker(clock=FakeClock(NOW))
    other.add_habit("Read", start=date(2026, 1, 1))
    other.check("Read", day=date(2026, 1, 2))
    seen: list[tuple[int, int]] = []
    summary = tracker.import_data(
        other.export(), dry_run=True, progress=lambda done, total: seen.append((done, total))
    )
    assert summary.habits_added == ["Read"]
    assert summary.checkins_added == 1
    assert seen == [(2, 2)]
    assert tracker.habits() == []


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda d: d.update(format="other"), "not a habitcore export"),
        (lambda d: d.update(version=99), "format version 99"),
        (lambda d: d["habits"][0].update(name=""), r"habits\[0\]: A habit needs a name"),
        (lambda d: d["habits"][0].update(start="2026-13-01"), r"habits\[0\].start: '2026-13-01'"),
        (
            lambda d: d["habits"][0]["checkins"].append({"day": "2026-01-04", "status": "maybe"}),
            r"habits\[0\].checkins\[1\]: status must be 'done' or 'skipped'",
        ),
        (
            lambda d: d["habits"][0]["checkins"].append({"day": "2026-01-02", "status": "done"}),
            r"habits\[0\].checkins\[1\]: 2026-01-02 is listed twice",
        ),
        (lambda d: d["settings"].update(timezone="Mars/Base"), "settings: 'Mars/Base' is not"),
        (lambda d: d["habits"][0].update(reminders=["25:61"]), r"habits\[0\]: '25:61'"),
        (lambda d: d.update(habits="nope"), "habits: expected a list"),
    ],
)
def test_invalid_documents_are_refused_whole(tracker: Tracker, mangle: Any, message: str) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    tracker.check("Read", day=date(2026, 1, 2))
    document = tracker.export()
    before = comparable(document)
    document["habits"][0]["name"] = "Renamed"
    mangle(document)
    with pytest.raises(habitcore.InvalidImport, match=message):
        tracker.import_data(document)
    assert comparable(tracker.export()) == before


def test_csv_lists_every_checkin(tracker: Tracker) -> None:
    tracker.add_habit("Pages, daily", target=20, unit="pages", start=date(2026, 1, 1))
    tracker.check("Pages, daily", day=date(2026, 1, 2), amount=12.5)
    tracker.skip("Pages, daily", day=date(2026, 1, 3))
    rows = list(csv.reader(io.StringIO(tracker.export_csv())))
    assert rows == [
        ["habit", "day", "status", "amount", "note"],
        ["Pages, daily", "2026-01-02", "done", "12.5", ""],
        ["Pages, daily", "2026-01-03", "skipped", "", ""],
    ]
