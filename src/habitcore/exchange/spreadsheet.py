"""Cells that a spreadsheet must not run: OWASP's rule for CSV injection, and its undoing.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)`` in a habit name would run when the
export is opened). Such a cell is written with a leading apostrophe, which every spreadsheet
shows as text, and reading a habitcore-written CSV takes the apostrophe off again, so a name
such as "-5 kg" survives the round trip.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def protect(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates.

    A text that starts with an apostrophe already gets one more, so that ``unprotect`` can
    tell "'=x" typed by a person from "=x" protected here.
    """
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def unprotect(text: str) -> str:
    """The text ``protect`` was given (a cell it did not change comes back as it was)."""
    if text.startswith("'") and text[1:].startswith((*FORMULA_STARTS, "'")):
        return text[1:]
    return text
