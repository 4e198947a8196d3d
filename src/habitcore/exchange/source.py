"""What an import reads: a file, a folder, or a zip, all seen as named files of bytes.

``habit import PATH`` takes a file or a folder and the bot takes a document sent to it; either
way the formats read the same thing, so one reader serves both. A zip is opened in memory and
its members are its files; a folder's files are read lazily, only those a format asks for.
Sizes are capped so that a zip bomb or a stray disk image is refused, not read.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from habitcore.errors import InvalidImport

MAX_FILE = 512 * 1024 * 1024  # bytes of any one file (a Loop backup of decades is ~50 MB)
MAX_FILES = 10_000  # members of a zip or files of a folder
_DEPTH = 3  # folder levels looked into (Loop's CSV zip nests one)


@dataclass
class Source:
    """Named files (``/``-separated paths relative to the source) and how to read each."""

    label: str  # the path or file name, for messages
    files: dict[str, Callable[[], bytes]] = field(default_factory=dict)
    single: bool = True  # one file (True) or a folder or zip (False)
    path: Path | None = None  # where it lies on disk, when it does

    def read(self, name: str) -> bytes:
        return self.files[name]()

    @property
    def first(self) -> bytes:
        """The bytes of a single-file source."""
        return self.read(next(iter(self.files)))

    def find(self, basename: str) -> str | None:
        """The shallowest file named ``basename`` (any case), if there is one."""
        wanted = basename.casefold()
        found = [n for n in self.files if PurePosixPath(n).name.casefold() == wanted]
        return min(found, key=lambda n: (n.count("/"), n)) if found else None

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> Source:
        """A file received whole (a document sent to the bot); a zip is opened."""
        if zipfile.is_zipfile(io.BytesIO(data)):
            return _zip(name, data)
        return cls(name, {name: lambda: data})

    @classmethod
    def of_path(cls, path: Path) -> Source:
        path = path.expanduser()
        label = str(path)
        if path.is_dir():
            return _folder(path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise InvalidImport(f"There is no file or folder at {label}.") from None
        except OSError as exc:
            raise InvalidImport(f"Could not read {label}: {exc.strerror or exc}.") from None
        if not path.is_file():
            raise InvalidImport(f"{label} is not a file or a folder.")
        if size > MAX_FILE:
            raise InvalidImport(f"{label} is {size // 2**20} MB; habitcore imports at most 512 MB.")
        data = _read_file(path)
        source = cls.of_bytes(path.name, data)
        source.label, source.path = label, path
        return source


def sqlite_in_memory(data: bytes, label: str) -> sqlite3.Connection:
    """A read-only connection to a copy of a SQLite file's bytes, in memory.

    The user's file is never opened itself, so nothing (a journal, WAL's -shm) is written
    beside it. A file in WAL mode (bytes 18 and 19 of its header are 2) cannot be read from
    memory as it is; its copy is marked as a rollback-journal file, which changes no data.
    """
    if len(data) >= 20 and data[18:20] == b"\x02\x02":
        data = data[:18] + b"\x01\x01" + data[20:]
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.execute("PRAGMA query_only = ON")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise InvalidImport(
            f"{label} is a damaged SQLite file ({exc}); it may have been cut short while copying."
        ) from None
    return connection


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidImport(f"Could not read {path}: {exc.strerror or exc}.") from None


def _folder(root: Path) -> Source:
    files: dict[str, Callable[[], bytes]] = {}
    try:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if len(relative.parts) > _DEPTH or not path.is_file():
                continue
            if any(part.startswith(".") for part in relative.parts):
                continue  # .DS_Store, editor swap files
            if len(files) >= MAX_FILES:
                raise InvalidImport(f"{root} holds more than {MAX_FILES} files; is it an export?")
            files[relative.as_posix()] = lambda path=path: _read_file(path)  # type: ignore[misc]
    except OSError as exc:
        raise InvalidImport(f"Could not read the folder {root}: {exc.strerror or exc}.") from None
    return Source(str(root), files, single=False, path=root)


def _zip(name: str, data: bytes) -> Source:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidImport(f"{name} is a damaged zip file ({exc}).") from None
    if len(members) > MAX_FILES:
        raise InvalidImport(f"{name} holds more than {MAX_FILES} files; is it an export?")
    files: dict[str, Callable[[], bytes]] = {}
    for member in members:
        if member.file_size > MAX_FILE:
            raise InvalidImport(f"{name}: {member.filename} unpacks to more than 512 MB.")
        parts = PurePosixPath(member.filename).parts
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        files[member.filename] = lambda member=member: _member(archive, member, name)  # type: ignore[misc]
    return Source(name, files, single=False)


def _member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with archive.open(member) as handle:
            data = handle.read(MAX_FILE + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InvalidImport(f"{name}: {member.filename} cannot be unpacked ({exc}).") from None
    if len(data) > MAX_FILE:
        raise InvalidImport(f"{name}: {member.filename} unpacks to more than 512 MB.")
    return data
