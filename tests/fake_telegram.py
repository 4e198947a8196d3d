"""A fake Telegram Bot API server, so that the bot can be tested end to end without Telegram.

Mocking telebot would test the bot against our idea of telebot. Here the bot runs the real
pyTelegramBotAPI client, which talks real HTTP to this server (point
``telebot.apihelper.API_URL`` at ``fake.url + "/bot{0}/{1}"`` and ``FILE_URL`` at
``fake.url + "/file/bot{0}/{1}"``). So serialisation, multipart uploads, long polling, the client's
error handling, timeouts and retries are all exercised, and the server answers the way the Bot API
documented at https://core.telegram.org/bots/api does: the same ``{"ok": ...}`` envelopes, HTTP
statuses and error descriptions, message ids counted per chat, updates confirmed by a later
``getUpdates`` offset, a second poller cut off with 409, HTML/MarkdownV2 parsed into entities (with
the real parse errors), texts trimmed and limited to 4096 UTF-16 code units, callback_data limited
to 64 bytes, "message is not modified", an edit without ``reply_markup`` dropping the keyboard,
callback queries that can be answered once.

A test plays the user (:meth:`FakeTelegram.message`, :meth:`FakeTelegram.tap`, ...), reads what the
bot did (:attr:`FakeTelegram.calls`, :meth:`FakeTelegram.sent`), and makes Telegram misbehave
(:meth:`FakeTelegram.fail`, :meth:`FakeTelegram.delay`, :meth:`FakeTelegram.block`,
:meth:`FakeTelegram.stop_listening`).

Only the methods a habit bot needs are implemented; any other method answers 404 "Not Found", as
the real server does for a method it does not know. Standard library only.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import email.parser
import email.policy
import json
import mimetypes
import re
import socket
import string
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["BOT_ID", "DOWNLOAD", "TOKEN", "Call", "FakeTelegram", "utf16_len"]

TOKEN = "123456789:AAHfakeTokenForTestsOnly_abcdefghij"
BOT_ID = 123456789
BOT_USERNAME = "habitcore_test_bot"
BOT_NAME = "Habitcore Test Bot"

T = TypeVar("T")

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Parameters the Bot API takes as JSON-serialized objects or arrays; recorded decoded.
_JSON_PARAMS = frozenset(
    _words(
        "reply_markup commands allowed_updates scope entities caption_entities reply_parameters "
        "link_preview_options menu_button message_ids media results"
    )
)

# Update types delivered when allowed_updates was never set (or set to []).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_CHAT_ACTIONS = frozenset(
    _words(
        "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
        "choose_sticker find_location record_video_note upload_video_note"
    )
)

_MENU_BUTTONS = frozenset({"default", "commands", "web_app"})

_BUTTON_ACTIONS = _words(
    "url callback_data web_app login_url switch_inline_query switch_inline_query_current_chat "
    "switch_inline_query_chosen_chat copy_text callback_game pay"
)

_METHODS = _words(
    "getMe getUpdates setWebhook deleteWebhook getWebhookInfo sendMessage editMessageText "
    "editMessageCaption editMessageReplyMarkup deleteMessage deleteMessages answerCallbackQuery "
    "sendPhoto sendDocument getFile setMyCommands getMyCommands deleteMyCommands sendChatAction "
    "setChatMenuButton getChatMenuButton"
)
# Bot API method names are case-insensitive.
_METHOD_BY_LOWER = {name.lower(): name for name in _METHODS}
DOWNLOAD = "downloadFile"  # how file downloads (GET /file/bot<token>/<path>) appear in calls

_API_PATH = re.compile(r"/bot([^/]*)/([^/]*)")
_FILE_PATH = re.compile(r"/file/bot([^/]*)/(.+)")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_AT_START = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD = 20 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# The record of calls


@dataclass
class Call:
    """One request the bot made, and what the fake answered."""

    method: str  # canonical Bot API name, e.g. "sendMessage" (or DOWNLOAD)
    params: dict[str, Any]  # strings as received; JSON-valued parameters decoded
    files: dict[str, bytes] = field(default_factory=dict)  # multipart file parts by field name
    at: float = 0.0  # time.monotonic() when the request arrived
    status: builtins.int = 200  # HTTP status answered; 0 if the connection was dropped
    response: Any = None  # the JSON body (dict), a raw text body, or the bytes of a download
    filenames: dict[str, str] = field(default_factory=dict)  # multipart file names by field

    def int(self, key: str) -> builtins.int:
        return builtins.int(str(self.params[key]).strip())

    @property
    def chat_id(self) -> builtins.int | None:
        value = self.params.get("chat_id")
        try:
            return None if value is None else builtins.int(str(value).strip())
        except ValueError:
            return None

    @property
    def text(self) -> str | None:
        value = self.params.get("text")
        return value if isinstance(value, str) else None

    @property
    def markup(self) -> dict[str, Any] | None:
        value = self.params.get("reply_markup")
        return value if isinstance(value, dict) else None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every inline keyboard button of reply_markup, row after row."""
        rows = (self.markup or {}).get("inline_keyboard")
        if not isinstance(rows, list):
            return []
        return [b for row in rows if isinstance(row, list) for b in row if isinstance(b, dict)]

    @property
    def ok(self) -> bool:
        return isinstance(self.response, dict) and self.response.get("ok") is True

    @property
    def result(self) -> Any:
        return self.response.get("result") if isinstance(self.response, dict) else None

    @property
    def description(self) -> str | None:
        return self.response.get("description") if isinstance(self.response, dict) else None

    def brief(self, width: builtins.int = 200) -> str:
        """The call on one line, long values cut, for failure messages."""
        params = " ".join(f"{key}={_short(value)}" for key, value in self.params.items())
        files = "".join(f" {key}=<{len(data)} bytes>" for key, data in self.files.items())
        outcome = "" if self.ok or self.description is None else f" {self.description!r}"
        line = f"{self.method} -> {self.status}{outcome}: {params}{files}"
        return line if len(line) <= width else line[: width - 1] + "…"


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= width else text[: width - 1] + "…"
    return repr(text) if isinstance(value, str) else text


# --------------------------------------------------------------------------------------------
# Errors


class _ApiError(Exception):
    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> _ApiError:
    return _ApiError(400, "Bad Request: " + description)


class _Aborted(Exception):
    """The fake stopped listening while this request waited: drop the connection, answer nothing."""


class _EntityParseError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# Text: UTF-16 lengths, parse modes, trimming (after tdlib, which the Bot API server runs)

_SPACE = " \t\r\n\v\f"  # tdlib's is_space, also what it trims
_HTML_TAGS = frozenset(
    _words("a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote")
)
_HTML_KIND = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!\n"
# tdlib's names, as they appear in "Can't find end of ... entity" errors.
_TD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}
# tdlib sorts entities by offset, then longer first, then by these priorities.
_PRIORITY = {
    "blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts (an emoji is 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _entity(kind: str, offset: int, length: int, **extra: Any) -> dict[str, Any]:
    return {"offset": offset, "length": length, "type": kind, **extra}


def _sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))


def _checked_link(url: str) -> str:
    """The URL as Telegram would keep it for a text link or URL button, or "" if it is refused."""
    url = url.strip()
    if not url:
        return ""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("tg", "ton"):
        return url
    if "://" not in url:
        url = "http://" + url
        scheme = "http"
    if scheme not in ("http", "https"):
        return ""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return ""
    if not host or not re.fullmatch(r"[\w.-]+", host) or host.startswith("."):
        return ""
    return url


def _link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    mention = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
    if mention:
        user = {"id": int(mention.group(1)), "is_bot": False, "first_name": ""}
        return _entity("text_mention", offset, length, user=user)
    checked = _checked_link(url)
    return _entity("text_link", offset, length, url=checked) if checked else None


def _html_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at text[pos] == "&" the way the Bot API does.

    Only &lt; &gt; &amp; &quot; and numeric references are known; the ";" is optional. Returns
    (None, pos) when there is none, and the "&" then stands for itself.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        digits = string.digits
        base = 10
        if end < n and text[end] == "x":
            end += 1
            digits = string.hexdigits
            base = 16
        start = end
        while end < n and text[end] in digits:
            end += 1
        value = int(text[start:end], base) if end > start else 0
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None, pos
        decoded = chr(value)
    else:
        while end < n and text[end] in string.ascii_letters:
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None, pos
        decoded = named
    if end < n and text[end] == ";":
        end += 1
    return decoded, end


def _parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """parse_mode=HTML, with the Bot API's tags, errors and byte offsets."""
    n = len(text)
    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, UTF-16 offset, index in out
    surrogates = False

    def at(k: int) -> str:
        return text[k] if k < n else ""

    def space(k: int) -> bool:
        return k < n and text[k] in _SPACE

    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded, end = _html_entity(text, i)
            if decoded is not None:
                surrogates = surrogates or 0xD800 <= ord(decoded) <= 0xDFFF
                out.append(decoded)
                u16 += utf16_len(decoded)
                i = end
                continue
        if c != "<":
            out.append(c)
            u16 += utf16_len(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while i < n and not space(i) and text[i] != ">":
                i += 1
            if i >= n:
                raise _EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            tag = text[begin + 1 : i].lower()
            where = f"at byte offset {_byte_offset(text, begin)}"
            if tag not in _HTML_TAGS:
                raise _EntityParseError(f'Unsupported start tag "{tag}" {where}')
            argument = ""
            while at(i) != ">":
                while space(i):
                    i += 1
                if at(i) == ">":
                    break
                attribute_begin = i
                while i < n and not space(i) and text[i] != "=":
                    i += 1
                attribute = text[attribute_begin:i]
                if not attribute:
                    raise _EntityParseError(f'Empty attribute name in the tag "{tag}" {where}')
                while space(i):
                    i += 1
                if at(i) != "=":
                    raise _EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        + where
                    )
                i += 1
                while space(i):
                    i += 1
                if i >= n:
                    raise _EntityParseError(f'Unclosed start tag "{tag}" {where}')
                if text[i] not in "'\"":
                    token_begin = i
                    while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if i < n and not space(i) and text[i] != ">":
                        raise _EntityParseError(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(text, token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            decoded, end = _html_entity(text, i)
                            if decoded is not None:
                                chars.append(decoded)
                                i = end
                                continue
                        chars.append(text[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise _EntityParseError(f"Unclosed start tag {where}")
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise _EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
            stack.append((tag, argument, u16, len(out)))
            i += 1
            continue

        # an end tag
        if not stack:
            raise _EntityParseError(
                f"Unexpected end tag at byte offset {_byte_offset(text, begin)}"
            )
        while i < n and not space(i) and text[i] != ">":
            i += 1
        end_tag = text[begin + 2 : i].lower()
        while space(i):
            i += 1
        if at(i) != ">":
            raise _EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        tag, argument, offset, out_index = stack[-1]
        if end_tag and end_tag != tag:
            raise _EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                f'expected "</{tag}>", found "</{end_tag}>"'
            )
        length = u16 - offset
        if length > 0:
            last = entities[-1] if entities else None
            same_span = last is not None and (last["offset"], last["length"]) == (offset, length)
            if tag in _HTML_KIND:
                entities.append(_entity(_HTML_KIND[tag], offset, length))
            elif tag == "tg-emoji":
                if not argument.isdigit() or int(argument) == 0:
                    raise _EntityParseError("Invalid custom emoji identifier specified")
                entities.append(_entity("custom_emoji", offset, length, custom_emoji_id=argument))
            elif tag == "a":
                url = argument or "".join(out[out_index:])
                link = _link_entity(url, offset, length)
                if link is not None:
                    entities.append(link)
            elif tag == "pre":
                if same_span and last is not None and last["type"] == "code" and "language" in last:
                    last["type"] = "pre"
                else:
                    entities.append(_entity("pre", offset, length))
            elif tag == "code":
                if same_span and last is not None and last["type"] == "pre" and argument:
                    last["language"] = argument
                else:
                    extra = {"language": argument} if argument else {}
                    entities.append(_entity("code", offset, length, **extra))
        stack.pop()
        i += 1

    if stack:
        raise _EntityParseError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    if surrogates:
        raise _EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    return "".join(out), _sort_entities(entities)


@dataclass
class _Open:
    kind: str
    argument: str
    offset: int  # UTF-16 offset in the result
    begin: int  # index in the source, for error messages
    out_index: int


def _parse_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """parse_mode=MarkdownV2, with the Bot API's reserved characters and errors."""
    n = len(text)
    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    quote = False

    def at(k: int) -> str:
        return text[k] if k < n else ""

    def escapable(k: int) -> bool:
        return k < n and 0 < ord(text[k]) <= 126

    def reserved(c: str) -> _EntityParseError:
        return _EntityParseError(
            f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
        )

    def name(entry: _Open) -> str:
        return "PreCode" if entry.kind == "pre" and entry.argument else _TD_NAMES[entry.kind]

    def url_in_parentheses(i: int, what: str) -> tuple[str, int]:
        begin = i
        chars: list[str] = []
        while i < n and text[i] != ")":
            if text[i] == "\\" and escapable(i + 1):
                chars.append(text[i + 1])
                i += 2
                continue
            chars.append(text[i])
            i += 1
        if at(i) != ")":
            raise _EntityParseError(
                f"Can't find end of {what} at byte offset {_byte_offset(text, begin)}"
            )
        return "".join(chars), i

    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and escapable(i + 1):
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        special = "`" if stack and stack[-1].kind in ("code", "pre") else _MDV2_RESERVED
        if c not in special:
            out.append(c)
            u16 += utf16_len(c)
            i += 1
            continue

        ending = False
        if stack:
            top = stack[-1].kind
            if quote and c == "\n" and at(i + 1) != ">":
                ending = True
            elif top == "bold":
                ending = c == "*"
            elif top == "italic":
                ending = c == "_" and at(i + 1) != "_"
            elif top == "underline":
                ending = c == "_" and at(i + 1) == "_"
            elif top == "code":
                ending = c == "`"
            elif top == "pre":
                ending = c == "`" and at(i + 1) == "`" and at(i + 2) == "`"
            elif top in ("text_link", "custom_emoji"):
                ending = c == "]"
            elif top == "strikethrough":
                ending = c == "~"
            elif top == "spoiler":
                ending = c == "|" and at(i + 1) == "|"

        if not ending:
            begin = i
            argument = ""
            kind: str | None
            if c == "_":
                kind = "italic"
                if at(i + 1) == "_":
                    kind = "underline"
                    i += 1
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|":
                if at(i + 1) != "|":
                    raise reserved(c)
                kind = "spoiler"
                i += 1
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                kind = "code"
                if at(i + 1) == "`" and at(i + 2) == "`":
                    kind = "pre"
                    i += 3
                    language_end = i
                    while language_end < n and text[language_end] not in _SPACE + "`":
                        language_end += 1
                    if i != language_end and language_end < n and text[language_end] != "`":
                        argument = text[i:language_end]
                        i = language_end
                    if at(i) in ("\n", "\r") and i < n:
                        pair = at(i + 1) in ("\n", "\r") and i + 1 < n and at(i) != at(i + 1)
                        i += 2 if pair else 1
                    i -= 1
            elif c == "!":
                if at(i + 1) != "[":
                    raise reserved(c)
                kind = "custom_emoji"
                i += 1
            elif c == "\n":
                out.append("\n")
                u16 += 1
                kind = None
                if at(i + 1) == ">":
                    i += 1
                    if not quote:
                        kind = "blockquote"
                        quote = True
            elif c == ">" and i == 0:
                kind = "blockquote"
                quote = True
            else:
                raise reserved(c)
            if kind is not None:
                stack.append(_Open(kind, argument, u16, begin, len(out)))
            i += 1
            continue

        top_entry = stack[-1]
        if c == "\n" and top_entry.kind != "blockquote":
            raise _EntityParseError(
                f"Can't find end of {name(top_entry)} entity at byte offset "
                f"{_byte_offset(text, top_entry.begin)}"
            )
        offset = top_entry.offset
        made: dict[str, Any] | None = None
        if top_entry.kind in ("underline", "spoiler"):
            i += 1
        elif top_entry.kind == "pre":
            i += 2
        elif top_entry.kind == "text_link":
            if at(i + 1) != "(":
                url = "".join(out[top_entry.out_index :])
            else:
                url, i = url_in_parentheses(i + 2, "a URL")
            made = _link_entity(url, offset, u16 - offset)
        elif top_entry.kind == "custom_emoji":
            if at(i + 1) != "(":
                raise _EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url, i = url_in_parentheses(i + 2, "a custom emoji URL")
            emoji = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
            if not emoji or int(emoji.group(1)) == 0:
                raise _EntityParseError("Invalid custom emoji URL specified")
            made = _entity("custom_emoji", offset, u16 - offset, custom_emoji_id=emoji.group(1))
        elif top_entry.kind == "blockquote":
            quote = False
            out.append(c)
            u16 += 1
        if u16 > offset:
            if made is not None:
                made["length"] = u16 - offset
                entities.append(made)
            elif top_entry.kind not in ("text_link", "custom_emoji"):
                extra = {"language": top_entry.argument} if top_entry.argument else {}
                entities.append(_entity(top_entry.kind, offset, u16 - offset, **extra))
        stack.pop()
        i += 1

    if quote and stack and stack[-1].kind == "blockquote":
        entry = stack.pop()
        if u16 > entry.offset:
            entities.append(_entity("blockquote", entry.offset, u16 - entry.offset))
    if stack:
        raise _EntityParseError(
            f"Can't find end of {name(stack[-1])} entity at byte offset "
            f"{_byte_offset(text, stack[-1].begin)}"
        )
    return "".join(out), _sort_entities(entities)


def _parse_markdown(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The legacy parse_mode=Markdown: *bold* _italic_ `code` ```pre``` [text](url)."""
    n = len(text)
    out: list[str] = []
    u16 = 0
    entities: list[dict[str, Any]] = []

    def at(k: int) -> str:
        return text[k] if k < n else ""

    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and at(i + 1) in ("_", "*", "`", "[") and i + 1 < n:
            out.append(text[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += utf16_len(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            language_end = i
            while language_end < n and text[language_end] not in _SPACE + "`":
                language_end += 1
            if i != language_end and language_end < n and text[language_end] != "`":
                language = text[i:language_end]
                i = language_end
            if i < n and text[i] in "\n\r":
                pair = i + 1 < n and text[i + 1] in "\n\r" and text[i] != text[i + 1]
                i += 2 if pair else 1
        offset = u16
        while i < n and (
            text[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            out.append(text[i])
            u16 += utf16_len(text[i])
            i += 1
        if i >= n:
            raise _EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        length = u16 - offset
        if length:
            if c == "_":
                entities.append(_entity("italic", offset, length))
            elif c == "*":
                entities.append(_entity("bold", offset, length))
            elif c == "[":
                if at(i + 1) != "(":
                    url = text[begin + 1 : i]
                else:
                    i += 2
                    url_begin = i
                    while i < n and text[i] != ")":
                        i += 1
                    url = text[url_begin:i]
                link = _link_entity(url, offset, length)
                if link is not None:
                    entities.append(link)
            elif is_pre:
                extra = {"language": language} if language else {}
                entities.append(_entity("pre", offset, length, **extra))
            else:
                entities.append(_entity("code", offset, length))
        if is_pre:
            i += 2
        i += 1
    return "".join(out), _sort_entities(entities)


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram drops leading and trailing whitespace, cutting entities to what is left."""
    left = text.lstrip(_SPACE)
    lead = utf16_len(text[: len(text) - len(left)])
    body = left.rstrip(_SPACE)
    total = utf16_len(body)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return body, kept


def _format(text: str, parse_mode: Any, explicit: Any) -> tuple[str, list[dict[str, Any]]]:
    """The text and entities Telegram stores for text + parse_mode, or text + entities."""
    if explicit not in (None, ""):
        if not isinstance(explicit, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and type(e.get("offset")) is int
            and type(e.get("length")) is int
            for e in explicit
        ):
            raise _bad("can't parse entities JSON object")
        entities = [dict(e) for e in explicit if e["length"] > 0 and e["offset"] >= 0]
        return _trim(text, _sort_entities(entities))
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    parsers = {"html": _parse_html, "markdownv2": _parse_markdown_v2, "markdown": _parse_markdown}
    if mode and mode not in parsers:
        raise _bad("unsupported parse_mode")
    if not mode:
        return _trim(text, [])
    try:
        parsed, entities = parsers[mode](text)
    except _EntityParseError as error:
        raise _bad(f"can't parse entities: {error}") from None
    return _trim(parsed, entities)


# --------------------------------------------------------------------------------------------
# Request bodies


@dataclass
class _Upload:
    filename: str
    content: bytes


def _disposition(value: str) -> tuple[str | None, str | None]:
    """name and filename of a multipart part's Content-Disposition.

    telebot sends the file name unquoted and unencoded (``filename=my "x".json``), so an unquoted
    filename runs to the end of the header, as Telegram reads it.
    """
    name_match = re.search(r'(?:^|;)\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))', value)
    name = None
    if name_match:
        name = name_match.group(1) if name_match.group(1) is not None else name_match.group(2)
        name = name.strip()
    star = re.search(r"(?:^|;)\s*filename\*\s*=\s*([^']*)'[^']*'([^;]*)", value)
    if star:
        return name, unquote(star.group(2).strip(), encoding=star.group(1) or "utf-8")
    file_match = re.search(
        r'(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"\s*(?:;|$)|(.*))', value
    )
    if not file_match:
        return name, None
    if file_match.group(1) is not None:
        return name, re.sub(r"\\(.)", r"\1", file_match.group(1))
    return name, file_match.group(2).strip()


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, _Upload]]:
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(head + body)
    if not message.is_multipart():
        raise _bad("can't parse multipart/form-data request body")
    params: dict[str, Any] = {}
    uploads: dict[str, _Upload] = {}
    for part in cast(list[Any], message.get_payload()):
        disposition = ""
        for header, raw in part.raw_items():
            if header.lower() == "content-disposition":
                # header bytes come surrogate-escaped; telebot sends UTF-8 file names raw
                disposition = str(raw).encode("ascii", "surrogateescape").decode("utf-8", "replace")
        name, filename = _disposition(disposition)
        if not name:
            continue
        content = part.get_payload(decode=True) or b""
        if filename is None:
            params[name] = content.decode("utf-8", "replace")
        else:
            uploads[name] = _Upload(filename, content)
    return params, uploads


def _json_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_int(value: Any, default: int = 0) -> int:
    if value is None or isinstance(value, dict | list):
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        try:
            return int(float(str(value).strip()))
        except ValueError:
            return default


def _given(value: Any) -> bool:
    """Whether a button field counts as set: Telegram ignores null, "" and false."""
    return value is not None and value != "" and value is not False


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1")


# --------------------------------------------------------------------------------------------
# Images


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF, BMP or WebP; None if it is none of them."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 <= len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
                i += 1 if marker == 0xFF else 2
                continue
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + int(length)
    return None


# --------------------------------------------------------------------------------------------
# The server


@dataclass
class _Fault:
    method: str
    code: int
    description: str
    parameters: dict[str, Any] | None
    remaining: int  # -1: until clear_faults()
    when: Callable[[dict[str, Any]], bool] | None
    raw: str | None


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class _Query:
    query_id: str
    user_id: int
    answer: Call | None = None


@dataclass
class _Response:
    status: int
    content_type: str
    payload: bytes
    recorded: Any


def _canonical(method: str) -> str:
    return _METHOD_BY_LOWER.get(method.lower(), method)


def _snake(method: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", method).lower()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], fake: FakeTelegram) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.fake._unexpected(include_os_errors=False)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: a stopped server refuses the next
    timeout = 60

    def setup(self) -> None:
        super().setup()
        cast(_Server, self.server).fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            cast(_Server, self.server).fake._track(self.connection, add=False)

    def do_GET(self) -> None:
        cast(_Server, self.server).fake._serve(self)

    def do_POST(self) -> None:
        cast(_Server, self.server).fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeTelegram:
    """A Bot API server on 127.0.0.1 (a free port), in a daemon thread, with its own state."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token: str = token
        self.bot_user: dict[str, Any] = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": BOT_NAME,
            "username": BOT_USERNAME,
        }
        self.calls: list[Call] = []
        self.errors: list[str] = []  # tracebacks of the fake's own failures; should stay empty
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope, lang) -> list
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook_url = ""
        self.blocked: set[int] = set()
        # the clock of message dates (seconds since the epoch); a test may put its fake clock here
        self.now: Callable[[], float] = time.time

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._updates: list[dict[str, Any]] = []  # pending: not yet confirmed
        self._all_updates: dict[int, dict[str, Any]] = {}
        self._next_update_id = 1000
        self._confirmed = 0
        self._fetched = 0  # highest update_id handed out by getUpdates
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, _File] = {}
        self._files_by_path: dict[str, _File] = {}
        self._file_counter = 0
        self._queries: dict[str, _Query] = {}
        self._query_counter = 0
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._handling = Call("", {})  # the call being handled, for methods that keep it
        self._inflight = 0
        self._polling = 0
        self._last_activity = time.monotonic()
        self._active: set[socket.socket] = set()
        self._epoch = 0
        self._closed = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._listen(0)
        assert self._server is not None
        self.port: int = self._server.server_address[1]
        self.url: str = f"http://127.0.0.1:{self.port}"

    # ---- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> FakeTelegram:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.stop_listening()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def stop_listening(self) -> None:
        """Close the listening socket and drop open connections: Telegram is unreachable."""
        with self._cond:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            self._epoch += 1
            self._cond.notify_all()
            connections = list(self._active)
        if server is None:
            return
        server.shutdown()
        server.server_close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=5)

    def start_listening(self) -> None:
        """Listen again, on the same port."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the fake is closed")
            if self._server is not None:
                return
        self._listen(self.port)

    @property
    def listening(self) -> bool:
        return self._server is not None

    def _listen(self, port: int) -> None:
        server = _Server(("127.0.0.1", port), self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-telegram-{server.server_address[1]}",
            daemon=True,
        )
        with self._cond:
            self._server, self._thread = server, thread
        thread.start()

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._active.add(connection)
            else:
                self._active.discard(connection)

    def _unexpected(self, *, include_os_errors: bool = True) -> None:
        error = traceback.format_exc()
        exc = sys.exc_info()[1]
        if not include_os_errors and isinstance(exc, OSError):
            return
        with self._lock:
            self.errors.append(error)

    def assert_no_errors(self) -> None:
        if self.errors:
            raise AssertionError("the fake Telegram server failed:\n" + "\n".join(self.errors))

    # ---- the user's side: updates -----------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id (assigned here, from 1000)."""
        with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            stored = {"update_id": update_id, **copy.deepcopy(update)}
            stored["update_id"] = update_id
            self._all_updates[update_id] = stored
            kinds = [key for key in stored if key != "update_id"]
            if all(self._allowed(kind) for kind in kinds):
                self._updates.append(stored)
                self._cond.notify_all()
            return update_id

    def _allowed(self, kind: str) -> bool:
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def update(self, update_id: int) -> dict[str, Any]:
        """A pushed update, as the bot receives it."""
        with self._lock:
            return copy.deepcopy(self._all_updates[update_id])

    def message(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str = "en",
        chat_id: int | None = None,
        first_name: str = "Test",
        reply_to: int | None = None,
        **fields: Any,
    ) -> int:
        """The user sends a text message (a command if it starts with "/").

        ``reply_to``: the id of a message in the same chat it replies to. As the Bot API does,
        the update then holds that message as it is now (its text and buttons after any
        edits), without a ``reply_to_message`` of its own; a deleted one is left out.
        """
        content: dict[str, Any] = {"text": text}
        command = _BOT_COMMAND_AT_START.match(text)
        if command:
            content["entities"] = [_entity("bot_command", 0, utf16_len(command.group()))]
        if reply_to is not None:
            with self._lock:
                original = self._messages.get(user_id if chat_id is None else chat_id, {}).get(
                    reply_to
                )
                if original is not None:
                    quoted = copy.deepcopy(original)
                    quoted.pop("reply_to_message", None)
                    content["reply_to_message"] = quoted
        return self._user_message(
            user_id,
            content,
            chat_id=chat_id,
            first_name=first_name,
            language_code=language_code,
            **fields,
        )

    def location(self, user_id: int, latitude: float, longitude: float, **kw: Any) -> int:
        """The user shares a location."""
        return self._user_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}, **kw
        )

    def document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        mime_type: str = "application/json",
        caption: str | None = None,
        **kw: Any,
    ) -> int:
        """The user sends a file; getFile and the file URL then serve its bytes."""
        with self._lock:
            stored = self._register_file(content, "documents", file_name)
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
        }
        body: dict[str, Any] = {"document": document}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(user_id, body, **kw)

    def tap(
        self, user_id: int, message: dict[str, Any], data: str, *, query_id: str | None = None
    ) -> int:
        """The user taps an inline button: a callback_query update about that message."""
        with self._lock:
            chat_id = message["chat"]["id"]
            current = self._messages.get(chat_id, {}).get(message["message_id"], message)
            self._query_counter += 1
            if query_id is None:
                query_id = str(4_700_000_000_000_000_000 + self._query_counter)
            self._queries[query_id] = _Query(query_id, user_id)
            query = {
                "id": query_id,
                "from": self._user(user_id),
                "message": copy.deepcopy(current),
                "chat_instance": str(-(abs(chat_id) * 7919 + 4_000_000_000_000_000)),
                "data": data,
            }
        return self.push({"callback_query": query})

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sending to them fails with 403 until unblock()."""
        with self._lock:
            self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        with self._lock:
            self.blocked.discard(user_id)

    def _user(self, user_id: int) -> dict[str, Any]:
        return copy.deepcopy(
            self._users.get(user_id)
            or {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
        )

    def _user_message(
        self,
        user_id: int,
        content: dict[str, Any],
        *,
        chat_id: int | None = None,
        first_name: str = "Test",
        language_code: str = "en",
        **fields: Any,
    ) -> int:
        with self._lock:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": language_code,
            }
            self._users[user_id] = user
            chat = user_id if chat_id is None else chat_id
            if chat == user_id or chat not in self._chats:
                self._chats[chat] = self._new_chat(chat, first_name)
            message = self._store(chat, copy.deepcopy(user), {**content, **fields})
        return self.push({"message": message})

    @staticmethod
    def _new_chat(chat_id: int, first_name: str = "Test") -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "first_name": first_name, "type": "private"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "title": "Test Group", "type": kind}

    def _store(
        self, chat_id: int, sender: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        chat = self._chats.get(chat_id) or self._new_chat(chat_id)
        message = {
            "message_id": message_id,
            "from": sender,
            "chat": copy.deepcopy(chat),
            "date": int(self.now()),
            **content,
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        return copy.deepcopy(message)

    # ---- what the bot did --------------------------------------------------------------------

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages the bot sent to the chat and did not delete, as they are now, in order."""
        with self._lock:
            messages = self._messages.get(chat_id, {}).values()
            return [copy.deepcopy(m) for m in messages if m["from"]["id"] == BOT_ID]

    def last_sent(self, chat_id: int) -> dict[str, Any]:
        sent = self.sent(chat_id)
        if not sent:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.recent()}")
        return sent[-1]

    def stored(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Any message of the chat (the user's too) as it is now; None if unknown or deleted."""
        with self._lock:
            message = self._messages.get(chat_id, {}).get(message_id)
            return copy.deepcopy(message) if message is not None else None

    @property
    def confirmed(self) -> int:
        """The highest update_id the bot confirmed with a later getUpdates offset (0: none)."""
        with self._lock:
            return self._confirmed

    @property
    def polling(self) -> int:
        """How many getUpdates requests are in progress (a long poll waiting, say).

        Calls are recorded when answered, so a poll in progress is not in calls yet.
        """
        with self._lock:
            return self._polling

    def pending(self) -> int:
        """How many updates the bot has not confirmed yet."""
        with self._lock:
            return len(self._updates)

    def snapshot(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def mark(self) -> int:
        """len(calls) now, for wait_for_call(after=...)."""
        with self._lock:
            return len(self.calls)

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        method = _canonical(method)
        return [
            call
            for call in self.snapshot()
            if call.method == method and (chat_id is None or call.chat_id == chat_id)
        ]

    def answered(self, query_id: str) -> Call | None:
        """The answerCallbackQuery call that answered that query, if one did."""
        with self._lock:
            query = self._queries.get(query_id)
            return query.answer if query is not None else None

    def my_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> Any:
        with self._lock:
            return copy.deepcopy(self.commands.get((_scope_key(scope), language_code)))

    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, message: str = ""
    ) -> T:
        """Poll predicate until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                what = message or getattr(predicate, "__name__", "condition")
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}\n{self.recent()}"
                )
            time.sleep(0.01)

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> Call:
        """The first call of that method with index >= after matching predicate."""
        method = _canonical(method)

        def found() -> Call | None:
            for call in self.snapshot()[after:]:
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        return self.wait_for(found, timeout, f"a {method} call (after #{after})")

    def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Until every pushed update was fetched and no other call came for `quiet` seconds."""

        def idle() -> bool:
            with self._lock:
                unfetched = any(u["update_id"] > self._fetched for u in self._updates)
                silent = time.monotonic() - self._last_activity >= quiet
                return not unfetched and self._inflight == 0 and silent

        self.wait_for(idle, timeout, f"the bot to go quiet for {quiet}s")

    def recent(self, count: int = 15) -> str:
        """The last calls, one a line, and the fake's own last failure: for assertion messages."""
        calls = self.snapshot()
        start = max(0, len(calls) - count)
        lines = [f"last {len(calls) - start} of {len(calls)} calls:"]
        lines += [f"  #{i} {calls[i].brief()}" for i in range(start, len(calls))]
        with self._lock:
            if self.errors:
                lines.append(f"the fake itself failed {len(self.errors)} time(s):")
                lines.append(self.errors[-1])
        return "\n".join(lines)

    _recent = recent

    # ---- faults ------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
        raw: str | None = None,
    ) -> None:
        """Answer the next `times` calls of method (matching when(params)) with this error.

        times=-1: until clear_faults(). With raw, the body is that text (an nginx error page, say)
        instead of the Bot API's JSON.
        """
        if code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            defaults = {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: _CONFLICT_POLL,
                429: f"Too Many Requests: retry after {retry_after}",
            }
            try:
                phrase = HTTPStatus(code).phrase
            except ValueError:
                phrase = "Error"
            description = defaults.get(code, phrase)
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        fault = _Fault(_canonical(method), code, description, parameters, times, when, raw)
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._delays.clear()

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Sleep before answering the next `times` calls of method (times=-1: always)."""
        with self._lock:
            self._delays.append(_Delay(_canonical(method), seconds, times))

    def _take_delay(self, method: str) -> float:
        with self._lock:
            for entry in self._delays:
                if entry.method == method and entry.remaining != 0:
                    entry.remaining -= 1 if entry.remaining > 0 else 0
                    return entry.seconds
        return 0.0

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method != method or fault.remaining == 0:
                    continue
                if fault.when is not None and not fault.when(params):
                    continue
                if fault.remaining > 0:
                    fault.remaining -= 1
                return fault
        return None

    # ---- HTTP --------------------------------------------------------------------------------

    def _serve(self, request: _Handler) -> None:
        received = time.monotonic()
        url = urlsplit(request.path)
        path = unquote(url.path)
        api = _API_PATH.fullmatch(path)
        download = _FILE_PATH.fullmatch(path)
        method = _canonical(api.group(2)) if api else DOWNLOAD if download else path
        token = api.group(1) if api else download.group(1) if download else None
        counted = method != "getUpdates"
        with self._lock:
            if counted:
                self._inflight += 1
                self._last_activity = received
            epoch = self._epoch
        call = Call(method=method, params={}, at=received)
        try:
            response = self._respond(request, call, url.query, token, api is not None, download)
        except _Aborted:
            response = None
        except Exception as error:
            self._unexpected()
            response = self._json(_ApiError(500, f"Internal Server Error: {error!r}").body())
        with self._cond:
            if response is None:
                call.status, call.response = 0, None
            else:
                call.status, call.response = response.status, response.recorded
            self.calls.append(call)
            if counted:
                self._inflight -= 1
                self._last_activity = time.monotonic()
            self._cond.notify_all()
            dropped = epoch != self._epoch
        if response is None or dropped:
            return
        try:
            request.send_response(response.status)
            request.send_header("Content-Type", response.content_type)
            request.send_header("Content-Length", str(len(response.payload)))
            request.send_header("Connection", "close")
            request.end_headers()
            request.wfile.write(response.payload)
        except OSError:
            pass

    @staticmethod
    def _json(body: dict[str, Any], status: int | None = None) -> _Response:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        code = status if status is not None else int(body.get("error_code", 200))
        return _Response(code, "application/json", payload, body)

    def _respond(
        self,
        request: _Handler,
        call: Call,
        query: str,
        token: str | None,
        is_api: bool,
        download: re.Match[str] | None,
    ) -> _Response:
        try:
            params, uploads = self._read(request, query)
        except _ApiError as error:
            return self._json(error.body())
        call.params = params
        call.files = {name: upload.content for name, upload in uploads.items()}
        call.filenames = {name: upload.filename for name, upload in uploads.items()}
        if token is None:
            return self._json(_ApiError(404, "Not Found").body())
        if token != self.token:
            return self._json(_ApiError(401, "Unauthorized").body())
        if is_api and call.method not in _METHODS:
            return self._json(_ApiError(404, "Not Found").body())

        seconds = self._take_delay(call.method)
        if seconds:
            time.sleep(seconds)
        fault = self._take_fault(call.method, params)
        if fault is not None:
            if fault.raw is not None:
                payload = fault.raw.encode("utf-8")
                return _Response(fault.code, "text/html", payload, fault.raw)
            return self._json(_ApiError(fault.code, fault.description, fault.parameters).body())

        if download is not None:
            with self._lock:
                stored = self._files_by_path.get(download.group(2))
            if stored is None:
                return self._json(_ApiError(404, "Not Found").body())
            return _Response(200, "application/octet-stream", stored.content, stored.content)

        handler = getattr(self, "_api_" + _snake(call.method))
        try:
            with self._lock:
                self._handling = call
                result = handler(params, uploads)
        except _ApiError as error:
            return self._json(error.body())
        return self._json({"ok": True, "result": result}, status=200)

    def _read(self, request: _Handler, query: str) -> tuple[dict[str, Any], dict[str, _Upload]]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        uploads: dict[str, _Upload] = {}
        if request.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(request.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    request.rfile.readline()
                    break
                chunks.append(request.rfile.read(size))
                request.rfile.readline()
            body = b"".join(chunks)
        else:
            body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        content_type = request.headers.get("Content-Type", "")
        kind = content_type.split(";")[0].strip().lower()
        if body.strip():
            if kind == "application/json":
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if not isinstance(decoded, dict):
                    raise _bad("can't parse JSON encoded request body")
                for key, value in decoded.items():
                    if value is not None:
                        params[key] = (
                            value if isinstance(value, dict | list) else _json_scalar(value)
                        )
            elif kind == "application/x-www-form-urlencoded":
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            elif kind == "multipart/form-data":
                fields, uploads = _multipart(content_type, body)
                params.update(fields)
        for key in _JSON_PARAMS & params.keys():
            value = params[key]
            if isinstance(value, str) and value.strip()[:1] in ("{", "["):
                # if it is no JSON it stays as received, and the method rejects it
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return params, uploads

    # ---- helpers for the methods ---------------------------------------------------------------

    @staticmethod
    def _chat_id(params: dict[str, Any]) -> int:
        value = params.get("chat_id")
        if value is None or str(value).strip() == "":
            raise _bad("chat_id is empty")
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad("chat not found") from None

    def _reachable(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")

    @staticmethod
    def _message_id(params: dict[str, Any]) -> int:
        value = params.get("message_id")
        if value is None or str(value).strip() == "":
            raise _bad("message identifier is not specified")
        return _as_int(value)

    def _bot(self) -> dict[str, Any]:
        return copy.deepcopy(self.bot_user)

    def _text(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        if caption:
            if text is None or text == "":
                return "", []
            text, parsed = _format(str(text), parse_mode, entities)
            if utf16_len(text) > MAX_CAPTION:
                raise _bad("message caption is too long")
            return text, parsed
        if text is None or text == "":
            raise _bad("message text is empty")
        text, parsed = _format(str(text), parse_mode, entities)
        if not text:
            raise _bad("message must be non-empty")
        if utf16_len(text) > MAX_TEXT:
            raise _bad("message is too long")
        return text, parsed

    def _markup(
        self, params: dict[str, Any], *, inline_only: bool = False
    ) -> dict[str, Any] | None:
        """The reply_markup as Telegram keeps it on the message (inline keyboards only), checked."""
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise _bad("inline keyboard expected")
            if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
                raise _bad("can't parse reply keyboard markup JSON object")
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        echoed: list[list[dict[str, Any]]] = []
        for row in rows:
            if not isinstance(row, list):
                raise _bad(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            echoed_row = []
            for button in row:
                echoed_row.append(self._button(button))
            if echoed_row:
                echoed.append(echoed_row)
        return {"inline_keyboard": echoed}

    @staticmethod
    def _button(button: Any) -> dict[str, Any]:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise _bad(prefix + "InlineKeyboardButton must be an Object")
        if "text" not in button:
            raise _bad(prefix + 'Can\'t find field "text"')
        if not isinstance(button["text"], str):
            raise _bad(prefix + 'Field "text" must be of type String')
        present = [key for key in _BUTTON_ACTIONS if _given(button.get(key))]
        if not present:
            raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and data != "":
            if not isinstance(data, str):
                raise _bad(prefix + 'Field "callback_data" must be of type String')
            if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                raise _bad("BUTTON_DATA_INVALID")
        url = button.get("url")
        if url is not None and url != "" and not (isinstance(url, str) and _checked_link(url)):
            raise _bad("BUTTON_URL_INVALID")
        if not button["text"].strip():
            raise _bad("BUTTON_TEXT_INVALID")
        return {k: v for k, v in button.items() if v is not None and v != ""}

    def _reply_to(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        reply = params.get("reply_parameters")
        target = 0
        allow_missing = _as_bool(params.get("allow_sending_without_reply", "false"))
        if isinstance(reply, dict):
            target = _as_int(reply.get("message_id"))
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        elif params.get("reply_to_message_id") not in (None, ""):
            target = _as_int(params.get("reply_to_message_id"))
        if not target:
            return {}
        original = self._messages.get(chat_id, {}).get(target)
        if original is None:
            if allow_missing:
                return {}
            raise _bad("message to be replied not found")
        quoted = copy.deepcopy(original)
        quoted.pop("reply_to_message", None)
        return {"reply_to_message": quoted}

    def _send(
        self, chat_id: int, params: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        markup = self._markup(params)
        reply = self._reply_to(chat_id, params)
        self._reachable(chat_id)
        if markup is not None:
            content["reply_markup"] = markup
        return self._store(chat_id, self._bot(), {**reply, **content})

    def _own_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id") and params.get("chat_id") in (None, ""):
            raise _bad("MESSAGE_ID_INVALID")  # inline messages are not supported by the fake
        chat_id = self._chat_id(params)
        message_id = self._message_id(params)
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None:
            raise _bad("message to edit not found")
        if message["from"]["id"] != BOT_ID:
            raise _bad("message can't be edited")
        self._reachable(chat_id)
        return message

    def _apply_edit(self, message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        for key, value in changes.items():
            if value is None or value == [] or value == "":
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(self.now())
        return copy.deepcopy(message)

    def _register_file(self, content: bytes, folder: str, file_name: str = "") -> _File:
        self._file_counter += 1
        number = self._file_counter
        prefix = {"documents": "BQACAgIAAxkBAAI", "photos": "AgACAgIAAxkBAAI"}.get(folder, "CAAC")
        extension = file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        if folder == "photos":
            extension = "jpg"
        path = f"{folder}/file_{number}" + (f".{extension}" if extension else "")
        stored = _File(f"{prefix}{number:06d}fake", f"AgAD{number:06d}", path, content)
        self._files[stored.file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def _media(
        self, params: dict[str, Any], uploads: dict[str, _Upload], field_name: str
    ) -> tuple[_File, str]:
        upload = uploads.get(field_name)
        if upload is not None:
            if not upload.content:
                raise _bad("file must be non-empty")
            stored = self._register_file(upload.content, field_name + "s", upload.filename)
            return stored, upload.filename
        reference = params.get(field_name)
        if isinstance(reference, str) and reference:
            if reference in self._files:
                known = self._files[reference]
                return known, known.file_path.rsplit("/", 1)[-1]
            if re.match(r"https?://", reference):
                name = urlsplit(reference).path.rsplit("/", 1)[-1] or "file"
                return self._register_file(b"", field_name + "s", name), name
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {field_name} in the request")

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self._text(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return content

    def _entities_users(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entity in entities:
            if entity["type"] == "text_mention" and entity["user"]["id"] in self._users:
                entity["user"] = self._user(entity["user"]["id"])
        return entities

    # ---- methods (called with the lock held) ---------------------------------------------------

    def _api_get_me(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        return {
            **self._bot(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_get_updates(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        if self.webhook_url:
            raise _ApiError(409, _CONFLICT_WEBHOOK)
        offset = _as_int(params.get("offset"))
        limit = min(100, max(1, _as_int(params.get("limit"), 100)))
        try:
            timeout = max(0.0, float(str(params.get("timeout", 0)).strip() or 0))
        except ValueError:
            timeout = 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        epoch = self._epoch
        self._cond.notify_all()  # an older long poll now ends with 409
        self._confirm(offset)
        deadline = time.monotonic() + timeout
        self._polling += 1
        try:
            while True:
                if self._epoch != epoch or self._closed:
                    raise _Aborted
                if self._poll_generation != generation:
                    raise _ApiError(409, _CONFLICT_POLL)
                batch = self._updates[:limit]
                if batch:
                    self._fetched = max(self._fetched, batch[-1]["update_id"])
                    self._last_activity = time.monotonic()
                    return copy.deepcopy(batch)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)
        finally:
            self._polling -= 1

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            dropped = [u for u in self._updates if u["update_id"] < offset]
        elif offset < 0:
            dropped = self._updates[: max(0, len(self._updates) + offset)]
        else:
            return
        if dropped:
            self._confirmed = max(self._confirmed, max(u["update_id"] for u in dropped))
            gone = {u["update_id"] for u in dropped}
            self._updates = [u for u in self._updates if u["update_id"] not in gone]

    def _api_set_webhook(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        self.webhook_url = str(params.get("url", ""))
        if _as_bool(params.get("drop_pending_updates", "false")):
            self._confirm(self._next_update_id)
        return True

    def _api_delete_webhook(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        self.webhook_url = ""
        if _as_bool(params.get("drop_pending_updates", "false")):
            self._confirm(self._next_update_id)
        return True

    def _api_get_webhook_info(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _api_send_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat_id = self._chat_id(params)
        text, entities = self._text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = self._entities_users(entities)
        return self._send(chat_id, params, content)

    def _api_edit_message_text(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        message = self._own_message(params)
        text, entities = self._text(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        entities = self._entities_users(entities)
        markup = self._markup(params, inline_only=True)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        same = (
            message["text"] == text
            and message.get("entities", []) == entities
            and message.get("reply_markup") == markup
        )
        if same:
            raise _bad(_NOT_MODIFIED)
        changes = {"text": text, "entities": entities, "reply_markup": markup}
        return self._apply_edit(message, changes)

    def _api_edit_message_caption(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        message = self._own_message(params)
        caption = self._caption(params)
        markup = self._markup(params, inline_only=True)
        if "text" in message:
            raise _bad("there is no caption in the message to edit")
        same = (
            message.get("caption") == caption.get("caption")
            and message.get("caption_entities") == caption.get("caption_entities")
            and message.get("reply_markup") == markup
        )
        if same:
            raise _bad(_NOT_MODIFIED)
        changes = {
            "caption": caption.get("caption"),
            "caption_entities": caption.get("caption_entities"),
            "reply_markup": markup,
        }
        return self._apply_edit(message, changes)

    def _api_edit_message_reply_markup(
        self, params: dict[str, Any], uploads: dict[str, _Upload]
    ) -> Any:
        message = self._own_message(params)
        markup = self._markup(params, inline_only=True)
        if message.get("reply_markup") == markup:
            raise _bad(_NOT_MODIFIED)
        return self._apply_edit(message, {"reply_markup": markup})

    def _api_delete_message(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat_id = self._chat_id(params)
        message_id = self._message_id(params)
        if self._messages.get(chat_id, {}).pop(message_id, None) is None:
            raise _bad("message to delete not found")
        return True

    def _api_delete_messages(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat_id = self._chat_id(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message identifiers are not specified")
        for message_id in ids:
            self._messages.get(chat_id, {}).pop(_as_int(message_id), None)
        return True

    def _api_answer_callback_query(
        self, params: dict[str, Any], uploads: dict[str, _Upload]
    ) -> Any:
        query = self._queries.get(str(params.get("callback_query_id", "")))
        if query is None or query.answer is not None:
            raise _bad(_QUERY_TOO_OLD)
        if utf16_len(str(params.get("text", ""))) > MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        query.answer = self._handling
        return True

    def _api_send_document(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat_id = self._chat_id(params)
        stored, file_name = self._media(params, uploads, "document")
        content: dict[str, Any] = {
            "document": {
                "file_name": file_name,
                "mime_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
            },
            **self._caption(params),
        }
        return self._send(chat_id, params, content)

    def _api_send_photo(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat_id = self._chat_id(params)
        stored, _ = self._media(params, uploads, "photo")
        size = _image_size(stored.content) if stored.content else (800, 600)
        if size is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        width, height = size
        longest, shortest = max(size), min(size)
        if not shortest or width + height > 10000 or longest > 20 * shortest:
            raise _bad("PHOTO_INVALID_DIMENSIONS")
        sizes: list[dict[str, Any]] = []
        for box in (90, 320, 800, 1280):
            scale = min(1.0, box / max(width, height))
            scaled = (max(1, round(width * scale)), max(1, round(height * scale)))
            if sizes and (sizes[-1]["width"], sizes[-1]["height"]) == scaled:
                break
            last = scale == 1.0 or box == 1280
            entry = stored if last else self._register_file(stored.content, "photos")
            sizes.append(
                {
                    "file_id": entry.file_id,
                    "file_unique_id": entry.file_unique_id,
                    "file_size": len(stored.content) if last else int(len(stored.content) * scale),
                    "width": scaled[0],
                    "height": scaled[1],
                }
            )
            if last:
                break
        content: dict[str, Any] = {"photo": sizes, **self._caption(params)}
        return self._send(chat_id, params, content)

    def _api_get_file(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _api_set_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        checked = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: BotCommand must be an Object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        key = (_scope_key(params.get("scope")), str(params.get("language_code", "")))
        self.commands[key] = checked
        return True

    def _api_get_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        key = (_scope_key(params.get("scope")), str(params.get("language_code", "")))
        return copy.deepcopy(self.commands.get(key, []))

    def _api_delete_my_commands(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        key = (_scope_key(params.get("scope")), str(params.get("language_code", "")))
        self.commands.pop(key, None)
        return True

    def _api_send_chat_action(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat_id = self._chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._reachable(chat_id)
        return True

    def _api_set_chat_menu_button(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat = params.get("chat_id")
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTONS:
            raise _bad("can't parse menu button JSON object")
        self.menu_buttons[None if chat in (None, "") else self._chat_id(params)] = button
        return True

    def _api_get_chat_menu_button(self, params: dict[str, Any], uploads: dict[str, _Upload]) -> Any:
        chat = params.get("chat_id")
        key = None if chat in (None, "") else self._chat_id(params)
        button = self.menu_buttons.get(key) or self.menu_buttons.get(None)
        return copy.deepcopy(button or {"type": "commands"})


def _scope_key(scope: Any) -> str:
    if not isinstance(scope, dict) or not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True)
