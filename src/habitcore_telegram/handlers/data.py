"""``/export`` and ``/import``: a person's data out as habitcore's JSON and a CSV, and back in
from any file ``habit import`` reads, all or nothing, with the same summary."""

from __future__ import annotations

import dataclasses
import json
import logging

import requests
import telebot
from telebot import types
from telebot.apihelper import ApiException, ApiTelegramException

from habitcore import exchange
from habitcore.exchange import Document, Format, ImportSummary
from habitcore.exchange.detect import describe
from habitcore_telegram import transport
from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.faults import classify
from habitcore_telegram.lengths import clip
from habitcore_telegram.texts import Texts

log = logging.getLogger(__name__)

MAX_IMPORT = 20 * 1024 * 1024  # the most the Bot API lets a bot download (getFile)
NAMES_SHOWN = 5  # matched habits named in the summary, as habit import names them
FORMATS = {  # what each format is called in the summary's first line
    Format.JSON: "import.format.json",
    Format.CSV: "import.format.csv",
    Format.LOOP: "import.format.loop",
    Format.LOOP_CSV: "import.format.loop_csv",
    Format.HARSH: "import.format.harsh",
}


def export(bot: Bot, person: Person, message: types.Message) -> None:
    """Both files; one export (or picture, or import) at a time per person, a few a minute."""
    tracker = person.tracker
    day = person.today().isoformat()
    with bot.limits.held(person.telegram_id):
        document = json.dumps(tracker.export(), ensure_ascii=False, indent=1).encode()
        table = tracker.export_csv().encode()
    bot.send_file(person.chat_id, document, f"habitcore-{day}.json", person.tx("export.json"))
    bot.send_file(person.chat_id, table, f"habitcore-{day}.csv", person.tx("export.csv"))


def start_import(bot: Bot, person: Person, message: types.Message) -> None:
    bot.dialogs.begin(person.telegram_id, "import")
    bot.send(person.chat_id, person.tx("import.ask"))


def document(bot: Bot, person: Person, message: types.Message) -> None:
    """A file sent after ``/import``: read whatever format it is, then merge all of it.

    A file that is not importable gets habitcore's sentence, and the dialog stays open for
    another file; so does one refused by the limit on expensive requests (``bot.limits``).
    """
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
    with bot.limits.held(person.telegram_id):
        raw = _download(bot, sent.file_id)
        if isinstance(raw, str):
            bot.send(person.chat_id, person.tx(raw, mb=MAX_IMPORT // (1024 * 1024)))
            return
        name = clip(sent.file_name or "file", 100)
        read = exchange.read(exchange.Source.of_bytes(name, raw))  # InvalidImport: its sentence
        bot.send(person.chat_id, person.tx("import.working"))
        summary = person.tracker.import_document(_keep_language(read))
    bot.dialogs.end(person.telegram_id)
    bot.send(person.chat_id, summary_text(person.tx, summary, name))


def _download(bot: Bot, file_id: str) -> bytes | str:
    """The file's bytes, or the catalog key of why Telegram would not hand them over.

    Every Bot API call here is inside the ``try``: a getFile refused or cut off is "could not
    fetch", not a crash. The log line names the fault, never the URL (it holds the token); at
    DEBUG it carries the traceback, redacted like every other line.
    """
    try:
        info = bot.api.get_file(file_id)
        if not info.file_path:
            log.warning("could not download an import: getFile gave no file_path")
            return "import.download_failed"
        url = str(telebot.apihelper.FILE_URL or "").format(bot.api.token, info.file_path)
        return transport.fetch(url, MAX_IMPORT)
    except transport.TooLarge:
        return "import.too_big"
    except ApiTelegramException as error:
        if "file is too big" in str(error.description).lower():
            return "import.too_big"
        _failed(error)
        return "import.download_failed"
    except (ApiException, requests.RequestException) as error:
        _failed(error)
        return "import.download_failed"


def _failed(error: Exception) -> None:
    log.warning(
        "could not download an import: %s",
        classify(error).description,
        exc_info=log.isEnabledFor(logging.DEBUG),
    )


def _keep_language(document: Document) -> Document:
    """The file's settings without its language: that is this chat's choice. An export from
    the habit command (English) must not switch a Russian chat; zone, day start and the rest
    are restored."""
    if "language" not in document.settings:
        return document
    settings = {k: v for k, v in document.settings.items() if k != "language"}
    return dataclasses.replace(document, settings=settings)


def summary_text(tx: Texts, summary: ImportSummary, name: str) -> str:
    """What an import did, line for line as ``habit import`` prints it, in the person's words.

    habitcore gives the unmapped items as English sentences only; they are listed as they are.
    """
    format_ = Format(summary.format)
    key = FORMATS.get(format_)
    what = tx(key) if key else describe(format_)
    n = tx.number
    lines = [tx("import.title", what=what, file=name)]
    created, matched = n(len(summary.habits_added)), n(len(summary.habits_merged))
    if summary.habits_merged:
        names = ", ".join(summary.habits_merged[:NAMES_SHOWN])
        more = len(summary.habits_merged) - NAMES_SHOWN
        if more > 0:
            names = tx("import.more", names=names, n=n(more))
        lines.append(tx("import.habits_named", created=created, matched=matched, names=names))
    else:
        lines.append(tx("import.habits", created=created, matched=matched))
    checkins = tx(
        "import.checkins",
        added=n(summary.checkins_added),
        unchanged=n(summary.checkins_unchanged),
    )
    if summary.checkins_updated:
        checkins += tx("import.updated", n=n(summary.checkins_updated))
    if summary.checkins_kept:
        checkins += tx("import.kept", n=n(summary.checkins_kept))
    lines.append(checkins)
    if summary.pauses_added or summary.pauses_unchanged:
        lines.append(
            tx(
                "import.pauses",
                added=n(summary.pauses_added),
                unchanged=n(summary.pauses_unchanged),
            )
        )
    if summary.unmapped:
        lines.append(tx("import.unmapped"))
        lines.extend(f"• {item}" for item in summary.unmapped)
    return "\n".join(lines)
