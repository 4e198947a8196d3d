"""Text lengths as Telegram counts them (UTF-16 code units), and cutting texts to its limits.

Python counts code points; Telegram counts UTF-16 units, so an emoji outside the Basic
Multilingual Plane is one character here and two there. A message measured the Python way may
be refused as too long.
"""

from __future__ import annotations

MAX_TEXT = 4096  # a message
MAX_ANSWER = 200  # a button answer's text


def size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def fits(text: str, limit: int) -> int:
    """How many leading characters of ``text`` fit in ``limit`` UTF-16 units."""
    units = 0
    for count, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            return count
    return len(text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units, with an ellipsis when cut."""
    if size(text) <= limit:
        return text
    return text[: fits(text, limit - 1)] + "…"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units (Telegram's measure), cut at line ends.

    A line longer than a message is cut between characters. Pieces that would hold only
    whitespace are left out: Telegram refuses an empty message.
    """
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while size(line) > limit:
            cut = max(1, fits(line, limit))
            pieces.extend([current, line[:cut]])
            current, line = "", line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if size(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]
