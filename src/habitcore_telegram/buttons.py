"""Inline-button payloads: short, checked, and naming their owner.

Telegram gives a button at most 64 bytes of ``callback_data`` and hands back whatever a client
sends, so a payload is treated as untrusted input. Each one is ``action:owner:arg…`` in ASCII:
habits are named by id (a 100-character emoji name would not fit), days as ``YYYYMMDD``, and the
owner is the Telegram user the message was made for, so a button pressed by anyone else, or
forged, is refused before anything is looked up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from telebot import types

MAX_BYTES = 64
_PART = re.compile(r"[a-z0-9_.+-]{1,20}", re.IGNORECASE)
_NUMBER = re.compile(r"0|[1-9][0-9]{0,19}")  # canonical: no sign, no leading zero
_DAY = re.compile(r"[0-9]{8}")


class BadButton(ValueError):
    """Malformed, oversized or forged callback data."""


@dataclass(frozen=True)
class Button:
    action: str
    owner: int
    args: tuple[str, ...]

    def number(self, index: int) -> int:
        text = self.text(index)
        if not _NUMBER.fullmatch(text) or int(text) > 2**53:
            raise BadButton(self.action)
        return int(text)

    def day(self, index: int) -> date:
        text = self.text(index)
        if not _DAY.fullmatch(text):
            raise BadButton(self.action)
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        except ValueError:
            raise BadButton(self.action) from None

    def text(self, index: int) -> str:
        try:
            return self.args[index]
        except IndexError:
            raise BadButton(self.action) from None


def pack(action: str, owner: int, *args: object) -> str:
    parts = [action, str(owner)]
    for arg in args:
        parts.append(arg.strftime("%Y%m%d") if isinstance(arg, date) else str(arg))
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES or not all(_PART.fullmatch(p) for p in parts):
        raise ValueError(f"callback data {data[:80]!r} breaks Telegram's rules")
    return data


def unpack(data: str | None) -> Button:
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        raise BadButton("size")
    parts = data.split(":")
    if len(parts) < 2 or not all(_PART.fullmatch(p) for p in parts):
        raise BadButton("shape")
    action, owner, *args = parts
    if not _NUMBER.fullmatch(owner):
        raise BadButton("owner")
    return Button(action, int(owner), tuple(args))


def keyboard(*rows: Sequence[tuple[str, str]]) -> types.InlineKeyboardMarkup:
    """Inline buttons from rows of (label, callback data)."""
    markup = types.InlineKeyboardMarkup()
    for row in rows:
        markup.row(*(types.InlineKeyboardButton(label, callback_data=data) for label, data in row))
    return markup
