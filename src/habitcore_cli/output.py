"""The one place that writes to the terminal: consoles, tables, and the plain form of both.

Colour, Unicode and Rich only for a person at a capable terminal (``NO_COLOR`` drops the colour
alone). Piped output and ``TERM=dumb`` get plain text with the same content, written directly:
scripts can read it (or use ``--json``), and a piped command does not pay for importing and
laying out Rich.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

Cell = str | tuple[str, str]  # text, or (text, Rich style)


def fancy() -> bool:
    """Unicode, bars, titles and (unless ``NO_COLOR``) colour: only for a person at a capable
    terminal. ``NO_COLOR`` takes the colour away and nothing else (https://no-color.org)."""
    if os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def width() -> int:
    """The terminal's width in columns (``COLUMNS`` first, as shells set it), 100 when unknown."""
    import shutil

    return max(20, shutil.get_terminal_size((100, 24)).columns)


@cache
def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, no_color=bool(os.environ.get("NO_COLOR")))


@cache
def error_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, no_color=bool(os.environ.get("NO_COLOR")))


def say(text: str, style: str | None = None) -> None:
    if fancy():
        console().print(text, style=style, markup=False, soft_wrap=True)
    else:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()  # a reminder in a log or a pipe must show when it fires


def show(renderable: Any) -> None:
    """Print a Rich renderable (only on the fancy path)."""
    console().print(renderable)


def error(text: str) -> None:
    """One line on stderr: what was wrong and how to fix it."""
    if fancy() and sys.stderr.isatty():
        error_console().print(f"Error: {text}", style="bold red", markup=False, soft_wrap=True)
    else:
        sys.stderr.write(f"Error: {text}\n")


def note(text: str) -> None:
    """A line on stderr that is news, not an error (stdout stays what scripts read)."""
    sys.stderr.write(text + "\n")


def print_json(data: Any) -> None:
    """Stable JSON for scripts: UTF-8, not escaped, keys in a fixed order."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def bar(score: float, width: int = 10) -> str:
    if not fancy():
        return f"{score:.0%}"
    filled = round(score * width)
    return "█" * filled + "░" * (width - filled) + f" {score:4.0%}"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    right: frozenset[int] = frozenset(),
    title: str | None = None,
) -> None:
    """A table: Rich's on a terminal, aligned plain columns otherwise."""
    if fancy():
        from rich import box
        from rich.table import Table
        from rich.text import Text

        grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title)
        for index, header in enumerate(headers):
            grid.add_column(header, justify="right" if index in right else "left")
        for row in rows:
            grid.add_row(*(Text(c) if isinstance(c, str) else Text(c[0], style=c[1]) for c in row))
        show(grid)
        return
    from rich.cells import cell_len  # display width of emoji and CJK; no console needed

    texts = [[c if isinstance(c, str) else c[0] for c in row] for row in [headers, *rows]]
    widths = [max(cell_len(row[i]) for row in texts) for i in range(len(headers))]
    lines = []
    for row in texts:
        cells = []
        for index, text in enumerate(row):
            pad = " " * (widths[index] - cell_len(text))
            cells.append(pad + text if index in right else text + pad)
        lines.append("  ".join(cells).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")
