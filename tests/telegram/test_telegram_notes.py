"""Notes on check-ins through the fake Bot API: a reply to a confirmation, its 📝 Note button and
its dialog, /note, removing a note, and every refusal changing nothing.

One bot serves the module (as in test_telegram_commands.py), and each test plays fresh users.
The clock stands still on Wednesday 2026-11-25, 09:00 UTC; reminders, which need the clock to
move, are in test_telegram_loop.py.
"""

# The fake hands back loosely typed dicts; a missing key fails the test anyway.
# mypy: disable-error-code="union-attr,index,operator,type-var,no-untyped-call"

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from fake_telegram import BOT_ID
from telegram_harness import (
    BotRun,
    button_data,
    every_row,
    labels,
    module_bot,
    press,
    said,
)

TODAY = date(2026, 11, 25)
NOTE = "📝 Note"
INVALID = "This button no longer works; send the command again."
NOT_YOURS = "This button belongs to someone else's message."
GONE = "That habit no longer exists."
ARCHIVED = "That habit is archived; /habits brings it back."
HINT = (
    "That message is no check-in I can put a note on. Reply to a ✅ or ⏭ message (from /done, "
    "/skip or a reminder you answered), tap its 📝 Note button, or send /note Read."
)

_ids = itertools.count(40_001)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotRun]:
    yield from module_bot(tmp_path_factory, "notes")


@pytest.fixture(autouse=True)
def _fake_stays_healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "bot" in request.fixturenames:
        request.getfixturevalue("bot").fake.assert_no_errors()


@pytest.fixture
def ann() -> int:
    return next(_ids)


@pytest.fixture
def bob() -> int:
    return next(_ids)


def begin(bot: BotRun, user: int, *names: str, language_code: str = "en") -> None:
    bot.say(user, "/timezone UTC", language_code=language_code)
    for name in names:
        bot.say(user, f"/add {name}", language_code=language_code)
        bot.tracker(user).edit_habit(name, start=date(2026, 11, 1))


def notes(bot: BotRun, user: int, name: str) -> list[tuple[date, str | None]]:
    return [(c.day, c.note) for c in bot.tracker(user).checkins(name)]


def done(bot: BotRun, user: int, line: str, **kw: Any) -> dict[str, Any]:
    """``/done line``: the confirmation, which carries the 📝 Note button."""
    bot.say(user, f"/done {line}", **kw)
    confirmation = bot.last(user)
    assert confirmation["text"].startswith(("✅", "Water")), confirmation["text"]
    return confirmation


# -- a reply to a confirmation -----------------------------------------------------------------


def test_a_reply_to_the_done_confirmation_sets_that_days_note(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read", "Run")
    today = done(bot, ann, "Read")
    assert labels(today) == [NOTE]
    yesterday = done(bot, ann, "Read | yesterday")
    assert yesterday["text"] == "✅ Read: done for Tue, 24 Nov"

    calls = bot.say(ann, "20 pages, a good chapter", reply_to=yesterday["message_id"])
    assert said(calls) == ["📝 Note saved for Read, Tue, 24 Nov."]
    calls = bot.say(ann, "Line one\nline two", reply_to=today["message_id"])
    assert said(calls) == ["📝 Note saved for Read, Wed, 25 Nov."]
    assert notes(bot, ann, "Read") == [
        (date(2026, 11, 24), "20 pages, a good chapter"),
        (TODAY, "Line one\nline two"),
    ]
    # A second reply replaces the note; the day stays done, and Run is untouched.
    bot.say(ann, "only 10 pages", reply_to=today["message_id"])
    assert notes(bot, ann, "Read")[-1] == (TODAY, "only 10 pages")
    assert [c.status for c in bot.tracker(ann).checkins("Read")] == ["done", "done"]
    assert bot.tracker(ann).checkins("Run") == []


def test_a_reply_to_a_skip_or_an_amount_confirmation_sets_its_note(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Run")
    bot.tracker(ann).add_habit("Water", target=8, unit="glasses")
    bot.say(ann, "/skip Run")
    skipped = bot.last(ann)
    assert (skipped["text"], labels(skipped)) == ("⏭ Run: skipped today", [NOTE])
    bot.say(ann, "knee hurts", reply_to=skipped["message_id"])
    water = done(bot, ann, "Water 3")
    assert (water["text"], labels(water)) == ("Water: 3 of 8 glasses today.", [NOTE])
    bot.say(ann, "all before noon", reply_to=water["message_id"])
    assert notes(bot, ann, "Run") == [(TODAY, "knee hurts")]
    assert notes(bot, ann, "Water") == [(TODAY, "all before noon")]
    assert [c.amount for c in bot.tracker(ann).checkins("Water")] == [3.0]


def test_a_day_of_another_year_names_its_year_and_takes_a_note(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    old = done(bot, ann, "Read | 2020-01-01")  # before the start: the start moves back
    assert old["text"] == "✅ Read: done for Wed, 1 Jan 2020"
    calls = bot.say(ann, "the first", reply_to=old["message_id"])
    assert said(calls) == ["📝 Note saved for Read, Wed, 1 Jan 2020."]
    assert notes(bot, ann, "Read") == [(date(2020, 1, 1), "the first")]


def test_a_reply_with_a_dash_removes_the_note(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    confirmation = done(bot, ann, "Read")
    bot.say(ann, "a note", reply_to=confirmation["message_id"])
    for dash in ("-", "—"):  # a phone may turn the hyphen into a dash
        bot.say(ann, "a note", reply_to=confirmation["message_id"])
        calls = bot.say(ann, f" {dash} ", reply_to=confirmation["message_id"])
        assert said(calls) == ["📝 Note removed from Read, Wed, 25 Nov."]
        assert notes(bot, ann, "Read") == [(TODAY, None)]
    assert [c.status for c in bot.tracker(ann).checkins("Read")] == ["done"]  # the day stays


def test_a_note_over_the_limit_or_with_hidden_characters_is_refused(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    confirmation = done(bot, ann, "Read")
    bot.say(ann, "kept", reply_to=confirmation["message_id"])
    before = every_row(bot)
    calls = bot.say(ann, "x" * 2001, reply_to=confirmation["message_id"])
    assert said(calls) == [
        "A note can be at most 2000 characters; this one has 2001. The note is unchanged."
    ]
    calls = bot.say(ann, "evil \u202egnidaer", reply_to=confirmation["message_id"])
    assert said(calls) == [
        "A note cannot contain control characters or invisible formatting characters. "
        "The note is unchanged."
    ]
    assert every_row(bot) == before
    bot.say(ann, "x" * 2000, reply_to=confirmation["message_id"])  # the limit itself is fine
    assert notes(bot, ann, "Read") == [(TODAY, "x" * 2000)]


def test_a_reply_after_the_day_was_unmarked_changes_nothing(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    confirmation = done(bot, ann, "Read")
    bot.say(ann, "/undo Read")
    before = every_row(bot)
    calls = bot.say(ann, "a note", reply_to=confirmation["message_id"])
    assert said(calls) == [
        "Nothing is recorded for Read on Wed, 25 Nov, and a note goes with a check-in: mark "
        "the day first."
    ]
    assert every_row(bot) == before


@pytest.mark.parametrize(("change", "expected"), [("delete", GONE), ("archive", ARCHIVED)])
def test_a_reply_or_a_press_about_a_habit_gone_or_archived_changes_nothing(
    bot: BotRun, ann: int, change: str, expected: str
) -> None:
    begin(bot, ann, "Read")
    confirmation = done(bot, ann, "Read")
    if change == "delete":
        bot.tracker(ann).delete_habit("Read")
    else:
        bot.tracker(ann).archive("Read")
    before = every_row(bot)
    assert said(bot.say(ann, "a note", reply_to=confirmation["message_id"])) == [expected]
    calls, answer = press(bot, ann, confirmation, button_data(confirmation, "Note"))
    assert (answer, said(calls)) == (expected, [])
    assert every_row(bot) == before


def test_a_reply_to_an_unrelated_or_forged_message_gets_a_hint(
    bot: BotRun, ann: int, bob: int
) -> None:
    begin(bot, ann, "Read")
    begin(bot, bob, "Read")
    confirmation = done(bot, ann, "Read")
    bot.say(ann, "/today")
    checklist = bot.last(ann)
    bob_confirmation = done(bot, bob, "Read")
    before = every_row(bot)

    # The checklist, the person's own message, a message of the bot with no note button.
    bot.say(ann, "my own words")
    own = bot.fake.sent(ann)  # the bot's messages only; the person's is the one before the hint
    mine = own[-1]["message_id"] - 1
    for target in (checklist["message_id"], mine):
        assert said(bot.say(ann, "a note", reply_to=target)) == [HINT]

    # Forged copies of a confirmation (Telegram never sends these, the bot refuses them anyway):
    # the same buttons on the person's own message, Bob's button, a malformed button.
    quoted = bot.fake.stored(ann, confirmation["message_id"])
    from_person = {**copy.deepcopy(quoted), "from": {"id": ann, "is_bot": False, "first_name": "A"}}
    bobs = copy.deepcopy(bot.fake.stored(bob, bob_confirmation["message_id"]))
    bobs["chat"] = quoted["chat"]
    broken = copy.deepcopy(quoted)
    data = broken["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    broken["reply_markup"]["inline_keyboard"][0][0]["callback_data"] = data + ":1"
    for forged in (from_person, bobs, broken):
        assert said(bot.say(ann, "a note", reply_to_message=forged)) == [HINT]
    assert every_row(bot) == before
    assert notes(bot, ann, "Read") == [(TODAY, None)]
    assert forged["from"]["id"] == BOT_ID  # the malformed one did come from the bot


def test_a_reply_to_a_dialogs_question_is_still_its_answer(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/add")
    question = bot.last(ann)
    bot.say(ann, "Read", reply_to=question["message_id"])  # people reply to the question
    assert bot.last(ann)["text"] == "How often do you want to do Read?"


# -- the 📝 Note button and its dialog ---------------------------------------------------------


def test_the_note_button_asks_and_the_next_text_is_the_note(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    confirmation = done(bot, ann, "Read")
    calls, answer = press(bot, ann, confirmation, button_data(confirmation, "Note"))
    assert answer == "Send the note in the chat."
    assert said(calls) == [
        "📝 Send the note for Read, Wed, 25 Nov, or /cancel. A single - removes it."
    ]
    calls = bot.say(ann, "read in the park")
    assert said(calls) == ["📝 Note saved for Read, Wed, 25 Nov."]
    assert notes(bot, ann, "Read") == [(TODAY, "read in the park")]
    # The dialog is over: the next text is not a note.
    assert said(bot.say(ann, "something else")) != ["📝 Note saved for Read, Wed, 25 Nov."]
    assert notes(bot, ann, "Read") == [(TODAY, "read in the park")]

    # Asked again, the question shows the note; "-" removes it.
    calls, _ = press(bot, ann, confirmation, button_data(confirmation, "Note"))
    assert said(calls) == [
        "📝 Send the note for Read, Wed, 25 Nov, or /cancel. A single - removes it.\n"
        "Its note now: read in the park"
    ]
    assert said(bot.say(ann, "-")) == ["📝 Note removed from Read, Wed, 25 Nov."]
    assert notes(bot, ann, "Read") == [(TODAY, None)]


def test_a_refused_note_keeps_the_dialog_open_and_cancel_leaves_it(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    confirmation = done(bot, ann, "Read")
    press(bot, ann, confirmation, button_data(confirmation, "Note"))
    before = every_row(bot)
    calls = bot.say(ann, "y" * 2500)
    assert said(calls) == [
        "A note can be at most 2000 characters; this one has 2500. The note is unchanged."
    ]
    assert every_row(bot) == before
    assert said(bot.say(ann, "shorter")) == ["📝 Note saved for Read, Wed, 25 Nov."]
    press(bot, ann, confirmation, button_data(confirmation, "Note"))
    assert said(bot.say(ann, "/cancel")) == ["Cancelled."]
    bot.say(ann, "not a note")
    assert notes(bot, ann, "Read") == [(TODAY, "shorter")]


def test_forged_note_buttons_change_nothing(bot: BotRun, ann: int, bob: int) -> None:
    begin(bot, ann, "Read", "Run")
    begin(bot, bob, "Walk")
    confirmation = done(bot, ann, "Read")
    read = bot.tracker(ann).habit("Read").id
    run = bot.tracker(ann).habit("Run").id
    walk = bot.tracker(bob).habit("Walk").id
    bot.tracker(bob).check("Walk")
    before = every_row(bot)
    cases = [
        (f"n:{ann}:{read}", INVALID),  # no day
        (f"n:{ann}:{read}:2026-11-25", INVALID),
        (f"n:{ann}:{read}:20261325", INVALID),
        (f"n:{ann}:+{read}:20261125", INVALID),
        (f"n:{ann}:{read}:20261125:x", INVALID),
        (f"n:{bob}:{walk}:20261125", NOT_YOURS),  # Bob's button on Ann's message
        (f"n:{ann}:{walk}:20261125", GONE),  # Ann's button naming Bob's habit
        (f"n:{ann}:999999999:20261125", GONE),
    ]
    for data, expected in cases:
        calls, answer = press(bot, ann, confirmation, data)
        assert answer == expected, (data, answer)
        assert not said(calls), data
    # Well formed, but nothing is recorded that day: said so, and no dialog opens.
    for data in (f"n:{ann}:{run}:20261125", f"n:{ann}:{read}:20261124", f"n:{ann}:{read}:20271125"):
        calls, answer = press(bot, ann, confirmation, data)
        assert answer.startswith("Nothing is recorded for "), (data, answer)
        assert not said(calls)
    assert said(bot.say(ann, "not a note")) != ["📝 Note saved for Run, Wed, 25 Nov."]
    assert every_row(bot) == before


# -- /note ---------------------------------------------------------------------------------------


def test_note_command_asks_for_a_days_note(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Read")
    before = every_row(bot)
    assert said(bot.say(ann, "/note")) == [
        "Use /note Read, or /note Read | yesterday, then send the note. A reply to a ✅ message "
        "sets its note too."
    ]
    assert said(bot.say(ann, "/note Read")) == [
        "Nothing is recorded for Read on Wed, 25 Nov, and a note goes with a check-in: mark "
        "the day first."
    ]
    assert said(bot.say(ann, "/note Nope"))[0].startswith("There is no habit called 'Nope'")
    assert every_row(bot) == before
    bot.tracker(ann).check("Read", date(2026, 11, 24))
    assert said(bot.say(ann, "/note rea | yesterday")) == [
        "📝 Send the note for Read, Tue, 24 Nov, or /cancel. A single - removes it."
    ]
    assert said(bot.say(ann, "from the checklist")) == ["📝 Note saved for Read, Tue, 24 Nov."]
    assert notes(bot, ann, "Read") == [(date(2026, 11, 24), "from the checklist")]


# -- in Russian --------------------------------------------------------------------------------


def test_notes_in_russian(bot: BotRun, ann: int) -> None:
    begin(bot, ann, "Чтение", language_code="ru")
    bot.say(ann, "/done Чтение", language_code="ru")
    confirmation = bot.last(ann)
    assert labels(confirmation) == ["📝 Заметка"]
    calls, answer = press(bot, ann, confirmation, button_data(confirmation, "Заметка"))
    assert answer == "Пришлите заметку в чат."
    assert said(calls) == [
        "📝 Пришлите заметку к «Чтение» за Ср, 25 ноя или /cancel. Одиночный - удаляет её."
    ]
    assert said(bot.say(ann, "глава 3", language_code="ru")) == [
        "📝 Заметка к «Чтение» за Ср, 25 ноя сохранена."
    ]
    calls = bot.say(ann, "я" * 2001, reply_to=confirmation["message_id"], language_code="ru")
    assert said(calls)[0].startswith("Заметка не изменилась: A note can be at most 2000")
    calls = bot.say(ann, "-", reply_to=confirmation["message_id"], language_code="ru")
    assert said(calls) == ["📝 Заметка к «Чтение» за Ср, 25 ноя удалена."]
    calls = bot.say(ann, "текст", reply_to=bot.last(ann)["message_id"], language_code="ru")
    assert said(calls)[0].startswith("К этому сообщению заметку не добавить.")
    assert notes(bot, ann, "Чтение") == [(TODAY, None)]
