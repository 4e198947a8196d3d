"""The one-line commands for what buttons do (/done, /undo, /skip, /rename, /schedule, /amount,
/pause, /resume, /archive, /unarchive, /delete) and the buttons of /daystart and /morning,
played through the fake Bot API. Each refusal is checked to change nothing.
"""

# The fake hands back loosely typed dicts; a missing key fails the test anyway.
# mypy: disable-error-code="union-attr,index,operator,type-var,no-untyped-call"

from __future__ import annotations

from datetime import date

import pytest

from fake_telegram import Call
from telegram_harness import BotRun, button_data, every_row, labels, press

ANN = 101
TODAY = date(2026, 11, 25)  # the harness starts on Wednesday 25 November 2026, 09:00 UTC
YESTERDAY = date(2026, 11, 24)


def said(calls: list[Call]) -> list[str]:
    return [c.text or "" for c in calls if c.method == "sendMessage"]


def begin(run: BotRun, *adds: str, language_code: str = "en") -> None:
    """Ann with these habits, each started a week ago (so yesterday can be marked)."""
    run.say(ANN, "/start", language_code=language_code)
    run.say(ANN, "/timezone UTC", language_code=language_code)
    for line in adds:
        run.say(ANN, f"/add {line}", language_code=language_code)
        run.tracker(ANN).edit_habit(line.split("|")[0].strip(), start=date(2026, 11, 18))


def marks(run: BotRun, name: str) -> list[tuple[date, str, float | None]]:
    return [(c.day, c.status, c.amount) for c in run.tracker(ANN).checkins(name)]


def test_done_undo_and_skip_today_and_another_day(telegram: BotRun) -> None:
    begin(telegram, "Read", "Run")
    assert said(telegram.say(ANN, "/done rea")) == ["✅ Read: done"]  # a unique prefix
    assert said(telegram.say(ANN, "/done Run | yesterday")) == ["✅ Run: done for Tue, 24 Nov"]
    assert marks(telegram, "Read") == [(TODAY, "done", None)]
    assert marks(telegram, "Run") == [(YESTERDAY, "done", None)]

    assert said(telegram.say(ANN, "/undo Read")) == ["↩️ Read: unmarked"]
    assert said(telegram.say(ANN, "/undo Read")) == ["Read had nothing marked for Wed, 25 Nov."]
    assert said(telegram.say(ANN, "/skip Run")) == ["⏭ Run: skipped today"]
    assert said(telegram.say(ANN, "/skip Read -1")) == ["⏭ Read: skipped for Tue, 24 Nov"]
    assert marks(telegram, "Read") == [(YESTERDAY, "skipped", None)]
    assert marks(telegram, "Run") == [(YESTERDAY, "done", None), (TODAY, "skipped", None)]

    # The checklist shows what the commands did.
    telegram.say(ANN, "/today")
    assert labels(telegram.last(ANN)) == ["⬜ Read", "⏭", "⏭ Run · 🔥1", "⏭"]


def test_done_with_an_amount(telegram: BotRun) -> None:
    begin(telegram, "Read")
    telegram.tracker(ANN).add_habit("Water", target=8, unit="glasses")
    assert said(telegram.say(ANN, "/done Water 3")) == ["Water: 3 of 8 glasses today."]
    assert said(telegram.say(ANN, "/done Water | 2,5")) == ["Water: 2.5 of 8 glasses today."]
    assert marks(telegram, "Water") == [(TODAY, "done", 2.5)]  # the day's total, not a sum
    assert said(telegram.say(ANN, "/done Water")) == ["✅ Water: done"]  # the whole target
    assert marks(telegram, "Water") == [(TODAY, "done", 8.0)]


def test_a_name_ending_in_a_number_is_still_a_name(telegram: BotRun) -> None:
    begin(telegram, "Day 2")
    assert said(telegram.say(ANN, "/done Day 2")) == ["✅ Day 2: done"]


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/done Nope", "There is no habit called 'Nope'"),
        ("/done Read | someday", "'someday' is not a day"),
        ("/done Read | 3", "'Read' is a yes/no habit and takes no amount"),
        ("/done Read | 2030-01-01", "2030-01-01 has not come yet"),
        ("/done", "Use /done Read"),
        ("/skip Read 3", "'3' is not a day"),
        ("/skip", "Use /skip Run"),
        ("/undo", "Use /undo Read"),
        ("/rename Read", "Use /rename Read | Books."),
        ("/rename Read | ", "name"),
        ("/rename Read | " + "x" * 101, "100"),
        ("/schedule Read | sometimes", "sometimes"),
        ("/schedule Read", "Use /schedule Run | 3/week"),
        ("/amount Read | lots", "'lots' is not an amount"),
        ("/pause Read", "Use /pause Read 7: from 1 to 365 days"),
        ("/pause Read 0", "Use /pause Read 7"),
        ("/pause Read 366", "Use /pause Read 7"),
        ("/archive", "Use /archive Read."),
        ("/unarchive Read", "'Read' is not archived"),
        ("/delete Nope", "There is no habit called 'Nope'"),
        ("/rename Rea | Books", "No habit is called exactly 'Rea'; 'Read' begins so"),
        ("/archive rea", "No habit is called exactly 'rea'; 'Read' begins so"),
    ],
)
def test_bad_one_liners_are_explained_and_change_nothing(
    telegram: BotRun, command: str, answer: str
) -> None:
    begin(telegram, "Read")
    before = every_row(telegram)
    replies = said(telegram.say(ANN, command))
    assert len(replies) == 1
    assert answer in replies[0], replies[0]
    assert every_row(telegram) == before


def test_rename_schedule_amount_and_pause(telegram: BotRun) -> None:
    begin(telegram, "Read", "Water")
    assert said(telegram.say(ANN, "/rename Read | Books")) == ["Renamed to Books."]
    assert said(telegram.say(ANN, "/schedule Books | 3/week")) == ["Books is now 3 times a week."]
    assert telegram.tracker(ANN).habit("Books").schedule == "3/week"
    assert said(telegram.say(ANN, "/amount Water | 8 glasses")) == [
        "Water is now daily · 8 glasses a day."
    ]
    assert telegram.tracker(ANN).habit("Water").target == 8
    assert said(telegram.say(ANN, "/amount Water | off")) == ["Water is now daily."]
    assert telegram.tracker(ANN).habit("Water").target is None

    assert said(telegram.say(ANN, "/pause Water 7")) == ["Water is paused until 2026-12-01."]
    [paused] = telegram.tracker(ANN).pauses("Water")
    assert (paused.start, paused.end) == (TODAY, date(2026, 12, 1))
    assert said(telegram.say(ANN, "/resume Water")) == ["Water counts again from today."]
    assert telegram.tracker(ANN).pauses("Water") == []


def test_archive_unarchive_and_delete_with_a_confirm_step(telegram: BotRun) -> None:
    begin(telegram, "Read", "Run")
    assert said(telegram.say(ANN, "/archive Read")) == ["Read is archived."]
    assert telegram.tracker(ANN).habit("Read").archived
    assert said(telegram.say(ANN, "/unarchive rea")) == ["Read is back."]
    assert not telegram.tracker(ANN).habit("Read").archived

    telegram.tracker(ANN).check("Run")
    asked = said(telegram.say(ANN, "/delete Run"))
    assert asked == [
        "Delete Run with all its history? This cannot be undone; archiving keeps the history."
    ]
    question = telegram.last(ANN)
    assert labels(question) == ["Yes, delete", "No, keep it"]
    _calls, answer = press(telegram, ANN, question, button_data(question, "No"))
    assert [s.habit.name for s in telegram.tracker(ANN).habits()] == ["Read", "Run"]
    telegram.say(ANN, "/delete Run")
    question = telegram.last(ANN)
    _calls, answer = press(telegram, ANN, question, button_data(question, "Yes"))
    assert answer == "Run is deleted."
    assert [s.habit.name for s in telegram.tracker(ANN).habits(archived=True)] == ["Read"]


def test_one_liners_in_russian(telegram: BotRun) -> None:
    begin(telegram, "Чтение", "Бег", language_code="ru")
    assert said(telegram.say(ANN, "/done Чтение | вчера", language_code="ru")) == [
        "✅ Чтение: сделано за Вт, 24 ноя"
    ]
    assert said(telegram.say(ANN, "/skip Бег", language_code="ru")) == ["⏭ Бег: пропуск на сегодня"]
    assert said(telegram.say(ANN, "/schedule Бег | 2 раза в неделю", language_code="ru")) == [
        "«Бег»: теперь 2 раза в неделю."
    ]
    assert said(telegram.say(ANN, "/pause", language_code="ru")) == [
        "Напишите /pause Чтение 7: от 1 до 365 дней, начиная с сегодня."
    ]
    assert marks(telegram, "Чтение") == [(YESTERDAY, "done", None)]


def test_daystart_and_morning_offer_buttons(telegram: BotRun) -> None:
    begin(telegram, "Read")
    telegram.say(ANN, "/daystart")
    asked = telegram.last(ANN)
    assert asked["text"].startswith("Your day starts at 00:00.")
    assert labels(asked) == ["00:00", "03:00", "04:00", "05:00", "06:00"]
    _calls, answer = press(telegram, ANN, asked, button_data(asked, "04:00"))
    assert answer == "Your day now starts at 04:00."
    assert telegram.tracker(ANN).settings().day_start == "04:00"
    assert telegram.fake.stored(ANN, asked["message_id"])["text"] == answer

    telegram.say(ANN, "/morning")
    asked = telegram.last(ANN)
    assert asked["text"] == "The morning message is on. /morning off turns it off."
    _calls, answer = press(telegram, ANN, asked, button_data(asked, "Turn it off"))
    assert answer == "No more morning messages."
    assert telegram.tracker(ANN).settings().morning_summary is False
    telegram.say(ANN, "/morning")
    assert labels(telegram.last(ANN)) == ["Turn it on"]


@pytest.mark.parametrize("data", [f"ds:{ANN}:0430", f"ds:{ANN}:2561", f"mo:{ANN}:maybe"])
def test_forged_daystart_and_morning_buttons_change_nothing(telegram: BotRun, data: str) -> None:
    begin(telegram, "Read")
    telegram.say(ANN, "/daystart")
    before = every_row(telegram)
    _calls, answer = press(telegram, ANN, telegram.last(ANN), data)
    assert answer == "This button no longer works; send the command again."
    assert every_row(telegram) == before


def test_two_people_in_one_batch_of_updates_each_get_their_own(telegram: BotRun) -> None:
    """Updates of two people arrive in the same getUpdates answer, interleaved."""
    bob = 202
    for user in (ANN, bob):
        telegram.say(user, "/start")
        telegram.say(user, "/timezone UTC")
    mark = telegram.fake.mark()
    last = 0
    for line in ("/add Read", "/add Run", "/done Read", "/today"):
        telegram.fake.message(ANN, line)
        last = telegram.fake.message(bob, line.replace("Read", "Swim").replace("Run", "Row"))
    telegram.settle(last)
    polls = [c for c in telegram.fake.snapshot()[mark:] if c.method == "getUpdates"]
    assert max(len(c.result or []) for c in polls) >= 2  # they did come in one answer

    assert [s.habit.name for s in telegram.tracker(ANN).habits()] == ["Read", "Run"]
    assert [s.habit.name for s in telegram.tracker(bob).habits()] == ["Swim", "Row"]
    assert labels(telegram.last(ANN)) == ["✅ Read · 🔥1", "⏭", "⬜ Run", "⏭"]
    assert labels(telegram.last(bob)) == ["✅ Swim · 🔥1", "⏭", "⬜ Row", "⏭"]
    replies = [c for c in telegram.fake.snapshot()[mark:] if c.method == "sendMessage"]
    assert [c.text.split(":")[0] for c in replies if c.chat_id == ANN][:3] == [
        "Added Read",
        "Added Run",
        "✅ Read",
    ]
