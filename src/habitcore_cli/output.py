"""The one place that writes to the terminal: consoles, and how each result is drawn.

Colour and Unicode only on a terminal; piped output, ``NO_COLOR`` and ``TERM=dumb`` get plain
text with the same content, so scripts can read it (or use ``--json``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)


def fancy() -> bool:
    """Colour and box drawing: only for a person at a capable terminal."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return console.is_terminal


def say(text: str, style: str | None = None) -> None:
    if fancy():
        console.print(text, style=style, markup=False)
    else:
        console.print(text, markup=False, soft_wrap=True)


def error(text: str) -> None:
    """One line on stderr: what was wrong and how to fix it."""
    error_console.print(
        f"Error: {text}", style="bold red" if fancy() else None, markup=False, soft_wrap=True
    )


def print_json(data: Any) -> None:
    """Stable JSON for scripts: UTF-8, not escaped, keys in a fixed order."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def bar(score: float, width: int = 10) -> str:
    if not fancy():
        return f"{score:.0%}"
    filled = round(score * width)
    return "█" * filled + "░" * (width - filled) + f" {score:4.0%}"
