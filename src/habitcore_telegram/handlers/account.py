"""Who a person is to the bot: start, language, time zone, day start, vacation, help, cancel."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telebot import types

from habitcore_telegram.bot import Bot, Person
from habitcore_telegram.buttons import BadButton, Button, keyboard, pack
from habitcore_telegram.texts import LANGUAGES, Texts, commands
from habitcore_telegram.views import zone_label
from habitcore_telegram.zones import zone_at

MAX_VACATION = 365


def argument(message: types.Message) -> str:
    """What follows the command: ``/timezone Europe/Moscow`` gives ``Europe/Moscow``."""
    text = message.text or ""
    return text.split(maxsplit=1)[1].strip() if len(text.split(maxsplit=1)) > 1 else ""


def start(bot: Bot, person: Person, message: types.Message) -> None:
    tracker, tx = person.tracker, person.tx
    settings = person.known_settings()
    if not settings.active:
        settings = tracker.set_active(True)
    bot.dialogs.end(person.telegram_id)
    first = message.from_user.first_name if message.from_user else ""
    bot.send(person.chat_id, tx("start.hello", name=first or "🙂"))
    if settings.timezone_set:
        bot.send(
            person.chat_id,
            tx("start.back", zone=zone_label(settings.timezone)) + "\n" + tx("start.next"),
        )
    else:
        ask_timezone(bot, person)


def ask_timezone(bot: Bot, person: Person) -> None:
    tx = person.tx
    markup = types.ReplyKeyboardMarkup(resize_keyboard=True, one_time_keyboard=True)
    markup.row(types.KeyboardButton(tx("timezone.share"), request_location=True))
    bot.dialogs.begin(person.telegram_id, "timezone")
    bot.send(person.chat_id, tx("timezone.ask"), markup)


def _zone_set(bot: Bot, person: Person, name: str) -> None:
    settings = person.settings = person.tracker.set_timezone(name)
    bot.dialogs.end(person.telegram_id)
    local = person.tracker.now().astimezone(ZoneInfo(settings.timezone))
    bot.send(
        person.chat_id,
        person.tx("timezone.set", zone=zone_label(settings.timezone), time=local.strftime("%H:%M"))
        + "\n"
        + person.tx("start.next"),
        types.ReplyKeyboardRemove(),
    )


def timezone(bot: Bot, person: Person, message: types.Message) -> None:
    typed = argument(message)
    if not typed:
        settings = person.known_settings()
        bot.send(person.chat_id, person.tx("timezone.current", zone=zone_label(settings.timezone)))
        ask_timezone(bot, person)
        return
    _zone_set(bot, person, typed)


def timezone_text(
    bot: Bot, person: Person, message: types.Message, data: dict[str, object]
) -> None:
    _zone_set(bot, person, message.text or "")


def location(bot: Bot, person: Person, message: types.Message) -> None:
    where = message.location
    zone = zone_at(where.latitude, where.longitude) if where else None
    if zone is None:
        bot.send(person.chat_id, person.tx("timezone.not_found"))
        return
    _zone_set(bot, person, zone)


def language(bot: Bot, person: Person, message: types.Message) -> None:
    chosen = argument(message).lower()
    if chosen in LANGUAGES:
        _language_set(bot, person, chosen)
        return
    owner = person.telegram_id
    markup = keyboard([("English", pack("lg", owner, "en")), ("Русский", pack("lg", owner, "ru"))])
    bot.send(person.chat_id, person.tx("language.ask"), markup)


def _language_set(bot: Bot, person: Person, code: str) -> str:
    person.tracker.set_language(code)
    person.tx = Texts(code)
    text = person.tx("language.set")
    bot.send(person.chat_id, text)
    return text


def language_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    code = button.text(0)
    if code not in LANGUAGES:
        raise BadButton(code)
    return _language_set(bot, person, code)


DAY_STARTS = ("00:00", "03:00", "04:00", "05:00", "06:00")


def day_start(bot: Bot, person: Person, message: types.Message) -> None:
    typed = argument(message)
    if not typed:
        settings = person.known_settings()
        owner = person.telegram_id
        markup = keyboard([(t, pack("ds", owner, t.replace(":", ""))) for t in DAY_STARTS])
        bot.send(person.chat_id, person.tx("daystart.current", time=settings.day_start), markup)
        return
    settings = person.settings = person.tracker.set_day_start(typed)
    bot.send(person.chat_id, person.tx("daystart.set", time=settings.day_start))


def day_start_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    chosen = button.text(0)
    at = f"{chosen[:2]}:{chosen[2:]}"
    if at not in DAY_STARTS:
        raise BadButton(chosen)
    settings = person.settings = person.tracker.set_day_start(at)
    text = person.tx("daystart.set", time=settings.day_start)
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, text, None)
    return text


def morning(bot: Bot, person: Person, message: types.Message) -> None:
    typed = person.tx.understood(argument(message)).lower()
    if typed not in ("on", "off"):
        state = person.known_settings().morning_summary
        owner, tx = person.telegram_id, person.tx
        flip = ("morning.turn_off", "off") if state else ("morning.turn_on", "on")
        markup = keyboard([(tx(flip[0]), pack("mo", owner, flip[1]))])
        bot.send(
            person.chat_id, tx("morning.current_on" if state else "morning.current_off"), markup
        )
        return
    bot.send(person.chat_id, _morning(person, typed == "on"))


def _morning(person: Person, on: bool) -> str:
    person.tracker.set_morning_summary(on)
    return person.tx("morning.on" if on else "morning.off")


def morning_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    chosen = button.text(0)
    if chosen not in ("on", "off"):
        raise BadButton(chosen)
    text = _morning(person, chosen == "on")
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, text, None)
    return text


def vacation(bot: Bot, person: Person, message: types.Message) -> None:
    typed = person.tx.understood(argument(message)).lower()
    if not typed:
        owner, tx = person.telegram_id, person.tx
        markup = keyboard(
            [(tx.count("n.days", n), pack("vc", owner, n)) for n in (3, 7, 14, 30)],
            [(tx("vacation.end_button"), pack("vc", owner, 0))],
        )
        bot.send(person.chat_id, person.tx("vacation.ask"), markup)
        return
    if typed in ("off", "stop", "end"):
        bot.send(person.chat_id, _vacation(person, 0))
        return
    if not typed.isdigit() or not 1 <= int(typed) <= MAX_VACATION:
        bot.send(person.chat_id, person.tx("vacation.bad", most=MAX_VACATION))
        return
    bot.send(person.chat_id, _vacation(person, int(typed)))


def _vacation(person: Person, days: int) -> str:
    tracker, tx = person.tracker, person.tx
    if days == 0:
        ended = tracker.resume(None)
        return tx("vacation.ended") if ended else tx("vacation.none")
    last = pause_days(person, None, days)
    return tx("vacation.set", days=tx.count("n.days", days), until=last.isoformat())


def pause_days(person: Person, habit: int | str | None, days: int) -> date:
    """Pause one habit (None: every habit) for ``days`` days from today; the last day paused.

    Shared by /vacation, the card's pause buttons and /pause.
    """
    today = person.today()
    last = today + timedelta(days=days - 1)
    person.tracker.pause(habit, start=today, end=last)
    return last


def vacation_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    days = button.number(0)
    if days > MAX_VACATION:
        raise BadButton("days")
    text = _vacation(person, days)
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, text, None)
    return text


def help_(bot: Bot, person: Person, message: types.Message) -> None:
    tx = person.tx
    menu = "\n".join(f"/{name} — {text}" for name, text in commands(tx.language).items())
    bot.send(person.chat_id, tx("help", commands=menu))


def cancel(bot: Bot, person: Person, message: types.Message) -> None:
    ended = bot.dialogs.end(person.telegram_id)
    bot.send(
        person.chat_id,
        person.tx("cancel.done" if ended else "cancel.nothing"),
        types.ReplyKeyboardRemove(),
    )


def unknown_command(bot: Bot, person: Person, message: types.Message) -> None:
    bot.send(person.chat_id, person.tx("hint.command"))


def other_content(bot: Bot, person: Person, message: types.Message) -> None:
    bot.send(person.chat_id, person.tx("hint.text"))


def delete_me(bot: Bot, person: Person, message: types.Message) -> None:
    owner, tx = person.telegram_id, person.tx
    markup = keyboard(
        [(tx("deleteme.yes"), pack("dm", owner, "y")), (tx("deleteme.no"), pack("dm", owner, "n"))]
    )
    bot.send(person.chat_id, person.tx("deleteme.ask"), markup)


def delete_me_button(bot: Bot, person: Person, button: Button, call: types.CallbackQuery) -> str:
    tx = person.tx
    if button.text(0) == "y":
        person.tracker.delete_user()
        bot.dialogs.forget(person.telegram_id)
        text = tx("deleteme.done")
    elif button.text(0) == "n":
        text = tx("deleteme.kept")
    else:
        raise BadButton("deleteme")
    if call.message is not None:
        bot.edit(person.chat_id, call.message.message_id, text, None)
    return text
