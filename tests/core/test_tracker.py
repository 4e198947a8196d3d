"""The façade as a person uses it: habits, check-ins, settings, pauses, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import habitcore
from habitcore.rules.stats import DayState
from habitcore.storage.store import Store
from habitcore.testing import FakeClock
from habitcore.tracker import Tracker

TODAY = date(2026, 1, 10)


def snapshot(tracker: Tracker) -> dict[str, object]:
    """Everything the user has, to prove a failed call changed nothing."""
    document = tracker.export()
    document.pop("exported_at")
    return document


def test_add_check_and_stats(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    for day in range(1, 10):
        tracker.check("Read", day=date(2026, 1, day))
    stats = tracker.stats("Read")
    assert (stats.current_streak, stats.best_streak) == (9, 9)
    assert stats.current is not None
    assert (stats.current.start, stats.current.end) == (date(2026, 1, 1), date(2026, 1, 9))
    assert stats.state is DayState.DUE  # today not done yet, and the streak still stands
    assert stats.completion_rate == 1.0
    tracker.check("Read")
    assert tracker.stats("Read").current_streak == 10
    assert tracker.stats("Read").state is DayState.DONE


def test_names_are_unique_case_insensitively_in_any_script(tracker: Tracker) -> None:
    tracker.add_habit("Чтение 📚")
    with pytest.raises(habitcore.DuplicateHabit, match="already have an active habit"):
        tracker.add_habit("  ЧТЕНИЕ   📚 ")
    tracker.check("чтение 📚")
    assert tracker.habit("ЧТЕНИЕ 📚").name == "Чтение 📚"
    assert tracker.stats("Чтение 📚").state is DayState.DONE


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name of 1 to 100 characters"),
        ("   ", "needs a name of 1 to 100 characters"),
        ("x" * 101, "at most 100 characters; this one has 101"),
        ("x" * 10_000, "at most 100 characters; this one has 10000"),
        ("bad\x00name", "control characters"),
        ("\x1b]0;owned\x07", "control characters"),
        ("Read\u200b", "invisible formatting characters"),
        ("\u202egnidaeR", "invisible formatting characters"),
        ("\ufeffRead", "invisible formatting characters"),
        ("Read\ud800", "invisible formatting characters"),
    ],
)
def test_bad_names_are_refused_and_change_nothing(
    tracker: Tracker, name: str, message: str
) -> None:
    before = snapshot(tracker)
    with pytest.raises(habitcore.InvalidName, match=message):
        tracker.add_habit(name)
    assert snapshot(tracker) == before


def test_a_hundred_character_emoji_name_is_fine(tracker: Tracker) -> None:
    name = "🔥" * 100
    tracker.add_habit(name)
    assert [h.name for h in tracker.habits()] == [name]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"schedule": "sometimes"}, habitcore.InvalidSchedule),
        ({"reminders": ["25:61"]}, habitcore.InvalidTime),
        ({"reminders": ["08:00 funday"]}, habitcore.InvalidWeekday),
        ({"target": -3, "unit": "pages"}, habitcore.InvalidAmount),
        ({"target": 0}, habitcore.InvalidAmount),
        ({"unit": "pages"}, habitcore.InvalidAmount),
        ({"at_most": True}, habitcore.InvalidAmount),
        ({"description": "d" * 1001}, habitcore.InvalidName),
    ],
)
def test_bad_habit_settings_change_nothing(
    tracker: Tracker, kwargs: dict[str, object], error: type[Exception]
) -> None:
    before = snapshot(tracker)
    with pytest.raises(error):
        tracker.add_habit("Read", **kwargs)  # type: ignore[arg-type]
    assert snapshot(tracker) == before


def test_unknown_habit_is_a_clear_error(tracker: Tracker) -> None:
    with pytest.raises(habitcore.HabitNotFound) as caught:
        tracker.check("Nope")
    assert str(caught.value) == (
        "There is no habit called 'Nope'; list your habits to see their exact names."
    )


def test_future_days_are_refused(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 5))
    with pytest.raises(habitcore.InvalidDay, match="2026-01-11 has not come yet"):
        tracker.check("Read", day=date(2026, 1, 11))
    with pytest.raises(habitcore.InvalidDay, match="2026-01-11 has not come yet"):
        tracker.skip("Read", day=date(2026, 1, 11))
    assert tracker.checkins("Read") == []
    assert tracker.habit("Read").start == date(2026, 1, 5)


def test_day_start_moves_the_habit_day(tracker: Tracker, clock: FakeClock) -> None:
    tracker.set_timezone("Europe/Moscow")  # UTC+3 all year
    tracker.set_day_start("04:00")
    tracker.add_habit("Read", start=date(2026, 1, 1))
    clock.set(datetime(2026, 1, 13, 1, 30, tzinfo=UTC) - timedelta(hours=3))  # Tue 01:30 MSK
    assert tracker.today() == date(2026, 1, 12)  # still Monday's habit day
    tracker.check("Read")
    assert tracker.checkins("Read")[0].day == date(2026, 1, 12)


def test_travel_keeps_the_streak(tracker: Tracker, clock: FakeClock) -> None:
    """Check-ins are habit days: flying from Moscow to New York moves no check-in."""
    tracker.set_timezone("Europe/Moscow")
    tracker.add_habit("Read", start=date(2026, 1, 1))
    for day in range(1, 10):
        tracker.check("Read", day=date(2026, 1, day))
    tracker.set_timezone("America/New_York")
    clock.set(datetime(2026, 1, 10, 23, 0, tzinfo=UTC))  # 18:00 in New York on the 10th
    tracker.check("Read")
    assert tracker.stats("Read").current_streak == 10


def test_measurable_amounts(tracker: Tracker) -> None:
    tracker.add_habit("Pages", target=20, unit="pages")
    tracker.check("Pages", amount=12)
    status = {h.name: h for h in tracker.habits()}["Pages"]
    assert status.state is DayState.DUE  # 12 of 20 is not done yet
    assert status.stats.amount_today == 12
    tracker.check("Pages", amount=8, add=True)
    assert tracker.stats("Pages").amount_today == 20
    assert tracker.stats("Pages").state is DayState.DONE
    tracker.check("Pages")  # no amount: the whole target
    assert tracker.checkins("Pages")[0].amount == 20
    with pytest.raises(habitcore.InvalidAmount, match="must be a number from 0"):
        tracker.check("Pages", amount=float("nan"))
    tracker.add_habit("Read")
    with pytest.raises(habitcore.InvalidAmount, match="yes/no habit and takes no amount"):
        tracker.check("Read", amount=3)


def test_at_most_habit(tracker: Tracker) -> None:
    tracker.add_habit("Coffee", target=2, unit="cups", at_most=True, start=date(2026, 1, 8))
    tracker.check("Coffee", day=date(2026, 1, 8), amount=1)
    tracker.check("Coffee", day=date(2026, 1, 9), amount=4)
    stats = tracker.stats("Coffee")
    assert stats.current_streak == 0
    assert stats.best_streak == 1


def test_skip_and_uncheck(tracker: Tracker) -> None:
    tracker.add_habit("Run", start=date(2026, 1, 7))
    tracker.check("Run", day=date(2026, 1, 7))
    tracker.skip("Run", day=date(2026, 1, 8))
    tracker.check("Run", day=date(2026, 1, 9))
    assert tracker.stats("Run").current_streak == 2  # the skip neither broke nor counted
    assert tracker.uncheck("Run", day=date(2026, 1, 8)) is True
    assert tracker.uncheck("Run", day=date(2026, 1, 8)) is False
    assert tracker.stats("Run").current_streak == 1  # the 8th is now simply missed


def test_pauses_freeze_streaks_and_resume_ends_them(tracker: Tracker) -> None:
    tracker.add_habit("Read", start=date(2026, 1, 1))
    tracker.add_habit("Run", start=date(2026, 1, 1))
    for day in range(1, 5):
        tracker.check("Read", day=date(2026, 1, day))
        tracker.check("Run", day=date(2026, 1, day))
    tracker.pause(start=date(2026, 1, 5), end=date(2026, 1, 20))  # a vacation for everything
    assert tracker.stats("Read").current_streak == 4
    assert {h.name: h.state for h in tracker.habits()} == {
        "Read": DayState.PAUSED,
        "Run": DayState.PAUSED,
    }
    assert len(tracker.resume()) == 1
    assert tracker.pauses() == [habitcore.Pause(date(2026, 1, 5), date(2026, 1, 9))]
    assert tracker.stats("Read").state is DayState.DUE
    assert tracker.stats("Read").current_streak == 4
    with pytest.raises(habitcore.InvalidPause, match="cannot end"):
        tracker.pause("Read", start=date(2026, 2, 2), end=date(2026, 2, 1))


def test_archive_unarchive_delete(tracker: Tracker) -> None:
    tracker.add_habit("Read", reminders=["21:00"])
    tracker.archive("Read")
    assert tracker.habits() == []
    assert [h.name for h in tracker.habits(archived=True)] == ["Read"]
    with pytest.raises(habitcore.HabitArchived, match="unarchive it first"):
        tracker.check("Read")
    tracker.add_habit("read")  # the archived namesake does not block a new active habit
    with pytest.raises(habitcore.DuplicateHabit):
        tracker.unarchive("Read")
    tracker.delete_habit("read")
    assert tracker.unarchive("Read").reminders == ("21:00",)
    tracker.delete_habit("Read")
    assert tracker.habits(archived=True) == []


def test_edit_habit(tracker: Tracker) -> None:
    tracker.add_habit("Read", reminders=["21:00"])
    tracker.add_habit("Run")
    edited = tracker.edit_habit(
        "read", new_name="Reading", schedule="Mon, Wed", target=20, unit="pages"
    )
    assert (edited.name, edited.schedule, edited.target, edited.unit) == (
        "Reading",
        "mon,wed",
        20,
        "pages",
    )
    assert edited.reminders == ("21:00",)
    before = snapshot(tracker)
    with pytest.raises(habitcore.DuplicateHabit):
        tracker.edit_habit("Reading", new_name="RUN", schedule="daily")
    with pytest.raises(habitcore.InvalidSchedule):
        tracker.edit_habit("Reading", new_name="Books", schedule="often")
    assert snapshot(tracker) == before
    assert tracker.edit_habit("Reading", target=None).kind is habitcore.Kind.YES_NO
    assert tracker.edit_habit("Reading", reminders=[]).reminders == ()


def test_resolve_prefixes(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.add_habit("Run")
    tracker.add_habit("Rest days")
    assert tracker.resolve("rea") == "Read"
    assert tracker.resolve("RUN") == "Run"
    with pytest.raises(habitcore.AmbiguousHabit) as caught:
        tracker.resolve("r")
    assert caught.value.candidates == ["Read", "Run", "Rest days"]
    with pytest.raises(habitcore.HabitNotFound):
        tracker.resolve("x")


def test_order_and_move(tracker: Tracker) -> None:
    for name in ("A", "B", "C"):
        tracker.add_habit(name)
    tracker.move("C", 0)
    assert [h.name for h in tracker.habits()] == ["C", "A", "B"]


def test_settings_validation(tracker: Tracker) -> None:
    before = tracker.settings()
    with pytest.raises(habitcore.InvalidTimezone, match="IANA name"):
        tracker.set_timezone("Mars/Olympus")
    with pytest.raises(habitcore.InvalidTime, match="hours go from 00 to 23"):
        tracker.set_day_start("25:61")
    with pytest.raises(habitcore.InvalidWeekday):
        tracker.set_week_start("someday")
    assert tracker.settings() == before
    assert tracker.set_week_start("sunday").week_start == "sunday"
    assert tracker.set_timezone("europe/moscow").timezone == "Europe/Moscow"


def test_users_are_separate_and_remote_users_start_in_utc(store: Store, clock: FakeClock) -> None:
    local = Tracker(store, clock=clock)
    remote = Tracker(store, user="telegram:12345", clock=clock)
    assert local.settings().timezone_set is True
    assert (remote.settings().timezone, remote.settings().timezone_set) == ("UTC", False)
    local.add_habit("Read")
    remote.add_habit("Read")
    remote.check("Read")
    assert local.stats("Read").state is DayState.DUE
    assert remote.stats("Read").state is DayState.DONE
    remote.delete_user()
    assert [h.name for h in local.habits()] == ["Read"]
    again = Tracker(store, user="telegram:12345", clock=clock)
    assert again.habits() == []


def test_open_uses_the_platform_data_dir_by_default(tmp_path: Path) -> None:
    url = habitcore.default_url()
    assert url == f"sqlite:///{tmp_path / 'home' / '.local' / 'share' / 'habitcore' / 'habits.db'}"
    tracker = habitcore.open()
    tracker.add_habit("Read")
    assert habitcore.open().habit("Read").name == "Read"


def test_adding_to_a_day_recorded_before_the_habit_was_measurable(tracker: Tracker) -> None:
    tracker.add_habit("Read")
    tracker.check("Read")
    tracker.edit_habit("Read", target=20, unit="pages")
    tracker.check("Read", amount=5, add=True)
    assert tracker.checkins("Read")[-1].amount == 25


@pytest.mark.parametrize("start", [date(1, 1, 1), date(9999, 12, 31)])
def test_start_dates_out_of_range_are_refused(tracker: Tracker, start: date) -> None:
    with pytest.raises(habitcore.InvalidDay, match="must lie between 1900-01-01"):
        tracker.add_habit("Ancient", start=start)
    assert tracker.habits() == []
