"""Every command, button and dialog of the Telegram bot, played end to end as its users would.

The real bot runs against the fake Bot API (see telegram_harness.py). Starting and stopping a bot
costs about a second, so the tests share one bot for the module (built like the ``telegram``
fixture, with the harness's ``start_bot``) and each test plays its own fresh users: nothing one
test does is visible to another. No test here starts a second bot while that one runs (telebot's
API address is process-wide). The clock stands still on Wednesday 2026-11-25, 09:00 UTC.

Every failure path checks that the person's stored data (their whole export) did not change.
"""

from __future__ import annotations

import ast
import csv
import io
import itertools
import json
import re
import string
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import habitcore.errors
import habitcore_telegram
import harsh_files
import loop_files
from fake_telegram import DOWNLOAD, Call
from habitcore.rules.habits import Pause
from habitcore.storage.records import Habit
from habitcore.tracker import user_exists
from habitcore_telegram import routes
from habitcore_telegram.handlers import adding
from habitcore_telegram.picture import LEGEND
from habitcore_telegram.texts import en, ru
from telegram_harness import BotRun, button_data, labels, module_bot

TODAY = date(2026, 11, 25)  # a Wednesday: what the harness clock says
PNG = b"\x89PNG\r\n\x1a\n"
MOSCOW = (55.75, 37.62)
TOKYO = (35.68, 139.69)

_ids = itertools.count(20_001)


# -- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotRun]:
    """One bot for the whole module, on its own SQLite file."""
    yield from module_bot(tmp_path_factory, "bot")


@pytest.fixture(autouse=True)
def _fake_stays_healthy(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "bot" in request.fixturenames:
        request.getfixturevalue("bot").fake.assert_no_errors()


@pytest.fixture
def ann() -> int:
    """A Telegram user the bot has never seen."""
    return next(_ids)


@pytest.fixture
def bob() -> int:
    return next(_ids)


def state(bot: BotRun, user: int) -> dict[str, Any]:
    """Everything stored about ``user`` (settings, habits, reminders, check-ins, pauses)."""
    exported = bot.tracker(user).export()
    exported.pop("exported_at")
    return exported


def habit(bot: BotRun, user: int, name: str) -> Habit:
    return bot.tracker(user).habit(name)


def names(bot: BotRun, user: int) -> list[str]:
    return [s.habit.name for s in bot.tracker(user).habits(archived=True)]


def answer(calls: list[Call]) -> str | None:
    """What the bot answered to a button press (the toast)."""
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, [c.brief() for c in calls]
    return answers[0].params.get("text")


def sent_texts(calls: list[Call]) -> list[str]:
    return [c.text or "" for c in calls if c.method == "sendMessage"]


def add(bot: BotRun, user: int, *lines: str, language_code: str = "en") -> None:
    """``/add`` each line, checking each was added."""
    for line in lines:
        bot.say(user, f"/add {line}", language_code=language_code)
        assert bot.last(user)["text"].startswith(("Added", "Добавлено")), bot.last(user)["text"]


def open_card(bot: BotRun, user: int, name: str) -> dict[str, Any]:
    """``/habits``, then tap the habit: the card (the same message, edited)."""
    bot.say(user, "/habits")
    overview = bot.last(user)
    bot.press(user, overview, button_data(overview, name))
    card = bot.fake.stored(user, overview["message_id"])
    assert card is not None
    return card


def tap(bot: BotRun, user: int, message: dict[str, Any], label: str) -> tuple[str | None, Any]:
    """Tap a button: the toast, and the message as it is afterwards."""
    calls = bot.press(user, message, button_data(message, label))
    return answer(calls), bot.fake.stored(user, message["message_id"])


def reply_keyboard(calls: list[Call]) -> dict[str, Any]:
    """The reply keyboard sent with one of ``calls`` (Telegram does not echo it back)."""
    for call in calls:
        markup = call.markup or {}
        if "keyboard" in markup:
            return markup
    raise AssertionError([c.brief() for c in calls])


def removes_keyboard(calls: list[Call]) -> bool:
    return any((c.markup or {}).get("remove_keyboard") for c in calls)


# -- /start, /help, /language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "language", "hello", "share"),
    [
        ("ru", "ru", "Привет, Test!", "📍 Отправить геопозицию"),
        ("ru-RU", "ru", "Привет, Test!", "📍 Отправить геопозицию"),
        ("en", "en", "Hi, Test!", "📍 Share location"),
        ("de", "en", "Hi, Test!", "📍 Share location"),
    ],
)
def test_start_greets_in_the_telegram_language_and_asks_for_the_zone(
    bot: BotRun, ann: int, code: str, language: str, hello: str, share: str
) -> None:
    calls = bot.say(ann, "/start", language_code=code)
    greeting, ask = sent_texts(calls)
    assert greeting.startswith(hello)
    assert "UTC" in ask  # the zone is UTC until set
    keyboard = reply_keyboard(calls)
    assert keyboard["keyboard"] == [[{"text": share, "request_location": True}]]
    settings = bot.tracker(ann).settings()
    assert (settings.language, settings.timezone, settings.timezone_set) == (language, "UTC", False)


def test_start_again_welcomes_back_with_the_zone(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/timezone Europe/Moscow")
    calls = bot.say(ann, "/start")
    assert sent_texts(calls)[1] == (
        "Welcome back. Your time zone is Europe/Moscow.\n"
        "Add a habit with /add, see today with /today, and everything else with /help."
    )
    assert not any("keyboard" in (c.markup or {}) for c in calls)


@pytest.mark.parametrize(("code", "catalog"), [("en", en), ("ru", ru)])
def test_help_lists_every_command_of_the_menu(
    bot: BotRun, ann: int, code: str, catalog: Any
) -> None:
    bot.say(ann, "/help", language_code=code)
    text = bot.last(ann)["text"]
    for name, description in catalog.COMMANDS.items():
        assert f"/{name} — {description}" in text


def test_every_command_is_in_the_docs() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "telegram.md").read_text(
        encoding="utf-8"
    )
    for name in routes.COMMANDS:
        assert f"`/{name}" in page, name


def test_language_argument_switches_every_later_answer(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/language ru")
    assert bot.last(ann)["text"] == "Буду говорить по-русски."
    assert bot.tracker(ann).settings().language == "ru"
    bot.say(ann, "/help")
    assert bot.last(ann)["text"].startswith("Вот что я умею:")
    bot.say(ann, "/language EN")
    assert bot.last(ann)["text"] == "I will speak English."
    assert bot.tracker(ann).settings().language == "en"


def test_language_buttons(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/language")
    asked = bot.last(ann)
    assert asked["text"] == "Which language?"
    assert labels(asked) == ["English", "Русский"]
    said, _ = tap(bot, ann, asked, "Русский")
    assert said == "Буду говорить по-русски."
    assert bot.last(ann)["text"] == "Буду говорить по-русски."
    assert bot.tracker(ann).settings().language == "ru"
    said, _ = tap(bot, ann, asked, "English")
    assert said == "I will speak English."
    assert bot.tracker(ann).settings().language == "en"


def test_an_unknown_language_asks_and_changes_nothing(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/help")
    before = state(bot, ann)
    bot.say(ann, "/language klingon")
    assert bot.last(ann)["text"] == "Which language?"
    assert labels(bot.last(ann)) == ["English", "Русский"]
    assert state(bot, ann) == before


# -- /add in one line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "said", "schedule", "reminders"),
    [
        ("Read", "Added Read: daily; reminders: none.", "daily", ()),
        (
            "Read | 3/week | 21:00",
            "Added Read: 3 times a week; reminders: 21:00.",
            "3/week",
            ("21:00",),
        ),
        (
            "Read | mon,wed,fri | 08:00 mon,wed; 21:00",
            "Added Read: Mon, Wed, Fri; reminders: 08:00 mon,wed, 21:00.",
            "mon,wed,fri",
            ("08:00 mon,wed", "21:00"),
        ),
        ("Read|weekdays|07:30", "Added Read: weekdays; reminders: 07:30.", "weekdays", ("07:30",)),
    ],
)
def test_add_in_one_line(
    bot: BotRun, ann: int, line: str, said: str, schedule: str, reminders: tuple[str, ...]
) -> None:
    bot.say(ann, f"/add {line}")
    assert bot.last(ann)["text"] == said + "\n/today shows it on your checklist."
    added = habit(bot, ann, "Read")
    assert (added.schedule, added.reminders) == (schedule, reminders)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("Read | sometimes", "'sometimes' is not a schedule; write one of: daily, weekdays"),
        ("Read | daily | 25:61", "'25:61' is not a time of day"),
        (" | daily", "A habit needs a name of 1 to 100 characters."),
        ("x" * 101, "A habit name can be at most 100 characters; this one has 101."),
        ("walk", "you already have an active habit called 'walk'"),
        ("Read | daily | 21:00 | more", "Use /add Name, or /add Name | schedule | 21:00"),
    ],
)
def test_add_refuses_bad_input_and_changes_nothing(
    bot: BotRun, ann: int, line: str, said: str
) -> None:
    add(bot, ann, "Walk")
    before = state(bot, ann)
    bot.say(ann, f"/add {line}")
    assert bot.last(ann)["text"].lower().startswith(said.lower())
    assert state(bot, ann) == before


def test_a_too_long_name_is_refused_in_russian_with_the_limit(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Прогулка", language_code="ru")
    before = state(bot, ann)
    bot.say(ann, "/add " + "я" * 101)
    assert "100" in bot.last(ann)["text"]
    assert state(bot, ann) == before


# -- the /add dialog -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule_label", "time_label", "schedule", "reminders", "said"),
    [
        ("Every day", "21:00", "daily", ("21:00",), "Added Read: daily; reminders: 21:00."),
        ("Weekdays", "No reminder", "weekdays", (), "Added Read: weekdays; reminders: none."),
        (
            "3 times a week",
            "08:00",
            "3/week",
            ("08:00",),
            "Added Read: 3 times a week; reminders: 08:00.",
        ),
    ],
)
def test_add_dialog_with_buttons(
    bot: BotRun,
    ann: int,
    schedule_label: str,
    time_label: str,
    schedule: str,
    reminders: tuple[str, ...],
    said: str,
) -> None:
    bot.say(ann, "/add")
    assert bot.last(ann)["text"] == "What is the habit called? (1 to 100 characters; /cancel stops)"
    bot.say(ann, "Read")
    question = bot.last(ann)
    assert question["text"] == "How often do you want to do Read?"
    assert labels(question) == ["Every day", "Weekdays", "3 times a week", "Other…"]
    assert tap(bot, ann, question, schedule_label)[0] == schedule_label
    question = bot.last(ann)
    assert question["text"] == "When should I remind you?"
    assert labels(question) == ["08:00", "12:00", "21:00", "No reminder", "Other time…"]
    assert names(bot, ann) == []  # nothing is written before the last answer
    tap(bot, ann, question, time_label)
    assert bot.last(ann)["text"] == said + "\n/today shows it on your checklist."
    added = habit(bot, ann, "Read")
    assert (added.schedule, added.reminders) == (schedule, reminders)


def test_add_dialog_with_typed_schedule_and_times(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/add")
    bot.say(ann, "Read")
    tap(bot, ann, bot.last(ann), "Other…")
    assert bot.last(ann)["text"].startswith("Type a schedule: daily, weekdays, mon,wed,fri")
    bot.say(ann, "sometimes")  # a mistake: said, and the question stays open
    assert bot.last(ann)["text"].startswith("'sometimes' is not a schedule")
    bot.say(ann, "mon,wed,fri")
    tap(bot, ann, bot.last(ann), "Other time…")
    assert bot.last(ann)["text"].startswith("Type a time such as 07:30")
    bot.say(ann, "25:61")
    assert bot.last(ann)["text"].startswith("'25:61' is not a time of day")
    assert names(bot, ann) == []
    bot.say(ann, "07:30 mon,wed; 21:00")
    assert bot.last(ann)["text"].startswith(
        "Added Read: Mon, Wed, Fri; reminders: 07:30 mon,wed, 21:00."
    )
    added = habit(bot, ann, "Read")
    assert (added.schedule, added.reminders) == ("mon,wed,fri", ("07:30 mon,wed", "21:00"))


def test_add_dialog_checks_the_name_as_it_comes(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Walk")
    before = state(bot, ann)
    bot.say(ann, "/add")
    bot.say(ann, "x" * 101)
    assert bot.last(ann)["text"] == "A habit name can be at most 100 characters; this one has 101."
    bot.say(ann, "WALK")
    assert bot.last(ann)["text"].startswith("You already have an active habit called 'Walk'")
    assert state(bot, ann) == before
    bot.say(ann, "Read")  # still asking for the name
    assert bot.last(ann)["text"] == "How often do you want to do Read?"


def test_cancel_mid_dialog_and_a_stale_button_after_it(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/add")
    bot.say(ann, "Read")
    question = bot.last(ann)
    calls = bot.say(ann, "/cancel")
    assert bot.last(ann)["text"] == "Cancelled."
    assert removes_keyboard(calls)
    said, _ = tap(bot, ann, question, "Every day")
    assert said == "That question is over; start again with /add."
    bot.say(ann, "Read")  # no dialog any more: a hint, not a habit
    assert bot.last(ann)["text"].startswith("I did not expect that.")
    assert names(bot, ann) == []
    bot.say(ann, "/cancel")
    assert bot.last(ann)["text"] == "There was nothing to cancel."


def test_a_stale_time_button_after_cancel(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/add")
    bot.say(ann, "Read")
    tap(bot, ann, bot.last(ann), "Every day")
    question = bot.last(ann)
    bot.say(ann, "/cancel")
    said, _ = tap(bot, ann, question, "21:00")
    assert said == "That question is over; start again with /add."
    assert names(bot, ann) == []


def test_a_new_command_leaves_the_dialog(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/add")
    bot.say(ann, "/today")
    assert bot.last(ann)["text"].startswith("📋 Wed, 25 Nov")
    bot.say(ann, "Read")
    assert bot.last(ann)["text"].startswith("I did not expect that.")
    assert names(bot, ann) == []


@pytest.mark.parametrize("step", ["schedule", "time"])
def test_typing_instead_of_tapping_in_the_add_dialog(bot: BotRun, ann: int, step: str) -> None:
    bot.say(ann, "/add")
    bot.say(ann, "Read")
    if step == "time":
        tap(bot, ann, bot.last(ann), "Every day")
        bot.say(ann, "21:00")
        assert not bot.last(ann)["text"].startswith("I did not expect that.")
        assert habit(bot, ann, "Read").reminders == ("21:00",)
    else:
        bot.say(ann, "3/week")
        assert not bot.last(ann)["text"].startswith("I did not expect that.")
        assert bot.last(ann)["text"] == "When should I remind you?"


# -- /today and /list ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["/today", "/list"])
def test_checklist_lists_due_habits_as_buttons(bot: BotRun, ann: int, command: str) -> None:
    add(bot, ann, "Read", "Run | tue,thu", "Walk | weekdays")
    bot.say(ann, command)
    checklist = bot.last(ann)
    assert checklist["text"] == (
        "📋 Wed, 25 Nov\n"
        "Tap a habit when done; ⏭ skips it for today.\n"
        "Not due today: Run\n"
        "Your time zone is still UTC: /timezone sets yours."
    )
    assert labels(checklist) == ["⬜ Read", "⏭", "⬜ Walk", "⏭"]


def test_tapping_and_skipping_on_the_checklist(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read", "Walk")
    bot.say(ann, "/today")
    checklist = bot.last(ann)
    said, now = tap(bot, ann, checklist, "Read")
    assert said == "✅ Read: done"
    assert labels(now) == ["✅ Read · 🔥1", "⏭", "⬜ Walk", "⏭"]
    skip = checklist["reply_markup"]["inline_keyboard"][1][1]["callback_data"]
    assert answer(bot.press(ann, checklist, skip)) == "⏭ Walk: skipped today"
    assert labels(bot.fake.stored(ann, checklist["message_id"]))[2] == "⏭ Walk"
    assert [c.status.value for c in bot.tracker(ann).checkins("Walk")] == ["skipped"]
    said, now = tap(bot, ann, now, "Read")  # again: unmarked
    assert said == "↩️ Read: unmarked"
    assert bot.tracker(ann).checkins("Read") == []


def test_the_utc_hint_goes_once_the_zone_is_set(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    bot.say(ann, "/timezone Europe/Moscow")
    bot.say(ann, "/today")
    assert "UTC" not in bot.last(ann)["text"]
    assert labels(bot.last(ann)) == ["⬜ Read", "⏭"]


def test_checklist_without_habits(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/today")
    assert bot.last(ann)["text"] == (
        "📋 Wed, 25 Nov\nYou have no habits yet: /add Read adds one.\n"
        "Your time zone is still UTC: /timezone sets yours."
    )
    assert labels(bot.last(ann)) == []


def test_checklist_when_nothing_is_due(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Run | tue,thu")
    bot.say(ann, "/today")
    assert bot.last(ann)["text"].startswith("📋 Wed, 25 Nov\nNothing is due today. 🎉")
    assert labels(bot.last(ann)) == []


@pytest.mark.parametrize(
    "line", ["Not due today: Run", "Your time zone is still UTC: /timezone sets yours."]
)
def test_checklist_when_nothing_is_due_still_names_habits_and_the_zone(
    bot: BotRun, ann: int, line: str
) -> None:
    add(bot, ann, "Run | tue,thu")
    bot.say(ann, "/today")
    assert line in bot.last(ann)["text"].split("\n")


# -- /habits -------------------------------------------------------------------------------------


def test_habits_overview_and_a_card(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read | daily | 21:00", "Run | 3/week")
    bot.tracker(ann).check("Read")
    bot.say(ann, "/habits")
    overview = bot.last(ann)
    assert overview["text"] == "Your habits: 2 active, 0 archived. Tap one to change it."
    assert labels(overview) == ["Read · daily", "Run · 3 times a week"]
    card = open_card(bot, ann, "Read")
    assert card["text"] == "Read\ndaily\n⏰ 21:00\n🔥 1 day (best 1 day) · score 5%"
    assert labels(card) == [
        "✏️ Rename",
        "📅 Schedule",
        "⏰ Reminders",
        "🎯 Amount",
        "⏸ Pause",
        "🗄 Archive",
        "🗑 Delete",
        "« All habits",
    ]
    _, back = tap(bot, ann, card, "All habits")
    assert back["text"] == overview["text"]


def test_habits_without_any(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/habits")
    assert bot.last(ann)["text"] == "You have no habits yet: /add Read adds one."


def test_rename_through_the_card(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read", "Walk")
    bot.tracker(ann).check("Read")
    card = open_card(bot, ann, "Read")
    assert tap(bot, ann, card, "Rename")[0] == "✏️ Rename"
    assert bot.last(ann)["text"] == "New name for Read? (1 to 100 characters)"
    before = state(bot, ann)
    bot.say(ann, "walk")
    assert bot.last(ann)["text"].lower().startswith("you already have an active habit called")
    bot.say(ann, "y" * 101)
    assert bot.last(ann)["text"].startswith("A habit name can be at most 100 characters")
    assert state(bot, ann) == before
    bot.say(ann, "Read books")
    assert bot.last(ann)["text"] == "Renamed to Read books."
    assert names(bot, ann) == ["Read books", "Walk"]
    assert len(bot.tracker(ann).checkins("Read books")) == 1  # the history stays
    bot.say(ann, "Anything")  # the dialog is over
    assert bot.last(ann)["text"].startswith("I did not expect that.")


@pytest.mark.parametrize(
    ("label", "schedule", "shown"),
    [
        ("Weekdays", "weekdays", "weekdays"),
        ("3 times a week", "3/week", "3 times a week"),
        ("Every day", "daily", "daily"),
    ],
)
def test_schedule_buttons_on_the_card(
    bot: BotRun, ann: int, label: str, schedule: str, shown: str
) -> None:
    add(bot, ann, "Read | mon,fri")
    card = open_card(bot, ann, "Read")
    _, asked = tap(bot, ann, card, "Schedule")
    assert asked["text"] == "New schedule for Read:"
    assert labels(asked) == ["Every day", "Weekdays", "3 times a week", "Other…"]
    toast, redrawn = tap(bot, ann, asked, label)
    assert toast == f"Read is now {shown}."
    assert redrawn["text"].split("\n")[:2] == ["Read", shown]  # the card again
    assert labels(redrawn)[0] == "✏️ Rename"
    assert habit(bot, ann, "Read").schedule == schedule


def test_custom_schedule_from_the_card(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    card = open_card(bot, ann, "Read")
    _, asked = tap(bot, ann, card, "Schedule")
    tap(bot, ann, asked, "Other…")
    assert bot.last(ann)["text"].startswith("Type a schedule:")
    before = state(bot, ann)
    bot.say(ann, "sometimes")
    assert bot.last(ann)["text"].startswith("'sometimes' is not a schedule")
    assert state(bot, ann) == before
    bot.say(ann, "mon,fri")
    assert bot.last(ann)["text"] == "Read is now Mon, Fri."
    assert habit(bot, ann, "Read").schedule == "mon,fri"


def test_reminders_dialog_on_the_card(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read | daily | 21:00")
    card = open_card(bot, ann, "Read")
    assert tap(bot, ann, card, "Reminders")[0] == "⏰ Reminders"
    assert bot.last(ann)["text"].startswith("Reminders for Read: a time such as 08:00")
    before = state(bot, ann)
    bot.say(ann, "25:61")
    assert bot.last(ann)["text"].startswith("'25:61' is not a time of day")
    assert state(bot, ann) == before
    bot.say(ann, "08:00 mon,wed,fri; 21:30")
    assert bot.last(ann)["text"] == "I will remind you of Read at 08:00 mon,wed,fri, 21:30."
    assert habit(bot, ann, "Read").reminders == ("08:00 mon,wed,fri", "21:30")
    card = open_card(bot, ann, "Read")
    assert "⏰ 08:00 mon,wed,fri, 21:30" in card["text"]
    tap(bot, ann, card, "Reminders")
    bot.say(ann, "off")
    assert bot.last(ann)["text"] == "No more reminders for Read."
    assert habit(bot, ann, "Read").reminders == ()


def test_pause_seven_days_and_resume(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    card = open_card(bot, ann, "Read")
    _, asked = tap(bot, ann, card, "Pause")
    assert asked["text"] == "Pause Read for how long? Paused days do not break its streak."
    assert labels(asked) == ["3 days", "7 days", "14 days", "30 days", "▶️ Resume now"]
    toast, card = tap(bot, ann, asked, "7 days")
    assert toast == "Read is paused until 2026-12-01."
    assert "⏸ paused 2026-11-25 to 2026-12-01" in card["text"].split("\n")
    assert bot.tracker(ann).pauses("Read") == [Pause(TODAY, date(2026, 12, 1))]
    bot.say(ann, "/today")
    assert labels(bot.last(ann)) == []  # paused today
    _, asked = tap(bot, ann, card, "Pause")
    toast, card = tap(bot, ann, asked, "Resume now")
    assert toast == "Read counts again from today."
    assert "paused" not in card["text"]
    assert bot.tracker(ann).pauses("Read") == []


def test_archive_and_unarchive(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read | daily | 21:00", "Walk")
    card = open_card(bot, ann, "Read")
    toast, card = tap(bot, ann, card, "Archive")
    assert toast == "Read is archived."
    assert card["text"] == "🗄 Read\ndaily\n⏰ 21:00"
    assert labels(card) == ["♻️ Unarchive", "🗑 Delete", "« All habits"]
    assert habit(bot, ann, "Read").archived
    bot.say(ann, "/habits")
    overview = bot.last(ann)
    assert overview["text"] == "Your habits: 1 active, 1 archived. Tap one to change it."
    assert labels(overview) == ["Walk · daily", "🗄 Read"]
    bot.say(ann, "/today")
    assert labels(bot.last(ann)) == ["⬜ Walk", "⏭"]
    _, card = tap(bot, ann, overview, "🗄 Read")
    toast, card = tap(bot, ann, card, "Unarchive")
    assert toast == "Read is back."
    assert card["text"].startswith("Read\ndaily\n⏰ 21:00")
    assert not habit(bot, ann, "Read").archived


@pytest.mark.parametrize("label", ["Rename", "Schedule", "Reminders", "Amount", "Pause"])
def test_an_old_card_of_an_archived_habit_starts_nothing(bot: BotRun, ann: int, label: str) -> None:
    add(bot, ann, "Read | daily | 21:00")
    card = open_card(bot, ann, "Read")
    bot.tracker(ann).archive("Read")  # from another card, or the habit command
    before = state(bot, ann)

    toast, after = tap(bot, ann, card, label)

    assert toast == "That habit is archived; /habits brings it back."
    assert after == card  # the old card is left as it was, not turned into a question
    calls = bot.say(ann, "Reading")  # what a rename or a schedule would have taken
    assert sent_texts(calls) == [
        "I did not expect that. /today shows your checklist, /add adds a habit, /help lists "
        "everything."
    ]
    assert state(bot, ann) == before


def test_a_dialog_about_a_habit_archived_meanwhile_ends(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    card = open_card(bot, ann, "Read")
    tap(bot, ann, card, "Rename")
    bot.tracker(ann).archive("Read")
    before = state(bot, ann)

    calls = bot.say(ann, "Reading")

    assert sent_texts(calls) == ["'Read' is archived; unarchive it first."]
    calls = bot.say(ann, "Books")  # the dialog is over: no second refusal, a hint
    assert sent_texts(calls)[0].startswith("I did not expect that.")
    assert state(bot, ann) == before


def test_delete_asks_first_and_no_keeps_it(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read", "Walk")
    bot.tracker(ann).check("Read")
    card = open_card(bot, ann, "Read")
    _, asked = tap(bot, ann, card, "Delete")
    assert asked["text"] == (
        "Delete Read with all its history? This cannot be undone; archiving keeps the history."
    )
    assert labels(asked) == ["Yes, delete", "No, keep it"]
    before = state(bot, ann)
    _, kept = tap(bot, ann, asked, "No, keep it")
    assert kept["text"].startswith("Read\ndaily")
    assert state(bot, ann) == before
    _, asked = tap(bot, ann, kept, "Delete")
    toast, overview = tap(bot, ann, asked, "Yes, delete")
    assert toast == "Read is deleted."
    assert overview["text"] == "Your habits: 1 active, 0 archived. Tap one to change it."
    assert names(bot, ann) == ["Walk"]
    # a button of the deleted habit's card, tapped late
    assert tap(bot, ann, card, "Rename")[0] == "That habit no longer exists."
    assert names(bot, ann) == ["Walk"]


# -- /stats --------------------------------------------------------------------------------------


def test_stats_of_all_habits_with_a_button_each(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read", "Run | 3/week")
    bot.tracker(ann).check("Read")
    bot.say(ann, "/stats")
    listing = bot.last(ann)
    assert listing["text"] == (
        "📊 Your habits (streak, best, score, last 30 days):\n"
        "• Read: 🔥 1 day, best 1, score 5%, 30 days 100%\n"
        "• Run: 🔥 0 weeks, best 0, score 0%, 30 days –"
    )
    assert labels(listing) == ["📊 Read", "📊 Run"]
    assert not bot.fake.calls_of("sendPhoto", ann)
    calls = bot.press(ann, listing, button_data(listing, "📊 Run"))
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    assert photos[0].files["photo"].startswith(PNG)
    assert photos[0].params["caption"] == "Run: the last six months and the score"


def test_stats_of_one_habit_by_name(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read", "Run")
    bot.tracker(ann).check("Read")
    calls = bot.say(ann, "/stats read")
    assert sent_texts(calls) == [
        "📊 Read\n"
        "🔥 Streak: 1 day (best 1 day)\n"
        "⭐ Score: 5%\n"
        "✔️ Done: 7 days 100% · 30 days 100% · a year 100%"
    ]
    (photo,) = [c for c in calls if c.method == "sendPhoto"]
    assert photo.files["photo"].startswith(PNG)
    assert bot.last(ann)["caption"] == "Read: the last six months and the score"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_picture_draws_every_character_it_shows(
    bot: BotRun, ann: int, language: str, recwarn: pytest.WarningsRecorder
) -> None:
    """The picture's font lacks emoji and CJK, so a name in any script goes in the caption."""
    name = "📚 读书 Чтение"
    bot.say(ann, f"/language {language}")
    bot.say(ann, f"/add {name}")
    bot.tracker(ann).check(name)
    calls = bot.say(ann, "/stats")
    (photo,) = [c for c in calls if c.method == "sendPhoto"]
    assert photo.files["photo"].startswith(PNG)
    assert photo.params["caption"].startswith(f"{name}: ")
    glyphs = [str(w.message) for w in recwarn if "Glyph" in str(w.message)]
    assert glyphs == []


def test_stats_of_a_single_habit_sends_its_picture_at_once(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    calls = bot.say(ann, "/stats")
    assert sent_texts(calls)[0].startswith("📊 Read\n🔥 Streak: 0 days (best 0 days)")
    (photo,) = [c for c in calls if c.method == "sendPhoto"]
    assert photo.files["photo"].startswith(PNG)


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("/stats Nope", "There is no habit called 'Nope'"),
        ("/stats", "You have no habits yet: /add Read adds one."),
    ],
)
def test_stats_without_such_a_habit(bot: BotRun, ann: int, command: str, said: str) -> None:
    if command != "/stats":
        add(bot, ann, "Read")
    bot.say(ann, "/help")
    before = state(bot, ann)
    calls = bot.say(ann, command)
    assert bot.last(ann)["text"].startswith(said)
    assert not [c for c in calls if c.method == "sendPhoto"]
    assert state(bot, ann) == before


# -- /remind -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "name", "reminders"),
    [
        ("Read 08:00 mon,wed,fri", "Read", ("08:00 mon,wed,fri",)),
        ("read 08:00; 21:00", "Read", ("08:00", "21:00")),
        ("Read books 07:15", "Read books", ("07:15",)),
        ("Read off", "Read", ()),
    ],
)
def test_remind(bot: BotRun, ann: int, args: str, name: str, reminders: tuple[str, ...]) -> None:
    add(bot, ann, "Read | daily | 21:00", "Read books")
    bot.say(ann, f"/remind {args}")
    said = (
        f"I will remind you of {name} at {', '.join(reminders)}."
        if reminders
        else f"No more reminders for {name}."
    )
    assert bot.last(ann)["text"] == said
    assert habit(bot, ann, name).reminders == reminders


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ("Read 25:61", "'25:61' is not a time of day"),
        ("Nope 08:00", "There is no habit called 'Nope'"),
        ("Read", "Set reminders with /remind Read 08:00"),
        ("08:00", "Set reminders with /remind Read 08:00"),
    ],
)
def test_remind_refuses_and_changes_nothing(bot: BotRun, ann: int, args: str, said: str) -> None:
    add(bot, ann, "Read | daily | 21:00")
    before = state(bot, ann)
    bot.say(ann, f"/remind {args}")
    assert bot.last(ann)["text"].startswith(said)
    assert state(bot, ann) == before


def test_remind_without_arguments_lists_the_reminders(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read | daily | 08:00 mon,wed; 21:00", "Walk")
    bot.say(ann, "/remind")
    assert bot.last(ann)["text"] == (
        "Set reminders with /remind Read 08:00, /remind Read 08:00 mon,wed,fri, "
        "/remind Read 08:00; 21:00 or /remind Read off.\n"
        "• Read: 08:00 mon,wed, 21:00\n"
        "• Walk: —"
    )


# -- /timezone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown", "stored", "local"),
    [
        ("Europe/Moscow", "Europe/Moscow", "Europe/Moscow", "12:00"),
        ("+3", "UTC+3", "Etc/GMT-3", "12:00"),
        ("europe/moscow", "Europe/Moscow", "Europe/Moscow", "12:00"),
        ("Asia/Tokyo", "Asia/Tokyo", "Asia/Tokyo", "18:00"),
    ],
)
def test_timezone_argument(
    bot: BotRun, ann: int, typed: str, shown: str, stored: str, local: str
) -> None:
    calls = bot.say(ann, f"/timezone {typed}")
    assert bot.last(ann)["text"] == (
        f"Time zone set to {shown}; it is {local} there now.\n"
        "Add a habit with /add, see today with /today, and everything else with /help."
    )
    assert removes_keyboard(calls)
    settings = bot.tracker(ann).settings()
    assert (settings.timezone, settings.timezone_set) == (stored, True)


def test_an_unknown_zone_is_refused(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/timezone Asia/Tokyo")
    before = state(bot, ann)
    bot.say(ann, "/timezone Mars/Olympus")
    assert bot.last(ann)["text"].startswith("'Mars/Olympus' is not a time zone; use an IANA name")
    assert state(bot, ann) == before


def test_timezone_without_argument_offers_the_location_button(bot: BotRun, ann: int) -> None:
    calls = bot.say(ann, "/timezone")
    current, ask = sent_texts(calls)
    assert current == "Your time zone is UTC."
    assert ask.startswith("Which time zone are you in?")
    assert reply_keyboard(calls)["keyboard"][0][0] == {
        "text": "📍 Share location",
        "request_location": True,
    }
    before = state(bot, ann)
    bot.say(ann, "Mars/Olympus")  # typed in the dialog: refused, still asking
    assert bot.last(ann)["text"].startswith("'Mars/Olympus' is not a time zone")
    assert state(bot, ann) == before
    calls = bot.say(ann, "Europe/Moscow")
    assert bot.last(ann)["text"].startswith(
        "Time zone set to Europe/Moscow; it is 12:00 there now."
    )
    assert removes_keyboard(calls)
    assert bot.tracker(ann).settings().timezone == "Europe/Moscow"
    bot.say(ann, "Asia/Tokyo")  # the dialog is over
    assert bot.tracker(ann).settings().timezone == "Europe/Moscow"


@pytest.mark.parametrize(("where", "zone"), [(MOSCOW, "Europe/Moscow"), (TOKYO, "Asia/Tokyo")])
def test_sharing_a_location_sets_the_zone(
    bot: BotRun, ann: int, where: tuple[float, float], zone: str
) -> None:
    bot.say(ann, "/start")
    calls = bot.location(ann, *where)
    assert bot.last(ann)["text"].startswith(f"Time zone set to {zone}; it is ")
    assert removes_keyboard(calls)
    settings = bot.tracker(ann).settings()
    assert (settings.timezone, settings.timezone_set) == (zone, True)


# -- /daystart, /morning -------------------------------------------------------------------------


def test_daystart(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/daystart")
    assert bot.last(ann)["text"].startswith("Your day starts at 00:00. Change it with /daystart")
    bot.say(ann, "/daystart 04:00")
    assert bot.last(ann)["text"] == "Your day now starts at 04:00."
    assert bot.tracker(ann).settings().day_start == "04:00"
    before = state(bot, ann)
    bot.say(ann, "/daystart 25:00")
    assert bot.last(ann)["text"].startswith("'25:00' is not a time of day")
    assert state(bot, ann) == before


def test_morning_on_and_off(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/morning")
    assert bot.last(ann)["text"] == "The morning message is on. /morning off turns it off."
    bot.say(ann, "/morning off")
    assert bot.last(ann)["text"] == "No more morning messages."
    assert bot.tracker(ann).settings().morning_summary is False
    bot.say(ann, "/morning")
    assert bot.last(ann)["text"] == "The morning message is off. /morning on turns it on."
    bot.say(ann, "/morning ON")
    assert bot.last(ann)["text"] == "You will get a morning message at the start of each day."
    assert bot.tracker(ann).settings().morning_summary is True


# -- /vacation -----------------------------------------------------------------------------------


def test_vacation_for_seven_days_and_off(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read", "Walk")
    bot.say(ann, "/vacation 7")
    assert bot.last(ann)["text"] == (
        "On vacation for 7 days, until 2026-12-01. Streaks are safe; /vacation off ends it early."
    )
    assert bot.tracker(ann).pauses() == [Pause(TODAY, date(2026, 12, 1))]
    bot.say(ann, "/today")
    assert labels(bot.last(ann)) == []  # every habit is paused
    bot.say(ann, "/vacation off")
    assert bot.last(ann)["text"] == "Vacation over: your habits count again from today."
    assert bot.tracker(ann).pauses() == []
    bot.say(ann, "/vacation off")
    assert bot.last(ann)["text"] == "You are not on vacation."


def test_vacation_buttons(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    bot.say(ann, "/vacation")
    asked = bot.last(ann)
    assert asked["text"] == "Pause every habit for how long? Paused days do not break streaks."
    assert labels(asked) == ["3 days", "7 days", "14 days", "30 days", "End the vacation"]
    toast, edited = tap(bot, ann, asked, "14 days")
    assert toast == edited["text"]
    assert edited["text"].startswith("On vacation for 14 days, until 2026-12-08.")
    assert bot.tracker(ann).pauses() == [Pause(TODAY, date(2026, 12, 8))]
    bot.say(ann, "/vacation")
    toast, edited = tap(bot, ann, bot.last(ann), "End the vacation")
    assert toast == "Vacation over: your habits count again from today."
    assert bot.tracker(ann).pauses() == []


@pytest.mark.parametrize("typed", ["abc", "400", "0", "-3"])
def test_vacation_refuses_a_bad_length(bot: BotRun, ann: int, typed: str) -> None:
    add(bot, ann, "Read")
    before = state(bot, ann)
    bot.say(ann, f"/vacation {typed}")
    assert bot.last(ann)["text"] == "Give a number of days from 1 to 365, or off: /vacation 7."
    assert state(bot, ann) == before


# -- /export, /import ----------------------------------------------------------------------------


def export_of(bot: BotRun, user: int) -> tuple[Call, Call]:
    calls = bot.say(user, "/export")
    documents = [c for c in calls if c.method == "sendDocument"]
    assert len(documents) == 2, [c.brief() for c in calls]
    return documents[0], documents[1]


def test_export_sends_json_and_csv(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read | daily | 21:00", "Run | 3/week")
    bot.tracker(ann).check("Read")
    document, table = export_of(bot, ann)
    assert document.filenames["document"] == "habitcore-2026-11-25.json"
    assert document.params["caption"] == "Your data in habitcore's format: /import restores it."
    data = json.loads(document.files["document"])
    assert (data["format"], data["user"]) == ("habitcore", f"telegram:{ann}")
    assert [(h["name"], h["schedule"]) for h in data["habits"]] == [
        ("Read", "daily"),
        ("Run", "3/week"),
    ]
    assert data["habits"][0]["checkins"] == [
        {"day": "2026-11-25", "status": "done", "amount": None, "note": None}
    ]
    assert table.filenames["document"] == "habitcore-2026-11-25.csv"
    assert table.params["caption"] == "Every check-in as CSV, for a spreadsheet."
    rows = list(csv.reader(io.StringIO(table.files["document"].decode())))
    assert rows == [
        ["habit", "day", "status", "amount", "note"],
        ["Read", "2026-11-25", "done", "", ""],
    ]


ASK_IMPORT = (
    "Send me the file to import: the JSON or CSV from /export, a Loop Habit Tracker backup (.db) "
    "or CSV export (.zip), or a zip of harsh's habits and log files. Nothing changes unless all "
    "of it can be read. /cancel stops."
)
COULD_NOT_FETCH = (
    "I could not fetch that file from Telegram; nothing changed. Please send it again."
)
# habitcore's CSV: two past days of Read (one with a note) and one day still to come.
CHECKINS_CSV = (
    b"habit,day,status,amount,note\n"
    b"Read,2026-11-20,done,,a good book\n"
    b"Read,2026-11-21,skipped,,\n"
    b"Read,2026-12-30,done,,\n"
)


def test_import_restores_another_users_export_into_a_fresh_user(
    bot: BotRun, ann: int, bob: int
) -> None:
    add(bot, ann, "Read | daily | 21:00", "Run | 3/week")
    bot.tracker(ann).check("Read")
    bot.tracker(ann).check("Run")
    document, _ = export_of(bot, ann)
    bot.say(bob, "/import")
    assert bot.last(bob)["text"] == ASK_IMPORT
    bot.say(bob, "here it comes")  # text while a file is awaited: asked again
    assert bot.last(bob)["text"] == ASK_IMPORT
    calls = bot.document(bob, "habitcore.json", document.files["document"])
    assert sent_texts(calls) == [
        "⏳ Importing…",
        "Imported a habitcore JSON export (habitcore.json):\n"
        "Habits: 2 created, 0 matched\n"
        "Check-ins: 2 added, 0 already there",
    ]
    restored = {h["name"]: h for h in state(bot, bob)["habits"]}
    original = {h["name"]: h for h in state(bot, ann)["habits"]}
    assert restored == original
    assert habit(bot, bob, "Read").reminders == ("21:00",)
    bot.say(bob, "/today")
    assert labels(bot.last(bob)) == ["✅ Read · 🔥1", "⏭", "✅ Run", "⏭"]

    # The same file again: everything is already there, and nothing changes.
    before = state(bot, bob)
    bot.say(bob, "/import")
    bot.document(bob, "habitcore.json", document.files["document"])
    assert bot.last(bob)["text"] == (
        "Imported a habitcore JSON export (habitcore.json):\n"
        "Habits: 0 created, 2 matched (Read, Run)\n"
        "Check-ins: 0 added, 2 already there"
    )
    assert state(bot, bob) == before


def test_import_of_a_csv_says_what_it_did_and_what_it_left_out(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    bot.tracker(ann).check("Read", date(2026, 11, 21))  # done here, skipped in the file
    bot.say(ann, "/import")
    calls = bot.document(ann, "habits.csv", CHECKINS_CSV, mime_type="text/csv")
    assert sent_texts(calls)[-1] == (
        "Imported a habitcore CSV export (habits.csv):\n"
        "Habits: 0 created, 1 matched (Read)\n"
        "Check-ins: 1 added, 0 already there, 1 recorded otherwise here and kept\n"
        "Not imported as they were:\n"
        "• days after today: left out: only past days and today"
    )
    assert [(c.day, c.status, c.note) for c in bot.tracker(ann).checkins("Read")] == [
        (date(2026, 11, 20), "done", "a good book"),
        (date(2026, 11, 21), "done", None),
    ]
    # The import is over: another file is not taken without /import.
    bot.document(ann, "habits.csv", CHECKINS_CSV, mime_type="text/csv")
    assert bot.last(ann)["text"] == "To restore data, send /import first, then the file."


def test_import_takes_a_loop_backup_and_a_harsh_zip_like_habit_import(
    bot: BotRun, ann: int, tmp_path: Path
) -> None:
    add(bot, ann, "Walk")
    walk = [(1, TODAY - timedelta(days=n), 2, "a note" if n == 1 else None) for n in (1, 2)]
    loop = loop_files.backup(
        tmp_path / "loop.db",
        25,
        [loop_files.habit("Walk"), loop_files.habit("Stretch", archived=1)],
        [*walk, (2, TODAY - timedelta(days=3), 3, None)],
    )
    bot.say(ann, "/import")
    calls = bot.document(ann, "Loop Habits Backup.db", loop.read_bytes())
    assert sent_texts(calls)[-1] == (
        "Imported a Loop Habit Tracker backup (Loop Habits Backup.db):\n"
        "Habits: 1 created, 1 matched (Walk)\n"
        "Check-ins: 3 added, 0 already there"
    )
    assert [(c.day, c.note) for c in bot.tracker(ann).checkins("Walk")] == [
        (TODAY - timedelta(days=2), None),
        (TODAY - timedelta(days=1), "a note"),
    ]
    assert habit(bot, ann, "Stretch").archived
    # The same backup again: each habit is found by its uuid; nothing is added.
    before = state(bot, ann)
    bot.say(ann, "/import")
    bot.document(ann, "Loop Habits Backup.db", loop.read_bytes())
    assert bot.last(ann)["text"].splitlines()[1:] == [
        "Habits: 0 created, 2 matched (Walk, Stretch)",
        "Check-ins: 0 added, 3 already there",
    ]
    assert state(bot, ann) == before

    zipped = harsh_files.write_zip(
        tmp_path / "harsh.zip",
        "Read: 1\n",
        harsh_files.log_line(TODAY - timedelta(days=1), "Read", "y", "a chapter"),
    )
    bot.say(ann, "/import")
    bot.document(ann, "harsh.zip", zipped.read_bytes(), mime_type="application/zip")
    assert bot.last(ann)["text"] == (
        "Imported harsh's habits and log files (harsh.zip):\n"
        "Habits: 1 created, 0 matched\n"
        "Check-ins: 1 added, 0 already there"
    )
    assert [(c.day, c.note) for c in bot.tracker(ann).checkins("Read")] == [
        (TODAY - timedelta(days=1), "a chapter")
    ]


def test_import_summary_in_russian_groups_thousands(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/start", language_code="ru")
    rows = [
        f"Walk,{date.fromordinal(TODAY.toordinal() - n).isoformat()},done,," for n in range(1200)
    ]
    content = ("habit,day,status,amount,note\n" + "\n".join(rows) + "\n").encode()
    bot.say(ann, "/import")
    assert bot.last(ann)["text"].startswith("Пришлите файл для импорта: JSON или CSV из /export")
    calls = bot.document(ann, "habits.csv", content + CHECKINS_CSV.split(b"\n", 1)[1])
    assert sent_texts(calls) == [
        "⏳ Импортирую…",
        "Импорт из файла habits.csv (выгрузка habitcore в CSV):\n"
        "Привычки: создано 2, совпало с вашими 0\n"
        "Отметки: добавлено 1\u00a0202, уже были 0\n"
        "Взято не так, как в файле (пояснения habitcore — по-английски):\n"
        "• days after today: left out: only past days and today",
    ]
    assert len(bot.tracker(ann).checkins("Walk")) == 1200


@pytest.mark.parametrize(
    ("file_name", "content", "said"),
    [
        ("habits.json", b"{not json", "habits.json: This is not valid JSON (line 1, column 2"),
        ("habits.csv", b"habit,day\nRead,2026-11-25\n", "habits.csv is not a format habitcore"),
        ("habits.json", b'{"format": "other"}', "habits.json: This is not a habitcore export"),
        ("habits.json", b"[1, 2]", "habits.json: This is not a habitcore export"),
        ("habits.json", b"\xff\xfe\x00", "habits.json is neither text nor a SQLite database"),
        ("photo.png", PNG + b"\x00" * 64, "photo.png is a PNG image, not a file habitcore can"),
        ("notes.txt", b"shopping: milk, eggs\n", "notes.txt is not a format habitcore imports"),
    ],
)
def test_import_refuses_a_bad_file_and_changes_nothing(
    bot: BotRun, ann: int, file_name: str, content: bytes, said: str
) -> None:
    add(bot, ann, "Walk")
    bot.tracker(ann).check("Walk")
    before = state(bot, ann)
    bot.say(ann, "/import")
    calls = bot.document(ann, file_name, content)
    assert sent_texts(calls) == [bot.last(ann)["text"]]  # one sentence, no "Importing…"
    assert bot.last(ann)["text"].startswith(said)
    assert state(bot, ann) == before


def test_after_a_refused_file_the_import_waits_for_another(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Walk")
    bot.say(ann, "/import")
    bot.document(ann, "photo.png", PNG + b"\x00" * 64, mime_type="image/png")
    assert bot.last(ann)["text"] == "photo.png is a PNG image, not a file habitcore can import."
    bot.document(ann, "habits.csv", CHECKINS_CSV)
    assert bot.last(ann)["text"].startswith("Imported a habitcore CSV export (habits.csv):")
    assert [c.day for c in bot.tracker(ann).checkins("Read")] == [
        date(2026, 11, 20),
        date(2026, 11, 21),
    ]


@pytest.mark.parametrize(
    ("method", "fault", "said"),
    [
        ("getFile", {"code": 500}, COULD_NOT_FETCH),
        ("getFile", {"code": 502, "raw": "<html>502 Bad Gateway</html>"}, COULD_NOT_FETCH),
        ("getFile", {"code": 400, "description": "Bad Request: invalid file_id"}, COULD_NOT_FETCH),
        (
            "getFile",
            {"code": 400, "description": "Bad Request: file is too big"},
            "That file is too big: I can fetch files of at most 20 MB from Telegram.",
        ),
        (DOWNLOAD, {"code": 404}, COULD_NOT_FETCH),
    ],
)
def test_a_file_telegram_will_not_hand_over_is_said_so_and_changes_nothing(
    bot: BotRun, ann: int, method: str, fault: dict[str, Any], said: str
) -> None:
    add(bot, ann, "Walk")
    before = state(bot, ann)
    bot.say(ann, "/import")
    bot.fake.fail(method, **fault)
    calls = bot.document(ann, "habits.csv", CHECKINS_CSV)
    assert sent_texts(calls) == [said]  # not the apology
    assert bot.fake.calls_of(method)[-1].ok is False
    assert state(bot, ann) == before
    # The dialog is still open: sent again, the file is imported.
    bot.document(ann, "habits.csv", CHECKINS_CSV)
    assert bot.last(ann)["text"].startswith("Imported a habitcore CSV export")


def test_a_document_without_import_gets_a_hint(bot: BotRun, ann: int, bob: int) -> None:
    add(bot, ann, "Read")
    document, _ = export_of(bot, ann)
    add(bot, bob, "Walk")
    before = state(bot, bob)
    bot.document(bob, "habitcore.json", document.files["document"])
    assert bot.last(bob)["text"] == "To restore data, send /import first, then the file."
    assert state(bot, bob) == before
    bot.say(bob, "/import")
    bot.say(bob, "/cancel")
    bot.document(bob, "habitcore.json", document.files["document"])
    assert bot.last(bob)["text"] == "To restore data, send /import first, then the file."
    assert state(bot, bob) == before


def test_import_refusals_in_russian(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Прогулка", language_code="ru")
    before = state(bot, ann)
    bot.say(ann, "/import")
    bot.document(ann, "habits.json", b"{not json")
    assert bot.last(ann)["text"] == (
        "Этот файл нельзя импортировать, ничего не изменилось: habits.json: This is not valid "
        "JSON (line 1, column 2: Expecting property name enclosed in double quotes)."
    )
    bot.fake.fail("getFile", code=500)
    bot.document(ann, "habits.json", b"{}")
    assert bot.last(ann)["text"] == (
        "Не удалось получить файл от Telegram; ничего не изменилось. Пришлите его ещё раз."
    )
    assert state(bot, ann) == before


# -- /deleteme -----------------------------------------------------------------------------------


def test_deleteme_no_keeps_everything(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read | daily | 21:00")
    bot.tracker(ann).check("Read")
    before = state(bot, ann)
    bot.say(ann, "/deleteme")
    asked = bot.last(ann)
    assert asked["text"] == "Erase your habits, history, reminders and settings for good?"
    assert labels(asked) == ["Yes, erase everything", "No"]
    toast, edited = tap(bot, ann, asked, "No")
    assert toast == edited["text"] == "Nothing was erased."
    assert labels(edited) == []
    assert state(bot, ann) == before


def test_deleteme_yes_erases_the_user(bot: BotRun, ann: int, bob: int) -> None:
    add(bot, ann, "Read | daily | 21:00")
    add(bot, bob, "Walk")
    bob_before = state(bot, bob)
    bot.say(ann, "/deleteme")
    toast, edited = tap(bot, ann, bot.last(ann), "Yes, erase everything")
    assert toast == edited["text"] == "Everything is erased. /start begins again."
    assert not user_exists(bot.service.store, f"telegram:{ann}")
    assert state(bot, bob) == bob_before


# -- what the bot does not expect ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("en", "I did not expect that. /today shows your checklist, /add adds a habit,"),
        ("ru", "Этого я не ждал. /today — отметки на сегодня"),
    ],
)
def test_unexpected_text_gets_a_hint(bot: BotRun, ann: int, code: str, said: str) -> None:
    add(bot, ann, "Read", language_code=code)
    before = state(bot, ann)
    bot.say(ann, "what now?")
    assert bot.last(ann)["text"].startswith(said)
    assert state(bot, ann) == before


@pytest.mark.parametrize("command", ["/frobnicate", "/Start2", "/add_habit Read"])
def test_an_unknown_command_gets_a_hint(bot: BotRun, ann: int, command: str) -> None:
    add(bot, ann, "Read")
    before = state(bot, ann)
    bot.say(ann, command)
    assert bot.last(ann)["text"] == "I do not know that command. /help lists the ones I do."
    assert state(bot, ann) == before


def test_a_command_addressed_to_the_bot_by_name(bot: BotRun, ann: int) -> None:
    bot.say(ann, "/add@habitcore_test_bot Read")
    assert names(bot, ann) == ["Read"]


def test_a_sticker_gets_a_hint(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read")
    before = state(bot, ann)
    sender = {"id": ann, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    update = bot.fake.push(
        {
            "message": {
                "message_id": 10_000,
                "date": int(bot.fake.now()),
                "from": sender,
                "chat": {"id": ann, "type": "private", "first_name": "Ann"},
                "sticker": {
                    "file_id": "CAACAgIAAxkBAAIfake",
                    "file_unique_id": "AgADfake",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                },
            }
        }
    )
    bot.settle(update)
    assert bot.last(ann)["text"].startswith("I did not expect that.")
    assert state(bot, ann) == before


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("en", "I keep habits in a private chat: open a chat with me and send /start."),
        ("ru", "Я веду привычки в личном чате: откройте чат со мной и отправьте /start."),
    ],
)
def test_a_group_chat_gets_the_private_chat_answer(
    bot: BotRun, ann: int, code: str, said: str
) -> None:
    group = -ann
    update = bot.fake.push(
        {
            "message": {
                "message_id": 1,
                "date": int(bot.fake.now()),
                "from": {"id": ann, "is_bot": False, "first_name": "Ann", "language_code": code},
                "chat": {"id": group, "type": "group", "title": "Runners"},
                "text": "/add Read",
                "entities": [{"type": "bot_command", "offset": 0, "length": 4}],
            }
        }
    )
    bot.settle(update)
    replies = bot.fake.calls_of("sendMessage", group)
    assert [c.text for c in replies] == [said]
    assert not user_exists(bot.service.store, f"telegram:{ann}")


# -- two people at once --------------------------------------------------------------------------


def test_two_users_interleaved_keep_their_own_things(bot: BotRun, ann: int, bob: int) -> None:
    bot.say(ann, "/add Read | daily | 21:00", language_code="en")
    bot.say(bob, "/add Чтение | weekdays", language_code="ru")
    bot.say(ann, "/add Run | 3/week")
    bot.say(bob, "/add Read")  # the same name as Ann's: no clash
    assert bot.last(bob)["text"].startswith("Добавлено: Read — каждый день")
    bot.say(ann, "/today")
    bot.say(bob, "/today")
    ann_list, bob_list = bot.last(ann), bot.last(bob)
    assert labels(ann_list) == ["⬜ Read", "⏭", "⬜ Run", "⏭"]
    assert labels(bob_list) == ["⬜ Чтение", "⏭", "⬜ Read", "⏭"]
    assert ann_list["text"].startswith("📋 Wed, 25 Nov\nTap a habit")
    assert bob_list["text"].startswith("📋 Ср, 25 ноя\nНажмите на привычку")
    tap(bot, ann, ann_list, "Read")
    bot.say(bob, "/timezone Asia/Tokyo")
    bot.say(ann, "/language ru")
    bot.say(bob, "/language en")
    assert names(bot, ann) == ["Read", "Run"]
    assert names(bot, bob) == ["Чтение", "Read"]
    assert len(bot.tracker(ann).checkins("Read")) == 1
    assert bot.tracker(bob).checkins("Read") == []
    assert bot.tracker(ann).settings().timezone == "UTC"
    assert bot.tracker(bob).settings().timezone == "Asia/Tokyo"
    assert bot.tracker(ann).settings().language == "ru"
    assert bot.tracker(bob).settings().language == "en"
    assert labels(bot.fake.stored(bob, bob_list["message_id"]))[2] == "⬜ Read"


def test_a_button_of_someone_elses_message_is_refused(bot: BotRun, ann: int, bob: int) -> None:
    add(bot, ann, "Read")
    add(bot, bob, "Walk")
    bot.say(ann, "/today")
    checklist = bot.last(ann)
    ann_before, bob_before = state(bot, ann), state(bot, bob)
    calls = bot.press(bob, checklist, button_data(checklist, "Read"))
    assert answer(calls) == "This button belongs to someone else's message."
    assert (state(bot, ann), state(bot, bob)) == (ann_before, bob_before)


# -- the same screens in Russian and English -----------------------------------------------------

SCREENS = {
    "en": {
        "/add Read | daily | 21:00": "Added Read: daily; reminders: 21:00.\n"
        "/today shows it on your checklist.",
        "/today": "📋 Wed, 25 Nov\nTap a habit when done; ⏭ skips it for today.\n"
        "Your time zone is still UTC: /timezone sets yours.",
        "/habits": "Your habits: 1 active, 0 archived. Tap one to change it.",
        "/vacation 3": "On vacation for 3 days, until 2026-11-27. Streaks are safe; "
        "/vacation off ends it early.",
        "/vacation off": "Vacation over: your habits count again from today.",
        "/remind Read off": "No more reminders for Read.",
        "/timezone +3": "Time zone set to UTC+3; it is 12:00 there now.\n"
        "Add a habit with /add, see today with /today, and everything else with /help.",
        "/daystart 04:00": "Your day now starts at 04:00.",
        "/cancel": "There was nothing to cancel.",
        "/nope": "I do not know that command. /help lists the ones I do.",
        "/stats Nope": "There is no habit called 'Nope'; list your habits to see their exact names.",
        "/timezone Mars/Olympus": "'Mars/Olympus' is not a time zone; use an IANA name such as "
        "Europe/Moscow or America/New_York, or an offset such as +3.",
    },
    "ru": {
        "/add Read | daily | 21:00": "Добавлено: Read — каждый день; напоминания: 21:00.\n"
        "/today покажет её в списке на сегодня.",
        "/today": "📋 Ср, 25 ноя\nНажмите на привычку, когда сделаете; ⏭ — пропустить сегодня.\n"
        "Ваш часовой пояс пока UTC: /timezone задаст ваш.",
        "/habits": "Ваши привычки: активных 1, в архиве 0. Нажмите, чтобы изменить.",
        "/vacation 3": "Отпуск на 3 дня, до 2026-11-27. Серии в сохранности; /vacation off "
        "закончит его раньше.",
        "/vacation off": "Отпуск окончен: с сегодняшнего дня привычки снова считаются.",
        "/remind Read off": "Напоминаний про «Read» больше не будет.",
        "/timezone +3": "Часовой пояс: UTC+3; там сейчас 12:00.\n"
        "Добавьте привычку через /add, отметки на сегодня — /today, всё остальное — /help.",
        "/daystart 04:00": "Теперь ваш день начинается в 04:00.",
        "/cancel": "Отменять нечего.",
        "/nope": "Такой команды я не знаю. /help покажет те, что знаю.",
        "/stats Nope": "Привычки «Nope» нет; /habits покажет точные названия.",
        "/timezone Mars/Olympus": "Не знаю такого часового пояса. Напишите, например, "
        "Europe/Moscow или смещение +3.",
    },
}


@pytest.mark.parametrize("code", ["en", "ru"])
def test_screens_in_both_languages(bot: BotRun, ann: int, code: str) -> None:
    bot.say(ann, "/help", language_code=code)
    for command, expected in SCREENS[code].items():
        bot.say(ann, command)
        assert bot.last(ann)["text"] == expected, command


@pytest.mark.parametrize(
    ("code", "buttons"),
    [
        ("en", ["3 days", "7 days", "14 days", "30 days", "End the vacation"]),
        ("ru", ["3 дня", "7 дней", "14 дней", "30 дней", "Закончить отпуск"]),
    ],
)
def test_buttons_in_both_languages(bot: BotRun, ann: int, code: str, buttons: list[str]) -> None:
    bot.say(ann, "/vacation", language_code=code)
    assert labels(bot.last(ann)) == buttons


def test_a_russian_card_and_stats(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Чтение | daily | 21:00", language_code="ru")
    bot.tracker(ann).check("Чтение")
    card = open_card(bot, ann, "Чтение")
    assert card["text"] == "Чтение\nкаждый день\n⏰ 21:00\n🔥 1 день (лучшая 1 день) · рейтинг 5%"
    assert labels(card)[:2] == ["✏️ Переименовать", "📅 Расписание"]
    calls = bot.say(ann, "/stats Чтение")
    assert sent_texts(calls) == [
        "📊 Чтение\n🔥 Серия: 1 день (лучшая 1 день)\n⭐ Рейтинг: 5%\n"
        "✔️ Выполнено: 7 дней 100% · 30 дней 100% · год 100%"
    ]
    assert bot.last(ann)["caption"] == "Чтение: последние полгода и рейтинг"


@pytest.mark.parametrize(
    ("typed", "schedule"),
    [
        ("ежедневно", "daily"),
        ("по будням", "weekdays"),
        ("пн,ср,пт", "mon,wed,fri"),
        ("каждые 2 дня", "every 2 days"),
        ("3 раза в неделю", "3/week"),
        ("10 раз в месяц", "10/month"),
        ("4 раза за 7 дней", "4 in 7 days"),
        ("3/week", "3/week"),  # habitcore's own words still work
    ],
)
def test_schedules_typed_in_russian(bot: BotRun, ann: int, typed: str, schedule: str) -> None:
    add(bot, ann, f"Пн и вс | {typed} | 08:00 пн,ср", language_code="ru")
    found = habit(bot, ann, "Пн и вс")  # a name is never rewritten
    assert found.schedule == schedule
    assert found.reminders == ("08:00 mon,wed",)


def test_reminders_and_off_typed_in_russian(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Чтение", language_code="ru")
    bot.say(ann, "/remind Чтение 08:00 пн,ср; 21:00 суббота", language_code="ru")
    assert habit(bot, ann, "Чтение").reminders == ("08:00 mon,wed", "21:00 sat")
    assert bot.last(ann)["text"] == "Напомню про «Чтение» в 08:00 mon,wed, 21:00 sat."
    bot.say(ann, "/remind Чтение выкл", language_code="ru")
    assert habit(bot, ann, "Чтение").reminders == ()
    assert bot.last(ann)["text"] == "Напоминаний про «Чтение» больше не будет."
    # The card's dialogs understand the same words.
    card = open_card(bot, ann, "Чтение")
    tap(bot, ann, card, "Расписание")
    tap(bot, ann, bot.fake.stored(ann, card["message_id"]), "Другое")
    bot.say(ann, "2 раза в неделю", language_code="ru")
    assert habit(bot, ann, "Чтение").schedule == "2/week"


def test_a_bad_weekday_in_russian_is_explained_in_russian(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Чтение", language_code="ru")
    before = state(bot, ann)
    bot.say(ann, "/remind Чтение 08:00 пн,ыы", language_code="ru")
    assert bot.last(ann)["text"] == "Дни недели пишутся так: пн, вт, ср, чт, пт, сб, вс."
    assert state(bot, ann) == before


def test_an_ambiguous_name_in_russian_says_which(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read books", "Read news", language_code="ru")
    before = state(bot, ann)
    bot.say(ann, "/stats Read")
    assert state(bot, ann) == before
    assert "«Read»" in bot.last(ann)["text"]


def test_an_ambiguous_name_in_english_says_which(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Read books", "Read news")
    before = state(bot, ann)
    bot.say(ann, "/stats Read")
    assert bot.last(ann)["text"] == (
        "'Read' matches more than one habit ('Read books', 'Read news'); type more of the name."
    )
    assert state(bot, ann) == before


# -- the catalogs --------------------------------------------------------------------------------

SOURCE = Path(habitcore_telegram.__file__).parent
FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in FORMATTER.parse(template) if field is not None}


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(en.MESSAGES) ^ set(ru.MESSAGES) == set()
    assert list(en.COMMANDS) == list(ru.COMMANDS)


# What Texts.error fills in for an error text: habitcore's sentence and the error's own fields.
ERROR_FIELDS = {"detail", "name", "prefix", "candidates"}


def test_both_catalogs_have_the_same_placeholders() -> None:
    """Same fields everywhere; an error text may use any field tx.error gives (English shows
    habitcore's own sentence, Russian translates it)."""
    for key, english in en.MESSAGES.items():
        if key.startswith("error."):
            assert placeholders(english) <= ERROR_FIELDS, key
            assert placeholders(ru.MESSAGES[key]) <= ERROR_FIELDS, key
        else:
            assert placeholders(english) == placeholders(ru.MESSAGES[key]), key


def test_every_russian_text_is_translated() -> None:
    """A Russian text left in English would pass the key checks; only these carry no words."""
    same = {key for key in en.MESSAGES if en.MESSAGES[key] == ru.MESSAGES[key]}
    assert same == {"day", "today.title", "card.reminders", "stats.title"}
    assert all(en.COMMANDS[name] != ru.COMMANDS[name] for name in en.COMMANDS)


def test_plural_forms() -> None:
    counted = [key for key in en.MESSAGES if key.startswith(("n.", "schedule."))]
    counted = [key for key in counted if "|" in en.MESSAGES[key]]
    assert {"n.days", "n.weeks", "n.months", "schedule.every"} <= set(counted)
    for key in counted:
        for catalog, forms in ((en.MESSAGES, 2), (ru.MESSAGES, 3)):
            parts = catalog[key].split("|")
            assert len(parts) == forms, key
            assert all(placeholders(part) == {"n"} for part in parts), key
    # No other text has plural forms in Russian that English lacks.
    plural = [k for k, text in ru.MESSAGES.items() if "|" in text and "{n}" in text]
    assert sorted(plural) == sorted(counted)


def test_the_menu_names_only_routed_commands() -> None:
    routed = set(routes.COMMANDS)
    for menu in (en.COMMANDS, ru.COMMANDS):
        assert set(menu) <= routed - {"list"}
        assert routed - {"list"} <= set(menu)
        assert all(text.strip() for text in menu.values())


# Keys built in an f-string, by what comes before the first "{", expanded by hand. The last two
# are looked up only when present (`if f"schedule.{...}" in tx.messages`, `if key in messages`).
F_STRING_KEYS = {
    "add.schedule.": [f"add.schedule.{key}" for key in adding.SCHEDULES],
    "stats.legend.": [f"stats.legend.{outcome.value}" for outcome in LEGEND],
    "typed.usage.": [
        f"typed.usage.{name}"
        for name, handler in routes.COMMANDS.items()
        if handler.__module__ == "habitcore_telegram.handlers.typed"
    ],
    "schedule.": [],
    "error.": [],
}
DIRECT = re.compile(r"""(?:\btx|\))(?:\.count)?\(\s*(f?)"([^"]+)\"""")
MESSAGES_LOOKUP = re.compile(r"""messages\[\s*"([^"]+)"\s*\]""")


def used_keys() -> tuple[set[str], set[str]]:
    """Literal keys passed to tx(...), tx.count(...), person.tx(...), Texts(...)(...), and every
    other string literal in the source shaped like a catalog key (the other branch of a
    conditional key, a key handed to a helper that calls tx)."""
    prefixes = {key.split(".")[0] for key in en.MESSAGES if "." in key}
    direct: set[str] = set()
    literal: set[str] = set()
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for is_f, key in DIRECT.findall(text):
            if is_f:
                head = key.split("{")[0]
                assert head in F_STRING_KEYS, f"{path.name}: expand f-string key {key!r} by hand"
                direct.update(F_STRING_KEYS[head])
            else:
                direct.add(key)
        direct.update(MESSAGES_LOOKUP.findall(text))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                shaped = re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", value)
                file_name = value.endswith((".png", ".json", ".csv"))
                if shaped and not file_name and value.split(".")[0] in prefixes:
                    literal.add(value)
    return direct, literal


def test_every_key_the_bot_uses_is_in_both_catalogs() -> None:
    direct, literal = used_keys()
    assert len(direct) > 100  # the scan does find the calls
    for key in sorted(direct | literal):
        assert key in en.MESSAGES, key
        assert key in ru.MESSAGES, key


def test_every_error_text_names_a_habitcore_error() -> None:
    """tx.error looks up ``error.<class name>``: a key naming no class would never be shown."""
    classes = {
        name
        for name, value in vars(habitcore.errors).items()
        if isinstance(value, type) and issubclass(value, habitcore.errors.HabitcoreError)
    }
    keys = {key.removeprefix("error.") for key in en.MESSAGES if key.startswith("error.")}
    assert keys <= classes
    assert classes - keys <= {"HabitcoreError"}  # every error has its own text


def test_set_my_commands_at_start_for_both_languages(bot: BotRun) -> None:
    default = bot.fake.my_commands()
    russian = bot.fake.my_commands(language_code="ru")
    assert default == [{"command": n, "description": d} for n, d in en.COMMANDS.items()]
    assert russian == [{"command": n, "description": d} for n, d in ru.COMMANDS.items()]
    methods = [c.method for c in bot.fake.snapshot()]
    first_poll = methods.index("getUpdates")
    assert methods[:first_poll].count("setMyCommands") == 2  # before the first update


def test_an_amount_from_the_card_makes_a_habit_measurable(bot: BotRun, ann: int) -> None:
    add(bot, ann, "Water")
    card = open_card(bot, ann, "Water")
    tap(bot, ann, card, "Amount")
    assert bot.last(ann)["text"].startswith("A daily amount for Water, such as 8 glasses")
    before = state(bot, ann)
    bot.say(ann, "plenty")
    assert bot.last(ann)["text"] == (
        "'plenty' is not an amount; type one such as 8 glasses, at most 2 coffees, or off."
    )
    assert state(bot, ann) == before
    bot.say(ann, "8 glasses")
    assert bot.last(ann)["text"] == "Water is now daily · 8 glasses a day."
    water = habit(bot, ann, "Water")
    assert (water.target, water.unit, water.at_most) == (8.0, "glasses", False)
    # The card it came from is up to date, and the checklist asks how much.
    assert "daily · 8 glasses a day" in bot.fake.stored(ann, card["message_id"])["text"]
    bot.say(ann, "/today")
    assert labels(bot.last(ann))[0] == "⬜ Water 0/8"

    card = open_card(bot, ann, "Water")
    tap(bot, ann, card, "Amount")
    bot.say(ann, "at most 2,5 coffees")
    water = habit(bot, ann, "Water")
    assert (water.target, water.unit, water.at_most) == (2.5, "coffees", True)
    card = open_card(bot, ann, "Water")
    tap(bot, ann, card, "Amount")
    bot.say(ann, "off")
    assert habit(bot, ann, "Water").target is None


def test_an_import_keeps_the_chats_language(bot: BotRun, ann: int, bob: int) -> None:
    add(bot, ann, "Read")
    document, _ = export_of(bot, ann)  # an English user's export
    bot.say(bob, "/start", language_code="ru")
    bot.say(bob, "/timezone Europe/Moscow")
    bot.say(bob, "/import")
    bot.document(bob, "habitcore.json", document.files["document"])
    assert bot.last(bob)["text"].startswith("Импорт из файла habitcore.json (выгрузка habitcore")
    assert bot.tracker(bob).settings().language == "ru"
    # Ann never chose a zone, so her export's default UTC does not replace Bob's choice.
    assert bot.tracker(bob).settings().timezone == "Europe/Moscow"
    assert [s.habit.name for s in bot.tracker(bob).habits()] == ["Read"]


ANN = 301  # a person with nothing set up yet


@pytest.mark.parametrize("name", ["Budget $\\x$", "Save $_$", "Save $5 a day, spend $0"])
def test_stats_draws_names_with_dollar_signs(telegram: BotRun, name: str) -> None:
    telegram.say(ANN, f"/add {name}")
    calls = telegram.say(ANN, f"/stats {name}")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    assert photos[0].ok
    assert photos[0].files["photo"].startswith(b"\x89PNG")


PHOTO = [{"file_id": "p", "file_unique_id": "u", "width": 90, "height": 90}]


@pytest.mark.parametrize(
    "content",
    [
        {"story": {"chat": {"id": 1, "type": "channel", "title": "News"}, "id": 7}},
        {"game": {"title": "Chess", "description": "A game", "photo": PHOTO}},
    ],
)
def test_content_the_bot_has_no_handler_for_still_gets_a_hint(
    telegram: BotRun, content: dict[str, Any]
) -> None:
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": ANN, "type": "private", "first_name": "Ann"},
        "from": {"id": ANN, "is_bot": False, "first_name": "Ann", "language_code": "en"},
        **content,
    }
    mark = telegram.fake.mark()
    telegram.settle(telegram.fake.push({"message": message}))
    texts = [c.text for c in telegram.since(mark) if c.method == "sendMessage"]
    assert texts == [
        "I did not expect that. /today shows your checklist, /add adds a habit, /help lists "
        "everything."
    ]
