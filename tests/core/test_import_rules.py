"""An import obeys the rules typed input does, and a malformed file is refused, never a crash.

These hold for every format because ``habitcore.exchange.merge`` is the one writer; they are
shown here through habitcore's own JSON and CSV, the formats a person edits by hand.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

import habitcore
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

TODAY = date(2026, 1, 10)


def _snapshot(tracker: Tracker) -> Any:
    document = tracker.export()
    document.pop("exported_at")
    return document


def _log(tracker: Tracker) -> list[tuple[Any, ...]]:
    with tracker.store.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text("SELECT * FROM reminder_log"))]


def test_importing_your_own_export_keeps_reminders_and_what_they_fired(
    tracker: Tracker, clock: FakeClock
) -> None:
    """A UTC user's 21:00 reminder is sent; an import at 21:30 moves them to New York, where
    21:00 comes round again at 02:00 UTC: that day was already reminded of, so nothing fires."""
    tracker.add_habit("Read", reminders=["21:00"], start=date(2026, 1, 1))
    clock.set(datetime(2026, 1, 10, 21, 0, tzinfo=UTC))
    sent = tracker.due_reminders()
    assert [(r.habit, r.day) for r in sent] == [("Read", TODAY)]
    document = tracker.export()
    document["settings"]["timezone"] = "America/New_York"
    log = _log(tracker)
    clock.set(datetime(2026, 1, 10, 21, 30, tzinfo=UTC))
    tracker.import_data(document)
    assert tracker.settings().timezone == "America/New_York"
    assert _log(tracker) == log  # the log is kept whole
    clock.set(datetime(2026, 1, 11, 2, 0, tzinfo=UTC))  # 21:00 on Jan 10 in New York
    assert tracker.due_reminders() == []
    clock.set(datetime(2026, 1, 12, 2, 0, tzinfo=UTC))  # 21:00 on Jan 11 in New York
    again = tracker.due_reminders()
    assert [(r.reminder_id, r.day) for r in again] == [(sent[0].reminder_id, date(2026, 1, 11))]


def test_a_reminder_the_file_changes_is_replaced_and_others_keep_their_ids(
    tracker: Tracker,
) -> None:
    tracker.add_habit("Read", reminders=["21:00", "08:00"])
    ids = _reminder_ids(tracker)
    document = tracker.export()
    document["habits"][0]["reminders"] = ["21:00", "09:15"]
    tracker.import_data(document)
    after = _reminder_ids(tracker)
    assert after[21 * 60] == ids[21 * 60]
    assert 8 * 60 not in after
    assert 9 * 60 + 15 in after


def _reminder_ids(tracker: Tracker) -> dict[int, int]:
    with tracker.store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT minutes, id FROM reminders"))
        return {minutes: ident for minutes, ident in rows}


def test_a_day_after_today_is_left_out_and_said(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    document = tracker.export()
    document["habits"][0]["checkins"] = [
        {"day": "2026-01-09", "status": "done"},
        {"day": "2030-01-01", "status": "done"},
    ]
    summary = tracker.import_data(document)
    assert [c.day for c in tracker.checkins("Read")] == [date(2026, 1, 9)]
    assert [str(u) for u in summary.unmapped] == [
        "days after today: left out: only past days and today"
    ]


def test_a_day_before_the_start_moves_it_back_on_import(tracker: Tracker, tmp_path: Path) -> None:
    tracker.add_habit("Read")
    path = tmp_path / "checkins.csv"
    path.write_text("habit,day,status,amount,note\nRead,2025-06-01,done,,\n", encoding="utf-8")
    tracker.import_file(path)
    assert tracker.habit("Read").start == date(2025, 6, 1)


def test_a_csv_adds_only_days_not_recorded_here(tracker: Tracker, tmp_path: Path) -> None:
    tracker.add_habit("Pages", target=20, unit="pages", start=date(2026, 1, 1))
    tracker.check("Pages", day=date(2026, 1, 2), amount=5)
    path = tmp_path / "checkins.csv"
    path.write_text(
        "habit,day,status,amount,note\n"
        "Pages,2026-01-02,done,7,\n"  # recorded otherwise here: kept
        "Pages,2026-01-03,done,12,'=HYPERLINK(x)\n"  # a protected note comes back as typed
        "Walk,2026-01-03,skipped,,rain\n",
        encoding="utf-8",
    )
    summary = tracker.import_file(path)
    assert (summary.checkins_added, summary.checkins_kept) == (2, 1)
    assert summary.habits_added == ["Walk"]
    assert [(c.day, c.amount, c.note) for c in tracker.checkins("Pages")] == [
        (date(2026, 1, 2), 5, None),
        (date(2026, 1, 3), 12, "=HYPERLINK(x)"),
    ]
    again = tracker.import_file(path)
    assert (again.checkins_added, again.habits_added, again.habits_merged) == (
        0,
        [],
        ["Pages", "Walk"],
    )


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tracker: Tracker) -> None:
    for name in ("=1+1", "+SUM(A1)", "-5 kg", "@cmd"):
        tracker.add_habit(name, start=date(2026, 1, 1))
        tracker.check(name, day=date(2026, 1, 2), note=f"{name[0]}note")
    rows = tracker.export_csv().splitlines()[1:]
    assert all(row.startswith("'") for row in rows)
    assert all(",'" in row.split(",", 3)[-1] for row in rows)  # the notes too


def test_a_csv_with_a_bad_date_on_line_9000_names_the_line(
    tracker: Tracker, tmp_path: Path
) -> None:
    path = tmp_path / "checkins.csv"
    lines = ["habit,day,status,amount,note"]
    start = date(2000, 1, 1)
    lines += [f"Read,{start + timedelta(days=i)},done,," for i in range(8998)]
    lines.append("Read,2026-13-01,done,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(habitcore.InvalidImport, match="Line 9000: '2026-13-01' is not a date"):
        tracker.import_file(path)
    assert tracker.habits(archived=True) == []


def _export_with(change: Any) -> bytes:
    clock = FakeClock(datetime(2026, 1, 10, 12, tzinfo=UTC))
    source = habitcore.testing.memory_tracker(clock=clock)
    source.add_habit("Read", target=3, unit="pages", start=date(2026, 1, 1))
    source.check("Read", day=date(2026, 1, 2))
    document = source.export()
    if callable(change):
        change(document)
        return json.dumps(document).encode()
    return bytes(change)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["habits"][0].update(unit={"a": 1}), r"habits\[0\]: A unit must be text"),
        (lambda d: d["habits"][0].update(description={}), r"habits\[0\]: A description must be"),
        (lambda d: d["habits"][0].update(reminders=5), r"habits\[0\].reminders: expected a list"),
        (lambda d: d["habits"][0].update(reminders=[7]), r"habits\[0\].reminders: expected text"),
        (lambda d: d["habits"][0].update(checkins=5), r"habits\[0\].checkins: expected a list"),
        (lambda d: d["habits"][0].update(name="\ud800"), r"habits\[0\]: A habit name cannot"),
        (lambda d: d["habits"][0].update(description="\x1b]0;x\x07"), "control characters"),
        (lambda d: d["habits"][0].update(name="Re\u200bad"), "invisible formatting"),
        (lambda d: d["habits"][0]["checkins"][0].update(note="\x00"), "control characters"),
        (lambda d: d["settings"].update(timezone=3), "settings.timezone: expected text"),
        (lambda d: d["settings"].update(language=["en"]), "settings.language: expected text"),
        (lambda d: d.update(settings=[]), "settings: expected an object"),
        (b"[" * 100_000 + b"]" * 100_000, "nests more than 32 levels"),
        (b'{"format": "habitcore", "version": 1, "habits": [{"name": "\xff"}]}', "not UTF-8"),
        (b'{"format": "habitcore", "version": 1, "habits": [{"name": "\\ud800"}]}', "cannot"),
        (b"\xef\xbb\xbf{", "not valid JSON"),
    ],
)
def test_a_malformed_export_is_refused_with_a_sentence_and_changes_nothing(
    tracker: Tracker, tmp_path: Path, change: Any, message: str
) -> None:
    tracker.add_habit("Walk")
    before = _snapshot(tracker)
    path = tmp_path / "export.json"
    path.write_bytes(_export_with(change))
    with pytest.raises(habitcore.InvalidImport, match=message) as caught:
        tracker.import_file(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert _snapshot(tracker) == before


@given(st.text(max_size=12))
def test_protecting_a_cell_and_reading_it_back_gives_the_text(text: str) -> None:
    from habitcore.exchange.spreadsheet import FORMULA_STARTS, protect, unprotect

    cell = protect(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert unprotect(cell) == text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["habits"].append({**d["habits"][0], "name": "READ", "start": "2026-01-02"}),
            r"habits\[1\]: the name 'READ' appears twice",
        ),
        (lambda d: d["habits"][0].update(at_most="false"), r"habits\[0\].at_most: expected true"),
        (lambda d: d["habits"][0].update(archived="no"), r"habits\[0\].archived: expected true"),
        (
            lambda d: d["habits"][0].update(position=2**70),
            r"habits\[0\].position: expected a whole",
        ),
        (
            lambda d: d["habits"][0]["checkins"].append(
                {"day": "2026-01-03", "status": "done", "amount": 10**400}
            ),
            r"habits\[0\].checkins\[1\]: An amount must be a number",
        ),
        (
            lambda d: d["habits"][0].update(reminders=[f"{h:02d}:00" for h in range(24)] * 1000),
            r"habits\[0\]: A habit can have at most 12 reminders",
        ),
    ],
)
def test_imports_refuse_what_they_cannot_take_faithfully(
    tracker: Tracker, change: object, message: str
) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    tracker.check("Read", day=date(2026, 1, 2))
    document = tracker.export()
    change(document)  # type: ignore[operator]
    with pytest.raises(habitcore.InvalidImport, match=message):
        tracker.import_data(document)
