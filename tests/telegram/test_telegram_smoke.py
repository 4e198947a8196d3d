"""A first walk through the bot: the harness works and the main path does what it says."""

from __future__ import annotations

from telegram_harness import BotRun, button_data

ANN = 101


def test_start_add_today_and_tap(telegram: BotRun) -> None:
    calls = telegram.say(ANN, "/start")
    assert any("Hi, Test" in (c.text or "") for c in calls)
    assert "UTC" in telegram.last(ANN)["text"]
    telegram.say(ANN, "/add Read | daily | 21:00")
    assert "Added Read" in telegram.last(ANN)["text"]
    telegram.say(ANN, "/today")
    checklist = telegram.last(ANN)
    calls = telegram.press(ANN, checklist, button_data(checklist, "Read"))
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1
    edited = telegram.fake.stored(ANN, checklist["message_id"])
    assert edited is not None
    assert "✅ Read · 🔥1" in [
        b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert telegram.tracker(ANN).stats("Read").current_streak == 1
