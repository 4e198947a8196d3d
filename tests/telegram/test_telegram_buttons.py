"""Inline buttons, played through the fake Bot API: forged and stale ones change nothing and say
why, the checklist edits itself in place, every payload fits Telegram's 64 bytes, names in any
script work, and long output stays inside Telegram's limits.

Every press goes through ``press``, which checks the callback query was answered exactly once.
"""

# telebot and the fake hand back loosely typed dicts; a missing key fails the test anyway.
# mypy: disable-error-code="union-attr,index,operator,type-var,no-untyped-call"

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fake_telegram import Call, utf16_len
from habitcore_telegram import buttons
from habitcore_telegram.lengths import MAX_TEXT, split_text
from telegram_harness import BotRun, button_data, every_row, labels, press

ANN, BOB = 101, 202
TODAY = date(2026, 11, 25)  # the harness starts on Wednesday 25 November 2026, 09:00 UTC

INVALID = "This button no longer works; send the command again."
NOT_YOURS = "This button belongs to someone else's message."
GONE = "That habit no longer exists."
ARCHIVED = "That habit is archived; /habits brings it back."
OVER = "That question is over; start again with /add."


# -- helpers ---------------------------------------------------------------------------------


def row_of(message: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The checklist row whose habit button names ``name``: [habit button, skip button]."""
    for row in message["reply_markup"]["inline_keyboard"]:
        if name in row[0]["text"]:
            return list(row)
    raise AssertionError(f"no row for {name!r} in {labels(message)}")


def sends(calls: list[Call], method: str = "sendMessage") -> list[Call]:
    return [c for c in calls if c.method == method]


EDITS = ("editMessageText", "editMessageReplyMarkup")


def edits_of(calls: list[Call]) -> list[Call]:
    """Edits of either kind: a checklist redraws only its buttons, other screens their text."""
    return [c for c in calls if c.method in EDITS]


def start(run: BotRun, user: int, *adds: str) -> None:
    run.say(user, "/start")
    run.say(user, "/timezone UTC")
    for line in adds:
        run.say(user, f"/add {line}")
        assert run.last(user)["text"].startswith("Added"), run.last(user)["text"]


def checklist(run: BotRun, user: int) -> dict[str, Any]:
    run.say(user, "/today")
    message = run.last(user)
    assert message["text"].startswith("📋"), message["text"]
    return message


def stored(run: BotRun, user: int, message: dict[str, Any]) -> dict[str, Any]:
    found = run.fake.stored(user, message["message_id"])
    assert found is not None
    return found


def day(value: date) -> str:
    return value.strftime("%Y%m%d")


# -- forged and stale buttons ----------------------------------------------------------------


GARBAGE = [
    f"as:{ANN}",  # a dialog button without its answer
    f"at:{ANN}",
    f"as:{ANN}:zz",  # without the dialog it was made for
    f"at:{ANN}:9999",
    "garbage",
    "",
    ":",
    "t",
    "t:",
    f"t:{ANN}",  # no habit, no day
    f"t:{ANN}:1",  # no day
    f"t:{ANN}:abc:{day(TODAY)}",  # a non-numeric habit id
    f"t:{ANN}:-1:{day(TODAY)}",
    f"t:{ANN}:1.5:{day(TODAY)}",
    f"t:{ANN}:99999999999999999999:{day(TODAY)}",  # past any id a button may carry
    f"t:{ANN}:1:2026-11-25",
    f"t:{ANN}:1:20261399",  # no such day
    f"t:{ANN}:1:{day(TODAY)}:" + "9" * 60,  # over 64 bytes
    "t:" + "1" * 70,
    f"zz:{ANN}:1:{day(TODAY)}",  # no such action
    f"t:{ANN}:1:{day(TODAY)} ",
    f"✅:{ANN}:1:{day(TODAY)}",
    "é" * 40,
    f"s:{ANN}:1",
    f"a:{ANN}:1:{day(TODAY)}",  # an amount button without its amount
    f"a:{ANN}:1:{day(TODAY)}:abc",
    f"r:{ANN}:1:1:{day(TODAY)}",  # a reminder button without its operation
    f"r:{ANN}:1:1:{day(TODAY)}:q",
    f"h:{ANN}:1",
    f"h:{ANN}:1:Q",
    f"hp:{ANN}:1:9999",
    f"vc:{ANN}:9999",
    f"lg:{ANN}:xx",
    f"dm:{ANN}:maybe",
]
# Well-formed dialog buttons for a dialog that is not open (no /add in progress): the dialog's
# own explanation.
DIALOG_GARBAGE = [f"as:{ANN}:1:daily", f"at:{ANN}:1:none"]


def test_garbage_presses_change_nothing_at_all(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    assert telegram.tracker(ANN).habit("Read").id == 1  # the id the forged payloads name
    message = checklist(telegram, ANN)
    before = every_row(telegram)
    for forged in GARBAGE:
        calls, answer = press(telegram, ANN, message, forged)
        assert answer == INVALID, (forged, answer)
        assert not sends(calls), forged
        assert not edits_of(calls), forged
    for forged in DIALOG_GARBAGE:
        calls, answer = press(telegram, ANN, message, forged)
        assert answer == OVER, (forged, answer)
        assert not sends(calls), forged
    assert every_row(telegram) == before
    assert stored(telegram, ANN, message) == message


def test_a_noncanonical_payload_is_refused(telegram: BotRun) -> None:
    start(telegram, ANN, "Read")
    message = checklist(telegram, ANN)
    habit_id = telegram.tracker(ANN).habit("Read").id
    accepted = []
    for shape in (
        "t:{owner}:{id}:{day}\n",  # a trailing newline
        "t:{owner}:{id}:{day}xyz",  # characters after the day
        "t:{owner}:+{id}:{day}",
        "t:{owner}:0_{id}:{day}",
        "t:{owner}:{id}:{day}:x:y",  # extra fields
        "t:0{owner}:{id}:{day}",  # a leading zero on the owner
    ):
        forged = shape.format(owner=ANN, id=habit_id, day=day(TODAY))
        before = every_row(telegram)
        calls, answer = press(telegram, ANN, message, forged)
        if answer != INVALID or edits_of(calls) or every_row(telegram) != before:
            accepted.append(forged)
        telegram.tracker(ANN).uncheck("Read")
    assert accepted == []


def test_a_button_of_another_user_is_refused(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    start(telegram, BOB, "Run")
    ann_list = checklist(telegram, ANN)
    bob_list = checklist(telegram, BOB)
    ann_tap = button_data(ann_list, "Read")
    ann_skip = row_of(ann_list, "Read")[1]["callback_data"]
    before = every_row(telegram)
    # Bob taps Ann's message (a shared screenshot, a forwarded keyboard) …
    for data in (ann_tap, ann_skip):
        calls, answer = press(telegram, BOB, ann_list, data)
        assert answer == NOT_YOURS
        assert not sends(calls)
        assert not edits_of(calls)
    # … or sends Ann's callback_data from his own message.
    calls, answer = press(telegram, BOB, bob_list, ann_tap)
    assert answer == NOT_YOURS
    assert not sends(calls)
    assert not edits_of(calls)
    assert every_row(telegram) == before
    assert stored(telegram, ANN, ann_list) == ann_list


def test_own_button_naming_someone_elses_habit_is_refused(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    start(telegram, BOB, "Run | daily | 21:00")
    ann = telegram.tracker(ANN)
    bob = telegram.tracker(BOB)
    ann_read = ann.habit("Read")
    bob_run = bob.habit("Run")
    with telegram.service.store.engine.connect() as connection:
        ann_reminder = connection.execute(
            sa.text("SELECT id FROM reminders WHERE habit_id = :habit"), {"habit": ann_read.id}
        ).scalar_one()
    bob_list = checklist(telegram, BOB)
    today = day(TODAY)
    forged = {
        f"t:{BOB}:{ann_read.id}:{today}": GONE,
        f"s:{BOB}:{ann_read.id}:{today}": GONE,
        f"a:{BOB}:{ann_read.id}:{today}:3": GONE,
        f"h:{BOB}:{ann_read.id}:D": GONE,  # delete Ann's habit
        f"h:{BOB}:{ann_read.id}:a": GONE,  # archive it
        f"hp:{BOB}:{ann_read.id}:7": GONE,  # pause it
        f"hs:{BOB}:{ann_read.id}:weekdays": GONE,
        f"st:{BOB}:{ann_read.id}": GONE,
        f"r:{BOB}:{ann_reminder}:{ann_read.id}:{today}:d": GONE,
        f"r:{BOB}:{ann_reminder}:{ann_read.id}:{today}:z": GONE,
    }
    before = every_row(telegram)
    for data, expected in forged.items():
        calls, answer = press(telegram, BOB, bob_list, data)
        assert answer == expected, (data, answer)
        assert not sends(calls, "sendPhoto"), data
    # Bob's own habit with Ann's reminder: snoozing it must not move Ann's reminder.
    calls, answer = press(telegram, BOB, bob_list, f"r:{BOB}:{ann_reminder}:{bob_run.id}:{today}:z")
    assert "no longer exists" in answer
    assert every_row(telegram) == before
    assert ann.habit("Read").archived is False


def test_a_habit_deleted_after_the_checklist_was_sent(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00", "Run")
    message = checklist(telegram, ANN)
    telegram.tracker(ANN).delete_habit("Read")
    before = every_row(telegram)
    read_row = row_of(message, "Read")
    for button in read_row:
        calls, answer = press(telegram, ANN, message, button["callback_data"])
        assert answer == GONE
        assert not sends(calls)
    assert every_row(telegram) == before
    # The other habit on the same message still works.
    _calls, answer = press(telegram, ANN, message, button_data(message, "Run"))
    assert answer == "✅ Run: done"


def test_an_archived_habit_says_so(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    message = checklist(telegram, ANN)
    telegram.tracker(ANN).archive("Read")
    before = every_row(telegram)
    for button in row_of(message, "Read"):
        _calls, answer = press(telegram, ANN, message, button["callback_data"])
        assert answer == ARCHIVED
    assert every_row(telegram) == before


def test_an_archived_habit_changes_nothing(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    message = checklist(telegram, ANN)
    telegram.tracker(ANN).archive("Read")
    before = every_row(telegram)
    for button in row_of(message, "Read"):
        calls, answer = press(telegram, ANN, message, button["callback_data"])
        assert answer in (ARCHIVED, INVALID)
        assert not sends(calls)
        assert not edits_of(calls)
    assert every_row(telegram) == before
    assert telegram.tracker(ANN).checkins("Read") == []


def test_yesterdays_checklist_pressed_today(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00", "Water")
    message = checklist(telegram, ANN)
    telegram.clock.set(datetime(2026, 11, 26, 0, 5, tzinfo=UTC))  # past the day start
    before = every_row(telegram)
    for name in ("Read", "Water"):
        for button in row_of(message, name):
            calls, answer = press(telegram, ANN, message, button["callback_data"])
            assert answer == "This is from Wed, 25 Nov; send /today for today's list."
            assert not sends(calls)
            assert not edits_of(calls)
    assert every_row(telegram) == before
    # Today's checklist works.
    today = checklist(telegram, ANN)
    assert "Thu, 26 Nov" in today["text"]
    _calls, answer = press(telegram, ANN, today, button_data(today, "Read"))
    assert answer == "✅ Read: done"
    assert [c.day for c in telegram.tracker(ANN).checkins("Read")] == [date(2026, 11, 26)]


def test_stale_add_dialog_buttons(telegram: BotRun) -> None:
    start(telegram, ANN)
    telegram.say(ANN, "/add")
    telegram.say(ANN, "Read")
    schedule_question = telegram.last(ANN)
    assert "How often" in schedule_question["text"]
    telegram.say(ANN, "/cancel")
    before = every_row(telegram)
    for label in ("Every day", "Weekdays", "3 times", "Other"):
        calls, answer = press(
            telegram, ANN, schedule_question, button_data(schedule_question, label)
        )
        assert answer == OVER
        assert not sends(calls)
    assert every_row(telegram) == before

    # A dialog taken to its end: its buttons are then stale too, and add nothing twice.
    telegram.say(ANN, "/add")
    telegram.say(ANN, "Read")
    schedule_question = telegram.last(ANN)
    press(telegram, ANN, schedule_question, button_data(schedule_question, "Every day"))
    time_question = telegram.last(ANN)
    assert "When should I remind you?" in time_question["text"]
    _calls, answer = press(telegram, ANN, time_question, button_data(time_question, "21:00"))
    assert answer == "21:00"
    assert [list(h.habit.reminders) for h in telegram.tracker(ANN).habits()] == [["21:00"]]
    before = every_row(telegram)
    for message, label in (
        (time_question, "21:00"),
        (time_question, "08:00"),
        (time_question, "No reminder"),
        (schedule_question, "Weekdays"),
    ):
        calls, answer = press(telegram, ANN, message, button_data(message, label))
        assert answer == OVER
        assert not sends(calls)
    assert every_row(telegram) == before


# -- the checklist ---------------------------------------------------------------------------


def test_tap_toggles_done_in_place(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00", "Run")
    message = checklist(telegram, ANN)
    assert labels(message) == ["⬜ Read", "⏭", "⬜ Run", "⏭"]

    calls, answer = press(telegram, ANN, message, button_data(message, "Read"))
    assert answer == "✅ Read: done"
    assert not sends(calls)
    edits = edits_of(calls)
    assert len(edits) == 1
    assert edits[0].ok
    assert edits[0].int("message_id") == message["message_id"]
    now = stored(telegram, ANN, message)
    assert labels(now) == ["✅ Read · 🔥1", "⏭", "⬜ Run", "⏭"]
    assert [(c.day, c.status) for c in telegram.tracker(ANN).checkins("Read")] == [(TODAY, "done")]

    calls, answer = press(telegram, ANN, now, button_data(now, "Read"))
    assert answer == "↩️ Read: unmarked"
    assert edits_of(calls)[0].int("message_id") == message["message_id"]
    now = stored(telegram, ANN, message)
    assert labels(now) == ["⬜ Read", "⏭", "⬜ Run", "⏭"]
    assert telegram.tracker(ANN).checkins("Read") == []


def test_skip_and_unskip(telegram: BotRun) -> None:
    start(telegram, ANN, "Read | daily | 21:00")
    message = checklist(telegram, ANN)
    calls, answer = press(telegram, ANN, message, row_of(message, "Read")[1]["callback_data"])
    assert answer == "⏭ Read: skipped today"
    assert edits_of(calls)[0].int("message_id") == message["message_id"]
    now = stored(telegram, ANN, message)
    assert labels(now) == ["⏭ Read", "⏭"]
    assert [c.status for c in telegram.tracker(ANN).checkins("Read")] == ["skipped"]

    _calls, answer = press(telegram, ANN, now, row_of(now, "Read")[1]["callback_data"])
    assert answer == "↩️ Read: unmarked"
    assert labels(stored(telegram, ANN, message)) == ["⬜ Read", "⏭"]
    assert telegram.tracker(ANN).checkins("Read") == []

    # Skipped, then tapped: the tap unmarks too (a skipped day is not silently made done).
    press(telegram, ANN, now, row_of(now, "Read")[1]["callback_data"])
    _calls, answer = press(telegram, ANN, now, button_data(now, "Read"))
    assert answer == "↩️ Read: unmarked"
    assert telegram.tracker(ANN).checkins("Read") == []


def test_measurable_habit_quick_button(telegram: BotRun) -> None:
    start(telegram, ANN, "Read")
    telegram.tracker(ANN).add_habit("Water", target=8, unit="glasses")
    message = checklist(telegram, ANN)
    assert "⬜ Water 0/8" in labels(message)

    calls, answer = press(telegram, ANN, message, button_data(message, "Water"))
    assert answer == "How much? Answer in the chat."
    question = telegram.last(ANN)
    assert question["text"] == (
        "How much Water today? So far 0 of 8 glasses. Tap an amount or type a number."
    )
    assert labels(question) == ["1", "4", "8"]
    assert telegram.tracker(ANN).checkins("Water") == []
    assert not edits_of(calls)

    calls, answer = press(telegram, ANN, question, button_data(question, "4"))
    assert answer == "Water: 4 of 8 glasses today."
    edited = {c.int("message_id"): c for c in edits_of(calls)}
    assert set(edited) == {question["message_id"], message["message_id"]}
    assert stored(telegram, ANN, question)["text"] == "Water: 4 of 8 glasses today."
    # The amounts are gone; the answer carries the 📝 Note button, as every confirmation does.
    assert labels(stored(telegram, ANN, question)) == ["📝 Note"]
    assert "⬜ Water 4/8" in labels(stored(telegram, ANN, message))
    assert [(c.amount, c.status) for c in telegram.tracker(ANN).checkins("Water")] == [
        (4.0, "done")
    ]
    # The answered question's buttons are stale now: pressed again, the total stays 4
    # (a quick button sets the day's total; it does not add).
    press(telegram, ANN, question, f"a:{ANN}:{telegram.tracker(ANN).habit('Water').id}:20261125:4")
    assert [c.amount for c in telegram.tracker(ANN).checkins("Water")] == [4.0]

    # The full target makes it done.
    press(telegram, ANN, stored(telegram, ANN, message), button_data(message, "Water"))
    question = telegram.last(ANN)
    press(telegram, ANN, question, button_data(question, "8"))
    assert any(label.startswith("✅ Water 8/8") for label in labels(stored(telegram, ANN, message)))


@pytest.mark.parametrize(
    ("target", "shown", "buttons"),
    [
        (0.125, "0.125", ["0.125"]),
        (2.5, "2.5", ["1", "2.5"]),  # half of it rounds to 1, which is there already
        (1_000_000_000, "1000000000", ["1", "500000000", "1000000000"]),
    ],
)
def test_the_target_button_meets_any_target(
    telegram: BotRun, target: float, shown: str, buttons: list[str]
) -> None:
    start(telegram, ANN)
    telegram.tracker(ANN).add_habit("Tea", target=target, unit="l")
    message = checklist(telegram, ANN)
    assert f"⬜ Tea 0/{shown}" in labels(message)
    press(telegram, ANN, message, button_data(message, "Tea"))
    question = telegram.last(ANN)
    assert labels(question) == buttons

    _calls, answer = press(
        telegram, ANN, question, question["reply_markup"]["inline_keyboard"][0][-1]["callback_data"]
    )

    assert answer == f"Tea: {shown} of {shown} l today."
    assert [c.status for c in telegram.tracker(ANN).checkins("Tea")] == ["done"]
    assert labels(stored(telegram, ANN, message))[0].startswith(f"✅ Tea {shown}/{shown}")


def test_measurable_habit_typed_amount(telegram: BotRun) -> None:
    start(telegram, ANN)
    telegram.tracker(ANN).add_habit("Water", target=8, unit="glasses")
    message = checklist(telegram, ANN)
    press(telegram, ANN, message, button_data(message, "Water"))

    before = every_row(telegram)
    calls = telegram.say(ANN, "abc")
    assert [c.text for c in sends(calls)] == [
        "'abc' is not a number; type one such as 2 or 2.5, or /cancel."
    ]
    assert not edits_of(calls)
    assert every_row(telegram) == before

    calls = telegram.say(ANN, "2.5")
    assert [c.text for c in sends(calls)] == ["Water: 2.5 of 8 glasses today."]
    edits = edits_of(calls)
    assert [e.int("message_id") for e in edits] == [message["message_id"]]
    assert "⬜ Water 2.5/8" in labels(stored(telegram, ANN, message))
    assert [c.amount for c in telegram.tracker(ANN).checkins("Water")] == [2.5]

    # The dialog is over: a number now is just text.
    calls = telegram.say(ANN, "3")
    assert [c.amount for c in telegram.tracker(ANN).checkins("Water")] == [2.5]
    assert "/today" in sends(calls)[0].text

    # A comma works as the decimal point; a bad amount is refused with the reason.
    press(telegram, ANN, stored(telegram, ANN, message), button_data(message, "Water"))
    telegram.say(ANN, "1,5")
    assert [c.amount for c in telegram.tracker(ANN).checkins("Water")] == [1.5]
    press(telegram, ANN, stored(telegram, ANN, message), button_data(message, "Water"))
    before = every_row(telegram)
    calls = telegram.say(ANN, "-3")
    assert "from 0 to" in sends(calls)[0].text
    assert every_row(telegram) == before


def test_forged_amount_buttons_change_nothing(telegram: BotRun) -> None:
    start(telegram, ANN)
    water = telegram.tracker(ANN).add_habit("Water", target=8, unit="glasses")
    message = checklist(telegram, ANN)
    before = every_row(telegram)
    # Only amounts as the bot writes them (digits, at most six decimals) are taken.
    for amount in (
        "-5",
        "nan",
        "inf",
        "1e99",
        "+2",
        "02",
        "2e0",
        "abc",
        "1.1234567",
        "10000000000",
    ):
        calls, answer = press(telegram, ANN, message, f"a:{ANN}:{water.id}:{day(TODAY)}:{amount}")
        assert answer == INVALID, (amount, answer)
        assert not sends(calls)
    _calls, answer = press(telegram, ANN, message, f"a:{ANN}:{water.id}:20261124:2")
    assert answer.startswith("This is from Tue, 24 Nov")
    assert every_row(telegram) == before


# -- 64 bytes of callback_data ---------------------------------------------------------------


def _all_callback_data(run: BotRun) -> list[str]:
    found = []
    for call in run.fake.snapshot():
        if call.method in ("sendMessage", *EDITS):
            found += [b["callback_data"] for b in call.buttons if "callback_data" in b]
    return found


BIG_USER = (1 << 52) - 1  # Telegram: user ids have at most 52 significant bits


def test_every_button_fits_64_bytes_with_ids_near_their_maxima(telegram: BotRun) -> None:
    """A long session by a user with a 16-digit id, on habits and reminders with 16-digit ids."""
    near = (1 << 53) - 1000  # the largest id a button may carry is 2**53
    with telegram.service.store.engine.begin() as connection:
        for table in ("habits", "reminders"):
            updated = connection.execute(
                sa.text("UPDATE sqlite_sequence SET seq = :seq WHERE name = :name"),
                {"seq": near, "name": table},
            ).rowcount
            if not updated:
                connection.execute(
                    sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                    {"seq": near, "name": table},
                )
    user = BIG_USER
    run = telegram
    run.say(user, "/start")
    run.say(user, "/timezone Europe/Moscow")
    run.say(user, "/language")
    press(run, user, run.last(user), button_data(run.last(user), "English"))
    run.say(user, "/add Read | daily | 21:00")
    run.tracker(user).add_habit("Water", target=8, unit="glasses", reminders=["21:00"])
    assert run.tracker(user).habit("Water").id > near
    run.say(user, "/add")
    run.say(user, "Walk 🚶‍♀️")
    press(run, user, run.last(user), button_data(run.last(user), "3 times"))
    press(run, user, run.last(user), button_data(run.last(user), "08:00"))

    message = checklist(run, user)
    press(run, user, message, button_data(message, "Read"))
    press(run, user, message, row_of(message, "Walk")[1]["callback_data"])
    press(run, user, message, button_data(message, "Water"))
    press(run, user, run.last(user), button_data(run.last(user), "4"))

    run.say(user, "/habits")
    overview = run.last(user)
    press(run, user, overview, button_data(overview, "Read"))
    card = stored(run, user, overview)
    for first, second in (
        ("Schedule", "Weekdays"),
        ("Pause", "3 days"),
        ("Delete", "No, keep it"),
        ("Archive", "Unarchive"),
    ):
        press(run, user, card, button_data(stored(run, user, overview), first))
        press(run, user, card, button_data(stored(run, user, overview), second))
    press(run, user, card, button_data(stored(run, user, overview), "All habits"))

    run.say(user, "/stats")
    press(run, user, run.last(user), button_data(run.last(user), "Water"))
    run.say(user, "/vacation")
    vacation = run.last(user)
    press(run, user, vacation, button_data(vacation, "3 days"))
    run.say(user, "/vacation off")
    run.say(user, "/deleteme")
    press(run, user, run.last(user), button_data(run.last(user), "No"))

    run.clock.set(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))  # 21:00 in Moscow
    reminders = [c for c in run.tick() if c.method == "sendMessage"]
    assert [c.text for c in reminders] == ["⏰ Time for Water (21:00)"]
    reminder = run.last(user)
    press(run, user, reminder, button_data(reminder, "1 hour"))

    data = _all_callback_data(run)
    assert len(data) > 40
    sizes = [len(d.encode()) for d in data]
    assert max(sizes) <= 64, [d for d in data if len(d.encode()) > 64]
    assert max(sizes) >= 60  # the reminder buttons come close: the test does reach the limit
    assert all(c.ok for c in run.fake.snapshot() if c.method != "getUpdates"), run.fake.recent()
    assert not any("Sorry" in (c.text or "") for c in run.fake.calls_of("sendMessage"))


def test_pack_and_unpack() -> None:
    data = buttons.pack("t", ANN, 7, TODAY)
    assert data == "t:101:7:20261125"
    button = buttons.unpack(data)
    assert button == buttons.Button("t", ANN, ("7", "20261125"))
    assert button.number(0) == 7
    assert button.day(1) == TODAY

    biggest = buttons.pack("r", BIG_USER, 1 << 53, 1 << 53, TODAY, "d")
    assert len(biggest.encode()) <= 64
    assert buttons.unpack(biggest).number(1) == 1 << 53
    with pytest.raises(buttons.BadButton):
        buttons.unpack(f"t:{ANN}:{(1 << 53) + 1}:20261125").number(0)

    exactly = "t:" + "1" * 20 + ":" + "2" * 20 + ":" + "3" * 20
    assert len(exactly) == 64
    assert buttons.unpack(exactly).owner == int("1" * 20)
    with pytest.raises(ValueError, match="breaks"):
        buttons.pack("r", 10**19, 10**19, 10**19, TODAY, "d")  # 75 bytes
    with pytest.raises(ValueError, match="breaks"):
        buttons.pack("t", ANN, "a:b")
    with pytest.raises(ValueError, match="breaks"):
        buttons.pack("t", ANN, "")
    with pytest.raises(ValueError, match="breaks"):
        buttons.pack("t", ANN, "é")


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "t",
        ":",
        "t::1",
        "t:1:a b",
        "t:-1:2",
        "t:x:1",
        "\x00",
        "t:1:" + "a" * 21,
        "t:1:" + "1" * 70,
        "t:" + "1" * 20 + ":" + "2" * 20 + ":" + "3" * 20 + ":4",
        "é" * 40,
        "t:1:😀",
    ],
)
def test_unpack_refuses(data: str | None) -> None:
    with pytest.raises(buttons.BadButton):
        buttons.unpack(data)


_part = st.from_regex(r"[a-zA-Z0-9_.+\-]{0,22}", fullmatch=True)
_owner = st.one_of(st.integers(0, 2**53).map(str), _part)
# Mostly well-formed payloads (so that some are taken), with any text mixed in.
payloads = st.one_of(
    st.builds(
        lambda a, o, args: ":".join([a, o, *args]), _part, _owner, st.lists(_part, max_size=5)
    ),
    st.text(max_size=80),
)


@settings(max_examples=300)
@given(payloads)
def test_unpack_refuses_or_returns_exactly_what_pack_writes(data: str) -> None:
    try:
        button = buttons.unpack(data)
    except buttons.BadButton:
        return
    # Whatever is taken is the one form the bot itself would write for that button.
    assert buttons.pack(button.action, button.owner, *button.args) == data


def test_unpack_takes_well_formed_payloads() -> None:
    """The property above is not vacuous: these are taken."""
    for data in ("t:101:7:20261125", "hl:0", f"r:{BIG_USER}:1:2:20261125:z"):
        assert buttons.pack(*_fields(buttons.unpack(data))) == data


def _fields(button: buttons.Button) -> tuple[Any, ...]:
    return (button.action, button.owner, *button.args)


# -- names in any script ---------------------------------------------------------------------


NAMES = [
    "R",
    "Read a book",
    "Читать книгу",
    "读书",
    "قراءة كتاب",
    "👨‍👩‍👧 family time",
    "🇯🇵 日本語 🇺🇦",
    "🧘‍♀️",
    "x" * 100,
    "Ж" * 100,
    "👨‍👩‍👧" * 20,  # 100 code points, 20 family emoji
]
WIDE_NAMES = ["😀" * 100, "🇺🇦" * 50]  # 100 code points, 200 UTF-16 units

_users = itertools.count(10_000)


def _name_works(run: BotRun, name: str) -> None:
    """/add one-liner, the checklist label, a tap, /habits: all with this name, for a new user."""
    user = next(_users)
    start(run, user)
    calls = run.say(user, f"/add {name}")
    assert sends(calls)[0].text.startswith(f"Added {name}: daily; reminders: none."), name
    assert [h.habit.name for h in run.tracker(user).habits()] == [name]
    message = checklist(run, user)
    assert labels(message) == [f"⬜ {name}", "⏭"]
    _calls, answer = press(run, user, message, button_data(message, name))
    assert answer.startswith("✅ "), answer
    assert utf16_len(answer) <= 200, answer
    if utf16_len(name) <= 190:
        assert answer == f"✅ {name}: done"
    assert labels(stored(run, user, message)) == [f"✅ {name} · 🔥1", "⏭"]
    assert run.tracker(user).stats(name).current_streak == 1
    run.say(user, "/habits")
    assert any(name in label for label in labels(run.last(user)))


def test_names_in_any_script(telegram: BotRun) -> None:
    for name in NAMES:
        _name_works(telegram, name)


def test_names_of_100_wide_characters(telegram: BotRun) -> None:
    for name in WIDE_NAMES:
        _name_works(telegram, name)


names = st.lists(
    st.one_of(
        # Cf (soft hyphen, bidi marks) is refused in a name, except the joiners in emoji.
        st.characters(
            blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
            blacklist_characters="|",
        ),
        st.sampled_from(["👨‍👩‍👧", "🇺🇦", "🧘‍♀️", "😀", "ж", "读", "ب", " "]),
    ),
    min_size=1,
    max_size=30,
).map("".join)


@settings(max_examples=12, suppress_health_check=list(HealthCheck))
@given(name=names)
def test_any_name_works(telegram: BotRun, name: str) -> None:
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())  # as habitcore keeps it
    assume(cleaned and not cleaned.startswith("/") and utf16_len(cleaned) <= 190)
    _name_works(telegram, cleaned)


def test_a_name_over_100_characters_is_refused(telegram: BotRun) -> None:
    start(telegram, ANN)
    for name in ("x" * 101, "Ж" * 101, "😀" * 101, "👨‍👩‍👧" * 21):
        before = every_row(telegram)
        calls = telegram.say(ANN, f"/add {name}")
        text = sends(calls)[0].text
        assert "at most 100 characters" in text
        assert f"this one has {len(name)}" in text
        # The same in the dialog, which stays open for a shorter name.
        telegram.say(ANN, "/add")
        calls = telegram.say(ANN, name)
        assert "at most 100 characters" in sends(calls)[0].text
        assert every_row(telegram) == before
        calls = telegram.say(ANN, name[:100])
        assert "How often" in sends(calls)[0].text
        telegram.say(ANN, "/cancel")


# -- long output -----------------------------------------------------------------------------


def _oversize_refusals(run: BotRun) -> list[str]:
    return [
        c.brief() for c in run.fake.snapshot() if c.method in ("sendMessage", *EDITS) and not c.ok
    ]


def _latin(number: int) -> str:
    return f"{number:03d} " + "x" * 86


def _mixed(number: int) -> str:
    return f"{number:03d} " + ("😀" if number % 2 else "ж") * 86


@pytest.mark.parametrize(
    "name_of",
    [
        pytest.param(_latin, id="latin"),
        pytest.param(_mixed, id="emoji-cyrillic"),
    ],
)
def test_long_output_is_split_within_telegrams_limits(telegram: BotRun, name_of: Any) -> None:
    """120 habits due today and 60 not, each named with 90 characters."""
    start(telegram, ANN)
    tracker = telegram.tracker(ANN)
    due = []
    for number in range(120):
        name = name_of(number)
        assert len(name) == 90
        due.append(tracker.add_habit(name).id)
    waiting = []
    for number in range(60):  # not due on a Wednesday: listed by name in the header
        name = f"{number:03d} sat " + name_of(number)[4:86]
        assert len(name) == 90
        waiting.append(tracker.add_habit(name, schedule="sat"))
    everyone = due + [h.id for h in waiting]

    calls = telegram.say(ANN, "/today")
    messages = sends(calls)
    assert len(messages) >= 3
    assert all(m.ok for m in messages), [m.brief() for m in messages]
    seen: list[int] = []
    for call in messages:
        assert call.text is not None
        assert utf16_len(call.text) <= MAX_TEXT
        assert len(call.buttons) <= 100
        for button in call.buttons:
            parsed = buttons.unpack(button["callback_data"])
            if parsed.action == "t":
                seen.append(parsed.number(0))
    assert sorted(seen) == sorted(due)  # every due habit on exactly one message
    # The names of the habits not due today all made it, across the split header.
    header = "".join(m.text or "" for m in messages)
    assert all(h.name in header for h in waiting)

    # Tapping a habit on the last page redraws that page with its own habits only.
    page = telegram.fake.stored(ANN, messages[-1].result["message_id"])
    assert page is not None
    last_name = tracker.habit(due[-1]).name
    _calls, answer = press(telegram, ANN, page, button_data(page, last_name))
    assert answer == f"✅ {last_name}: done"
    assert len(labels(stored(telegram, ANN, page))) == len(labels(page))

    listed: dict[str, list[Call]] = {}
    for command in ("/habits", "/stats", "/remind"):
        listed[command] = sends(telegram.say(ANN, command))
        assert listed[command], command
        for call in listed[command]:
            assert call.ok, call.brief()
            assert call.text is not None
            assert utf16_len(call.text) <= MAX_TEXT
            assert len(call.buttons) <= 100
    # /habits: every habit on exactly one button, 90 to a message.
    cards = [
        buttons.unpack(b["callback_data"]).number(0)
        for call in listed["/habits"]
        for b in call.buttons
    ]
    assert sorted(cards) == sorted(everyone)
    # /stats and /remind: every habit named in the text; /stats has its picture buttons.
    for command in ("/stats", "/remind"):
        text = "".join(c.text or "" for c in listed[command])
        assert all(tracker.habit(i).name in text for i in everyone), command
    assert sum(len(c.buttons) for c in listed["/stats"]) == 90
    assert _oversize_refusals(telegram) == []


@pytest.mark.parametrize("character", ["x", "😀"])
def test_an_edit_over_telegrams_limit_is_cut_to_one_message(
    telegram: BotRun, character: str
) -> None:
    """An edit cannot become two messages: it is cut, with an ellipsis, at 4,096 UTF-16 units."""
    start(telegram, ANN)
    telegram.say(ANN, "/help")
    sent = telegram.last(ANN)
    telegram.service.bot.edit(ANN, sent["message_id"], character * 5000, None)
    telegram.drain()
    text = telegram.fake.stored(ANN, sent["message_id"])["text"]
    assert text.endswith("…")
    assert utf16_len(text) <= MAX_TEXT
    assert utf16_len(text) >= MAX_TEXT - 1
    assert set(text[:-1]) == {character}


def test_a_page_of_100_emoji_names_arrives(telegram: BotRun) -> None:
    """40 habits (one checklist page) named with 100 emoji each."""
    start(telegram, ANN)
    for number in range(40):
        telegram.tracker(ANN).add_habit(f"{number:02d}" + "😀" * 98)
    for command, least in (("/today", 80), ("/habits", 40), ("/stats", 40)):
        calls = sends(telegram.say(ANN, command))
        assert all(c.ok for c in calls)
        assert sum(len(c.buttons) for c in calls) >= least, command


def test_split_text_counts_utf16_units() -> None:
    assert split_text("hello") == ["hello"]
    assert split_text("😀" * 2048) == ["😀" * 2048]  # exactly 4096 units
    assert split_text("😀" * 2049) == ["😀" * 2048, "😀"]
    pieces = split_text("a" + "😀" * 2048)
    assert pieces == ["a" + "😀" * 2047, "😀"]
    assert [utf16_len(p) for p in pieces] == [4095, 2]
    # Lines are kept whole where they fit.
    line = "👨‍👩‍👧" * 25  # 200 units
    text = "\n".join([line] * 50)
    pieces = split_text(text)
    assert all(utf16_len(p) <= MAX_TEXT for p in pieces)
    assert all(set(p.split("\n")) == {line} for p in pieces)
    assert "\n".join(pieces) == text
    # A small limit, for shape.
    assert split_text("ab\ncd\nef", limit=5) == ["ab\ncd", "ef"]
    assert split_text("😀😀😀", limit=3) == ["😀", "😀", "😀"]


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.sampled_from(["a", "ж", " ", "\n", "😀", "\u200d", "👨", "🇺"]), max_size=60
    ),
    st.integers(2, 12),
)
def test_split_text_keeps_every_character_within_the_limit(text: str, limit: int) -> None:
    pieces = split_text(text, limit=limit)
    assert all(utf16_len(p) <= limit for p in pieces)
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text)


@pytest.mark.parametrize(
    ("text", "limit"),
    [("a" * 4096 + "\n \n" + "b" * 4096, MAX_TEXT), (" 🇺", 2)],
    ids=["blank-line", "leading-space"],
)
def test_split_text_never_returns_a_blank_piece(text: str, limit: int) -> None:
    pieces = split_text(text, limit=limit)
    assert all(utf16_len(p) <= limit for p in pieces)
    assert all(p.strip() for p in pieces), pieces


def test_a_button_from_an_earlier_add_does_not_act_on_the_current_one(telegram: BotRun) -> None:
    telegram.say(ANN, "/add")
    telegram.say(ANN, "Read")
    first = telegram.last(ANN)
    telegram.say(ANN, "/add")
    telegram.say(ANN, "Write")
    calls = telegram.press(ANN, first, button_data(first, "Weekdays"))
    answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert answers == ["That question is over; start again with /add."]
    current = telegram.last(ANN)
    telegram.press(ANN, current, button_data(current, "Every day"))
    telegram.press(ANN, telegram.last(ANN), button_data(telegram.last(ANN), "No reminder"))
    habits = [(s.habit.name, s.habit.schedule) for s in telegram.tracker(ANN).habits()]
    assert habits == [("Write", "daily")]
