"""The bot's own clockwork through the fake Bot API: reminders at each person's local time with
their buttons, morning messages at each day start, the loop thread itself, and reminders that
survive a restart.
"""

# The fake hands back loosely typed dicts; a missing key fails the test anyway.
# mypy: disable-error-code="union-attr,index,operator,type-var,no-untyped-call"

from __future__ import annotations

import collections
import itertools
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_telegram import Call, FakeTelegram
from habitcore import Tracker
from habitcore.rules.days import habit_day, local_instant
from habitcore.rules.habits import Goal
from habitcore.rules.reminders import ReminderRule, next_fire
from habitcore.rules.schedule import parse_schedule
from habitcore.storage.tables import ReminderLogRow
from habitcore.testing import FakeClock
from habitcore_telegram.service import Tuning
from strategies import dst_zone_names
from telegram_harness import BotRun, button_data, labels, press, start_bot

ANN, BOB, CAT = 101, 202, 303
TODAY = date(2026, 11, 25)
MSK_21 = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # 21:00 in Moscow
LABELS = ["✅ Done", "⏭ Skip", "💤 1 hour"]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def texts(calls: list[Call], user: int | None = None) -> list[str]:
    return [
        c.text or ""
        for c in calls
        if c.method == "sendMessage" and c.ok and (user is None or c.chat_id == user)
    ]


def message_of(run: BotRun, user: int, starting: str) -> dict[str, Any]:
    found = [m for m in run.fake.sent(user) if (m.get("text") or "").startswith(starting)]
    assert len(found) == 1, [m.get("text") for m in run.fake.sent(user)]
    return found[0]


def start(run: BotRun, user: int, zone: str, *adds: str) -> None:
    run.say(user, "/start")
    run.say(user, f"/timezone {zone}")
    for line in adds:
        run.say(user, f"/add {line}")
        assert run.last(user)["text"].startswith("Added"), run.last(user)["text"]


# -- reminders ---------------------------------------------------------------------------------


def test_reminder_at_local_time_with_done_skip_snooze(telegram: BotRun) -> None:
    start(
        telegram,
        ANN,
        "Europe/Moscow",
        "Read | daily | 21:00",
        "Run | daily | 21:00",
        "Walk | daily | 21:00",
        "Swim | daily | 21:00",
    )
    telegram.clock.set(MSK_21 - timedelta(hours=1))
    telegram.tracker(ANN).check("Swim")  # done already: no reminder
    telegram.clock.set(MSK_21 - timedelta(minutes=1))
    assert texts(telegram.tick()) == []

    telegram.clock.set(MSK_21)
    sent = texts(telegram.tick())
    assert sorted(sent) == [
        "⏰ Time for Read (21:00)",
        "⏰ Time for Run (21:00)",
        "⏰ Time for Walk (21:00)",
    ]
    assert texts(telegram.tick()) == []  # never twice
    telegram.clock.advance(minutes=5)
    assert texts(telegram.tick()) == []

    # Done checks the habit for that day and edits the reminder in place.
    read = message_of(telegram, ANN, "⏰ Time for Read")
    assert labels(read) == LABELS
    calls, answer = press(telegram, ANN, read, button_data(read, "Done"))
    assert answer == "✅ Read: done"
    edits = [c for c in calls if c.method == "editMessageText"]
    assert [e.int("message_id") for e in edits] == [read["message_id"]]
    now = telegram.fake.stored(ANN, read["message_id"])
    assert now["text"] == "✅ Read: done"
    assert labels(now) == ["📝 Note"]  # a reply to it, or the button, sets the day's note
    assert [(c.day, c.status) for c in telegram.tracker(ANN).checkins("Read")] == [(TODAY, "done")]

    # Skip skips.
    run_msg = message_of(telegram, ANN, "⏰ Time for Run")
    _calls, answer = press(telegram, ANN, run_msg, button_data(run_msg, "Skip"))
    assert answer == "⏭ Run: skipped today"
    assert telegram.fake.stored(ANN, run_msg["message_id"])["text"] == answer
    assert labels(telegram.fake.stored(ANN, run_msg["message_id"])) == ["📝 Note"]
    assert [(c.day, c.status) for c in telegram.tracker(ANN).checkins("Run")] == [
        (TODAY, "skipped")
    ]

    # Snooze fires it again an hour after the tap, and not before.
    walk = message_of(telegram, ANN, "⏰ Time for Walk")
    _calls, answer = press(telegram, ANN, walk, button_data(walk, "1 hour"))
    assert answer == "💤 Walk: I will remind you again in an hour."
    assert telegram.fake.stored(ANN, walk["message_id"])["text"] == answer
    assert labels(telegram.fake.stored(ANN, walk["message_id"])) == []  # nothing to note yet
    assert telegram.tracker(ANN).checkins("Walk") == []
    tapped = telegram.clock.now()
    telegram.clock.set(tapped + timedelta(minutes=59))
    assert texts(telegram.tick()) == []
    telegram.clock.set(tapped + timedelta(hours=1))
    calls = telegram.tick()
    assert texts(calls) == ["⏰ Time for Walk (21:00)"]
    again = telegram.last(ANN)
    assert labels(again) == LABELS
    assert texts(telegram.tick()) == []
    _calls, answer = press(telegram, ANN, again, button_data(again, "Done"))
    assert answer == "✅ Walk: done"
    assert [c.status for c in telegram.tracker(ANN).checkins("Walk")] == ["done"]

    # The next day at 21:00 in Moscow: all four again (none is done yet).
    telegram.clock.set(MSK_21 + timedelta(days=1))
    assert len([t for t in texts(telegram.tick(), ANN) if t.startswith("⏰")]) == 4


def test_a_reply_to_a_reminder_answered_done_sets_the_days_note(telegram: BotRun) -> None:
    start(telegram, ANN, "UTC", "Read | daily | 21:00", "Run | daily | 21:00")
    telegram.clock.set(at(25, 21))
    telegram.tick()
    read = message_of(telegram, ANN, "⏰ Time for Read")
    run = message_of(telegram, ANN, "⏰ Time for Run")
    hint = telegram.say(ANN, "too early", reply_to=run["message_id"])  # not answered yet
    assert texts(hint)[0].startswith("That message is no check-in I can put a note on.")
    press(telegram, ANN, read, button_data(read, "Done"))
    telegram.clock.set(at(26, 0, 30))  # the next day: a note for the reminder's day still works
    telegram.tick()
    calls = telegram.say(ANN, "before bed", reply_to=read["message_id"])
    assert texts(calls) == ["📝 Note saved for Read, Wed, 25 Nov."]
    assert [(c.day, c.note) for c in telegram.tracker(ANN).checkins("Read")] == [
        (TODAY, "before bed")
    ]
    # Its 📝 Note button asks, and the answer replaces the note.
    answered = telegram.fake.stored(ANN, read["message_id"])
    _calls, answer = press(telegram, ANN, answered, button_data(answered, "Note"))
    assert answer == "Send the note in the chat."
    telegram.say(ANN, "on the train")
    assert [c.note for c in telegram.tracker(ANN).checkins("Read")] == ["on the train"]
    assert telegram.tracker(ANN).checkins("Run") == []


def test_reminder_buttons_from_yesterday(telegram: BotRun) -> None:
    start(telegram, ANN, "UTC", "Read | daily | 21:00")
    telegram.clock.set(at(25, 21))
    telegram.tick()
    reminder = message_of(telegram, ANN, "⏰ Time for Read")
    telegram.clock.set(at(26, 0, 30))
    telegram.tick()  # the morning message
    for label in ("Done", "Skip"):
        calls, answer = press(telegram, ANN, reminder, button_data(reminder, label))
        assert answer == "This is from Wed, 25 Nov; send /today for today's list."
        assert not [c for c in calls if c.method == "editMessageText"]
    assert telegram.tracker(ANN).checkins("Read") == []


def test_snooze_on_yesterdays_reminder_is_refused(telegram: BotRun) -> None:
    start(telegram, ANN, "UTC", "Read | daily | 21:00")
    telegram.clock.set(at(25, 21))
    telegram.tick()
    reminder = message_of(telegram, ANN, "⏰ Time for Read")
    telegram.clock.set(at(26, 0, 30))
    telegram.tick()  # the morning message
    _calls, answer = press(telegram, ANN, reminder, button_data(reminder, "1 hour"))
    assert answer == "This is from Wed, 25 Nov; send /today for today's list."
    telegram.clock.set(at(26, 1, 30))
    assert [t for t in texts(telegram.tick()) if "⏰" in t] == []


def test_no_reminder_after_downtime_longer_than_the_grace_period(telegram: BotRun) -> None:
    start(telegram, ANN, "Europe/Moscow", "Read | daily | 21:00")
    telegram.clock.set(MSK_21 + timedelta(minutes=31))  # the bot was down from 20:59 to 21:31
    assert texts(telegram.tick()) == []
    assert texts(telegram.tick()) == []
    # Within the grace period the next day: late, but sent, once.
    telegram.clock.set(MSK_21 + timedelta(days=1, minutes=29))
    assert [t for t in texts(telegram.tick()) if "⏰" in t] == ["⏰ Time for Read (21:00)"]
    assert texts(telegram.tick()) == []


def test_a_burst_of_ten_users_each_get_exactly_one(telegram: BotRun) -> None:
    users = list(range(1001, 1011))
    for user in users:
        start(telegram, user, "UTC", "Read | daily | 21:00")
    telegram.clock.set(at(25, 21))
    calls = telegram.tick()
    assert sorted(c.chat_id for c in calls if c.method == "sendMessage" and c.ok) == users
    assert texts(telegram.tick()) == []
    for user in users:
        assert [m["text"] for m in telegram.fake.sent(user) if "⏰" in m["text"]] == [
            "⏰ Time for Read (21:00)"
        ]


def test_reminders_buttons_and_the_morning_in_russian(telegram: BotRun) -> None:
    telegram.say(ANN, "/start", language_code="ru")
    telegram.say(ANN, "/timezone Europe/Moscow", language_code="ru")
    for line in ("Чтение | ежедневно | 21:00", "Бег | ежедневно | 21:00", "Сон"):
        telegram.say(ANN, f"/add {line}", language_code="ru")
    telegram.clock.set(MSK_21)
    assert sorted(texts(telegram.tick())) == ["⏰ Пора: Бег (21:00)", "⏰ Пора: Чтение (21:00)"]
    read = message_of(telegram, ANN, "⏰ Пора: Чтение")
    assert labels(read) == ["✅ Сделано", "⏭ Пропустить", "💤 Через час"]
    _calls, answer = press(telegram, ANN, read, button_data(read, "Сделано"))
    assert answer == "✅ Чтение: сделано"
    run = message_of(telegram, ANN, "⏰ Пора: Бег")
    _calls, answer = press(telegram, ANN, run, button_data(run, "Через час"))
    assert answer == "💤 Бег: напомню через час."

    telegram.clock.set(at(25, 21, 0))  # midnight in Moscow: the morning message
    [morning] = texts(telegram.tick(), ANN)
    lines = morning.split("\n")
    assert lines[0] == "☀️ Доброе утро! Вчера:"
    assert set(lines[1:4]) == {"✅ Чтение: серия 1", "❌ Бег: пропущено", "❌ Сон: пропущено"}
    assert lines[5] == "📋 Чт, 26 ноя"
    checklist = telegram.last(ANN)
    assert labels(checklist) == ["⬜ Чтение · 🔥1", "⏭", "⬜ Бег", "⏭", "⬜ Сон", "⏭"]
    _calls, answer = press(telegram, ANN, checklist, labels_data(checklist, 1))
    assert answer == "⏭ Чтение: пропуск на сегодня"
    _calls, answer = press(telegram, ANN, read, button_data(read, "Сделано"))
    assert answer == "Это список за Ср, 25 ноя; /today покажет сегодняшний."


def labels_data(message: dict[str, Any], index: int) -> str:
    """The callback data of the ``index``-th button of ``message``, row by row."""
    keyboard = message["reply_markup"]["inline_keyboard"]
    return [b for row in keyboard for b in row][index]["callback_data"]


def test_a_queued_reminder_is_withdrawn_once_the_habit_is_done_meanwhile(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    """Paced to Telegram's limits, 10,000 reminders take minutes to leave; whoever ticks the
    habit off in that time gets none."""
    clock = FakeClock(at(25, 9))
    slow = Tuning(tick=3600, poll_timeout=1, rate=0.5, chat_interval=1, workers=2, drain=1)
    run = start_bot(f"sqlite:///{tmp_path / 'queued.db'}", fake_telegram, clock=clock, tuning=slow)
    done_meanwhile, waiting = [601, 602, 603, 604, 605], 606
    try:
        for user in [*done_meanwhile, waiting]:
            run.tracker(user).add_habit("Read", reminders=["21:00"])
        clock.set(at(25, 21))
        run.service.loop.tick()  # six queued; one leaves every two seconds
        clock.advance(minutes=1)
        for user in done_meanwhile:
            run.tracker(user).check("Read")
        assert run.service.bot.outbox.wait_idle(15)
    finally:
        run.stop()
    reminded = {
        user
        for user in [*done_meanwhile, waiting]
        if [m for m in fake_telegram.sent(user) if "⏰" in m["text"]]
    }
    # The one already under way when they checked in may have gone; no other did.
    assert waiting in reminded
    assert len(reminded - {waiting}) <= 1, reminded
    with run.service.store.engine.connect() as connection:
        decisions = collections.Counter(
            decision
            for (decision,) in connection.execute(sa.text("SELECT decision FROM reminder_log"))
        )
    assert decisions == {"sent": len(reminded), "suppressed": 6 - len(reminded)}


_people = itertools.count(70_000)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    zone=dst_zone_names,
    instant=st.datetimes(
        min_value=datetime(2027, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    day_start=st.integers(0, 6 * 60),
    at=st.integers(0, 24 * 60 - 1),
)
def test_the_reminder_and_the_morning_come_at_each_persons_own_local_times(
    telegram: BotRun, zone: str, instant: datetime, day_start: int, at: int
) -> None:
    """Whatever the zone, DST, day start and time: the reminder leaves at habitcore's instant
    for it, not a second before, once; the morning message at the next day start, once."""
    user = next(_people)
    tz, starts = ZoneInfo(zone), clock_time(day_start // 60, day_start % 60)
    telegram.clock.set(instant)
    telegram.say(user, "/start")
    telegram.say(user, f"/timezone {zone}")
    telegram.say(user, f"/daystart {starts:%H:%M}")
    telegram.say(user, f"/add Read | daily | {at // 60:02d}:{at % 60:02d}")
    assert telegram.last(user)["text"].startswith("Added Read"), telegram.last(user)["text"]
    today = habit_day(instant, tz, starts)
    goal = Goal(parse_schedule("daily"), today)
    rule = ReminderRule(clock_time(at // 60, at % 60))
    fire = next_fire(goal, rule, instant, tz, starts)
    assert fire is not None
    events = sorted(
        [(fire[1], "⏰ Time for Read"), (local_instant(today + timedelta(days=1), starts, tz), "☀️")]
    )
    seen: list[str] = []
    previous = instant
    for when, starting in events:  # both may fall in the same second
        if when - timedelta(seconds=1) > previous:
            telegram.clock.set(when - timedelta(seconds=1))
            seen += texts(telegram.tick(), user)
            assert [t for t in seen if t.startswith(starting)] == []
        telegram.clock.set(when)
        seen += texts(telegram.tick(), user) + texts(telegram.tick(), user)
        assert len([t for t in seen if t.startswith(starting)]) == 1, (starting, seen)
        previous = when


# -- the morning message -----------------------------------------------------------------------


def test_morning_message_lists_yesterday_then_today(telegram: BotRun) -> None:
    start(telegram, ANN, "UTC")
    tracker = telegram.tracker(ANN)
    began = date(2026, 11, 23)
    for name in ("Read", "Run"):
        tracker.add_habit(name, start=began)
    tracker.add_habit("Write")
    for day in (23, 24, 25):
        tracker.check("Read", date(2026, 11, day))
    for day in (23, 24):
        tracker.check("Run", date(2026, 11, day))

    telegram.clock.set(at(25, 23, 59))
    assert texts(telegram.tick()) == []
    telegram.clock.set(at(26, 0, 0))
    sent = texts(telegram.tick(), ANN)
    assert len(sent) == 1
    lines = sent[0].split("\n")
    assert lines[0] == "☀️ Good morning! Yesterday:"
    assert lines[1].startswith("✅ Read: streak 3")
    assert set(lines[2:4]) == {"💔 Run: a streak of 2 ended", "❌ Write: missed"}
    assert lines[4] == ""
    assert lines[5] == "📋 Thu, 26 Nov"
    morning = telegram.last(ANN)
    assert labels(morning) == ["⬜ Read · 🔥3", "⏭", "⬜ Run", "⏭", "⬜ Write", "⏭"]
    assert telegram.tracker(ANN).close_days() == []  # rollover ran: the day is closed
    assert texts(telegram.tick()) == []  # once
    # Its buttons are today's checklist.
    _calls, answer = press(telegram, ANN, morning, button_data(morning, "Write"))
    assert answer == "✅ Write: done"
    assert "✅ Write · 🔥1" in labels(telegram.fake.stored(ANN, morning["message_id"]))


def test_morning_message_at_each_users_day_start(telegram: BotRun) -> None:
    start(telegram, ANN, "UTC", "Read")
    start(telegram, BOB, "Europe/Moscow", "Read")
    telegram.say(BOB, "/daystart 04:00")  # 01:00 UTC
    start(telegram, CAT, "UTC", "Read")
    telegram.say(CAT, "/morning off")
    start(telegram, 404, "UTC")  # no habits

    telegram.clock.set(at(25, 23, 59))
    assert texts(telegram.tick()) == []
    telegram.clock.set(at(26, 0, 0))
    calls = telegram.tick()
    assert [c.chat_id for c in calls if c.method == "sendMessage"] == [ANN]
    telegram.clock.set(at(26, 0, 59))
    assert texts(telegram.tick()) == []
    telegram.clock.set(at(26, 1, 0))
    calls = telegram.tick()
    assert [c.chat_id for c in calls if c.method == "sendMessage"] == [BOB]
    assert texts(calls)[0].startswith("☀️ Good morning! Yesterday:\n❌ Read: missed")
    # Cat's and the habit-less user's days were closed all the same, silently.
    assert telegram.tracker(CAT).close_days() == []
    telegram.clock.set(at(27, 1, 0))
    calls = telegram.tick()
    assert sorted(c.chat_id for c in calls if c.method == "sendMessage") == [ANN, BOB]
    telegram.say(CAT, "/morning on")
    telegram.clock.set(at(28, 1, 0))
    calls = telegram.tick()
    assert sorted(c.chat_id for c in calls if c.method == "sendMessage") == [ANN, BOB, CAT]


# -- the loop thread ---------------------------------------------------------------------------


def test_the_loop_thread_sends_a_due_reminder_by_itself(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    run = start_bot(
        f"sqlite:///{tmp_path / 'loop.db'}",
        fake_telegram,
        tuning=Tuning(tick=0.05, poll_timeout=1, rate=1000, chat_interval=0, workers=2, drain=1),
    )
    try:
        run.tracker(ANN).add_habit("Read", reminders=["21:00"])
        run.clock.set(at(25, 21))
        call = fake_telegram.wait_for_call(
            "sendMessage", lambda c: c.text == "⏰ Time for Read (21:00)", timeout=5
        )
        assert call.ok
        assert call.chat_id == ANN
        time.sleep(0.5)  # ten more ticks
        assert texts(fake_telegram.calls_of("sendMessage"), ANN) == ["⏰ Time for Read (21:00)"]
    finally:
        run.stop()


# -- surviving a restart -----------------------------------------------------------------------


def _restart_with_reminders_queued(tmp_path: Path, fake: FakeTelegram) -> list[int]:
    """Four reminders due on a slow outbox, a stop that cannot send them, a restart."""
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    clock = FakeClock(at(25, 9))
    slow = Tuning(tick=3600, poll_timeout=1, rate=0.5, chat_interval=1, workers=2, drain=0)
    users = [501, 502, 503, 504]
    first = start_bot(url, fake, clock=clock, tuning=slow)
    try:
        for user in users:
            first.tracker(user).add_habit("Read", reminders=["21:00"])
        clock.set(at(25, 21))
        first.service.loop.tick()  # four due; the outbox sends one every two seconds
    finally:
        first.stop()
    given_back = [u for u in users if not [m for m in fake.sent(u) if "⏰" in m["text"]]]
    assert len(given_back) >= 2, fake.recent()

    second = start_bot(url, fake, clock=clock)
    try:
        # Given back at the stop, they are due again at once: the restart sends each, once.
        assert sorted(c.chat_id for c in second.tick() if c.method == "sendMessage") == given_back
        clock.advance(minutes=2)
        assert texts(second.tick()) == []
    finally:
        second.stop()
    return users


def test_a_reminder_queued_at_stop_goes_out_once_after_restart_as_worded_at_first(
    tmp_path: Path, fake_telegram: FakeTelegram
) -> None:
    users = _restart_with_reminders_queued(tmp_path, fake_telegram)
    for user in users:
        reminders = [m["text"] for m in fake_telegram.sent(user) if "⏰" in m["text"]]
        assert reminders == ["⏰ Time for Read (21:00)"]


def _log(run: BotRun) -> list[str]:
    from sqlmodel import select

    with run.service.store.read() as session:
        return sorted(row.decision for row in session.exec(select(ReminderLogRow)))


def test_a_bad_user_in_a_tick_does_not_cost_the_others_their_reminders(telegram: BotRun) -> None:
    """A library user named ``telegram:alice`` has a reminder due first; Bob's still arrives,
    and Alice's firing is recorded as undelivered instead of being lost silently."""
    telegram.say(BOB, "/timezone UTC")
    telegram.say(BOB, "/add Read | daily | 09:05")
    alice = Tracker(telegram.service.store, user="telegram:alice", clock=telegram.clock)
    alice.set_timezone("UTC")
    alice.add_habit("Walk", reminders=["09:04"])
    telegram.clock.set(datetime(2026, 11, 25, 9, 6, tzinfo=UTC))
    calls = telegram.tick()
    assert [c.text for c in calls if c.method == "sendMessage"] == ["⏰ Time for Read (09:05)"]
    assert _log(telegram) == ["sent", "undelivered"]


def test_a_tap_on_the_morning_message_keeps_the_morning_summary(telegram: BotRun) -> None:
    telegram.say(ANN, "/timezone UTC")
    telegram.say(ANN, "/add Read")
    telegram.tracker(ANN).check("Read")
    telegram.clock.set(datetime(2026, 11, 26, 0, 1, tzinfo=UTC))
    telegram.tick()
    morning = telegram.last(ANN)
    assert morning["text"].startswith("☀️ Good morning! Yesterday:\n✅ Read: streak 1")
    telegram.press(ANN, morning, button_data(morning, "Read"))
    now = telegram.fake.stored(ANN, morning["message_id"])
    assert now is not None
    assert now["text"] == morning["text"]
    labels = [b["text"] for row in now["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0] == "✅ Read · 🔥2"
