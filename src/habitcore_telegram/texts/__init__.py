"""Every text the bot says, one catalog per language, chosen per person.

A catalog is a plain dict of ``str.format`` templates (``en.py``, ``ru.py``); a test checks that
each language has every key with the same placeholders. Counted words carry their plural forms
separated by ``|`` (English: one|many; Russian: one|few|many).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from typing import Any

from habitcore.errors import HabitcoreError

LANGUAGES = ("en", "ru")
DEFAULT = "en"


def language_of(code: str | None) -> str:
    """The catalog for a Telegram ``language_code`` (``ru``, ``ru-RU`` …); English otherwise."""
    base = (code or "").lower().split("-")[0]
    return base if base in LANGUAGES else DEFAULT


def catalog(language: str) -> dict[str, str]:
    module = import_module(f"habitcore_telegram.texts.{language_of(language)}")
    messages: dict[str, str] = module.MESSAGES
    return messages


def commands(language: str) -> dict[str, str]:
    module = import_module(f"habitcore_telegram.texts.{language_of(language)}")
    menu: dict[str, str] = module.COMMANDS
    return menu


@cache
def _typed(language: str) -> list[tuple[re.Pattern[str], str]]:
    module = import_module(f"habitcore_telegram.texts.{language_of(language)}")
    rules: list[tuple[str, str]] = module.TYPED
    return [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in rules]


class Texts:
    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self.messages = catalog(self.language)

    def understood(self, typed: str) -> str:
        """A typed schedule, reminder or "off" in habitcore's words: ``3 раза в неделю`` is
        ``3/week``, ``08:00 пн,ср`` is ``08:00 mon,wed``. Never for names."""
        for pattern, replacement in _typed(self.language):
            typed = pattern.sub(replacement, typed)
        return typed

    def __call__(self, key: str, **values: Any) -> str:
        return self.messages[key].format(**values)

    def count(self, key: str, n: int) -> str:
        """``n`` with its word in the right plural form: "1 day", "5 days", "5 дней"."""
        forms = self.messages[key].split("|")
        if self.language == "ru":
            tens, ones = n % 100, n % 10
            if ones == 1 and tens != 11:
                form = forms[0]
            elif 2 <= ones <= 4 and not 12 <= tens <= 14:
                form = forms[1]
            else:
                form = forms[2]
        else:
            form = forms[0] if n == 1 else forms[1]
        return form.format(n=n)

    def number(self, n: int) -> str:
        """A count with its thousands grouped as this language does: 12,800 or 12 800."""
        return f"{n:,}".replace(",", self.messages["number.group"])

    def error(self, error: HabitcoreError) -> str:
        """A habitcore error in this language: its own catalog text where there is one."""
        key = f"error.{type(error).__name__}"
        if key in self.messages:
            return self(
                key,
                detail=str(error),
                name=getattr(error, "name", ""),
                prefix=getattr(error, "prefix", ""),
                candidates=", ".join(getattr(error, "candidates", None) or []),
            )
        return str(error)
