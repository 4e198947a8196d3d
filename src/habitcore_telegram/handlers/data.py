"""``/export`` and ``/import``: a person's data out as habitcore's JSON and a CSV, and back in,
all or nothing."""

from __future__ import annotations

import json
import logging

import requests
import telebot
from telebot import types

from habitcore_telegram import transport
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.faults import classify

log = logging.getLogger(__name__)

MAX_IMPORT = 10 * 1024 * 1024  # the Bot API serves files up to 20 MB; an export is far smaller


def export(bot: Bot, person: Person, message: types.Message) -> None:
    tracker = person.tracker
    day = tracker.today().isoformat()
    document = json.dumps(tracker.export(), ensure_ascii=False, indent=1).encode()
    bot.send_file(person.chat_id, document, f"habitcore-{day}.json", person.tx("export.json"))
    bot.send_file(
        person.chat_id,
        tracker.export_csv().encode(),
        f"habitcore-{day}.csv",
        person.tx("export.csv"),
    )


def start_import(bot: Bot, person: Person, message: types.Message) -> None:
    bot.dialogs.begin(person.telegram_id, "import")
    bot.send(person.chat_id, person.tx("import.ask"))


def document(bot: Bot, person: Person, message: types.Message) -> None:
    dialog = bot.dialogs.get(person.telegram_id)
    if dialog is None or dialog.kind != "import":
        bot.send(person.chat_id, person.tx("import.not_asked"))
        return
    sent = message.document
    if sent is None:
        return
    if sent.file_size and sent.file_size > MAX_IMPORT:
        bot.send(person.chat_id, person.tx("import.too_big", mb=MAX_IMPORT // (1024 * 1024)))
        return
    info = bot.api.get_file(sent.file_id)
    if not info.file_path:
        bot.send(person.chat_id, person.tx("import.not_json"))
        return
    url = str(telebot.apihelper.FILE_URL or "").format(bot.api.token, info.file_path)
    try:
        raw = transport.fetch(url, MAX_IMPORT)
    except transport.TooLarge:
        bot.send(person.chat_id, person.tx("import.too_big", mb=MAX_IMPORT // (1024 * 1024)))
        return
    except requests.RequestException as error:
        log.warning("could not download an import: %s", classify(error).description)
        bot.send(person.chat_id, person.tx("import.download_failed"))
        return
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        bot.send(person.chat_id, person.tx("import.not_json"))
        return
    if not isinstance(data, dict):
        bot.send(person.chat_id, person.tx("import.not_export"))
        return
    settings = data.get("settings")
    if isinstance(settings, dict):
        # The language is this chat's choice; an export from the habit command (English)
        # must not switch a Russian chat. Zone, day start and the rest are restored.
        data = {**data, "settings": {k: v for k, v in settings.items() if k != "language"}}
    bot.send(person.chat_id, person.tx("import.working"))
    summary = person.tracker.import_data(data)
    bot.dialogs.end(person.telegram_id)
    bot.send(
        person.chat_id,
        person.tx(
            "import.done",
            added=person.tx.count("n.new_habits", len(summary.habits_added)),
            merged=person.tx.count("n.merged_habits", len(summary.habits_merged)),
            checkins=person.tx.count(
                "n.checkins", summary.checkins_added + summary.checkins_updated
            ),
            pauses=person.tx.count("n.pauses", summary.pauses_added),
        ),
    )
