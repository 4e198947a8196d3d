"""History in and out: habitcore's own JSON and CSV, Loop Habit Tracker's backup and CSV export,
and harsh's files.

One module per format reads its files into a ``Document`` (and, where habitcore writes the
format, writes one from ``Tracker.export()``); ``detect`` tells the format from the content;
``merge`` is the one place a document is written into the store. ``import habitcore`` loads
none of this: the tracker imports it when an import or export is asked for.

    document = habitcore.exchange.read("~/Downloads/Loop Habits Backup.db")
    summary = tracker.import_document(document)
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from habitcore.errors import InvalidImport
from habitcore.exchange.detect import describe, detect
from habitcore.exchange.document import (
    Document,
    Entry,
    Format,
    HabitDoc,
    ImportSummary,
    Mode,
    Span,
    Unmapped,
)
from habitcore.exchange.source import Source

__all__ = [
    "Document",
    "Entry",
    "Format",
    "HabitDoc",
    "ImportSummary",
    "Mode",
    "Source",
    "Span",
    "Unmapped",
    "detect",
    "read",
    "write",
]

_READERS = {
    Format.JSON: "habitcore_json",
    Format.CSV: "habitcore_csv",
    Format.LOOP: "loop_backup",
    Format.LOOP_CSV: "loop_csv",
    Format.HARSH: "harsh",
}
_WRITERS = {  # the formats habitcore writes, and the module that writes each
    Format.JSON: "habitcore_json",
    Format.CSV: "habitcore_csv",
    Format.LOOP_CSV: "loop_csv_export",
    Format.HARSH: "harsh_export",
}
WRITES = tuple(_WRITERS)


def read(source: Source | Path | str, format: Format | str | None = None) -> Document:
    """Read a file, folder or zip (or a ``Source`` of bytes) into a ``Document``.

    The format is told from the content; ``format`` insists on one, and a file of another
    format is then an ``InvalidImport`` naming both. Nothing is written anywhere.
    """
    opened = source if isinstance(source, Source) else Source.of_path(Path(source))
    wanted = _format(format)
    try:
        found, opened = detect(opened)
    except InvalidImport:
        if wanted is None:
            raise
        found = wanted  # let the format's own reader say what is wrong with the file
    if wanted is not None and found is not wanted:
        raise InvalidImport(
            f"{opened.label} is {describe(found)}, not {describe(wanted)}; leave the format "
            f"out to have it told from the content, or name {found.value}."
        )
    module: Any = import_module(f"habitcore.exchange.{_READERS[found]}")
    if found in (Format.JSON, Format.CSV, Format.LOOP) and not opened.single:
        raise InvalidImport(f"{opened.label} is a folder; {describe(found)} is one file.")
    try:
        if found in (Format.JSON, Format.CSV):
            document: Document = module.read(opened.first)
        else:
            document = module.read(opened)
    except InvalidImport as exc:
        raise InvalidImport(f"{opened.label}: {exc}") from None
    return document


def write(document: dict[str, Any], format: Format | str, target: Path | None = None) -> bytes:
    """``Tracker.export()``'s document in ``format``, as the bytes of one file.

    harsh's format is two files: with ``target`` a folder they are written there (and the
    bytes returned are the ``log``); Loop's CSV export is a zip.
    """
    chosen = _format(format)
    if chosen is None or chosen not in WRITES:
        raise InvalidImport(f"habitcore does not write {describe(chosen or Format.LOOP)}.")
    module: Any = import_module(f"habitcore.exchange.{_WRITERS[chosen]}")
    if chosen is Format.HARSH:
        return bytes(module.write(document, target))
    written = module.write(document)
    return written.encode() if isinstance(written, str) else bytes(written)


def _format(value: Format | str | None) -> Format | None:
    if value is None or isinstance(value, Format):
        return value
    try:
        return Format(value.strip().lower())
    except ValueError:
        choices = ", ".join(f.value for f in Format)
        raise InvalidImport(f"{value!r} is not an import format; use one of {choices}.") from None
